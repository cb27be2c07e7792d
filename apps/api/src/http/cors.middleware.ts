import type { NextFunction, Request, Response } from 'express';
import { routes } from './routed-path';

/**
 * CORS for browser WHIP/WHEP clients (RFC 9725 §4.1, WHEP §4): players and the studio run
 * on another origin than the API. Preflights are answered here; they never get ICE servers
 * (RFC 9725 §4.6: no TURN credentials minted for a preflight). A plain OPTIONS (endpoint
 * discovery) goes on to the WHIP/WHEP controllers.
 */
export function corsMiddleware(origins: '*' | string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (origins === '*') res.setHeader('Access-Control-Allow-Origin', '*');
    else if (origin && origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    res.setHeader('Access-Control-Expose-Headers', 'Location, ETag, Link, Accept-Patch, Accept-Post, Retry-After, WWW-Authenticate');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!preflight) return next();
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, POST, PATCH, DELETE, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match');
    res.setHeader('Access-Control-Max-Age', '600');
    if (routes(/^\/(whip|whep)(\/|$)/, req.path)) {
      res.setHeader('Accept-Post', 'application/sdp');
      res.setHeader('Accept-Patch', 'application/trickle-ice-sdpfrag');
    }
    res.status(204).end();
  };
}
