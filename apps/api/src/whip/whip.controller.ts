import { All, Controller, Delete, MethodNotAllowedException, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError } from '../errors/domain-error';
import { bearerToken, readSdpBody } from '../http/sdp-request';
import { BroadcastService } from '../live/broadcast.service';
import { SESSION_ID } from '../live/session-id';

/** WHIP (RFC 9725): OBS and browsers publish here. HTTP in, HTTP out; the work is in BroadcastService. */
@Controller('whip')
export class WhipController {
  constructor(private readonly broadcasts: BroadcastService) {}

  @Post()
  async publish(@Req() req: Request, @Res() res: Response): Promise<void> {
    const offerSdp = readSdpBody(req);
    const started = await this.broadcasts.start({ streamKey: bearerToken(req), offerSdp, userAgent: req.headers['user-agent'] });
    res.status(201).location(`/whip/sessions/${started.sessionId}`).type('application/sdp').send(started.answerSdp);
  }

  @Delete('sessions/:id')
  async stop(@Param('id') id: string, @Res() res: Response): Promise<void> {
    if (!SESSION_ID.test(id)) throw new DomainError('not-found', 'no WHIP session at this URL');
    await this.broadcasts.stop(id);
    // 200, not 204: OBS logs a warning on 204.
    res.status(200).end();
  }

  @All()
  endpointOther(@Res() res: Response): void {
    res.setHeader('Allow', 'POST, OPTIONS');
    throw new MethodNotAllowedException('POST an SDP offer to this endpoint to publish');
  }

  @All('sessions/:id')
  sessionOther(@Res() res: Response): void {
    res.setHeader('Allow', 'DELETE, OPTIONS');
    throw new MethodNotAllowedException('a WHIP session supports DELETE (to end the broadcast)');
  }
}
