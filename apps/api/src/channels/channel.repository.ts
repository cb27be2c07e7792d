import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { ChannelVisibility as DbVisibility } from '../generated/prisma/client';
import { Channel, ChannelVisibility } from './channel';

const toVisibility = (v: DbVisibility): ChannelVisibility => v.toLowerCase() as ChannelVisibility;
const fromVisibility = (v: ChannelVisibility): DbVisibility => v.toUpperCase() as DbVisibility;

type ChannelRow = { id: string; slug: string; title: string; description: string; visibility: DbVisibility };
const toChannel = (row: ChannelRow): Channel => ({
  id: row.id,
  slug: row.slug,
  title: row.title,
  description: row.description,
  visibility: toVisibility(row.visibility),
});

@Injectable()
export class ChannelRepository {
  constructor(private readonly prisma: PrismaService) {}

  async findBySlug(slug: string): Promise<Channel | null> {
    const row = await this.prisma.channel.findUnique({ where: { slug } });
    return row && toChannel(row);
  }

  async findByIds(ids: string[]): Promise<Channel[]> {
    const rows = await this.prisma.channel.findMany({ where: { id: { in: ids } } });
    return rows.map(toChannel);
  }

  async create(input: { slug: string; title: string; description?: string; visibility?: ChannelVisibility }): Promise<Channel> {
    const row = await this.prisma.channel.create({
      data: {
        slug: input.slug,
        title: input.title,
        description: input.description ?? '',
        visibility: fromVisibility(input.visibility ?? 'public'),
      },
    });
    return toChannel(row);
  }
}
