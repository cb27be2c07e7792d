import { formatServerSentComment, formatServerSentEvent } from '@onair/protocol';
import type { NextFunction, Request, Response } from 'express';
import { OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { clientAddress } from './client-address';
import { toProblem, writeProblem } from './problem.filter';
import { routedPath } from './routed-path';

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

/** How long a client refused for holding too much should wait before trying again. */
const CLIENT_RETRY_AFTER_S = 10;
/** Same when the whole server is full. */
const SERVER_RETRY_AFTER_S = 30;

/**
 * Things clients hold open (event streams, WHEP sessions), counted per client address and in
 * all: `admit` takes a slot or throws 429 (this address holds its share) or 503 (the server
 * holds all it is set to), each with Retry-After and what to do. The release it returns is
 * idempotent. The one place onair counts held things; counts never go below zero and an
 * address with nothing held is forgotten.
 */
export class HeldCounter {
  private readonly byClient = new Map<string, number>();
  private held = 0;

  constructor(
    /** What is held, plural, for messages ("event streams"). */
    private readonly what: string,
    private readonly perClient: number,
    private readonly overall: number = Number.POSITIVE_INFINITY,
    /** What a person can do at the per-address cap. */
    private readonly advice = 'close some, or wait for one to end',
  ) {}

  admit(client: string): () => void {
    const mine = this.byClient.get(client) ?? 0;
    if (mine >= this.perClient) {
      throw new DomainError('rate-limited', `this address already holds ${mine} ${this.what} (onair allows ${this.perClient} per address): ${this.advice}`, CLIENT_RETRY_AFTER_S);
    }
    if (this.held >= this.overall) {
      throw new DomainError('over-capacity', `onair is serving as many ${this.what} as it is set to (${this.overall}); try again in a moment`, SERVER_RETRY_AFTER_S);
    }
    this.byClient.set(client, mine + 1);
    this.held += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= 1;
      const left = (this.byClient.get(client) ?? 1) - 1;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    };
  }

  /** Held by `client`, or by everyone. */
  count(client?: string): number {
    return client === undefined ? this.held : (this.byClient.get(client) ?? 0);
  }
}

/**
 * The GET routes that answer with an event stream: the channel feed, the studio live view and
 * the WHEP events extension's streams. Matched as the router matches (routedPath).
 */
const EVENT_STREAM_ROUTES = /^\/(channels\/[^/]+\/events|studio\/channels\/[^/]+\/live|whep\/sessions\/[^/]+\/events\/[^/]+)$/;

/**
 * Caps on event streams (SSE), before routing so that a refused stream costs no database
 * read: per client address and overall (429/503 + Retry-After), and a maximum age after which
 * the server ends a stream (EventSource reconnects by itself, and a client that holds streams
 * open forever can't pin them). The slot is released when the response closes, however the
 * stream or the request ends (404, 401, client gone, server closed).
 */
export function eventStreamCaps(limits: OnairConfig['limits'], counter = new HeldCounter('event streams', limits.streamsPerClient, limits.streams, 'close other tabs or players, or wait for one to end')) {
  const maxAgeMs = limits.streamMaxAgeS * 1000;
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' || !EVENT_STREAM_ROUTES.test(routedPath(req.path))) return next();
    let release: () => void;
    try {
      release = counter.admit(clientAddress(req));
    } catch (err) {
      return writeProblem(res, toProblem(err));
    }
    const expiry = setTimeout(() => {
      // Only a stream that started is ended here; anything else finishes by itself.
      if (res.headersSent && !res.writableEnded) res.end();
    }, maxAgeMs);
    expiry.unref();
    res.once('close', () => {
      clearTimeout(expiry);
      release();
    });
    next();
  };
  return Object.assign(middleware, { counter });
}
