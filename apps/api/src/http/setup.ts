import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, text } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { OnairConfig } from '../config/onair-config';
import { clientAddressMiddleware } from './client-address';
import { corsMiddleware } from './cors.middleware';
import { eventStreamCaps } from './event-stream';
import { rateLimitMiddleware } from './rate-limit';
import { routes } from './routed-path';
import { MAX_SDP_BYTES } from './sdp-request';

/** Largest JSON body (WHEP extension requests are a few dozen bytes). */
const MAX_JSON_BYTES = 16 * 1024;

/** HTTP settings shared by main.ts and the HTTP specs, so tests run the real stack. */
export function setupHttp(app: INestApplication, config: OnairConfig): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  const { trustProxy } = config.http;
  if (trustProxy !== false) {
    express.set('trust proxy', trustProxy === 'true' ? true : /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
  }
  // When the request reached onair: the `total` of a WHIP/WHEP POST's Server-Timing.
  express.use((_req: Request, res: Response, next: NextFunction) => {
    res.locals.receivedAt = performance.now();
    next();
  });
  // Then: every later step (limits, caps, cookies) reads the client address it decides.
  express.use(clientAddressMiddleware(config.gateway.secret));
  express.use(corsMiddleware(config.http.corsOrigins));
  express.use(rateLimitMiddleware(config.rateLimit));
  express.use(eventStreamCaps(config.limits));
  express.use(text({ type: ['application/sdp', 'application/trickle-ice-sdpfrag'], limit: MAX_SDP_BYTES }));
  // WHIP/WHEP offers are SDP only: a JSON body there must reach the 415 check unparsed.
  const sdpEndpoint = /^\/(whip|whep\/[^/]+)$/;
  express.use(json({ limit: MAX_JSON_BYTES, type: (req) => /^application\/json\b/i.test(req.headers['content-type'] ?? '') && !routes(sdpEndpoint, (req as unknown as { path: string }).path) }));
  app.enableShutdownHooks();
}
