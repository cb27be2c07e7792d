import { DynamicModule, Module } from '@nestjs/common';
import { ChannelRepository } from '../channels/channel.repository';
import { StreamKeyRepository } from '../channels/stream-key.repository';
import { StreamKeyService } from '../channels/stream-key.service';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { PrismaService } from '../database/prisma.service';
import { UserRepository } from '../accounts/user.repository';

/** Just the database side, for administrative commands (no Janus, no HTTP). */
@Module({})
export class CliModule {
  static forRoot(config: OnairConfig): DynamicModule {
    return {
      module: CliModule,
      providers: [{ provide: ONAIR_CONFIG, useValue: config }, PrismaService, ChannelRepository, StreamKeyRepository, StreamKeyService, UserRepository],
    };
  }
}
