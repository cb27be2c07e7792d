/**
 * Pure HTTP helpers used by the WHEP client: ICE servers from `Link` headers (parsed by
 * `@onair/protocol`'s parser, the one the API writes them with), `Retry-After` parsing, URL
 * resolution and RFC 9457 problem details.
 *
 * Nothing in this module touches browser-only globals at import time, so it can be
 * unit-tested in Node.
 *
 * @packageDocumentation
 */
import { parseLinks, type LinkEntry } from '@onair/protocol';

/**
 * Extracts the ICE servers advertised with `rel="ice-server"` links, as WHIP/WHEP
 * servers send them (RFC 9725 §4.6):
 *
 * ```
 * Link: <turn:turn.example.net?transport=udp>; rel="ice-server"; username="u"; credential="p"; credential-type="password"
 * ```
 *
 * Accepts either a raw header value or already-parsed links. A malformed link-value is
 * left out and the rest used: the player may talk to any WHEP server, and a TURN server it
 * can read is worth more than refusing the whole header.
 */
export function iceServersFromLinkHeader(header: string | null | undefined | LinkEntry[]): RTCIceServer[] {
  const links = Array.isArray(header) ? header : header ? parseLinks(header, { skipMalformed: true }) : [];
  const servers: RTCIceServer[] = [];
  for (const link of links) {
    // rel is a space-separated list of relation types (RFC 8288 §3.3), compared case-insensitively.
    if (!link.rel.toLowerCase().split(/\s+/).includes('ice-server')) continue;
    if (!/^(stuns?|turns?):/i.test(link.uri)) continue;
    const server: RTCIceServer = { urls: link.uri };
    const { username, credential } = link.params ?? {};
    if (typeof username === 'string') server.username = username;
    if (typeof credential === 'string') server.credential = credential;
    servers.push(server);
  }
  return servers;
}

/**
 * Parses a `Retry-After` header value: either delay-seconds (`"5"`) or an HTTP-date.
 *
 * @param now - current time in ms since the epoch (for HTTP-dates); defaults to `Date.now()`.
 * @returns the delay in whole seconds (never negative), or `undefined` when absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  // An HTTP-date always contains letters (day/month names); plain numbers like "1.5" are invalid.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Makes an endpoint URL absolute. Relative endpoints (`/whep/demo`) are resolved
 * against the document URL when running in a browser.
 *
 * @throws TypeError when the URL is relative and there is no document to resolve it against.
 */
export function absoluteUrl(url: string, base?: string): string {
  const fallbackBase = (globalThis as { location?: { href?: string } }).location?.href;
  return new URL(url, base ?? fallbackBase).href;
}

/**
 * Resolves the `Location` of a created WHEP session against the endpoint URL it was
 * POSTed to (the header may be relative, e.g. `/whep/demo/sessions/123`).
 *
 * @returns the absolute resource URL, or `null` when the header is missing/empty or unusable.
 */
export function resolveLocation(location: string | null | undefined, endpoint: string): string | null {
  if (!location || !location.trim()) return null;
  try {
    return new URL(location.trim(), absoluteUrl(endpoint)).href;
  } catch {
    return null;
  }
}

/** RFC 9457 problem details, as sent by the onair API with `application/problem+json`. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  /** A human-readable explanation specific to this occurrence; safe to show to users. */
  detail?: string;
  instance?: string;
}

/** The part of `Response` that {@link readProblem} needs (handy for tests). */
export type ResponseLike = Pick<Response, 'headers' | 'text'>;

/**
 * Reads an error body. JSON bodies (`application/problem+json` or `application/json`)
 * yield their string/number problem fields; short `text/plain` bodies become `detail`.
 * Never throws: unreadable or unexpected bodies give `undefined`.
 */
export async function readProblem(response: ResponseLike): Promise<ProblemDetails | undefined> {
  const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  if (!text.trim()) return undefined;

  if (contentType.includes('json')) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
    const o = body as Record<string, unknown>;
    const problem: ProblemDetails = {};
    for (const key of ['type', 'title', 'detail', 'instance'] as const) {
      if (typeof o[key] === 'string' && o[key]) problem[key] = o[key] as string;
    }
    if (typeof o['status'] === 'number') problem.status = o['status'];
    // Tolerate the common `{ "message": "..." }` error shape too.
    if (!problem.detail && typeof o['message'] === 'string' && o['message']) problem.detail = o['message'];
    return Object.keys(problem).length ? problem : undefined;
  }

  if (contentType.startsWith('text/plain')) {
    const detail = text.trim();
    return detail.length <= 500 ? { detail } : { detail: `${detail.slice(0, 497)}...` };
  }
  return undefined;
}
