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

export type EventSend = (event: string, data: unknown) => void;

/**
 * Subscribes, then streams: `subscribe` may await and may throw (404, 401) before anything is
 * written; what it delivers before the stream opens (the current state) is sent first, in
 * order. The subscription ends with the stream, also when the client left meanwhile.
 * `close` lets the subscriber end the stream from the server side (access revoked, signed out).
 */
export async function streamEvents(
  req: Request,
  res: Response,
  subscribe: (send: EventSend, close: () => void) => (() => void) | Promise<() => void>,
): Promise<void> {
  const pending: [string, unknown][] = [];
  let stream: EventStream | undefined;
  let closeAsked = false;
  const close = () => (stream ? stream.close() : (closeAsked = true));
  const unsubscribe = await subscribe((event, data) => (stream ? stream.send(event, data) : pending.push([event, data])), close);
  stream = openEventStream(req, res, unsubscribe);
  for (const [event, data] of pending.splice(0)) stream.send(event, data);
  if (closeAsked) stream.close();
}
