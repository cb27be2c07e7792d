import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ChannelEvents } from '../live/channel-events';
import { GrantedStreams } from '../live/granted-streams';
import { PlaybackService } from './playback.service';
import { Channel } from '../domain/channel';
import { ChannelRepository } from '../channels/channel.repository';
import { WatchAccess } from '../channels/watch-access';
import type { WatchGrant } from '../domain/watch-grant';

/** What this process last learnt of a private channel's access rules, to judge late arrivals. */
interface Watched {
  channel: Channel;
  unsubscribe: () => void;
  /** When its access last changed (this.now()). */
  changedAt: number;
}

/**
 * How long a channel stays watched after its access changed: longer than a WHEP POST admitted
 * just before the change can take to join (Janus answers within its 5 s deadline).
 */
const JOIN_GRACE_MS = 60_000;
const PRUNE_EVERY_MS = 60_000;

/**
 * Access checked once is not access for ever: when a private channel's share links are
 * revoked (the token version bumped), when a channel turns private, and when a share link
 * expires, the viewers that came in with what is no longer valid are ended (WHEP sessions hung
 * up in Janus, their WHEP event streams closed) and the channel event streams opened with it
 * are closed. Before, all of these kept running until the viewer left.
 */
@Injectable()
export class WatchRevocation implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('WatchRevocation');
  private readonly watched = new Map<string, Watched>();
  private stopListening: () => void = () => undefined;
  private pruner?: NodeJS.Timeout;
  /** The clock, replaceable in specs. */
  now: () => number = Date.now;

  constructor(
    private readonly access: WatchAccess,
    private readonly playback: PlaybackService,
    private readonly channels: ChannelRepository,
    private readonly events: ChannelEvents,
    private readonly streams: GrantedStreams,
  ) {}

  onModuleInit(): void {
    this.stopListening = this.access.onGrantExpired((channelId, at) => {
      this.expired(channelId, at).catch((err) => this.log.error(`ending expired share links of ${channelId}: ${(err as Error).message}`));
    });
    this.pruner = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruner.unref();
  }

  onModuleDestroy(): void {
    this.stopListening();
    clearInterval(this.pruner);
    for (const w of this.watched.values()) w.unsubscribe();
    this.watched.clear();
  }

  /**
   * After a studio change to the channel (share links revoked, visibility changed): a private
   * channel keeps only those who hold a link of its current version.
   */
  async channelChanged(channel: Channel): Promise<number> {
    // Public or unlisted: nobody needs a link, so there is nothing left to judge.
    if (channel.visibility !== 'private') {
      this.forget(channel.id);
      return 0;
    }
    this.watch(channel);
    return this.end(channel.id, (grant) => !this.stillValid(channel, grant), `access to "${channel.slug}" changed`);
  }

  private async expired(channelId: string, at: Date): Promise<void> {
    // A channel made public (or deleted) meanwhile: its viewers no longer need the link.
    const channel = (await this.channels.findByIds([channelId]))[0];
    if (!channel || channel.visibility !== 'private') return this.forget(channelId);
    this.watch(channel);
    await this.end(channelId, (grant) => grant !== undefined && grant.expiresAt.getTime() <= at.getTime(), `share links of "${channel.slug}" expired`);
  }

  private stillValid(channel: Channel, grant: WatchGrant | undefined): boolean {
    return grant !== undefined && grant.version === channel.playbackTokenVersion && grant.expiresAt.getTime() > this.now();
  }

  /**
   * Keeps judging a channel whose access changed: a WHEP POST admitted just before a revoke
   * (or an expiry) finishes after the sweep above, adding a viewer with a link that no longer
   * holds. Every viewer joining announces a new count: check the channel's viewers then.
   */
  private watch(channel: Channel): void {
    const known = this.watched.get(channel.id);
    if (known) {
      known.channel = channel;
      known.changedAt = this.now();
      return;
    }
    const entry: Watched = { channel, unsubscribe: () => undefined, changedAt: this.now() };
    entry.unsubscribe = this.events.subscribe(channel.id, (e) => {
      if (e.type !== 'viewercount' || entry.channel.visibility !== 'private') return;
      const late = (grant?: WatchGrant) => !this.stillValid(entry.channel, grant);
      this.end(channel.id, late, `a viewer of "${entry.channel.slug}" arrived with a link that no longer holds`).catch((err) =>
        this.log.error(`ending late viewers of ${channel.slug}: ${(err as Error).message}`),
      );
    });
    this.watched.set(channel.id, entry);
  }

  /** A channel deleted (or no longer private): stop watching it. */
  forget(channelId: string): void {
    this.watched.get(channelId)?.unsubscribe();
    this.watched.delete(channelId);
  }

  /**
   * Stops watching channels whose access changed a while ago (no POST from before the change
   * can still be joining) and where nobody holds a share link any more: without this, every
   * channel ever revoked or expired kept a map entry and an event subscription for good.
   */
  prune(): void {
    for (const [channelId, w] of this.watched) {
      if (this.now() - w.changedAt < JOIN_GRACE_MS) continue;
      if (this.streams.anyGranted(channelId)) continue;
      if (this.playback.hasViewers((v) => v.channelId === channelId && v.grant !== undefined)) continue;
      this.forget(channelId);
    }
  }

  /** How many channels are watched (for specs). */
  get watchedChannels(): number {
    return this.watched.size;
  }

  private async end(channelId: string, match: (grant?: WatchGrant) => boolean, why: string): Promise<number> {
    const closed = this.streams.closeWhere(channelId, match);
    const viewers = await this.playback.endViewersWhere((v) => v.channelId === channelId && match(v.grant));
    if (viewers + closed > 0) this.log.log(`${why}: ended ${viewers} viewer(s) and ${closed} event stream(s)`);
    return viewers + closed;
  }
}
