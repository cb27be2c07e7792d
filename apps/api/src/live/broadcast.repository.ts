import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { BroadcastEndReason, Prisma } from '../generated/prisma/client';

export type EndReason = 'publisher-left' | 'media-timeout' | 'media-server-lost' | 'shutdown';

const END_REASON: Record<EndReason, BroadcastEndReason> = {
  'publisher-left': 'PUBLISHER_LEFT',
  'media-timeout': 'MEDIA_TIMEOUT',
  'media-server-lost': 'MEDIA_SERVER_LOST',
  shutdown: 'SHUTDOWN',
};

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
}
