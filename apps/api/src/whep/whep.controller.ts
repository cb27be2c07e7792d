import { All, Controller, Delete, MethodNotAllowedException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { readSdpBody } from '../http/sdp-request';
import { SESSION_ID } from '../live/session-id';
import { PlaybackService } from '../live/playback.service';

/** WHEP: players POST their offer for a channel and get Janus's answer. */
@Controller('whep')
export class WhepController {
  constructor(private readonly playback: PlaybackService) {}

  @Post(':channel')
  async watch(@Param('channel') channel: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const offerSdp = readSdpBody(req);
    const started = await this.playback.start({ slug: channel, offerSdp });
    res.status(201).location(`/whep/sessions/${started.sessionId}`).type('application/sdp').send(started.answerSdp);
  }

  @Delete('sessions/:id')
  async stop(@Param('id') id: string, @Res() res: Response): Promise<void> {
    if (!SESSION_ID.test(id)) throw new DomainError('not-found', 'no WHEP session at this URL');
    await this.playback.stop(id);
    res.status(200).end();
  }

  @All('sessions/:id')
  sessionOther(@Res() res: Response): void {
    res.setHeader('Allow', 'DELETE, OPTIONS');
    throw new MethodNotAllowedException('a WHEP session supports DELETE (to stop watching)');
  }

  @All(':channel')
  endpointOther(@Res() res: Response): void {
    res.setHeader('Allow', 'POST, OPTIONS');
    throw new MethodNotAllowedException('POST an SDP offer to this endpoint to watch the channel');
  }
}
