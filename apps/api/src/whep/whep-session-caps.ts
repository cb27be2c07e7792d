import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { HeldCounter } from '../http/event-stream';
import { LiveRegistry } from '../live/live-registry';

/** How often sessions that ended are given back to their address. */
const SWEEP_MS = 30_000;

/**
 * WHEP sessions per client address (ONAIR_WHEP_SESSIONS_PER_CLIENT, 429) and in all
 * (ONAIR_WHEP_SESSIONS_MAX, 503): each holds a Janus handle and a PeerConnection, so neither
 * one address nor many together may open them without end. A POST reserves
 * a slot before any work; the slot belongs to the session once it exists. The viewer's one
 * teardown (PlaybackService.end) gives it back however the session ends (DELETE, ICE timeout,
 * broadcast end, revoked access). A session that ended before its POST had handed the slot
 * over is caught by a sweep of slots whose session the live registry no longer knows (every
 * 30 s, and at once when an address reaches its cap).
 */
@Injectable()
export class WhepSessionCaps implements OnModuleDestroy {
  private readonly counter: HeldCounter;
  private readonly held = new Map<string, () => void>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    @Inject(ONAIR_CONFIG) config: OnairConfig,
    private readonly live: LiveRegistry,
  ) {
    this.counter = new HeldCounter('WHEP sessions', config.limits.whepSessionsPerClient, config.limits.whepSessions, 'stop (DELETE) the ones no longer playing first');
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  /**
   * Runs `start` (the WHEP POST) in a slot of `client`'s: 429 at the address's cap, 503 at
   * the overall one, before `start`
   * runs; the slot is the new session's when `start` resolves, and free again if it throws.
   */
  async admit<T extends { sessionId: string }>(client: string, start: () => Promise<T>): Promise<T> {
    let release: () => void;
    try {
      release = this.counter.admit(client);
    } catch (err) {
      if (!(err instanceof DomainError) || (err.code !== 'rate-limited' && err.code !== 'over-capacity')) throw err;
      this.sweep();
      release = this.counter.admit(client);
    }
    try {
      const started = await start();
      this.held.set(started.sessionId, release);
      return started;
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Gives the session's slot back (its viewer ended). Idempotent. */
  release(sessionId: string): void {
    const release = this.held.get(sessionId);
    this.held.delete(sessionId);
    release?.();
  }

  /** Sessions `client` holds (for specs and metrics). */
  count(client: string): number {
    return this.counter.count(client);
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private sweep(): void {
    for (const [sessionId, release] of this.held) {
      if (this.live.viewer(sessionId)) continue;
      this.held.delete(sessionId);
      release();
    }
  }
}
