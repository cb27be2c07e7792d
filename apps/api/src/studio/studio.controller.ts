import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import type { CreatedChannel, KeyRevocation, KeyRotation, MintedKey, PastBroadcastList, ShareLink, StreamKeyList, StudioChannel, StudioChannelList } from '@onair/api-types';
import type { Request, Response } from 'express';
import { AuthService } from '../accounts/auth.service';
import { CurrentUser, readCookie, SignedInGuard } from '../accounts/signed-in.guard';
import { SESSION_COOKIE, User } from '../accounts/user';
import { DomainError } from '../errors/domain-error';
import { streamEvents } from '../http/event-stream';
import { readJsonBody } from '../http/sdp-request';
import { parseWith } from '../http/validation';
import { StudioLive } from './studio-live';
import { CreateChannelInput, CreateKeyInput, RotateKeyInput, ShareLinkInput, UpdateChannelInput } from './studio.inputs';
import { StudioService } from './studio.service';

/**
 * The studio's API: a signed-in streamer's channels, stream keys, past broadcasts, share
 * links and live view. Every route needs a session cookie (401) and, when it changes
 * something, the CSRF header (403); another streamer's channel is 404.
 */
@Controller('studio/channels')
@UseGuards(SignedInGuard)
export class StudioController {
  constructor(
    private readonly studio: StudioService,
    private readonly studioLive: StudioLive,
    private readonly auth: AuthService,
  ) {}

  @Get()
  async list(@CurrentUser() user: User): Promise<StudioChannelList> {
    return { channels: await this.studio.listChannels(user) };
  }

  @Post()
  @HttpCode(201)
  create(@CurrentUser() user: User, @Req() req: Request): Promise<CreatedChannel> {
    return this.studio.createChannel(user, parseWith(CreateChannelInput, readJsonBody(req, 'channel'), 'channel'));
  }

  @Get(':id')
  get(@CurrentUser() user: User, @Param('id') id: string): Promise<StudioChannel> {
    return this.studio.channel(user, id);
  }

  @Patch(':id')
  update(@CurrentUser() user: User, @Param('id') id: string, @Req() req: Request): Promise<StudioChannel> {
    return this.studio.updateChannel(user, id, parseWith(UpdateChannelInput, readJsonBody(req, 'channel changes'), 'channel changes'));
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: User, @Param('id') id: string): Promise<void> {
    await this.studio.deleteChannel(user, id);
  }

  @Get(':id/keys')
  async keys(@CurrentUser() user: User, @Param('id') id: string): Promise<StreamKeyList> {
    return { keys: await this.studio.listKeys(user, id) };
  }

  @Post(':id/keys')
  @HttpCode(201)
  createKey(@CurrentUser() user: User, @Param('id') id: string, @Req() req: Request): Promise<MintedKey> {
    const input = parseWith(CreateKeyInput, readJsonBody(req, 'stream key', { optional: true }), 'stream key');
    return this.studio.createKey(user, id, input.label);
  }

  @Post(':id/keys/:keyId/rotate')
  @HttpCode(201)
  rotateKey(@CurrentUser() user: User, @Param('id') id: string, @Param('keyId') keyId: string, @Req() req: Request): Promise<KeyRotation> {
    return this.studio.rotateKey(user, id, keyId, parseWith(RotateKeyInput, readJsonBody(req, 'key rotation', { optional: true }), 'key rotation'));
  }

  /** Revokes a key; `?endBroadcast=true` also ends a broadcast live on it. */
  @Delete(':id/keys/:keyId')
  revokeKey(@CurrentUser() user: User, @Param('id') id: string, @Param('keyId') keyId: string, @Query('endBroadcast') endBroadcast?: string): Promise<KeyRevocation> {
    if (endBroadcast !== undefined && endBroadcast !== 'true' && endBroadcast !== 'false') {
      throw new DomainError('bad-request', 'endBroadcast must be "true" or "false"');
    }
    return this.studio.revokeKey(user, id, keyId, endBroadcast === 'true');
  }

  @Get(':id/broadcasts')
  async broadcasts(@CurrentUser() user: User, @Param('id') id: string): Promise<PastBroadcastList> {
    return { broadcasts: await this.studio.pastBroadcasts(user, id) };
  }

  @Post(':id/share-links')
  @HttpCode(201)
  shareLink(@CurrentUser() user: User, @Param('id') id: string, @Req() req: Request): Promise<ShareLink> {
    return this.studio.shareLink(user, id, parseWith(ShareLinkInput, readJsonBody(req, 'share link'), 'share link').expiresInS);
  }

  /** Revokes every share link made so far; viewers watching with one are ended. */
  @Post(':id/share-links/revoke')
  @HttpCode(204)
  async revokeShareLinks(@CurrentUser() user: User, @Param('id') id: string): Promise<void> {
    await this.studio.revokeShareLinks(user, id);
  }

  /**
   * The channel's live view as server-sent events: `state` (live or not, viewers) on every
   * change, `health` (what the media server sees of the stream) every two seconds while live.
   * The stream ends with the session that opened it (sign-out, password change).
   */
  @Get(':id/live')
  async live(@CurrentUser() user: User, @Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const channel = await this.studio.channelFor(user, id);
    // SignedInGuard found a session for this cookie (holdStream checks it is still there).
    const token = readCookie(req, SESSION_COOKIE)!;
    await streamEvents(req, res, async (send, close) => {
      const release = await this.auth.holdStream(token, close);
      const unfollow = this.studioLive.follow(channel, send);
      return () => {
        release();
        unfollow();
      };
    });
  }
}
