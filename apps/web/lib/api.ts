/**
 * Server-side access to the onair API (Server Components only). The base URL is read at
 * request time from `ONAIR_API_URL` (default `http://127.0.0.1:8080`).
 */
import type { ChannelStatus, ChannelVisibility, LiveChannelList, ProblemDocument } from '@onair/api-types';
import { cache } from 'react';

const DEFAULT_SERVER_API_URL = 'http://127.0.0.1:8080';
const REQUEST_TIMEOUT_MS = 3000;

/** What the directory shows of a live channel. */
export type LiveChannel = Pick<ChannelStatus, 'slug' | 'title' | 'live' | 'liveSince' | 'viewers'>;

/** A channel page's data, as `GET /channels/{slug}` sends it. */
export type Channel = ChannelStatus;

export type LiveChannelsResult =
  | { ok: true; channels: LiveChannel[] }
  | { ok: false; reason: 'unreachable' | 'bad-response' };

export type ChannelResult =
  | { status: 'found'; channel: Channel }
  | { status: 'not-found' }
  /** Private channel without a valid share link; `detail` says why (missing, expired...). */
  | { status: 'private'; detail: string }
  | { status: 'unavailable' };

export function serverApiBaseUrl(): string {
  return (process.env.ONAIR_API_URL?.trim() || DEFAULT_SERVER_API_URL).replace(/\/+$/, '');
}

async function apiGet(path: string, token?: string): Promise<Response> {
  return fetch(`${serverApiBaseUrl()}${path}`, {
    cache: 'no-store',
    headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const VISIBILITIES: readonly string[] = ['public', 'unlisted', 'private'] satisfies ChannelVisibility[];
const visibility = (v: unknown): ChannelVisibility => (typeof v === 'string' && VISIBILITIES.includes(v) ? (v as ChannelVisibility) : 'public');

function toLiveChannel(raw: unknown): LiveChannel | null {
  if (!raw || typeof raw !== 'object') return null;
  const o = raw as Partial<Record<keyof ChannelStatus, unknown>>;
  const slug = str(o.slug);
  if (!slug) return null;
  return { slug, title: str(o.title) || slug, live: o.live === true, liveSince: str(o.liveSince), viewers: typeof o.viewers === 'number' ? o.viewers : 0 };
}

function warn(what: string, error: unknown): void {
  const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
  console.warn(`[onair web] ${what} (${serverApiBaseUrl()}): ${reason}`);
}

/** `GET /channels?live=true`; never throws. */
export async function listLiveChannels(): Promise<LiveChannelsResult> {
  let response: Response;
  try {
    response = await apiGet('/channels?live=true');
  } catch (error) {
    warn("can't reach the onair API", error);
    return { ok: false, reason: 'unreachable' };
  }
  try {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as Partial<Record<keyof LiveChannelList, unknown>>;
    if (!Array.isArray(body.channels)) throw new Error('no channels array');
    const channels = body.channels.map(toLiveChannel).filter((c): c is LiveChannel => c !== null && c.live);
    return { ok: true, channels };
  } catch (error) {
    warn('unexpected /channels response', error);
    return { ok: false, reason: 'bad-response' };
  }
}

/** `GET /channels/{slug}` (with a private channel's playback token); never throws. Deduplicated per request. */
export const getChannel = cache(async (slug: string, token?: string): Promise<ChannelResult> => {
  let response: Response;
  try {
    response = await apiGet(`/channels/${encodeURIComponent(slug)}`, token);
  } catch (error) {
    warn("can't reach the onair API", error);
    return { status: 'unavailable' };
  }
  if (response.status === 404) {
    await response.body?.cancel().catch(() => undefined);
    return { status: 'not-found' };
  }
  if (response.status === 401) {
    const body = (await response.json().catch(() => ({}))) as Partial<ProblemDocument>;
    return { status: 'private', detail: body.detail ?? 'this channel is private' };
  }
  try {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const raw = (await response.json()) as Partial<Record<keyof ChannelStatus, unknown>>;
    const base = toLiveChannel(raw);
    if (!base) throw new Error('malformed channel');
    return {
      status: 'found',
      channel: { ...base, description: str(raw.description) ?? '', visibility: visibility(raw.visibility) },
    };
  } catch (error) {
    warn(`unexpected /channels/${slug} response`, error);
    return { status: 'unavailable' };
  }
});
