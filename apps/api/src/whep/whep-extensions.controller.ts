import { Controller, Delete, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parseWith } from '../http/validation';
import { DomainError } from '../errors/domain-error';
import { openEventStream } from '../http/event-stream';
import { readJsonBody } from '../http/sdp-request';
import { channelEventData } from '../live/channel-events';
import { LayerRequest, PlaybackService } from './playback.service';
import { EventSink, WhepEventStreams } from './whep-event-streams';
import { parseSessionId } from '../live/session-id';

/**
 * The WHEP core extensions ("WebRTC-HTTP Egress Protocol Core Extensions", wish-wg):
 * server-sent events (active, inactive, viewercount, layers) and simulcast layer selection.
 */
@Controller('whep/sessions/:id')
export class WhepExtensionsController {
  constructor(
    private readonly playback: PlaybackService,
    private readonly streams: WhepEventStreams,
  ) {}

  /** Body: a JSON array of event names (empty or absent: all) → 201 + Location of the stream. */
  @Post('events')
  createEvents(@Param('id') id: string, @Req() req: Request, @Res() res: Response): void {
    const sessionId = parseSessionId(id, 'WHEP');
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const wanted = hasBody ? readJsonBody(req, 'list of event names') : undefined;
    const streamId = this.playback.createEventStream(sessionId, wanted);
    res.status(201).location(`/whep/sessions/${sessionId}/events/${streamId}`).end();
  }

  @Get('events/:stream')
  pull(@Param('id') id: string, @Param('stream') streamId: string, @Req() req: Request, @Res() res: Response): void {
    const sessionId = parseSessionId(id, 'WHEP');
    const { videoMediaId } = this.playback.session(sessionId);
    // 404 before anything is written if the stream is unknown.
    this.streams.check(sessionId, streamId);
    const sink: EventSink = {
      send: (e) => stream.send(e.type, channelEventData(e, videoMediaId)),
      close: () => stream.close(),
    };
    const stream = openEventStream(req, res, () => this.streams.detach(streamId, sink));
    this.streams.attach(sessionId, streamId, sink);
  }

  @Delete('events/:stream')
  deleteEvents(@Param('id') id: string, @Param('stream') streamId: string, @Res() res: Response): void {
    this.streams.destroy(parseSessionId(id, 'WHEP'), streamId);
    res.status(200).end();
  }

  @Post('layer')
  async selectLayer(@Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.playback.selectLayer(parseSessionId(id, 'WHEP'), parseLayerRequest(readJsonBody(req, 'layer request')));
    res.status(200).end();
  }

  /** Back to onair's default layer (a DELETE some clients send; the draft POSTs `{}` for it). */
  @Delete('layer')
  async resetLayer(@Param('id') id: string, @Res() res: Response): Promise<void> {
    await this.playback.selectLayer(parseSessionId(id, 'WHEP'), {});
    res.status(200).end();
  }
}

const LayerBody = z
  .object({
    mediaId: z.union([z.string(), z.number().int().min(0)]).optional(),
    rid: z.string().min(1).max(64).optional(),
    // The -00 draft's name for rid, still sent by some players.
    encodingId: z.string().min(1).max(64).optional(),
    spatialLayerId: z.number().int().min(0).optional(),
    temporalLayerId: z.number().int().min(0).optional(),
    maxSpatialLayerId: z.number().int().min(0).optional(),
    maxTemporalLayerId: z.number().int().min(0).optional(),
    maxWidth: z.number().int().min(1).optional(),
    maxHeight: z.number().int().min(1).optional(),
  })
  .strict();

function parseLayerRequest(body: unknown): LayerRequest {
  const b = parseWith(LayerBody, body, 'layer request');
  // onair's streams are simulcast (one spatial layer per encoding), not SVC.
  if (b.spatialLayerId !== undefined || b.temporalLayerId !== undefined || b.maxSpatialLayerId !== undefined || b.maxTemporalLayerId !== undefined) {
    throw new DomainError('unprocessable', 'onair selects simulcast encodings by "rid"; spatial/temporal layer ids are not supported');
  }
  if (b.maxWidth !== undefined || b.maxHeight !== undefined) {
    throw new DomainError('unprocessable', 'onair selects simulcast encodings by "rid"; maxWidth/maxHeight are not supported');
  }
  return { mediaId: b.mediaId === undefined ? undefined : String(b.mediaId), encodingId: b.rid ?? b.encodingId };
}
