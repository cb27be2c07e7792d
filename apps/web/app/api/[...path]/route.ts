/**
 * Same-origin gateway to the onair API for the browser: the studio's session cookie stays
 * first-party on the web origin, and event streams (studio live view, channel feed) pass
 * through unbuffered. The API base URL is read at request time (`ONAIR_API_URL`).
 *
 * The gateway states who the browser is: its address and whether it came over HTTPS, as
 * decided by server.mjs from the socket (and the trusted proxies in front of the web app),
 * never the client's own X-Forwarded-* headers. The API believes the statement only with
 * the shared ONAIR_GATEWAY_SECRET; without it the API sees the web server's address.
 */
import type { NextRequest } from 'next/server';
import { serverApiBaseUrl } from '@/lib/api';

export const dynamic = 'force-dynamic';

/** Request headers the API needs; nothing else crosses (no hop-by-hop headers). */
const FORWARD = ['accept', 'authorization', 'content-type', 'cookie', 'if-match', 'user-agent', 'x-onair-studio'];
/** The API takes at most 128 KiB (an SDP offer); anything larger is refused here, unread. */
const MAX_BODY_BYTES = 256 * 1024;

const problem = (status: number, title: string, detail: string) =>
  Response.json({ type: 'about:blank', title, status, detail }, { status, headers: { 'content-type': 'application/problem+json' } });

/** The request body, or null when it is larger than MAX_BODY_BYTES. */
async function readBody(req: NextRequest): Promise<ArrayBuffer | null> {
  if (Number(req.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) return null;
  if (!req.body) return new ArrayBuffer(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * What the API is told about the browser. server.mjs replaces X-Forwarded-For/-Proto with
 * its own finding and marks the request with a nonce only that process knows; a request
 * without the mark (plain `next start`, `next dev`) states nothing, so a client's own
 * headers are never passed on. With ONAIR_GATEWAY_SECRET the statement is authenticated
 * (the API checks the secret); without it X-Forwarded-* are sent, for an API that trusts
 * this web server as a proxy (ONAIR_TRUST_PROXY).
 */
function clientStatement(req: NextRequest): Record<string, string> {
  const nonce = process.env.ONAIR_WEB_CLIENT_NONCE;
  if (!nonce || req.headers.get('x-onair-web-nonce') !== nonce) return {};
  const address = req.headers.get('x-forwarded-for');
  const proto = req.headers.get('x-forwarded-proto') === 'https' ? 'https' : 'http';
  if (!address) return {};
  const secret = process.env.ONAIR_GATEWAY_SECRET?.trim();
  if (secret) return { 'x-onair-gateway-secret': secret, 'x-onair-client-address': address, 'x-onair-client-proto': proto };
  return { 'x-forwarded-for': address, 'x-forwarded-proto': proto };
}

/** Response headers the browser needs. */
const RETURN = ['cache-control', 'content-type', 'etag', 'location', 'link', 'retry-after', 'www-authenticate', 'x-accel-buffering'];

async function proxy(req: NextRequest, ctx: { params: Promise<{ path: string[] }> }): Promise<Response> {
  const { path } = await ctx.params;
  // Dot segments would be resolved away by fetch and could leave the API's base path.
  if (path.some((p) => p === '.' || p === '..')) return problem(404, 'Not found', 'no such API path');
  const url = `${serverApiBaseUrl()}/${path.map(encodeURIComponent).join('/')}${req.nextUrl.search}`;
  const headers = new Headers();
  for (const name of FORWARD) {
    const value = req.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  for (const [name, value] of Object.entries(clientStatement(req))) headers.set(name, value);
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  if (body === null) return problem(413, 'Payload too large', `onair takes request bodies up to ${MAX_BODY_BYTES / 1024} KiB`);
  let upstream: Response;
  try {
    upstream = await fetch(url, {
      method: req.method,
      headers,
      body,
      cache: 'no-store',
      redirect: 'manual',
      signal: req.signal,
    });
  } catch {
    return problem(502, 'onair API unreachable', 'the web app cannot reach the onair API right now; try again in a moment');
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
