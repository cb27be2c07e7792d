import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { text } from 'express';
import { OnairConfig } from '../config/onair-config';
import { corsMiddleware } from './cors.middleware';
import { MAX_SDP_BYTES } from './sdp-request';

/** HTTP settings shared by main.ts and the HTTP specs, so tests run the real stack. */
export function setupHttp(app: INestApplication, config: OnairConfig): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.use(corsMiddleware(config.http.corsOrigins));
  express.use(text({ type: ['application/sdp', 'application/trickle-ice-sdpfrag'], limit: MAX_SDP_BYTES }));
  app.enableShutdownHooks();
}
