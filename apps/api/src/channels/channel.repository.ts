import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ChannelVisibility as DbVisibility, Prisma } from '../generated/prisma/client';
import { Channel, ChannelVisibility } from '../domain/channel';
import { ReadThroughCache } from '../database/read-through-cache';

/**
 * How long a channel read by slug is answered from memory. Every viewer request looks its
 * channel up by slug (a WHEP POST storm: one query instead of one per POST); this
 * repository's own writes clear the cache at once, so the TTL only bounds how long a change
 * made by another process goes unseen.
 */
const BY_SLUG_TTL_MS = 1000;

const toVisibility = (v: DbVisibility): ChannelVisibility => v.toLowerCase() as ChannelVisibility;
const fromVisibility = (v: ChannelVisibility): DbVisibility => v.toUpperCase() as DbVisibility;

export type ChannelRow = { id: string; ownerId: string | null; slug: string; title: string; description: string; visibility: DbVisibility; playbackTokenVersion: number };
/** A channel row as onair's Channel (also for repositories that read a channel with another row). */
export const toChannel = (row: ChannelRow): Channel => ({
  id: row.id,
  ownerId: row.ownerId,
  slug: row.slug,
  title: row.title,
  description: row.description,
  visibility: toVisibility(row.visibility),
  playbackTokenVersion: row.playbackTokenVersion,
});

@Injectable()
export class ChannelRepository {
  private readonly bySlug = new ReadThroughCache<string, Channel | null>(BY_SLUG_TTL_MS);

  constructor(private readonly prisma: PrismaService) {}

  findBySlug(slug: string): Promise<Channel | null> {
    return this.bySlug.get(slug, async () => {
      const row = await this.prisma.channel.findUnique({ where: { slug } });
      return row && toChannel(row);
    });
  }

  async findByIds(ids: string[]): Promise<Channel[]> {
    const rows = await this.prisma.channel.findMany({ where: { id: { in: ids } } });
    return rows.map(toChannel);
  }

  async findById(id: string): Promise<Channel | null> {
    const row = await this.prisma.channel.findUnique({ where: { id } });
    return row && toChannel(row);
  }

  /** Channels of one owner (all channels when ownerId is undefined), oldest first. */
  async list(ownerId?: string): Promise<Channel[]> {
    const rows = await this.prisma.channel.findMany({ where: ownerId === undefined ? {} : { ownerId }, orderBy: { createdAt: 'asc' } });
    return rows.map(toChannel);
  }

  /** Null when the slug is taken. */
  async create(input: { slug: string; title: string; description?: string; visibility?: ChannelVisibility; ownerId?: string }): Promise<Channel | null> {
    try {
      const row = await this.prisma.channel.create({ data: newChannelRow(input) });
      return toChannel(row);
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    } finally {
      this.bySlug.clear();
    }
  }

  /**
   * A channel for a studio user: null when the slug is taken, 'full' when the owner already
   * has `maxOwned` channels (undefined: no limit). The advisory lock (per owner) makes
   * simultaneous requests count one after the other.
   */
  async createOwned(
    input: { slug: string; title: string; description?: string; visibility?: ChannelVisibility; ownerId: string },
    maxOwned: number | undefined,
  ): Promise<Channel | null | 'full'> {
    if (maxOwned === undefined) return this.create(input);
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'channels:' + input.ownerId}))`;
        if ((await tx.channel.count({ where: { ownerId: input.ownerId } })) >= maxOwned) return 'full' as const;
        const row = await tx.channel.create({ data: newChannelRow(input) });
        return toChannel(row);
      });
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    } finally {
      this.bySlug.clear();
    }
  }

  /**
   * 'taken' when the new slug belongs to another channel, 'gone' when the channel was
   * deleted meanwhile. `revokeShareLinks` bumps the playback token version.
   */
  async update(
    id: string,
    changes: Partial<Pick<Channel, 'slug' | 'title' | 'description' | 'visibility'>> & { revokeShareLinks?: boolean },
  ): Promise<Channel | 'taken' | 'gone'> {
    const { revokeShareLinks, ...fields } = changes;
    try {
      const row = await this.prisma.channel.update({
        where: { id },
        data: {
          ...fields,
          visibility: fields.visibility && fromVisibility(fields.visibility),
          ...(revokeShareLinks ? { playbackTokenVersion: { increment: 1 } } : {}),
        },
      });
      return toChannel(row);
    } catch (err) {
      if (isUniqueViolation(err)) return 'taken';
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2025') return 'gone';
      throw err;
    } finally {
      this.bySlug.clear();
    }
  }

  async delete(id: string): Promise<void> {
    await this.prisma.channel.deleteMany({ where: { id } });
    this.bySlug.clear();
  }

}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

/** The row of a new channel (created on its own or within an owner's quota). */
function newChannelRow(input: { slug: string; title: string; description?: string; visibility?: ChannelVisibility; ownerId?: string }) {
  return {
    ownerId: input.ownerId,
    slug: input.slug,
    title: input.title,
    description: input.description ?? '',
    visibility: fromVisibility(input.visibility ?? 'public'),
  };
}
