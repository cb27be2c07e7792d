import { formatServerSentComment, formatServerSentEvent } from '@onair/protocol';
import type { Request, Response } from 'express';

/** Idle streams get a comment this often, so proxies and load balancers keep them open. */
const HEARTBEAT_MS = 15_000;

export interface EventStream {
  send(event: string, data: unknown): void;
  /** Ends the stream from the server side. */
  close(): void;
}

/**
 * Turns a response into a text/event-stream. `onClose` runs once, whether the client went
 * away or the server closed the stream, so subscriptions are always released.
 */
export function openEventStream(req: Request, res: Response, onClose: () => void): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  // nginx buffers responses by default; an event stream must go out as it is written.
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write(formatServerSentComment('onair'));
  const heartbeat = setInterval(() => res.write(formatServerSentComment()), HEARTBEAT_MS);
  heartbeat.unref();
  let closed = false;
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    onClose();
  };
  req.on('close', finish);
  res.on('close', finish);
  // The client may have gone while the caller awaited (auth, a database read): its close
  // events fired before these listeners existed.
  if (req.destroyed || res.destroyed || req.socket.destroyed) finish();
  return {
    send(event, data) {
      if (!closed) res.write(formatServerSentEvent({ event, data: JSON.stringify(data) }));
    },
    close() {
      if (closed) return;
      res.end();
      finish();
    },
  };
}
