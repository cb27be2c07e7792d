import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
import { LiveRegistry } from '../live/live-registry';
import { CHANNEL_SLUG, ChannelVisibility } from './channel';
import { ChannelRepository } from './channel.repository';

export interface ChannelStatus {
  slug: string;
  title: string;
  description: string;
  visibility: ChannelVisibility;
  live: boolean;
  liveSince: string | null;
  viewers: number;
}

/** Read side for viewers: channel pages and the directory of live channels. */
@Injectable()
export class ChannelService {
  constructor(
    private readonly channels: ChannelRepository,
    private readonly broadcasts: BroadcastRepository,
    private readonly live: LiveRegistry,
  ) {}

  async status(slug: string): Promise<ChannelStatus> {
    const channel = CHANNEL_SLUG.test(slug) ? await this.channels.findBySlug(slug) : null;
    if (!channel) throw new DomainError('not-found', `no channel named "${slug}"`);
    const [open] = await this.broadcasts.findOpen([channel.id]);
    return {
      slug: channel.slug,
      title: channel.title,
      description: channel.description,
      visibility: channel.visibility,
      live: open !== undefined,
      liveSince: open?.startedAt.toISOString() ?? null,
      viewers: this.live.broadcastOnChannel(channel.id)?.viewers.size ?? 0,
    };
  }

  /** Public channels that are live now, newest first. */
  async listLive(): Promise<ChannelStatus[]> {
    const open = await this.broadcasts.findOpen();
    const channels = await this.channels.findByIds(open.map((b) => b.channelId));
    return open.flatMap((b) => {
      const c = channels.find((x) => x.id === b.channelId);
      if (!c || c.visibility !== 'public') return [];
      return [{
        slug: c.slug,
        title: c.title,
        description: c.description,
        visibility: c.visibility,
        live: true,
        liveSince: b.startedAt.toISOString(),
        viewers: this.live.broadcastOnChannel(c.id)?.viewers.size ?? 0,
      }];
    });
  }
}
