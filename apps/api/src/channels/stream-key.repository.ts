import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

export interface StreamKeyRecord {
  id: string;
  channelId: string;
  label: string;
  hint: string;
}

@Injectable()
export class StreamKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(input: { channelId: string; label: string; keyHash: string; hint: string }): Promise<StreamKeyRecord> {
    const row = await this.prisma.streamKey.create({ data: input });
    return { id: row.id, channelId: row.channelId, label: row.label, hint: row.hint };
  }

  async findActiveByHash(keyHash: string): Promise<StreamKeyRecord | null> {
    const row = await this.prisma.streamKey.findUnique({ where: { keyHash } });
    if (!row || row.revokedAt) return null;
    return { id: row.id, channelId: row.channelId, label: row.label, hint: row.hint };
  }

  async countActive(channelId: string): Promise<number> {
    return this.prisma.streamKey.count({ where: { channelId, revokedAt: null } });
  }

  async touch(id: string): Promise<void> {
    await this.prisma.streamKey.update({ where: { id }, data: { lastUsedAt: new Date() } });
  }
}
