import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { ChannelEvent, ChannelEvents, ChannelEventType } from '../live/channel-events';

/** Where a stream's events go while a client holds its GET open. */
export interface EventSink {
  send(event: ChannelEvent): void;
  close(): void;
}

interface EventStreamEntry {
  id: string;
  sessionId: string;
  types: ReadonlySet<ChannelEventType>;
  /** Events waiting for a GET (the draft queues them between long pulls). */
  queue: ChannelEvent[];
  sink?: EventSink;
  unsubscribe: () => void;
}

/** Events held for a stream nobody is reading; older ones go first. */
const MAX_QUEUED = 64;

/**
 * The WHEP server-sent events extension (wish-wg "WHEP core extensions"): a player POSTs the
 * events it wants to the session's events URL, gets the Location of a new event stream, and
 * GETs it as text/event-stream. Events published while no GET is open are queued. A stream
 * ends with DELETE, or with its WHEP session; after that its URL answers 404.
 */
@Injectable()
export class WhepEventStreams {
  private readonly streams = new Map<string, EventStreamEntry>();
  /** Registrations per WHEP session (ONAIR_WHEP_EVENT_STREAMS_PER_SESSION): each holds a subscription and a queue. */
  private readonly perSession: number;

  constructor(
    private readonly events: ChannelEvents,
    @Inject(ONAIR_CONFIG) config: OnairConfig,
  ) {
    this.perSession = config.limits.eventStreamsPerSession;
  }

  create(input: { sessionId: string; channelId: string; types: ChannelEventType[]; initial: ChannelEvent[] }): string {
    const held = [...this.streams.values()].filter((e) => e.sessionId === input.sessionId).length;
    if (held >= this.perSession) {
      throw new DomainError(
        'rate-limited',
        `this WHEP session already has ${held} event streams (onair allows ${this.perSession}): read the one you have, or DELETE one before asking for another`,
        5,
      );
    }
    const id = randomBytes(16).toString('base64url');
    const entry: EventStreamEntry = {
      id,
      sessionId: input.sessionId,
      types: new Set(input.types),
      queue: [],
      unsubscribe: () => undefined,
    };
    this.streams.set(id, entry);
    for (const e of input.initial) this.deliver(entry, e);
    entry.unsubscribe = this.events.subscribe(input.channelId, (e) => this.deliver(entry, e));
    return id;
  }

  /** Throws not-found unless the session has this stream. */
  check(sessionId: string, streamId: string): void {
    this.find(sessionId, streamId);
  }

  /** Connects a GET to the stream: queued events go out first. One reader at a time. */
  attach(sessionId: string, streamId: string, sink: EventSink): void {
    const entry = this.find(sessionId, streamId);
    entry.sink?.close();
    entry.sink = sink;
    for (const e of entry.queue.splice(0)) sink.send(e);
  }

  detach(streamId: string, sink: EventSink): void {
    const entry = this.streams.get(streamId);
    if (entry?.sink === sink) entry.sink = undefined;
  }

  destroy(sessionId: string, streamId: string): void {
    this.remove(this.find(sessionId, streamId));
  }

  /** Every stream of a WHEP session ends with it. */
  destroySession(sessionId: string): void {
    for (const entry of [...this.streams.values()]) if (entry.sessionId === sessionId) this.remove(entry);
  }

  private deliver(entry: EventStreamEntry, event: ChannelEvent): void {
    if (!entry.types.has(event.type)) return;
    if (entry.sink) {
      entry.sink.send(event);
      return;
    }
    // Only the latest count matters to a player that was not listening.
    if (event.type === 'viewercount') entry.queue = entry.queue.filter((e) => e.type !== 'viewercount');
    entry.queue.push(event);
    if (entry.queue.length > MAX_QUEUED) entry.queue.shift();
  }

  private find(sessionId: string, streamId: string): EventStreamEntry {
    const entry = this.streams.get(streamId);
    if (!entry || entry.sessionId !== sessionId) throw new DomainError('not-found', 'no such event stream (it was deleted or its WHEP session ended)');
    return entry;
  }

  private remove(entry: EventStreamEntry): void {
    this.streams.delete(entry.id);
    entry.unsubscribe();
    entry.queue = [];
    const sink = entry.sink;
    entry.sink = undefined;
    sink?.close();
  }
}
