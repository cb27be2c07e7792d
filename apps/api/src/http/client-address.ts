import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { NextFunction, Request, Response } from 'express';

/**
 * Headers the web app's gateway (apps/web/app/api/[...path]/route.ts) sends with every
 * request it passes on: the shared secret, the browser's address, and the scheme the
 * browser used (https when it reached the web app, or the TLS proxy in front of it, over TLS).
 */
export const GATEWAY_HEADERS = {
  secret: 'x-onair-gateway-secret',
  address: 'x-onair-client-address',
  proto: 'x-onair-client-proto',
} as const;

/** Constant-time comparison of two secrets of any lengths (hashes have one length). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Who the client is, decided once per request before anything else looks at it. A request
 * from the web gateway that carries the gateway secret states the browser's address and
 * scheme; every other request is the socket's peer (or, with ONAIR_TRUST_PROXY, what
 * Express's trust-proxy rules make of X-Forwarded-For/-Proto). The answer replaces
 * `req.ip` and `req.protocol` (and so `req.secure`) on the request itself, so everything
 * downstream (rate limits, stream caps, cookie Secure-ness, sign-in throttles) reads the same
 * truth without knowing about the gateway. The gateway headers are removed either way:
 * nothing further in can mistake a client's own copy of them for the gateway's.
 */
export function clientAddressMiddleware(gatewaySecret: string | undefined) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const secret = one(req.headers[GATEWAY_HEADERS.secret]);
    const address = one(req.headers[GATEWAY_HEADERS.address])?.trim();
    const proto = one(req.headers[GATEWAY_HEADERS.proto])?.trim().toLowerCase();
    for (const h of Object.values(GATEWAY_HEADERS)) delete req.headers[h];
    if (gatewaySecret && secret !== undefined && sameSecret(secret, gatewaySecret)) {
      if (address && isIP(address)) define(req, 'ip', address);
      if (proto === 'https' || proto === 'http') define(req, 'protocol', proto);
    } else if (req.ip === undefined) {
      // A socket that closed before routing has no address; one shared name keeps it limited.
      define(req, 'ip', req.socket.remoteAddress ?? 'unknown');
    }
    next();
  };
}

/** The client address as clientAddressMiddleware decided it. */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Express's `ip` and `protocol` are prototype getters: an own property takes their place. */
function define(req: Request, name: 'ip' | 'protocol', value: string): void {
  Object.defineProperty(req, name, { value, configurable: true, enumerable: true, writable: false });
}
