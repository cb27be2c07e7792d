import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { LiveRegistry } from '../live/live-registry';
import { FFMPEG, Ffmpeg } from './ffmpeg';
import { StreamProbes } from './stream-probes';

export interface Thumbnail {
  jpeg: Buffer;
  takenAt: Date;
}

const EVERY_MS = 15_000;
const FFMPEG_TIMEOUT_MS = 5_000;

/**
 * Stills of live channels for the directory: every 15 s the latest keyframe the stream
 * probe kept is decoded by ffmpeg into a 480-pixel-wide JPEG, held in memory while the
 * channel is live. Private channels get none. H.264 only (what OBS sends); other codecs
 * keep the directory's placeholder.
 */
@Injectable()
export class ThumbnailService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Thumbnails');
  private readonly stills = new Map<string, Thumbnail>();
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @Inject(FFMPEG) private readonly ffmpeg: Ffmpeg,
    private readonly live: LiveRegistry,
    private readonly probes: StreamProbes,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.refresh().catch((err: unknown) => this.log.error(`thumbnails: ${(err as Error).message}`));
    }, EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get(channelId: string): Thumbnail | undefined {
    return this.stills.get(channelId);
  }

  /** Takes a still of every live, non-private channel now (also what the timer runs). */
  async refresh(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const live = this.live.allBroadcasts().filter((b) => b.playable && b.channel.visibility !== 'private');
      for (const id of this.stills.keys()) if (!live.some((b) => b.channel.id === id)) this.stills.delete(id);
      for (const b of live) {
        const keyframe = this.probes.latestKeyframe(b.channel.id);
        if (!keyframe) continue;
        try {
          this.stills.set(b.channel.id, { jpeg: await this.decode(keyframe), takenAt: new Date() });
        } catch (err) {
          this.log.warn(`no thumbnail for ${b.channel.slug}: ${(err as Error).message}`);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private decode(annexB: Buffer): Promise<Buffer> {
    return this.ffmpeg.run({
      args: ['-hide_banner', '-loglevel', 'error', '-f', 'h264', '-i', 'pipe:0', '-frames:v', '1', '-vf', 'scale=480:-2', '-q:v', '5', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'],
      input: annexB,
      timeoutMs: FFMPEG_TIMEOUT_MS,
    });
  }
}
