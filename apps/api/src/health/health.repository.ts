import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';

/** The one database question /health asks: does Postgres answer a query. */
@Injectable()
export class HealthRepository {
  constructor(private readonly prisma: PrismaService) {}

  ping(): Promise<void> {
    return this.prisma.ping();
  }
}
