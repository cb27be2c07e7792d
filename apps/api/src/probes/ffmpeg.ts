import { ChildProcess, spawn } from 'node:child_process';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';

/** One ffmpeg run: what to feed it on stdin and how long it may take before it is killed. */
export interface FfmpegRun {
  args: readonly string[];
  input?: Buffer;
  timeoutMs: number;
}

/**
 * ffmpeg as onair uses it: a run that takes bytes in and gives bytes out. FfmpegProcesses
 * below is the one place in the API that spawns ffmpeg; specs hand callers a fake instead.
 * HLS and recordings will add their long-lived runs here rather than spawn ffmpeg themselves.
 */
export interface Ffmpeg {
  /**
   * ffmpeg's stdout once it exits 0 with some output; otherwise rejects with the last line
   * ffmpeg wrote to stderr (or why it could not start, or that it ran out of time).
   */
  run(run: FfmpegRun): Promise<Buffer>;
}

/** Nest injection token for the Ffmpeg interface. */
export const FFMPEG = Symbol('FFMPEG');

/** Spawns ONAIR_FFMPEG_PATH; every process still running is killed at shutdown. */
@Injectable()
export class FfmpegProcesses implements Ffmpeg, OnApplicationShutdown {
  private readonly running = new Set<ChildProcess>();

  constructor(@Inject(ONAIR_CONFIG) private readonly config: Pick<OnairConfig, 'ffmpegPath'>) {}

  onApplicationShutdown(): void {
    for (const ff of this.running) ff.kill('SIGKILL');
  }

  run({ args, input, timeoutMs }: FfmpegRun): Promise<Buffer> {
    const path = this.config.ffmpegPath;
    return new Promise((resolve, reject) => {
      const ff = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      this.running.add(ff);
      const out: Buffer[] = [];
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ff.kill('SIGKILL');
      }, timeoutMs);
      ff.stdout.on('data', (d: Buffer) => out.push(d));
      ff.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      ff.on('error', (e) => {
        clearTimeout(timer);
        this.running.delete(ff);
        reject(new Error(`cannot run ${path}: ${e.message}`));
      });
      ff.on('close', (code, signal) => {
        clearTimeout(timer);
        this.running.delete(ff);
        const stdout = Buffer.concat(out);
        if (code === 0 && stdout.length > 0) return resolve(stdout);
        const last = stderr.trim().split('\n').pop() ?? '';
        if (timedOut) reject(new Error(`ffmpeg took longer than ${timeoutMs} ms and was killed`));
        else if (signal) reject(new Error(`ffmpeg was killed (${signal})`));
        else reject(new Error(`ffmpeg exited ${code}: ${last}`));
      });
      // ffmpeg may exit before reading all of its input (bad data): that is its exit code's story.
      ff.stdin.on('error', () => undefined);
      ff.stdin.end(input);
    });
  }
}
