import { Inject, Injectable } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { Channel, CHANNEL_SLUG } from './channel';
import { ChannelRepository } from './channel.repository';
import { checkPlaybackToken } from './playback-token';

/**
 * Who may watch a channel: public and unlisted channels play for anyone with the name;
 * a private one needs an unexpired playback token minted for it (a studio share link).
 */
@Injectable()
export class WatchAccess {
  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly channels: ChannelRepository,
  ) {}

  /** The channel named `slug` if the bearer of `token` may watch it (404/401 otherwise). */
  async channel(slug: string, token: string | undefined): Promise<Channel> {
    const channel = CHANNEL_SLUG.test(slug) ? await this.channels.findBySlug(slug) : null;
    if (!channel) throw new DomainError('not-found', `no channel named "${slug}"`);
    if (channel.visibility !== 'private') return channel;
    if (!token) throw new DomainError('unauthorized', `channel "${channel.slug}" is private: open it with a share link from its owner`);
    switch (checkPlaybackToken(this.config.secret.value, token, channel.id, channel.playbackTokenVersion, new Date())) {
      case 'valid':
        return channel;
      case 'expired':
        throw new DomainError('unauthorized', `this share link for "${channel.slug}" has expired: ask the owner for a new one`);
      case 'revoked':
        throw new DomainError('unauthorized', `this share link for "${channel.slug}" was revoked by its owner: ask for a new one`);
      default:
        throw new DomainError('unauthorized', `this share link is not valid for "${channel.slug}"`);
    }
  }
}

/** A playback token from `Authorization: Bearer …` or the `token` query parameter. */
export function playbackToken(req: { headers: { authorization?: string }; query: Record<string, unknown> }): string | undefined {
  const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (auth) return auth[1];
  return typeof req.query.token === 'string' && req.query.token !== '' ? req.query.token : undefined;
}
