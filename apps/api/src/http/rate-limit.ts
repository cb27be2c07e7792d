import type { NextFunction, Request, Response } from 'express';
import { OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { clientAddress } from './client-address';
import { RateLimiter } from '../limits/rate-limiter';
import { toProblem, writeProblem } from './problem.filter';
import { routedPath } from './routed-path';

// The class moved to limits/ (services use it too); re-exported for the middleware's callers.
export { RateLimiter } from '../limits/rate-limiter';

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
 * Every OPTIONS on WHIP/WHEP that is not a CORS preflight (ICE server discovery, which may
 * check a key or token) counts like a write, and a bearer it rejected like a 401.
 * Paths are matched as the router matches them (routedPath): any case, trailing slash,
 * percent-encoding. The client address is clientAddressMiddleware's (gateway-aware).
 */
export function rateLimitMiddleware(config: OnairConfig['rateLimit'], now: () => number = Date.now) {
  const requests = new RateLimiter(config.burst, config.perSecond, now);
  const failures = new RateLimiter(config.authFailuresPerMinute, config.authFailuresPerMinute / 60, now);
  return (req: Request, res: Response, next: NextFunction): void => {
    const path = routedPath(req.path);
    // CORS preflights never get here (corsMiddleware answers them); every other OPTIONS on
    // WHIP/WHEP may check a key or token (Authorization or ?token=) and mint TURN, so it counts.
    const discovery = req.method === 'OPTIONS' && BEARER_CHECKED.test(path);
    if (!(WRITES.has(req.method) || discovery) || !LIMITED.test(path)) return next();
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
