import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Channel } from '../domain/channel';
import { ChannelRow, toChannel } from './channel.repository';

export interface StreamKeyRecord {
  id: string;
  channelId: string;
  label: string;
  hint: string;
}

export interface StreamKeyListing extends StreamKeyRecord {
  createdAt: Date;
  lastUsedAt: Date | null;
}

@Injectable()
export class StreamKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * 'full' when the channel already has `maxActive` active keys. The advisory lock (per
   * channel) makes simultaneous requests count one after the other.
   */
  async create(input: { channelId: string; label: string; keyHash: string; hint: string }, maxActive?: number): Promise<StreamKeyRecord | 'full'> {
    return this.prisma.$transaction(async (tx) => {
      if (maxActive !== undefined) {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'stream-keys:' + input.channelId}))`;
        if ((await tx.streamKey.count({ where: { channelId: input.channelId, revokedAt: null } })) >= maxActive) return 'full' as const;
      }
      const row = await tx.streamKey.create({ data: input });
      return { id: row.id, channelId: row.channelId, label: row.label, hint: row.hint };
    });
  }

  /** False once the key is revoked (or gone with its channel). */
  async isActive(id: string): Promise<boolean> {
    // Raw SQL: a WHIP POST waits for this (see findActiveByHash).
    const rows = await this.prisma.$queryRaw<unknown[]>`SELECT 1 FROM stream_keys WHERE id = ${id}::uuid AND revoked_at IS NULL`;
    return rows.length > 0;
  }

  /**
   * An active key and its channel in one round trip (a WHIP POST waits for it). Raw SQL
   * because Prisma's `include` sends the channel's query after the key's, a second round trip,
   * and its query compiler costs milliseconds of CPU per ORM call, more than Postgres takes to
   * answer. Column names are the schema's @map names (the HTTP and e2e tests run this).
   */
  async findActiveByHash(keyHash: string): Promise<{ key: StreamKeyRecord; channel: Channel } | null> {
    const [row] = await this.prisma.$queryRaw<(StreamKeyRecord & Omit<ChannelRow, 'id'>)[]>`
      SELECT k.id, k.channel_id AS "channelId", k.label, k.hint,
             c.owner_id AS "ownerId", c.slug, c.title, c.description, c.visibility::text AS visibility,
             c.playback_token_version AS "playbackTokenVersion"
      FROM stream_keys k JOIN channels c ON c.id = k.channel_id
      WHERE k.key_hash = ${keyHash} AND k.revoked_at IS NULL`;
    if (!row) return null;
    return { key: { id: row.id, channelId: row.channelId, label: row.label, hint: row.hint }, channel: toChannel({ ...row, id: row.channelId }) };
  }

  async countActive(channelId: string): Promise<number> {
    return this.prisma.streamKey.count({ where: { channelId, revokedAt: null } });
  }

  async touch(id: string): Promise<void> {
    await this.prisma.$executeRaw`UPDATE stream_keys SET last_used_at = now() WHERE id = ${id}::uuid`;
  }

  /** A channel's keys that still work, oldest first. */
  async listActive(channelId: string): Promise<StreamKeyListing[]> {
    const rows = await this.prisma.streamKey.findMany({ where: { channelId, revokedAt: null }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => ({ id: r.id, channelId: r.channelId, label: r.label, hint: r.hint, createdAt: r.createdAt, lastUsedAt: r.lastUsedAt }));
  }

  /** Revokes one key of a channel; false when the channel has no such active key. */
  async revoke(channelId: string, id: string): Promise<boolean> {
    const res = await this.prisma.streamKey.updateMany({ where: { id, channelId, revokedAt: null }, data: { revokedAt: new Date() } });
    return res.count === 1;
  }
}
