import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { BroadcastEndReason, Prisma } from '../generated/prisma/client';

export type EndReason = 'publisher-left' | 'media-timeout' | 'media-server-lost' | 'shutdown' | 'key-revoked';

const END_REASON: Record<EndReason, BroadcastEndReason> = {
  'publisher-left': 'PUBLISHER_LEFT',
  'media-timeout': 'MEDIA_TIMEOUT',
  'media-server-lost': 'MEDIA_SERVER_LOST',
  shutdown: 'SHUTDOWN',
  'key-revoked': 'KEY_REVOKED',
};

export interface PastBroadcast {
  id: string;
  startedAt: Date;
  endedAt: Date | null;
  endReason: EndReason | null;
  peakViewers: number;
  videoCodec: string | null;
  audioCodec: string | null;
}

const FROM_END_REASON = Object.fromEntries(Object.entries(END_REASON).map(([k, v]) => [v, k])) as Record<BroadcastEndReason, EndReason>;

export interface OpenBroadcast {
  id: string;
  channelId: string;
  startedAt: Date;
}

@Injectable()
export class BroadcastRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Opens a broadcast; null when the channel already has an open one (on any replica). */
  async open(input: { channelId: string; streamKeyId: string; mediaNode: string; userAgent?: string }): Promise<OpenBroadcast | null> {
    try {
      const row = await this.prisma.broadcast.create({ data: { ...input, userAgent: input.userAgent?.slice(0, 300) } });
      return { id: row.id, channelId: row.channelId, startedAt: row.startedAt };
    } catch (err) {
      // broadcasts_one_live_per_channel: a partial unique index on (channel_id) WHERE ended_at IS NULL
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
      throw err;
    }
  }

  async setCodecs(id: string, codecs: { video?: string; audio?: string }): Promise<void> {
    await this.prisma.broadcast.update({ where: { id }, data: { videoCodec: codecs.video, audioCodec: codecs.audio } });
  }

  async end(id: string, reason: EndReason, peakViewers: number): Promise<void> {
    await this.prisma.broadcast.updateMany({
      where: { id, endedAt: null },
      data: { endedAt: new Date(), endReason: END_REASON[reason], peakViewers },
    });
  }

  /** Ends every broadcast still open on a media node (its media died with a restart). */
  async endAllOnNode(mediaNode: string, reason: EndReason): Promise<number> {
    const res = await this.prisma.broadcast.updateMany({
      where: { mediaNode, endedAt: null },
      data: { endedAt: new Date(), endReason: END_REASON[reason] },
    });
    return res.count;
  }

  async findOpen(channelIds?: string[]): Promise<OpenBroadcast[]> {
    const rows = await this.prisma.broadcast.findMany({
      where: { endedAt: null, ...(channelIds ? { channelId: { in: channelIds } } : {}) },
      orderBy: { startedAt: 'desc' },
    });
    return rows.map((r) => ({ id: r.id, channelId: r.channelId, startedAt: r.startedAt }));
  }

  /** A channel's broadcasts, newest first (the open one included). */
  async listByChannel(channelId: string, limit: number): Promise<PastBroadcast[]> {
    const rows = await this.prisma.broadcast.findMany({ where: { channelId }, orderBy: { startedAt: 'desc' }, take: limit });
    return rows.map((r) => ({
      id: r.id,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      endReason: r.endReason ? FROM_END_REASON[r.endReason] : null,
      peakViewers: r.peakViewers,
      videoCodec: r.videoCodec,
      audioCodec: r.audioCodec,
    }));
  }
}
