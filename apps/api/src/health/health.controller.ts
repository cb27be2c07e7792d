import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { MEDIA_SERVER, MediaServer } from '../media/media-server';
import { HealthRepository } from './health.repository';

/** 200 only when both Janus and Postgres answer; 503 otherwise, saying which one failed. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly database: HealthRepository,
  ) {}

  @Get()
  async check(@Res() res: Response): Promise<void> {
    const [janus, database] = await Promise.all([
      this.media.health(),
      timed(() => this.database.ping()),
    ]);
    const ok = janus.ok && database.ok;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', janus, database });
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
