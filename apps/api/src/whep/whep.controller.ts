import { All, Controller, Delete, Head, MethodNotAllowedException, Options, Param, Patch, Post, Req, Res } from '@nestjs/common';
import type { LinkEntry } from '@onair/protocol';
import type { Request, Response } from 'express';
import { clientAddress } from '../http/client-address';
import { markBearerRejected } from '../http/rate-limit';
import { readPatch, readSdpOffer } from '../http/sdp-request';
import {
  sendEndpointHead,
  sendEndpointOptions,
  sendPatchResult,
  sendSessionCreated,
  sendSessionOptions,
} from '../ice/session-responses';
import { IceServersService } from '../ice/ice-servers.service';
import { CHANNEL_EVENT_TYPES } from '../live/channel-events';
import { playbackToken, WatchAccess } from '../channels/watch-access';
import { PlaybackService } from './playback.service';
import { parseSessionId } from '../live/session-id';
import { WhepSessionCaps } from './whep-session-caps';

/** Link relations of the WHEP core extensions onair implements. */
export const WHEP_EXT = {
  events: 'urn:ietf:params:whep:ext:core:server-sent-events',
  layer: 'urn:ietf:params:whep:ext:core:layer',
} as const;

/** WHEP: players POST their offer for a channel and get Janus's answer. */
@Controller('whep')
export class WhepController {
  constructor(
    private readonly playback: PlaybackService,
    private readonly access: WatchAccess,
    private readonly iceServers: IceServersService,
    private readonly sessionCaps: WhepSessionCaps,
  ) {}

  @Post(':channel')
  async watch(@Param('channel') channel: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const offer = readSdpOffer(req, 'player');
    const started = await this.sessionCaps.admit(clientAddress(req), () => this.playback.start({ slug: channel, offer, token: playbackToken(req) }));
    const session = `/whep/sessions/${started.sessionId}`;
    const extensions: LinkEntry[] = [{ uri: `${session}/events`, rel: WHEP_EXT.events, params: { events: CHANNEL_EVENT_TYPES.join(',') } }];
    // The layer extension needs the events one (its "layers" event); offered for simulcast streams.
    if (started.layers) extensions.push({ uri: `${session}/layer`, rel: WHEP_EXT.layer });
    sendSessionCreated(res, {
      location: session,
      etag: started.etag,
      answerSdp: started.answerSdp,
      iceServers: this.iceServers.forClient(`whep-${started.channel.slug}`),
      extensions,
      timings: started.timings,
    });
  }

  @Head(':channel')
  async head(@Param('channel') channel: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.access.channel(channel, playbackToken(req));
    sendEndpointHead(res);
  }

  /**
   * Discovery. TURN credentials only for a channel that is live and that this client may
   * watch (its playback token, for a private one; RFC 9725 §4.4): anyone else gets STUN only.
   * An offline channel gets none either: there is nothing to relay, and a public channel's
   * name alone must not buy 24 h of TURN.
   */
  @Options(':channel')
  async discover(@Param('channel') channel: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { servers, rejected } = await this.iceServers.forDiscovery(`whep-${channel}`, async () => {
      const watched = await this.access.channel(channel, playbackToken(req));
      return this.playback.isLive(watched.id);
    });
    if (rejected) markBearerRejected(res);
    sendEndpointOptions(res, servers);
  }

  @Patch('sessions/:id')
  async patch(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    sendPatchResult(res, await this.playback.patch(parseSessionId(id, 'WHEP'), readPatch(req)));
  }

  @Delete('sessions/:id')
  async stop(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.playback.stop(parseSessionId(id, 'WHEP'));
    res.status(200).end();
  }

  @Options('sessions/:id')
  sessionOptions(@Res() res: Response): void {
    sendSessionOptions(res);
  }

  @All('sessions/:id')
  sessionOther(@Res() res: Response): void {
    res.setHeader('Allow', 'PATCH, DELETE, OPTIONS');
    throw new MethodNotAllowedException('a WHEP session takes PATCH (trickle ICE, ICE restart) and DELETE (stop watching)');
  }

  @All(':channel')
  endpointOther(@Res() res: Response): void {
    res.setHeader('Allow', 'POST, OPTIONS, HEAD');
    throw new MethodNotAllowedException('POST an SDP offer to this endpoint to watch the channel (Content-Type: application/sdp)');
  }
}
