import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MEDIA_SERVER, MediaServer } from '../media/media-server';
import { HelperProcesses } from '../supervision/helper-processes';
import { HealthRepository } from './health.repository';

/**
 * 200 only when both Janus and Postgres answer; 503 otherwise, saying which one failed. The
 * helper processes onair supervises (the embedded TURN server) are listed with their state;
 * one that is down makes the status "degraded" but not 503: WebRTC and the studio still work.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly database: HealthRepository,
    private readonly helpers: HelperProcesses,
  ) {}

  @Get()
  async check(@Res() res: Response): Promise<void> {
    const [janus, database] = await Promise.all([
      this.media.health(),
      timed(() => this.database.ping()),
    ]);
    const ok = janus.ok && database.ok;
    const helpers = this.helpers.statuses().map(({ name, state, pid, restarts, lastExit, recentLog }) => ({
      name,
      ok: state === 'running' || state === 'starting',
      state,
      pid,
      restarts,
      lastExit,
      // The last words of a helper that is not up say why (a port taken, a bad certificate).
      ...(state === 'running' ? {} : { recentLog: recentLog.slice(-5) }),
    }));
    const status = !ok ? 'unavailable' : helpers.every((h) => h.ok) ? 'ok' : 'degraded';
    res.status(ok ? 200 : 503).json({ status, janus, database, helpers });
  }
}

async function timed(fn: () => Promise<void>): Promise<{ ok: boolean; latencyMs?: number; detail?: string }> {
  const started = performance.now();
  try {
    await fn();
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, detail: (err as Error).message.split('\n')[0] };
  }
}
