/**
 * A bounded HTTP fuzz run against the running API, with a real Janus and Postgres (issue 9,
 * "Prove it"): mutated WHIP/WHEP offers (real peers' offers with lines and bytes broken),
 * mutated trickle-ice-sdpfrag PATCHes, odd headers (content types, bearer values, huge
 * headers), methods, paths (case, percent-encoding, dot segments, trailing slashes) and JSON
 * bodies for the studio and auth endpoints. Requests are raw HTTP/1.1 over a socket, so
 * nothing in a client library tidies them up first.
 *
 * The run must end with no 5xx (not even a 503 + Retry-After: the media server is up all
 * along), the API still answering /health, and Janus holding exactly what it held before
 * once the sessions the run made are deleted.
 *
 * The requests come from fast-check with a seed printed at the start: ONAIR_FUZZ_SEED=<seed>
 * replays the same requests (`npm test -- --only test/fuzz.e2e-spec.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { CHROMIUM_PLAYER_OFFER, mutated, OBS_OFFER, oddValue, WHIP_ICE_RESTART_FRAGMENT, WHIP_TRICKLE_FRAGMENT } from '@onair/protocol/testing';
import { withIceCredentials, withoutCandidates } from './harness/sdp';
import { REPO_ROOT } from './harness/janus-process';
import { mintSetupToken } from '../src/accounts/auth.service';
import { UserRepository } from '../src/accounts/user.repository';
import { TestStack } from './harness/stack';
import { StudioClient } from './harness/studio-client';

const SEED = Number(process.env.ONAIR_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** CI sends 1500; ONAIR_FUZZ_REQUESTS=10000 explores further by hand (the time bound grows with it). */
const REQUESTS = Number(process.env.ONAIR_FUZZ_REQUESTS ?? 1500);
const STUDIO_PASSWORD = 'fuzz run password 0123';

// ---- raw HTTP -------------------------------------------------------------------------

interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body?: string;
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request as bytes and reads the response head and (bounded) body. Event streams
 * are cut once their head arrives. `undefined`: the server sent no status line in time.
 */
function send(port: number, req: RawRequest, timeoutMs = 5000): Promise<RawResponse | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseResponse(Buffer.concat(chunks).toString('latin1')));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('error', finish);
    socket.on('close', finish);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const parsed = parseResponse(text);
      const length = Number(parsed?.headers['content-length'] ?? NaN);
      if (/event-stream/.test(parsed?.headers['content-type'] ?? '') || (Number.isFinite(length) && text.length - head - 4 >= length) || text.length > 1 << 20) finish();
    });
    socket.on('connect', () => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const lines = [`${req.method} ${req.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...req.headers.map(([k, v]) => `${k}: ${v}`)];
      if (body !== undefined && !req.headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) lines.push(`Content-Length: ${body.length}`);
      socket.write(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), body ?? Buffer.alloc(0)]));
    });
  });
}

function parseResponse(text: string): RawResponse | undefined {
  const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  if (m === null) return undefined;
  const end = text.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of text.slice(m[0].length, end < 0 ? undefined : end).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers, body: end < 0 ? '' : text.slice(end + 4) };
}

function describeRequest(req: RawRequest): string {
  const cut = (s: string) => JSON.stringify(s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s);
  return [`${req.method} ${cut(req.path)}`, ...req.headers.map(([k, v]) => `  ${k}: ${cut(v)}`), req.body === undefined ? '' : `  body: ${cut(req.body)}`].join('\n');
}

/** Percent-encodes every byte but unreserved ones (encodeURIComponent throws on a lone surrogate). */
function percentEncoded(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/**
 * Requests a server rightly leaves unanswered: CONNECT (Node's HTTP server closes the
 * connection when nothing handles CONNECT; no onair code runs) and requests that promise more
 * body than they send (the server waits for it until Node's request timeout).
 */
function mayGoUnanswered(req: RawRequest): boolean {
  return req.method === 'CONNECT' || req.headers.some(([k, v]) => (/^content-length$/i.test(k) && Number(v) > Buffer.byteLength(req.body ?? '')) || /^transfer-encoding$/i.test(k));
}

// ---- what the run sends ---------------------------------------------------------------

/** Things the run knows about the stack (keys, sessions, a signed-in studio user). */
interface Targets {
  liveSlug: string;
  spareKey: string;
  whipSession: string;
  whepSession: string;
  etag: string;
  studioCookie: string;
  studioChannelId: string;
}

/**
 * No traffic leaves the namespace's loopback: every candidate a fuzzed body hands Janus
 * names 127.0.0.1 (its address field is rewritten; the rest stays fuzzed).
 */
function loopbackCandidates(body: string): string {
  return body.replace(/^(a=candidate:(?:\S+ ){4})\S+/gm, '$1127.0.0.1');
}

const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PUT', 'TRACE', 'get', 'Post', 'PROPFIND', 'CONNECT', 'X'];
const CONTENT_TYPES = [
  'application/sdp', 'application/SDP', 'application/sdp; charset=utf-8', 'application/trickle-ice-sdpfrag', 'application/json',
  'application/json; charset=utf-16', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', '*/*', 'application/sdp, application/json',
];

function paths(t: Targets): string[] {
  return [
    '/whip', '/WHIP', '/Whip/', '/whip/', '//whip', '/whip/.', '/whip/..', '/whip/../health', '/%77hip', '/whip%2F', '/whip?x=1',
    `/whep/${t.liveSlug}`, `/WHEP/${t.liveSlug.toUpperCase()}`, `/whep/${t.liveSlug}/`, `/whep/${encodeURIComponent(t.liveSlug)}%00`, '/whep/..%2Fhealth', '/whep/%2e%2e/whip',
    t.whipSession, t.whepSession, `${t.whipSession}/`, t.whipSession.toUpperCase(), `${t.whepSession}/events`, `${t.whepSession}/layer`, `${t.whepSession}/events/x`,
    '/whip/sessions/00000000-0000-0000-0000-000000000000', '/whip/sessions/%ZZ', '/whep/sessions/..', '/whip/sessions/' + 'a'.repeat(5000),
    '/channels', `/channels/${t.liveSlug}`, `/channels/${t.liveSlug}/events`, `/channels/${t.liveSlug}/thumbnail`, '/channels/%00', '/channels/' + '%41'.repeat(300),
    '/auth/signup', '/auth/signin', '/auth/signout', '/auth/me', '/auth/password', '/auth/users', '/AUTH/SIGNIN', '/auth/signin/',
    '/studio/channels', `/studio/channels/${t.studioChannelId}`, `/studio/channels/${t.studioChannelId}/keys`, `/studio/channels/${t.studioChannelId}/broadcasts`,
    `/studio/channels/${t.studioChannelId}/share-links`, `/studio/channels/${t.studioChannelId}/live`, '/studio/channels/not-a-uuid', '/Studio/Channels',
    '/health', '/HEALTH', '/health/', '/', '*', '/%', '/\u00e9', '/a/../../../../etc/passwd',
  ];
}

/** JSON strings holding NUL: Postgres text columns refuse it, Janus's JSON parser drops the request. */
const NUL_BODIES = [
  '{"title":"a\\u0000b"}',
  '{"email":"nul\\u0000@example.org","password":"0123456789ab"}',
  '{"email":"nul@example.org","password":"0123456789\\u0000"}',
  '{"label":"\\u0000"}',
  '{"rid":"\\u0000"}',
  '{"encodingId":"\\u0000"}',
  '{"displayName":"\\u0000","email":"n@example.org","password":"0123456789ab"}',
  '{"currentPassword":"\\u0000","newPassword":"0123456789ab\\u0000"}',
  '["active\\u0000"]',
];

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom('title', 'slug', 'description', 'visibility', 'label', 'endBroadcast', 'expiresInS', 'email', 'password', 'displayName', 'currentPassword', 'newPassword', 'encodingId', 'rid', '__proto__'),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), oddValue, fc.constantFrom('public', 'private', 'unlisted', 'fuzz@example.org', 60, 86400, true)),
      { maxKeys: 5 },
    )
    .map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"a":', '[', 'null', '"x"', '1e999', '{"a":1}garbage', '\u0000', '{"__proto__":{"admin":true}}', `[${'['.repeat(5000)}`, 'x'.repeat(20000)),
  fc.constantFrom('["active","inactive","viewercount","layers"]', '["nope"]', '[]', '{"encodingId":"1"}', '{"rid":"9"}', '{}'),
  fc.constantFrom(...NUL_BODIES),
);


/** Sent before the generated requests, every run: each JSON endpoint with each NUL body. */
function corpus(t: Targets): RawRequest[] {
  return JSON_PATHS(t).flatMap((path) =>
    NUL_BODIES.map((body): RawRequest => ({ method: 'POST', path, headers: [['Content-Type', 'application/json'], ['X-Onair-Studio', '1'], ['Cookie', t.studioCookie]], body })),
  );
}

const JSON_PATHS = (t: Targets) => [
  '/auth/signup', '/auth/signin', '/auth/password', '/auth/users', '/studio/channels', `/studio/channels/${t.studioChannelId}/keys`,
  `/studio/channels/${t.studioChannelId}/share-links`, `${t.whepSession}/events`, `${t.whepSession}/layer`,
];

const bearer = fc.oneof(
  fc.constantFrom('Bearer', 'Bearer ', 'bearer x', 'Basic Zm9vOmJhcg==', 'Bearer a b c', 'Bearer ====', 'Bearer %00', `Bearer ${'k'.repeat(8000)}`, 'Bearer \u00e9'),
  oddValue.map((v) => `Bearer ${v}`),
  oddValue,
);

function requests(t: Targets): fc.Arbitrary<RawRequest> {
  const publisherOffer = withoutCandidates(OBS_OFFER);
  const playerOffer = withoutCandidates(CHROMIUM_PLAYER_OFFER);
  const ifMatch = fc.constantFrom(t.etag, '*', '"nope"', 'W/"x"', '', `${t.etag}, *`);
  const withUfrag = (n: number) => (sdp: string) => withIceCredentials(sdp, `fz${n}`, `fuzzpassword${String(n).padStart(12, '0')}`);
  const headersOf = (...h: ([string, string] | undefined)[]) => h.filter((x): x is [string, string] => x !== undefined);

  const whipPost = fc.tuple(fc.nat(), mutated(publisherOffer), fc.constantFrom(`Bearer ${t.spareKey}`, `bearer ${t.spareKey}`), fc.constantFrom('application/sdp', 'application/sdp; charset=utf-8', 'Application/SDP'))
    .map(([n, body, auth, type]): RawRequest => ({ method: 'POST', path: '/whip', headers: [['Authorization', auth], ['Content-Type', type]], body: loopbackCandidates(withUfrag(n)(body)) }));
  const whepPost = fc.tuple(fc.nat(), mutated(playerOffer), fc.constantFrom(`/whep/${t.liveSlug}`, `/WHEP/${t.liveSlug}`, `/whep/${t.liveSlug}/`))
    .map(([n, body, path]): RawRequest => ({ method: 'POST', path, headers: [['Content-Type', 'application/sdp']], body: loopbackCandidates(withUfrag(n)(body)) }));
  const patch = fc.tuple(fc.constantFrom(t.whipSession, t.whepSession), fc.constantFrom(WHIP_TRICKLE_FRAGMENT, WHIP_ICE_RESTART_FRAGMENT).chain(mutated), fc.option(ifMatch, { nil: undefined }), fc.constantFrom('application/trickle-ice-sdpfrag', 'application/sdp', 'text/plain'))
    .map(([path, body, match, type]): RawRequest => ({ method: 'PATCH', path, headers: headersOf(['Content-Type', type], match === undefined ? undefined : ['If-Match', match]), body: loopbackCandidates(body) }));
  const json = fc.tuple(
    fc.constantFrom('/auth/signup', '/auth/signin', '/auth/password', '/auth/users', '/studio/channels', `/studio/channels/${t.studioChannelId}`, `/studio/channels/${t.studioChannelId}/keys`, `/studio/channels/${t.studioChannelId}/share-links`, `${t.whepSession}/events`, `${t.whepSession}/layer`),
    fc.constantFrom('POST', 'PATCH'),
    jsonValue,
    fc.boolean(),
    fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'APPLICATION/JSON'),
  ).map(([path, method, body, signedIn, type]): RawRequest => ({
    method,
    path,
    headers: headersOf(['Content-Type', type], ['X-Onair-Studio', '1'], signedIn ? ['Cookie', t.studioCookie] : undefined),
    body,
  }));
  const anything = fc.tuple(
    fc.constantFrom(...METHODS),
    fc.oneof(fc.constantFrom(...paths(t)), oddValue.map((v) => `/${percentEncoded(v)}`), fc.constantFrom(...paths(t)).map((p) => p.replace(/[a-z]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c)))),
    fc.option(fc.constantFrom(...CONTENT_TYPES), { nil: undefined }),
    fc.option(bearer, { nil: undefined }),
    fc.option(fc.oneof(fc.constant(publisherOffer), fc.constant(playerOffer), jsonValue, fc.string({ unit: 'binary', maxLength: 200 })), { nil: undefined }),
    fc.option(
      fc.constantFrom<[string, string]>(
        ['X-Huge', 'h'.repeat(20000)], ['X-Huge', 'h'.repeat(60000)], ['Cookie', `onair_session=${'c'.repeat(4000)}`], ['Cookie', 'onair_session=%ZZ'],
        ['If-Match', '*'], ['Origin', 'http://evil.example'], ['X-Forwarded-For', '1.2.3.4, 127.0.0.1'], ['Range', 'bytes=0-'], ['Expect', '100-continue'],
        ['Transfer-Encoding', 'chunked'], ['Content-Length', '99999999'], ['Content-Length', '-1'], ['Content-Encoding', 'gzip'], ['Accept', 'text/event-stream'],
        ['Access-Control-Request-Method', 'POST'], ['X-Onair-Studio', '1'], ['Cookie', t.studioCookie],
      ),
      { nil: undefined },
    ),
  ).map(([method, path, type, auth, body, extra]): RawRequest => ({
    method,
    path,
    headers: headersOf(type === undefined ? undefined : ['Content-Type', type], auth === undefined ? undefined : ['Authorization', auth], extra),
    body: method === 'GET' || method === 'HEAD' ? undefined : body === undefined ? undefined : loopbackCandidates(body),
  }));
  return fc.oneof(
    { arbitrary: whipPost, weight: 2 },
    { arbitrary: whepPost, weight: 3 },
    { arbitrary: patch, weight: 2 },
    { arbitrary: json, weight: 2 },
    { arbitrary: anything, weight: 4 },
  );
}

// ---- the run --------------------------------------------------------------------------

interface RunResult {
  sent: number;
  statuses: Map<number, number>;
  failures: { req: RawRequest; res?: RawResponse; why: string }[];
}

async function fuzz(stack: TestStack, opts: { count: number; deadlineMs: number; seed: number; concurrency: number }): Promise<RunResult> {
  const port = stack.apiPort;
  const api = (path: string) => `${stack.apiUrl}${path}`;
  const created = new Set<string>();
  const result: RunResult = { sent: 0, statuses: new Map(), failures: [] };

  // A live channel (its broadcast kept live by re-publishing when the run ends it), a spare
  // channel for WHIP POSTs, a viewer session, a signed-in studio user with a channel.
  const live = await stack.createChannel('Fuzz live');
  const spare = await stack.createChannel('Fuzz spare');
  let ufrag = 0;
  const fresh = (sdp: string) => withIceCredentials(withoutCandidates(sdp), `fb${++ufrag}`, `fuzzbasepassword${String(ufrag).padStart(8, '0')}`);
  async function publish(): Promise<{ session: string; etag: string }> {
    const res = await fetch(api('/whip'), { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${live.key}` }, body: fresh(OBS_OFFER) });
    await res.text();
    if (res.status !== 201) throw new Error(`fuzz setup: WHIP POST answered ${res.status}`);
    created.add(res.headers.get('location')!);
    return { session: res.headers.get('location')!, etag: res.headers.get('etag')! };
  }
  async function watch(): Promise<string> {
    const res = await fetch(api(`/whep/${live.channel.slug}`), { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: fresh(CHROMIUM_PLAYER_OFFER) });
    await res.text();
    if (res.status !== 201) throw new Error(`fuzz setup: WHEP POST answered ${res.status}`);
    created.add(res.headers.get('location')!);
    return res.headers.get('location')!;
  }
  const { session: whipSession, etag } = await publish();
  const whepSession = await watch();
  const studio = new StudioClient(stack.apiUrl);
  // On an empty database (this spec may run first) the first account needs the setup token.
  const setupToken = (await mintSetupToken(stack.app!.get(UserRepository))) ?? undefined;
  const signUp = await studio.signUp(`fuzz-${opts.seed}-${stack.apiPort}@example.org`, STUDIO_PASSWORD, setupToken);
  if (signUp.status !== 201 && signUp.status !== 200) throw new Error(`fuzz setup: sign-up answered ${signUp.status}`);
  const channel = await studio.req('POST', '/studio/channels', { title: 'Fuzz studio' });
  const targets: Targets = { liveSlug: live.channel.slug, spareKey: spare.key, whipSession, whepSession, etag, studioCookie: studio.cookie, studioChannelId: channel.body.id };

  // The run's own live sessions stay up (a DELETE of them is a conformance test's job), so
  // the fuzzed offers and PATCHes keep reaching Janus.
  const list = [...corpus(targets), ...fc.sample(requests(targets), { seed: opts.seed, numRuns: opts.count - corpus(targets).length })]
    .map((req) => (req.method.toUpperCase() === 'DELETE' && [whipSession, whepSession].includes(req.path.replace(/\/+$/, '')) ? { ...req, method: 'GET' } : req));
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length && Date.now() - started < opts.deadlineMs) {
      const req = list[next++]!;
      const waits = mayGoUnanswered(req);
      // 15 s: above the API's own 5 s Janus timeout, so a slow answer is seen for what it is.
      const res = await send(port, req, waits ? 1500 : 15000);
      result.sent += 1;
      if (res === undefined) {
        if (waits) result.statuses.set(0, (result.statuses.get(0) ?? 0) + 1);
        else result.failures.push({ req, why: 'no response' });
        continue;
      }
      result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
      // Janus is up the whole run, so even a 503 + Retry-After (media unavailable) is a fault.
      if (res.status >= 500) result.failures.push({ req, res, why: `status ${res.status}${res.headers['retry-after'] ? ` (Retry-After ${res.headers['retry-after']})` : ''}` });
      // Sessions the run made are deleted at once (Janus must end up as it was).
      if (res.status === 201 && res.headers.location?.includes('/sessions/')) {
        const location = res.headers.location.replace(/^https?:\/\/[^/]+/, '');
        if (!location.includes('/events/')) {
          created.add(location);
          const status = await deleteSession(location);
          if (status >= 500) result.failures.push({ req: { method: 'DELETE', path: location, headers: [] }, why: `cleanup DELETE answered ${status}` });
          if (status < 300 || status === 404) created.delete(location);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));

  for (const session of created) {
    const status = await deleteSession(session, 20);
    if (status >= 300 && status !== 404) result.failures.push({ req: { method: 'DELETE', path: session, headers: [] }, why: `cleanup DELETE answered ${status}` });
  }
  return result;

  /** DELETEs a session; with `retries`, waits out 429s (the default limits count DELETEs too). */
  async function deleteSession(path: string, retries = 0): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(api(path), { method: 'DELETE' });
      await res.text();
      if (res.status !== 429 || attempt >= retries) return res.status;
      await new Promise((r) => setTimeout(r, Math.min(2000, 1000 * Number(res.headers.get('retry-after') ?? 1))));
    }
  }
}

function report(name: string, seed: number, r: RunResult): string {
  if (r.failures.length > 0) {
    // The whole failing requests, bodies and all, for a replay by hand.
    mkdirSync(resolve(REPO_ROOT, 'test-output'), { recursive: true });
    writeFileSync(resolve(REPO_ROOT, 'test-output', `fuzz-failures-${seed}.json`), JSON.stringify(r.failures, null, 2));
  }
  const statuses = [...r.statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
  // Status 0: left unanswered as it should be (see mayGoUnanswered).
  const lines = [`fuzz ${name}: seed ${seed} (replay: ONAIR_FUZZ_SEED=${seed}), ${r.sent} requests, statuses ${statuses}`];
  for (const f of r.failures.slice(0, 10)) lines.push(`FAILED (${f.why}${f.res ? `: ${f.res.body.slice(0, 300)}` : ''}):\n${describeRequest(f.req)}`);
  return lines.join('\n');
}

async function janusSettled(stack: TestStack, before: unknown): Promise<unknown> {
  const deadline = Date.now() + 10000;
  let now = await stack.janusInventory();
  while (JSON.stringify(now) !== JSON.stringify(before) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    now = await stack.janusInventory();
  }
  return now;
}

describe('HTTP fuzz against the running API', () => {
  describe('with rate limits raised (so the requests reach the parsers, not the limiter)', () => {
    const stack = new TestStack(19080, 19188, {
      ONAIR_RATE_LIMIT_BURST: '100000',
      ONAIR_RATE_LIMIT_PER_S: '100000',
      ONAIR_AUTH_FAILURES_PER_MIN: '100000',
      ONAIR_MEDIA_TIMEOUT_S: '300',
      ONAIR_VIEWER_PROFILE_WAIT_MS: '0', // no media flows: no SPS will come
    });
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    it(`${REQUESTS} requests: no 5xx, /health still answers, Janus holds what it held before`, async () => {
      const before = await stack.janusInventory();
      const result = await fuzz(stack, { count: REQUESTS, deadlineMs: Math.max(60000, REQUESTS * 40), seed: SEED, concurrency: 4 });
      console.log(report('raised limits', SEED, result));
      expect(result.failures.map((f) => `${f.why}: ${describeRequest(f.req)}`)).toEqual([]);
      expect(result.sent).toBeGreaterThanOrEqual(REQUESTS * 0.66);
      expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);
      expect(await janusSettled(stack, before)).toEqual(before);
    }, Math.max(150000, REQUESTS * 60));
  });

  describe('with the default rate limits', () => {
    const stack = new TestStack(19280, 19388, { ONAIR_MEDIA_TIMEOUT_S: '300', ONAIR_VIEWER_PROFILE_WAIT_MS: '0' });
    beforeAll(() => stack.start());
    afterAll(() => stack.stop());

    it('300 requests: no 5xx (429s with Retry-After instead), /health answers, Janus unchanged', async () => {
      const before = await stack.janusInventory();
      const seed = SEED + 1;
      const result = await fuzz(stack, { count: 300, deadlineMs: 20000, seed, concurrency: 2 });
      console.log(report('default limits', seed, result));
      expect(result.failures.map((f) => `${f.why}: ${describeRequest(f.req)}`)).toEqual([]);
      expect(result.statuses.get(429) ?? 0).toBeGreaterThan(0);
      expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);
      expect(await janusSettled(stack, before)).toEqual(before);
    }, 90000);
  });
});
