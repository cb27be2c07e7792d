// Server-sent events (HTML Living Standard §9.2, "text/event-stream"), as the
// WHEP events extension and onair's channel feeds send them.

export interface ServerSentEvent {
  /** The event type (the `event:` field); omitted means "message". */
  event?: string;
  /** The payload; a multi-line value becomes several `data:` lines, as the format requires. */
  data: string;
  id?: string;
  /** Reconnection time the client should use, in ms. */
  retry?: number;
}

const NO_NEWLINE = /^[^\r\n]*$/;

/**
 * One event, terminated by the blank line that dispatches it. Field values
 * other than data cannot contain line breaks (they would start a new field),
 * and the id cannot contain NUL (the client ignores such ids): both throw.
 */
export function formatServerSentEvent(e: ServerSentEvent): string {
  let out = '';
  if (e.event !== undefined) {
    if (e.event === '' || !NO_NEWLINE.test(e.event)) throw new TypeError(`event name ${JSON.stringify(e.event)} must be non-empty and on one line`);
    out += `event: ${e.event}\n`;
  }
  if (e.id !== undefined) {
    if (!NO_NEWLINE.test(e.id) || e.id.includes('\0')) throw new TypeError(`event id ${JSON.stringify(e.id)} must be one line without NUL`);
    out += `id: ${e.id}\n`;
  }
  if (e.retry !== undefined) {
    if (!Number.isInteger(e.retry) || e.retry < 0) throw new TypeError(`retry must be a non-negative integer of ms, got ${e.retry}`);
    out += `retry: ${e.retry}\n`;
  }
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: ignored by clients, keeps idle connections (and proxies) from timing out. */
export function formatServerSentComment(text = ''): string {
  return `:${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Parses a text/event-stream body into events (for clients and tests). */
export function parseServerSentEvents(body: string): ServerSentEvent[] {
  const events: ServerSentEvent[] = [];
  for (const block of body.split(/\r\n\r\n|\n\n|\r\r/)) {
    const data: string[] = [];
    const e: Partial<ServerSentEvent> = {};
    for (const line of block.split(/\r\n|\r|\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') e.event = value;
      else if (field === 'id') e.id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) e.retry = Number(value);
    }
    if (data.length > 0) events.push({ ...e, data: data.join('\n') });
  }
  return events;
}
