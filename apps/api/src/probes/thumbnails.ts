import { spawn } from 'node:child_process';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { LiveRegistry } from '../live/live-registry';
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
  private readonly decoders = new Set<ReturnType<typeof spawn>>();

  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
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
    for (const ff of this.decoders) ff.kill('SIGKILL');
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
    return new Promise((resolve, reject) => {
      const ff = spawn(
        this.config.ffmpegPath,
        ['-hide_banner', '-loglevel', 'error', '-f', 'h264', '-i', 'pipe:0', '-frames:v', '1', '-vf', 'scale=480:-2', '-q:v', '5', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      this.decoders.add(ff);
      ff.once('close', () => this.decoders.delete(ff));
      const out: Buffer[] = [];
      let err = '';
      const timer = setTimeout(() => ff.kill('SIGKILL'), FFMPEG_TIMEOUT_MS);
      ff.stdout.on('data', (d: Buffer) => out.push(d));
      ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
      ff.on('error', (e) => {
        clearTimeout(timer);
        reject(new Error(`cannot run ${this.config.ffmpegPath}: ${e.message}`));
      });
      ff.on('close', (code) => {
        clearTimeout(timer);
        const jpeg = Buffer.concat(out);
        if (code === 0 && jpeg.length > 0) resolve(jpeg);
        else reject(new Error(`ffmpeg exited ${code}: ${err.trim().split('\n').pop() ?? ''}`));
      });
      ff.stdin.on('error', () => undefined);
      ff.stdin.end(annexB);
    });
  }
}
