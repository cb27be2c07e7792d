import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ChannelController } from './channels/channel.controller';
import { ChannelRepository } from './channels/channel.repository';
import { ChannelService } from './channels/channel.service';
import { StreamKeyRepository } from './channels/stream-key.repository';
import { StreamKeyService } from './channels/stream-key.service';
import { ONAIR_CONFIG, OnairConfig } from './config/onair-config';
import { PrismaService } from './database/prisma.service';
import { HealthController } from './health/health.controller';
import { HealthRepository } from './health/health.repository';
import { ProblemFilter } from './http/problem.filter';
import { BroadcastRepository } from './live/broadcast.repository';
import { BroadcastService } from './whip/broadcast.service';
import { GrantedStreams } from './live/granted-streams';
import { LiveRegistry } from './live/live-registry';
import { PlaybackService } from './whep/playback.service';
import { PublisherProfiles } from './whep/publisher-profiles';
import { JanusMediaServer } from './media/janus/janus-media-server';
import { MEDIA_SERVER } from './media/media-server';
import { IceServersService } from './ice/ice-servers.service';
import { ChannelEvents } from './live/channel-events';
import { IceSessionService } from './ice/ice-session';
import { WhepEventStreams } from './whep/whep-event-streams';
import { WhepExtensionsController } from './whep/whep-extensions.controller';
import { WhepController } from './whep/whep.controller';
import { WhepSessionCaps } from './whep/whep-session-caps';
import { WhipController } from './whip/whip.controller';
import { AuthController } from './accounts/auth.controller';
import { AuthService } from './accounts/auth.service';
import { SessionStreams } from './accounts/session-streams';
import { SignedInGuard } from './accounts/signed-in.guard';
import { UserRepository } from './accounts/user.repository';
import { StudioController } from './studio/studio.controller';
import { StudioLive } from './studio/studio-live';
import { StudioService } from './studio/studio.service';
import { WatchAccess } from './channels/watch-access';
import { PublishAccess } from './channels/publish-access';
import { WatchRevocation } from './whep/watch-revocation';
import { StreamProbes } from './probes/stream-probes';
import { ThumbnailService } from './probes/thumbnails';
import { FFMPEG, FfmpegProcesses } from './probes/ffmpeg';
import { HelperProcesses } from './supervision/helper-processes';
import { TurnServer } from './turn/turn-server';

export interface AppModuleOptions {
  config: OnairConfig;
  /** Replaces the Janus adapter (unit and HTTP specs pass a fake MediaServer). */
  mediaServer?: { useValue: unknown } | { useClass: new (...args: any[]) => unknown };
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      controllers: [WhipController, WhepController, WhepExtensionsController, ChannelController, HealthController, AuthController, StudioController],
      providers: [
        { provide: ONAIR_CONFIG, useValue: options.config },
        { provide: MEDIA_SERVER, ...(options.mediaServer ?? { useClass: JanusMediaServer }) },
        { provide: APP_FILTER, useClass: ProblemFilter },
        PrismaService,
        HealthRepository,
        HelperProcesses,
        TurnServer,
        ChannelRepository,
        StreamKeyRepository,
        BroadcastRepository,
        LiveRegistry,
        ChannelEvents,
        WhepEventStreams,
        WhepSessionCaps,
        IceSessionService,
        IceServersService,
        StreamKeyService,
        ChannelService,
        BroadcastService,
        PlaybackService,
        PublisherProfiles,
        UserRepository,
        AuthService,
        SessionStreams,
        SignedInGuard,
        StudioService,
        StudioLive,
        WatchAccess,
        PublishAccess,
        WatchRevocation,
        GrantedStreams,
        StreamProbes,
        ThumbnailService,
        { provide: FFMPEG, useClass: FfmpegProcesses },
      ],
      exports: [ONAIR_CONFIG, PrismaService, StreamKeyService, ChannelRepository, MEDIA_SERVER],
    };
  }
}
