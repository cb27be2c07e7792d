import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import type { WatchGrant } from '../domain/watch-grant';
import { Channel, CHANNEL_SLUG } from '../domain/channel';
import { ChannelRepository } from './channel.repository';
import { checkPlaybackToken, playbackTokenTerms } from './playback-token';

/** setTimeout's longest delay (about 24.8 days); share links live up to 30 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Who may watch a channel: public and unlisted channels play for anyone with the name;
 * a private one needs an unexpired playback token minted for it (a studio share link).
 */
@Injectable()
export class WatchAccess implements OnModuleDestroy {
  /** One timer per channel and expiry moment of the grants handed out (share links share expiries). */
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();
  private readonly expiryListeners = new Set<(channelId: string, at: Date) => void>();

  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly channels: ChannelRepository,
  ) {}

  /** The channel named `slug` if the bearer of `token` may watch it (404/401 otherwise). */
  async channel(slug: string, token: string | undefined): Promise<Channel> {
    return (await this.admit(slug, token)).channel;
  }

  /**
   * As `channel`, with the grant a private channel's share link gave (none for public and
   * unlisted channels). Listeners of `onGrantExpired` hear when it runs out.
   */
  async admit(slug: string, token: string | undefined): Promise<{ channel: Channel; grant?: WatchGrant }> {
    const channel = CHANNEL_SLUG.test(slug) ? await this.channels.findBySlug(slug) : null;
    if (!channel) throw new DomainError('not-found', `no channel named "${slug}"`);
    if (channel.visibility !== 'private') return { channel };
    if (!token) throw new DomainError('unauthorized', `channel "${channel.slug}" is private: open it with a share link from its owner`);
    switch (checkPlaybackToken(this.config.secret.value, token, channel.id, channel.playbackTokenVersion, new Date())) {
      case 'valid': {
        const grant = { channelId: channel.id, ...playbackTokenTerms(token) };
        this.scheduleExpiry(grant);
        return { channel, grant };
      }
      case 'expired':
        throw new DomainError('unauthorized', `this share link for "${channel.slug}" has expired: ask the owner for a new one`);
      case 'revoked':
        throw new DomainError('unauthorized', `this share link for "${channel.slug}" was revoked by its owner: ask for a new one`);
      default:
        throw new DomainError('unauthorized', `this share link is not valid for "${channel.slug}"`);
    }
  }

  /** `listener(channelId, at)` runs when grants of the channel expiring at `at` run out. */
  onGrantExpired(listener: (channelId: string, at: Date) => void): () => void {
    this.expiryListeners.add(listener);
    return () => this.expiryListeners.delete(listener);
  }

  onModuleDestroy(): void {
    for (const t of this.expiryTimers.values()) clearTimeout(t);
    this.expiryTimers.clear();
  }

  private scheduleExpiry(grant: WatchGrant): void {
    const key = `${grant.channelId} ${grant.expiresAt.getTime()}`;
    if (this.expiryTimers.has(key)) return;
    const arm = () => {
      const left = grant.expiresAt.getTime() - Date.now();
      const timer = setTimeout(() => {
        if (left > MAX_TIMER_MS) return arm();
        this.expiryTimers.delete(key);
        for (const l of this.expiryListeners) l(grant.channelId, grant.expiresAt);
      }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
      timer.unref();
      this.expiryTimers.set(key, timer);
    };
    arm();
  }
}

/** A playback token from `Authorization: Bearer …` or the `token` query parameter. */
export function playbackToken(req: { headers: { authorization?: string }; query: Record<string, unknown> }): string | undefined {
  const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (auth) return auth[1];
  return typeof req.query.token === 'string' && req.query.token !== '' ? req.query.token : undefined;
}
