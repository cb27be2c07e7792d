import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { PrismaClient } from '../generated/prisma/client';

/** The Prisma client, on the pg driver adapter (no native query engine). Repositories only. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(ONAIR_CONFIG) config: OnairConfig) {
    super({ adapter: new PrismaPg({ connectionString: config.databaseUrl, connectionTimeoutMillis: 5000 }) });
  }

  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
