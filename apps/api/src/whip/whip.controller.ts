import { All, Controller, Delete, Head, MethodNotAllowedException, Options, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StreamKeyService } from '../channels/stream-key.service';
import { markBearerRejected } from '../http/rate-limit';
import { bearerToken, readPatch, readSdpOffer } from '../http/sdp-request';
import {
  sendEndpointHead,
  sendEndpointOptions,
  sendPatchResult,
  sendSessionCreated,
  sendSessionOptions,
} from '../ice/session-responses';
import { IceServersService } from '../ice/ice-servers.service';
import { BroadcastService } from './broadcast.service';
import { parseSessionId } from '../live/session-id';

/** WHIP (RFC 9725): OBS and browsers publish here. HTTP in, HTTP out; the work is in BroadcastService. */
@Controller('whip')
export class WhipController {
  constructor(
    private readonly broadcasts: BroadcastService,
    private readonly iceServers: IceServersService,
    private readonly keys: StreamKeyService,
  ) {}

  @Post()
  async publish(@Req() req: Request, @Res() res: Response): Promise<void> {
    const offer = readSdpOffer(req, 'publisher');
    const started = await this.broadcasts.start({ streamKey: bearerToken(req), offer, userAgent: req.headers['user-agent'] });
    sendSessionCreated(res, {
      location: `/whip/sessions/${started.sessionId}`,
      etag: started.etag,
      answerSdp: started.answerSdp,
      iceServers: this.iceServers.forClient(`whip-${started.channel.slug}`),
      timings: started.timings,
    });
  }

  /**
   * Discovery. TURN credentials only for a valid stream key (RFC 9725 §4.4): anyone else gets
   * STUN only, and a wrong key counts against the address like a 401 (no free key oracle).
   */
  @Options()
  async discover(@Req() req: Request, @Res() res: Response): Promise<void> {
    const check = req.headers.authorization === undefined ? undefined : () => this.keys.authenticate(bearerToken(req));
    const { servers, rejected } = await this.iceServers.forDiscovery('whip', check);
    if (rejected) markBearerRejected(res);
    sendEndpointOptions(res, servers);
  }

  @Head()
  head(@Res() res: Response): void {
    sendEndpointHead(res);
  }

  @Patch('sessions/:id')
  async patch(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendPatchResult(res, await this.broadcasts.patch(parseSessionId(id, 'WHIP'), readPatch(req)));
  }

  @Delete('sessions/:id')
  async stop(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.broadcasts.stop(parseSessionId(id, 'WHIP'));
    // 200, not 204: OBS logs a warning on 204.
    res.status(200).end();
  }

  @Options('sessions/:id')
  sessionOptions(@Res() res: Response): void {
    sendSessionOptions(res);
  }

  @All()
  endpointOther(@Res() res: Response): void {
    res.setHeader('Allow', 'POST, OPTIONS, HEAD');
    throw new MethodNotAllowedException('POST an SDP offer to this endpoint to publish (Content-Type: application/sdp, Authorization: Bearer <stream key>)');
  }

  @All('sessions/:id')
  sessionOther(@Res() res: Response): void {
    res.setHeader('Allow', 'PATCH, DELETE, OPTIONS');
    throw new MethodNotAllowedException('a WHIP session takes PATCH (trickle ICE, ICE restart) and DELETE (end the broadcast)');
  }
}
