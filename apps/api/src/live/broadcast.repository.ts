import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { isDatabaseUnreachable } from '../database/database-errors';
import { PrismaService } from '../database/prisma.service';
import type { BroadcastEndReason as EndReason } from '@onair/api-types';
import { BroadcastEndReason } from '../generated/prisma/client';

/** Why a broadcast ended: the studio's vocabulary (libs/api-types), stored as the schema's enum. */
export type { EndReason };

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

interface PendingEnd {
  id: string;
  reason: EndReason;
  peakViewers: number;
  endedAt: Date;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

@Injectable()
export class BroadcastRepository implements OnApplicationShutdown {
  private readonly log = new Logger('Broadcasts');
  /**
   * Ends that could not be written because Postgres was unreachable, by broadcast id. A
   * broadcast that ends during an outage must still be recorded as ended (with its real end
   * time) once Postgres is back, or its channel stays "live" and a new broadcast on it is
   * refused by the one-open-broadcast-per-channel index. Retried with backoff until written.
   */
  private readonly pendingEnds = new Map<string, PendingEnd>();
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = RETRY_FIRST_MS;
  private flushing?: Promise<void>;

  constructor(private readonly prisma: PrismaService) {}

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.retryTimer);
    // Last chance; what is still pending is ended by the next start-up (endAllOnNode).
    await this.flushPendingEnds().catch(() => undefined);
  }

  /**
   * Opens a broadcast; null when the channel already has an open one (on any replica). The id
   * and start time come from the caller, which writes the row while Janus answers the POST.
   */
  async open(input: { id: string; startedAt: Date; channelId: string; streamKeyId: string; mediaNode: string; userAgent?: string }): Promise<OpenBroadcast | null> {
    // An end still waiting from an outage would hold the channel's open row: write it first.
    await this.flushPendingEnds();
    // Raw SQL on the WHIP POST's path (here, setCodecs and writeEnd): Prisma's query compiler
    // costs milliseconds of CPU per ORM call, more than Postgres takes to answer. The column
    // names are the schema's @map names; the e2e and HTTP tests run these against the migrated schema.
    // broadcasts_one_live_per_channel is a partial unique index on (channel_id) WHERE ended_at IS NULL.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      INSERT INTO broadcasts (id, channel_id, stream_key_id, media_node, started_at, user_agent)
      VALUES (${input.id}::uuid, ${input.channelId}::uuid, ${input.streamKeyId}::uuid, ${input.mediaNode}, ${input.startedAt}, ${input.userAgent?.slice(0, 300) ?? null})
      ON CONFLICT (channel_id) WHERE ended_at IS NULL DO NOTHING
      RETURNING id`;
    return rows.length === 0 ? null : { id: input.id, channelId: input.channelId, startedAt: input.startedAt };
  }

  async setCodecs(id: string, codecs: { video?: string; audio?: string }): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE broadcasts SET video_codec = ${codecs.video ?? null}, audio_codec = ${codecs.audio ?? null} WHERE id = ${id}::uuid`;
  }

  /**
   * Records a broadcast's end. Never fails because Postgres is unreachable: the end is kept
   * and written once it answers again (see pendingEnds); other errors propagate.
   */
  async end(id: string, reason: EndReason, peakViewers: number): Promise<void> {
    const pending: PendingEnd = { id, reason, peakViewers, endedAt: new Date() };
    try {
      await this.writeEnd(pending);
    } catch (err) {
      if (!isDatabaseUnreachable(err)) throw err;
      this.pendingEnds.set(id, pending);
      this.log.warn(`Postgres is unreachable: broadcast ${id} will be recorded as ended once it answers again`);
      this.scheduleRetry();
    }
  }

  private async writeEnd(e: PendingEnd): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE broadcasts SET ended_at = ${e.endedAt}, end_reason = ${END_REASON[e.reason]}::"BroadcastEndReason", peak_viewers = ${e.peakViewers}
      WHERE id = ${e.id}::uuid AND ended_at IS NULL`;
  }

  /** Writes every pending end; rejects (and keeps the rest) on the first failure. One flush at a time. */
  private flushPendingEnds(): Promise<void> {
    if (this.pendingEnds.size === 0) return Promise.resolve();
    this.flushing ??= (async () => {
      try {
        for (const e of [...this.pendingEnds.values()]) {
          await this.writeEnd(e);
          this.pendingEnds.delete(e.id);
          this.log.log(`broadcast ${e.id} recorded as ended (${e.reason}, at ${e.endedAt.toISOString()})`);
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.flushPendingEnds().then(
        () => (this.retryDelayMs = RETRY_FIRST_MS),
        (err) => {
          if (!isDatabaseUnreachable(err)) this.log.error(`recording ended broadcasts failed: ${(err as Error).message}`);
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
          this.scheduleRetry();
        },
      );
    }, this.retryDelayMs);
    this.retryTimer.unref();
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
    // A broadcast whose end is still waiting to be written has ended.
    return rows.filter((r) => !this.pendingEnds.has(r.id)).map((r) => ({ id: r.id, channelId: r.channelId, startedAt: r.startedAt }));
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
