import type { NextFunction, Request, Response } from 'express';
import { OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { clientAddress } from './client-address';
import { toProblem, writeProblem } from './problem.filter';
import { routedPath } from './routed-path';

/**
 * Token buckets keyed by client address. `take` spends one token and says how long to wait
 * when there is none. Memory stays bounded: past `maxKeys` addresses, the least recently
 * used go (forgetting a bucket only ever gives that address a full one).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Spends a token for `key`: 0 when allowed, else the seconds until one is available. */
  take(key: string): number {
    const b = this.level(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.store(key, b);
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  /** Seconds until `key` has a token again, without spending one. */
  waitFor(key: string): number {
    const b = this.level(key);
    return b.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - b.tokens) / this.perSecond));
  }

  private level(key: string): { tokens: number; at: number } {
    const now = this.now();
    const b = this.buckets.get(key);
    if (!b) return { tokens: this.burst, at: now };
    return { tokens: Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.perSecond), at: now };
  }

  private store(key: string, b: { tokens: number; at: number }): void {
    this.buckets.delete(key);
    this.buckets.set(key, b);
    // Map iteration is insertion order, and store() re-inserts: the first key is the stalest.
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Writes that spend the per-address request bucket: WHIP, WHEP, sign-in/sign-up. */
const LIMITED = /^\/(whip|whep|auth)(\/|$)/;
/**
 * Where a 401 is a wrong bearer (stream key, playback token) from this address. Wrong
 * passwords are AuthService's to count (per account).
 */
const BEARER_CHECKED = /^\/(whip|whep)(\/|$)/;
const WRITES = new Set(['POST', 'PATCH', 'DELETE']);

/**
 * Set by a handler that checked a bearer and found it wrong without answering 401 (OPTIONS
 * discovery answers 204 either way, but must not become a free key-guessing oracle).
 */
export function markBearerRejected(res: Response): void {
  res.locals.onairBearerRejected = true;
}

/**
 * Rate limits for the WHIP/WHEP endpoints, per client address (RFC 9725 §4.2 asks servers
 * to protect themselves): every POST, PATCH and DELETE spends a token of a general bucket,
 * and every 401 spends one of a much smaller bucket, so guessing stream keys stops quickly
 * while a streamer with the right key is never slowed by it. Answers 429 + Retry-After.
 * An OPTIONS with a bearer (ICE server discovery, which checks the key) counts like a write.
 * Paths are matched as the router matches them (routedPath): any case, trailing slash,
 * percent-encoding. The client address is clientAddressMiddleware's (gateway-aware).
 */
export function rateLimitMiddleware(config: OnairConfig['rateLimit'], now: () => number = Date.now) {
  const requests = new RateLimiter(config.burst, config.perSecond, now);
  const failures = new RateLimiter(config.authFailuresPerMinute, config.authFailuresPerMinute / 60, now);
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = routedPath(req.path);
    const bearerOptions = req.method === 'OPTIONS' && req.headers.authorization !== undefined;
    if (!(WRITES.has(req.method) || bearerOptions) || !LIMITED.test(path)) return next();
    const client = clientAddress(req);
    const authWait = failures.waitFor(client);
    if (authWait > 0) {
      return writeProblem(res, toProblem(new DomainError('rate-limited', `too many requests with a wrong stream key or token from this address; wait ${authWait} s`, authWait)));
    }
    const wait = requests.take(client);
    if (wait > 0) {
      return writeProblem(res, toProblem(new DomainError('rate-limited', `too many requests from this address; wait ${wait} s`, wait)));
    }
    res.on('finish', () => {
      if ((res.statusCode === 401 || res.locals.onairBearerRejected === true) && BEARER_CHECKED.test(path)) failures.take(client);
    });
    next();
  };
}
