/**
 * The studio's browser-side calls to the onair API, through the same-origin gateway
 * (`/api/...`): the session cookie rides along, mutations carry the CSRF header, and a
 * failure becomes a `StudioError` with the API's human-readable detail. What the calls answer
 * is declared once, with the API, in `@onair/api-types`.
 */
import type { ProblemDocument } from '@onair/api-types';

export class StudioError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function studioFetch<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Onair-Studio'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new StudioError(0, 'The studio cannot reach onair right now. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const detail = (json as Partial<ProblemDocument> | undefined)?.detail;
    throw new StudioError(res.status, detail ? detail.charAt(0).toUpperCase() + detail.slice(1) : `Request failed (HTTP ${res.status})`);
  }
  return json as T;
}

/** The WHIP URL OBS publishes to. */
export function whipUrl(publicApiBaseUrl: string): string {
  return `${publicApiBaseUrl.replace(/\/+$/, '')}/whip`;
}

/** What to tell the streamer about a failed studio action. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
