import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import type { ChannelStatus, LiveChannelList } from '@onair/api-types';
import type { Request, Response } from 'express';
import { streamEvents } from '../http/event-stream';
import { channelEventData } from '../live/channel-events';
import { ChannelService } from './channel.service';
import { playbackToken } from './watch-access';

@Controller('channels')
export class ChannelController {
  constructor(private readonly channels: ChannelService) {}

  /** The directory: public channels that are live now. */
  @Get()
  async list(): Promise<LiveChannelList> {
    return { channels: await this.channels.listLive() };
  }

  /** A channel's page data. Private channels: `?token=` or `Authorization: Bearer` (a share link's token). */
  @Get(':slug')
  status(@Param('slug') slug: string, @Req() req: Request): Promise<ChannelStatus> {
    return this.channels.status(slug, playbackToken(req));
  }

  /** A recent still of the live stream (JPEG), for the directory; 404 while there is none. */
  @Get(':slug/thumbnail')
  async thumbnail(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const still = await this.channels.thumbnail(slug, playbackToken(req));
    res.setHeader('Content-Type', 'image/jpeg');
    res.setHeader('Cache-Control', 'public, max-age=10');
    res.setHeader('Last-Modified', still.takenAt.toUTCString());
    res.status(200).end(still.jpeg);
  }

  /**
   * The channel's live state as server-sent events (active, inactive, viewercount, layers),
   * so pages turn live or offline without polling. The current state comes first.
   */
  @Get(':slug/events')
  async events(@Param('slug') slug: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    // Subscribing validates the channel (404/401) before the stream starts.
    await streamEvents(req, res, (send, close) => this.channels.follow(slug, playbackToken(req), (e) => send(e.type, channelEventData(e, 'layers')), close));
  }
}
