/**
 * Same-origin gateway to the onair API for the browser: the studio's session cookie stays
 * first-party on the web origin, and event streams (studio live view, channel feed) pass
 * through unbuffered. The API base URL is read at request time (`ONAIR_API_URL`).
 */
import type { NextRequest } from 'next/server';
import { serverApiBaseUrl } from '@/lib/api';

export const dynamic = 'force-dynamic';

/** Request headers the API needs; nothing else crosses (no hop-by-hop headers). */
const FORWARD = ['accept', 'authorization', 'content-type', 'cookie', 'if-match', 'user-agent', 'x-onair-studio'];
/** Response headers the browser needs. */
const RETURN = ['cache-control', 'content-type', 'etag', 'location', 'link', 'retry-after', 'www-authenticate', 'x-accel-buffering'];

async function proxy(req: NextRequest, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await ctx.params;
  const url = `${serverApiBaseUrl()}/${path.map(encodeURIComponent).join('/')}${req.nextUrl.search}`;
  const headers = new Headers();
  for (const name of FORWARD) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // The API decides cookie Secure-ness and client addresses from these (ONAIR_TRUST_PROXY).
  headers.set('x-forwarded-proto', req.nextUrl.protocol.replace(':', ''));
  const forwardedFor = req.headers.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer(),
      cache: 'no-store',
      redirect: 'manual',
      signal: req.signal,
    });
  } catch {
    return Response.json(
      { type: 'about:blank', title: 'onair API unreachable', status: 502, detail: 'the web app cannot reach the onair API right now; try again in a moment' },
      { status: 502, headers: { 'content-type': 'application/problem+json' } },
    );
  }
  const out = new Headers();
  for (const name of RETURN) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  for (const cookie of upstream.headers.getSetCookie()) out.append('set-cookie', cookie);
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

export { proxy as GET, proxy as POST, proxy as PATCH, proxy as DELETE, proxy as HEAD };
