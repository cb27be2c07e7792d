import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CreatedChannel, KeyRevocation, KeyRotation, MintedKey, PastBroadcast, ShareLink, StreamKey, StudioChannel } from '@onair/api-types';
import { User } from '../accounts/user';
import { Channel } from '../domain/channel';
import { ChannelRepository } from '../channels/channel.repository';
import { signPlaybackToken } from '../channels/playback-token';
import { StreamKeyRepository } from '../channels/stream-key.repository';
import { StreamKeyService } from '../channels/stream-key.service';
import { WatchRevocation } from '../whep/watch-revocation';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
import { BroadcastService } from '../whip/broadcast.service';
import { LiveRegistry } from '../live/live-registry';
import { CreateChannel, slugFromTitle, UpdateChannel } from './studio.inputs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The studio's rules: who may see and change which channel, keys, share links. A streamer
 * manages the channels they own; an admin manages every channel (and channels without an
 * owner, made on the command line). Someone else's channel is "not found", not "forbidden":
 * the studio does not confirm that a channel id exists.
 */
@Injectable()
export class StudioService {
  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly channels: ChannelRepository,
    private readonly keys: StreamKeyRepository,
    private readonly keyService: StreamKeyService,
    private readonly broadcasts: BroadcastRepository,
    private readonly broadcastService: BroadcastService,
    private readonly live: LiveRegistry,
    private readonly revocation: WatchRevocation,
  ) {}

  async listChannels(user: User): Promise<StudioChannel[]> {
    const channels = await this.channels.list(user.role === 'admin' ? undefined : user.id);
    return channels.map((c) => this.withLive(c));
  }

  async channel(user: User, id: string): Promise<StudioChannel> {
    return this.withLive(await this.channelFor(user, id));
  }

  /**
   * A new channel owned by `user`, with its first stream key (shown once). A streamer may own
   * ONAIR_MAX_CHANNELS_PER_ACCOUNT channels (admins are not limited).
   */
  async createChannel(user: User, input: CreateChannel): Promise<CreatedChannel> {
    const max = user.role === 'admin' ? undefined : this.config.quotas.channelsPerAccount;
    const create = async (slug: string) => {
      const made = await this.channels.createOwned({ ...input, slug, ownerId: user.id }, max);
      if (made === 'full') {
        throw new DomainError('forbidden', `you have ${max} channels, the most one account may have on this onair (ONAIR_MAX_CHANNELS_PER_ACCOUNT): delete one you no longer use, or ask the admin`);
      }
      return made;
    };
    let channel: Channel | null;
    if (input.slug) {
      channel = await create(input.slug);
      if (!channel) throw new DomainError('conflict', `the slug "${input.slug}" is taken: choose another`);
    } else {
      // A slug from the title; a short suffix when another channel has it already.
      const base = slugFromTitle(input.title);
      channel = await create(base);
      for (let i = 0; !channel && i < 5; i++) {
        channel = await create(`${base}-${randomBytes(2).toString('hex')}`);
      }
      if (!channel) throw new DomainError('conflict', `could not find a free slug for "${input.title}": send one`);
    }
    const streamKey = await this.mintKey(channel, 'Default');
    return { channel: this.withLive(channel), streamKey };
  }

  async updateChannel(user: User, id: string, changes: UpdateChannel): Promise<StudioChannel> {
    const channel = await this.channelFor(user, id);
    if (changes.slug && changes.slug !== channel.slug && this.live.broadcastOnChannel(channel.id)) {
      throw new DomainError('conflict', `"${channel.slug}" is live: change its slug after the broadcast ends (viewers are watching at /watch/${channel.slug})`);
    }
    // A visibility change voids the channel's share links: making it private again must not
    // bring back links handed out the last time it was private.
    const revokeShareLinks = changes.visibility !== undefined && changes.visibility !== channel.visibility;
    const updated = await this.channels.update(channel.id, { ...changes, revokeShareLinks });
    if (updated === 'taken') throw new DomainError('conflict', `the slug "${changes.slug}" is taken: choose another`);
    if (updated === 'gone') throw new DomainError('not-found', `no channel with id "${id}" in your studio`);
    const b = this.live.broadcastOnChannel(channel.id);
    if (b) b.channel = updated;
    // Made private: viewers without a link of the new version go (public → private ends them all).
    if (revokeShareLinks) await this.revocation.channelChanged(updated);
    return this.withLive(updated);
  }

  async deleteChannel(user: User, id: string): Promise<void> {
    const channel = await this.channelFor(user, id);
    if (this.live.broadcastOnChannel(channel.id)) {
      throw new DomainError('conflict', `"${channel.title}" is live: stop the stream in OBS (or revoke its key with endBroadcast) before deleting the channel`);
    }
    await this.channels.delete(channel.id);
    this.revocation.forget(channel.id);
  }

  async listKeys(user: User, id: string): Promise<StreamKey[]> {
    const channel = await this.channelFor(user, id);
    const keys = await this.keys.listActive(channel.id);
    return keys.map((k) => ({ id: k.id, label: k.label, hint: k.hint, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null }));
  }

  async createKey(user: User, id: string, label: string | undefined): Promise<MintedKey> {
    const channel = await this.channelFor(user, id);
    return this.mintKey(channel, label || 'Key', this.config.quotas.keysPerChannel);
  }

  /**
   * Replaces a key with a new one. A broadcast live on the old key keeps going unless
   * `endBroadcast`: OBS reconnects only if it gets the new key.
   */
  async rotateKey(user: User, id: string, keyId: string, input: { label?: string; endBroadcast?: boolean }): Promise<KeyRotation> {
    const channel = await this.channelFor(user, id);
    const old = (await this.keys.listActive(channel.id)).find((k) => k.id === keyId);
    if (!old) throw new DomainError('not-found', `channel "${channel.slug}" has no active key ${keyId}`);
    // No quota check: the old key goes right after, so the count stays the same.
    const streamKey = await this.mintKey(channel, input.label || old.label);
    const { endedBroadcast } = await this.revoke(channel, keyId, input.endBroadcast === true);
    return { streamKey, endedBroadcast };
  }

  async revokeKey(user: User, id: string, keyId: string, endBroadcast: boolean): Promise<KeyRevocation> {
    const channel = await this.channelFor(user, id);
    return this.revoke(channel, keyId, endBroadcast);
  }

  async pastBroadcasts(user: User, id: string): Promise<PastBroadcast[]> {
    const channel = await this.channelFor(user, id);
    const broadcasts = await this.broadcasts.listByChannel(channel.id, 50);
    return broadcasts.map((b) => ({
      id: b.id,
      startedAt: b.startedAt.toISOString(),
      endedAt: b.endedAt?.toISOString() ?? null,
      endReason: b.endReason,
      peakViewers: b.peakViewers,
      videoCodec: b.videoCodec,
      audioCodec: b.audioCodec,
    }));
  }

  /** A signed playback token for the channel (what a private channel's share link carries). */
  async shareLink(user: User, id: string, expiresInS: number): Promise<ShareLink> {
    const channel = await this.channelFor(user, id);
    const expiresAt = new Date(Date.now() + expiresInS * 1000);
    const token = signPlaybackToken(this.config.secret.value, channel.id, channel.playbackTokenVersion, expiresAt);
    return { token, path: `/watch/${channel.slug}?token=${encodeURIComponent(token)}`, expiresAt: expiresAt.toISOString() };
  }

  /** Voids every share link of the channel (new links can be made at once); viewers that came in with one are ended. */
  async revokeShareLinks(user: User, id: string): Promise<void> {
    const channel = await this.channelFor(user, id);
    const updated = await this.channels.update(channel.id, { revokeShareLinks: true });
    if (updated === 'gone' || updated === 'taken') throw new DomainError('not-found', `no channel with id "${id}" in your studio`);
    const b = this.live.broadcastOnChannel(channel.id);
    if (b) b.channel = updated;
    await this.revocation.channelChanged(updated);
  }

  /** The channel if `user` may manage it; "not found" otherwise. */
  async channelFor(user: User, id: string): Promise<Channel> {
    const channel = UUID.test(id) ? await this.channels.findById(id) : null;
    if (!channel || (user.role !== 'admin' && channel.ownerId !== user.id)) {
      throw new DomainError('not-found', `no channel with id "${id}" in your studio`);
    }
    return channel;
  }

  private async revoke(channel: Channel, keyId: string, endBroadcast: boolean): Promise<KeyRevocation> {
    if (!UUID.test(keyId) || !(await this.keys.revoke(channel.id, keyId))) {
      throw new DomainError('not-found', `channel "${channel.slug}" has no active key ${keyId}`);
    }
    const b = this.live.broadcastOnChannel(channel.id);
    if (b?.streamKeyId !== keyId) return { endedBroadcast: false };
    // A broadcast still starting on this key (its WHIP POST waiting for Janus) ends by itself:
    // the POST checks the key again once Janus has answered (PublishAccess.confirm).
    if (!b.playable) {
      b.revokedWhileStarting = true;
      return { endedBroadcast: true };
    }
    if (!endBroadcast) return { endedBroadcast: false };
    await this.broadcastService.end(b.sessionId, 'key-revoked');
    return { endedBroadcast: true };
  }

  /** With `maxActive`, 403 when the channel has that many active keys (ONAIR_MAX_KEYS_PER_CHANNEL). */
  private async mintKey(channel: Channel, label: string, maxActive?: number): Promise<MintedKey> {
    const minted = maxActive === undefined ? await this.keyService.mint(channel.id, label) : await this.keyService.mint(channel.id, label, maxActive);
    if (minted === 'full') {
      throw new DomainError('forbidden', `"${channel.slug}" has ${maxActive} active stream keys, the most a channel may have on this onair (ONAIR_MAX_KEYS_PER_CHANNEL): revoke one you no longer use, or rotate it`);
    }
    return { id: minted.record.id, label: minted.record.label, hint: minted.record.hint, key: minted.key };
  }

  /** The channel as its studio shows it: field by field, so internals (the share links' token version) stay here. */
  private withLive(channel: Channel): StudioChannel {
    const b = this.live.broadcastOnChannel(channel.id);
    return {
      id: channel.id,
      ownerId: channel.ownerId,
      slug: channel.slug,
      title: channel.title,
      description: channel.description,
      visibility: channel.visibility,
      live: b ? { since: b.startedAt.toISOString(), viewers: b.viewers.size, layers: b.layers } : null,
    };
  }
}
