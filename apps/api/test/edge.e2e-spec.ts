/**
 * The API's edge under attack: rate limits that see every spelling of a path, client
 * addresses and HTTPS stated by the web gateway (and believed only from it), caps on event
 * streams and WHEP sessions, TURN credentials only after the key/token check, and exact
 * `Content-Type: application/sdp`. Clients come from different loopback source addresses
 * (127.0.0.0/8 inside the test namespace), so one test can be many clients. Test ids: H.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { formatSdpFragment, parseLinks } from '@onair/protocol';
import { CHROMIUM_PLAYER_OFFER, OBS_OFFER } from '@onair/protocol/testing';
import { hashPassword } from '../src/accounts/password';
import { AppModule } from '../src/app.module';
import { ChannelRepository } from '../src/channels/channel.repository';
import { signPlaybackToken } from '../src/channels/playback-token';
import { loadConfig } from '../src/config/onair-config';
import { PrismaService } from '../src/database/prisma.service';
import { setupHttp } from '../src/http/setup';
import { FakeMediaServer } from '../src/media/testing/fake-media-server';
import { httpFrom, holdStream, HeldStream } from './harness/from-address';
import { REPO_ROOT } from './harness/janus-process';
import { withIceCredentials, withoutCandidates } from './harness/sdp';
import { TestStack } from './harness/stack';
import { WebProcess } from './harness/web-process';

const BURST = 12;
const GATEWAY_SECRET = randomBytes(24).toString('hex');
const stack = new TestStack(19080, 19188, {
  ONAIR_GATEWAY_SECRET: GATEWAY_SECRET,
  ONAIR_TURN_URLS: 'turn:turn.onair.test:3478?transport=udp',
  ONAIR_TURN_SECRET: 'edge-turn-secret',
  ONAIR_RATE_LIMIT_BURST: String(BURST),
  ONAIR_RATE_LIMIT_PER_S: '0.1',
  ONAIR_AUTH_FAILURES_PER_MIN: '10',
  ONAIR_STREAMS_PER_CLIENT: '3',
  ONAIR_STREAMS_MAX: '5',
  ONAIR_WHEP_SESSIONS_PER_CLIENT: '2',
  // HTTP-only publishers send no media, so no SPS ever comes: viewers need not wait for one.
  ONAIR_VIEWER_PROFILE_WAIT_MS: '0',
  ONAIR_WHEP_EVENT_STREAMS_PER_SESSION: '2',
});
const api = (path: string) => `${stack.apiUrl}${path}`;
const gatewaySecret = () => ({ ONAIR_GATEWAY_SECRET: GATEWAY_SECRET });

let seq = 0;
const fresh = (sdp: string) => {
  seq += 1;
  return withIceCredentials(withoutCandidates(sdp), `ed${seq}`, `edgepassword${String(seq).padStart(12, '0')}`);
};
const sdpHeaders = (extra: Record<string, string> = {}) => ({ 'Content-Type': 'application/sdp', ...extra });
const studioHeaders = (extra: Record<string, string> = {}) => ({ 'Content-Type': 'application/json', 'X-Onair-Studio': '1', ...extra });
const wrongSignIn = () => JSON.stringify({ email: `nobody-${randomBytes(4).toString('hex')}@onair.test`, password: 'not the password' });
const linkUris = (link: string | string[] | undefined) => (typeof link === 'string' ? parseLinks(link).filter((l) => l.rel === 'ice-server').map((l) => l.uri) : []);

/**
 * The burst is spent after `burst` requests; a slow request (a sign-in hashes a password)
 * lets a token or two refill meanwhile, so the 429 comes a little later.
 */
function expectLimitedAfter(limitedAt: number | undefined, burst: number): void {
  expect(limitedAt).toBeDefined();
  expect(limitedAt!).toBeGreaterThan(burst);
  expect(limitedAt!).toBeLessThanOrEqual(burst + 4);
}

/** Sends `send()` up to `max` times; the 1-based attempt that was answered 429, or undefined. */
async function firstLimited(max: number, send: (i: number) => Promise<{ status: number }>, expectBefore: number[]): Promise<number | undefined> {
  for (let i = 1; i <= max; i++) {
    const { status } = await send(i);
    if (status === 429) return i;
    expect(expectBefore).toContain(status);
  }
  return undefined;
}

async function goLive(title: string) {
  const { channel, key } = await stack.createChannel(title);
  const res = await httpFrom('127.0.0.90', api('/whip'), { method: 'POST', headers: sdpHeaders({ Authorization: `Bearer ${key}` }), body: fresh(OBS_OFFER) });
  expect(res.status).toBe(201);
  return { channel, key, session: api(String(res.headers.location)), res };
}

beforeAll(() => stack.start());
afterAll(() => stack.stop());

describe('rate limits see what the router routes', () => {
  it('H01 25 POST /WHIP with a wrong key from one address: 401 ten times, then 429', async () => {
    const limitedAt = await firstLimited(25, () => httpFrom('127.0.0.11', api('/WHIP'), { method: 'POST', headers: sdpHeaders({ Authorization: 'Bearer onair_guess' }), body: fresh(OBS_OFFER) }), [401]);
    // Ten wrong keys a minute: the 11th is refused, or a little later if a token refilled meanwhile.
    expect(limitedAt).toBeGreaterThanOrEqual(11);
    expect(limitedAt).toBeLessThanOrEqual(13);
  });

  it('H02 every spelling counts against one bucket: /Whip/, /wHiP, /%77hip, //whip', async () => {
    const spellings = ['/Whip/', '/wHiP', '/%77hip', '/whip/', '/WHIP'];
    const limitedAt = await firstLimited(
      25,
      (i) => httpFrom('127.0.0.12', api(spellings[i % spellings.length]), { method: 'POST', headers: sdpHeaders({ Authorization: 'Bearer onair_guess' }), body: fresh(OBS_OFFER) }),
      [401, 404],
    );
    // /%77hip is not a route (404, not a wrong key): the other spellings' 401s reach the limit.
    expect(limitedAt).toBeDefined();
    expect(limitedAt!).toBeLessThanOrEqual(14);
  });
});

describe('the web gateway states the client address (believed only with its secret)', () => {
  it('H20 the web app refuses to start without ONAIR_GATEWAY_SECRET (exit 78, saying how to set it)', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '13389' };
    delete env.ONAIR_GATEWAY_SECRET;
    const run = spawnSync(process.execPath, ['server.mjs', '-H', '127.0.0.1'], { cwd: join(REPO_ROOT, 'apps/web'), env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(78);
    expect(run.stderr).toMatch(/ONAIR_GATEWAY_SECRET is not set.*openssl rand -hex 32/);
  });

  const web = new WebProcess(13380, stack.apiUrl, gatewaySecret());
  beforeAll(() => web.start());
  afterAll(() => web.stop());
  const signIn = (from: string, path = '/api/auth/signin', headers: Record<string, string> = {}) =>
    httpFrom(from, `${web.url}${path}`, { method: 'POST', headers: studioHeaders(headers), body: wrongSignIn() });

  it('H03 /api/AUTH/… through the web app is rate limited like /api/auth/…', async () => {
    expectLimitedAfter(await firstLimited(BURST + 5, () => signIn('127.0.0.41', '/api/AUTH/signin'), [401]), BURST);
  });

  it('H04 two clients through the gateway get separate buckets', async () => {
    expectLimitedAfter(await firstLimited(BURST + 5, () => signIn('127.0.0.3'), [401]), BURST);
    // Another browser, same web server: its own bucket.
    expect((await signIn('127.0.0.4')).status).toBe(401);
  });

  it('H05 a client inventing X-Forwarded-For through the gateway gets no fresh bucket', async () => {
    expectLimitedAfter(await firstLimited(BURST + 5, (i) => signIn('127.0.0.5', '/api/auth/signin', { 'X-Forwarded-For': `198.51.100.${i}` }), [401]), BURST);
  });

  it('H06 a client sending the gateway headers to the API itself is still its own socket address', async () => {
    const forged = (i: number) =>
      httpFrom('127.0.0.6', api('/auth/signin'), {
        method: 'POST',
        headers: studioHeaders({ 'X-Onair-Gateway-Secret': 'guess', 'X-Onair-Client-Address': `198.51.100.${i}`, 'X-Onair-Client-Proto': 'https' }),
        body: wrongSignIn(),
      });
    expectLimitedAfter(await firstLimited(BURST + 5, forged, [401]), BURST);
  });

  it('H07 without a TLS proxy to trust, a client claiming https gets no Secure cookie', async () => {
    const email = `plain-${randomBytes(3).toString('hex')}@onair.test`;
    await stack.app!.get(PrismaService).user.create({ data: { email, displayName: 'Plain', passwordHash: await hashPassword('a long enough password') } });
    const res = await httpFrom('127.0.0.8', `${web.url}/api/auth/signin`, {
      method: 'POST',
      headers: studioHeaders({ 'X-Forwarded-Proto': 'https' }),
      body: JSON.stringify({ email, password: 'a long enough password' }),
    });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/^onair_session=/);
    expect(String(res.headers['set-cookie'])).not.toMatch(/Secure/i);
  });
});

describe('the web app behind a TLS reverse proxy (ONAIR_WEB_TRUST_PROXY_HOPS=1)', () => {
  const web = new WebProcess(13381, stack.apiUrl, { ...gatewaySecret(), ONAIR_WEB_TRUST_PROXY_HOPS: '1' });
  beforeAll(() => web.start());
  afterAll(() => web.stop());

  it('H08 the session cookie is Secure when the browser reached the proxy over HTTPS (no ONAIR_TRUST_PROXY on the API)', async () => {
    expect(stack.config.http.trustProxy).toBe(false);
    const email = `tls-${randomBytes(3).toString('hex')}@onair.test`;
    await stack.app!.get(PrismaService).user.create({ data: { email, displayName: 'TLS', passwordHash: await hashPassword('a long enough password') } });
    // This client plays the TLS proxy: it appends the browser's address and says https.
    const res = await httpFrom('127.0.0.9', `${web.url}/api/auth/signin`, {
      method: 'POST',
      headers: studioHeaders({ 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.50' }),
      body: JSON.stringify({ email, password: 'a long enough password' }),
    });
    expect(res.status).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/; Secure/i);
  });

  it('H09 behind the proxy, browsers are told apart by the address the proxy appended', async () => {
    const viaProxy = (browser: string) =>
      httpFrom('127.0.0.10', `${web.url}/api/auth/signin`, { method: 'POST', headers: studioHeaders({ 'X-Forwarded-For': `10.0.0.1, ${browser}` }), body: wrongSignIn() });
    expectLimitedAfter(await firstLimited(BURST + 5, () => viaProxy('203.0.113.60'), [401]), BURST);
    expect((await viaProxy('203.0.113.61')).status).toBe(401);
  });
});

describe('an API that trusts loopback proxies (ONAIR_TRUST_PROXY=loopback) behind the gateway', () => {
  const port = 19090;
  let app: INestApplication;
  const config = () =>
    loadConfig({
      ...process.env,
      ONAIR_API_HOST: '127.0.0.1',
      ONAIR_API_PORT: String(port),
      ONAIR_TRUST_PROXY: 'loopback',
      ONAIR_GATEWAY_SECRET: GATEWAY_SECRET,
      ONAIR_RATE_LIMIT_BURST: '5',
      ONAIR_RATE_LIMIT_PER_S: '0.1',
      ONAIR_STREAM_MAX_AGE_S: '2',
      ONAIR_LOG_LEVEL: 'warn',
    });
  const web = new WebProcess(13382, `http://127.0.0.1:${port}`, gatewaySecret());
  beforeAll(async () => {
    const c = config();
    // No media here: the rules under test are HTTP-only (onair's own MediaServer port, faked).
    app = await NestFactory.create(AppModule.forRoot({ config: c, mediaServer: { useValue: new FakeMediaServer() } }), { logger: ['error'], bodyParser: false });
    setupHttp(app, c);
    await app.listen(port, '127.0.0.1');
    await web.start();
  });
  afterAll(async () => {
    await web.stop();
    await app?.close();
  });

  it('H10 inventing X-Forwarded-For through the gateway gives no fresh bucket', async () => {
    const signIn = (i: number) =>
      httpFrom('127.0.0.51', `${web.url}/api/auth/signin`, { method: 'POST', headers: studioHeaders({ 'X-Forwarded-For': `198.51.100.${i}` }), body: wrongSignIn() });
    expectLimitedAfter(await firstLimited(12, signIn, [401]), 5);
  });

  it('H11 an event stream ends after ONAIR_STREAM_MAX_AGE_S (EventSource reconnects)', async () => {
    const slug = `age-${randomBytes(3).toString('hex')}`;
    await app.get(ChannelRepository).create({ slug, title: 'Age', visibility: 'public' });
    const started = Date.now();
    const stream = await holdStream('127.0.0.52', `http://127.0.0.1:${port}/channels/${slug}/events`);
    expect(stream.status).toBe(200);
    await Promise.race([stream.ended, new Promise((r) => setTimeout(r, 8000))]);
    const lived = Date.now() - started;
    stream.close();
    expect(lived).toBeGreaterThanOrEqual(1900);
    expect(lived).toBeLessThan(6000);
  });
});

describe('caps on event streams and WHEP sessions', () => {
  const held: HeldStream[] = [];
  afterEach(() => {
    for (const s of held.splice(0)) s.close();
  });
  const hold = async (from: string, path: string) => {
    const s = await holdStream(from, api(path));
    held.push(s);
    return s;
  };

  it('H12 event streams: 3 per address (429), 5 in all (503), each with Retry-After and a message; a closed one frees its slot', async () => {
    const { channel } = await stack.createChannel('Feed');
    const feed = `/channels/${channel.slug}/events`;
    for (let i = 0; i < 3; i++) expect((await hold('127.0.0.21', feed)).status).toBe(200);
    const perAddress = await hold('127.0.0.21', feed);
    expect(perAddress.status).toBe(429);
    expect(Number(perAddress.headers['retry-after'])).toBeGreaterThan(0);
    await perAddress.ended;
    expect(JSON.parse(perAddress.body()).detail).toMatch(/this address already holds 3 event streams .*close other tabs or players/);
    // Any spelling of the route is the same route.
    expect((await hold('127.0.0.21', `/CHANNELS/${channel.slug}/Events/`)).status).toBe(429);
    for (let i = 0; i < 2; i++) expect((await hold('127.0.0.22', feed)).status).toBe(200);
    const overall = await hold('127.0.0.23', feed);
    expect(overall.status).toBe(503);
    expect(Number(overall.headers['retry-after'])).toBeGreaterThan(0);
    await overall.ended;
    expect(JSON.parse(overall.body()).detail).toMatch(/as many event streams as it is set to \(5\); try again/);
    held[0].close();
    await held[0].ended;
    // The server notices the closed connection a moment later; bounded wait.
    let reopened = 0;
    for (let i = 0; i < 30 && reopened !== 200; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100));
      reopened = (await hold('127.0.0.23', feed)).status;
    }
    expect(reopened).toBe(200);
  });

  it('H13 WHEP sessions: 2 per address, then 429 until one is deleted', async () => {
    const { channel, session } = await goLive('Whep cap');
    const watch = (from: string) => httpFrom(from, api(`/whep/${channel.slug}`), { method: 'POST', headers: sdpHeaders(), body: fresh(CHROMIUM_PLAYER_OFFER) });
    const first = await watch('127.0.0.31');
    expect(first.status).toBe(201);
    expect((await watch('127.0.0.31')).status).toBe(201);
    const third = await watch('127.0.0.31');
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBeDefined();
    expect(JSON.parse(third.text).detail).toMatch(/this address already holds 2 WHEP sessions .*DELETE/);
    expect((await watch('127.0.0.32')).status).toBe(201);
    expect((await httpFrom('127.0.0.31', api(String(first.headers.location)), { method: 'DELETE' })).status).toBe(200);
    expect((await watch('127.0.0.31')).status).toBe(201);
    await httpFrom('127.0.0.90', session, { method: 'DELETE' });
  });

  it('H14 WHEP events registrations: 2 per session, then 429', async () => {
    const { channel, session } = await goLive('Events cap');
    const viewer = await httpFrom('127.0.0.33', api(`/whep/${channel.slug}`), { method: 'POST', headers: sdpHeaders(), body: fresh(CHROMIUM_PLAYER_OFFER) });
    expect(viewer.status).toBe(201);
    const register = () => httpFrom('127.0.0.33', api(`${viewer.headers.location}/events`), { method: 'POST' });
    expect((await register()).status).toBe(201);
    expect((await register()).status).toBe(201);
    const third = await register();
    expect(third.status).toBe(429);
    expect(JSON.parse(third.text).detail).toMatch(/already has 2 event streams/);
    await httpFrom('127.0.0.90', session, { method: 'DELETE' });
  });
});

describe('TURN credentials only after the key or token check (RFC 9725 §4.4)', () => {
  // No STUN server here (Janus would have to reach it at start-up): "STUN only" is no Link at all.
  const TURN = 'turn:turn.onair.test:3478?transport=udp';
  const options = (path: string, headers: Record<string, string> = {}) => httpFrom('127.0.0.61', api(path), { method: 'OPTIONS', headers });

  it('H15 OPTIONS /whip: STUN only without a key or with a wrong one; TURN with a valid key', async () => {
    const { key } = await stack.createChannel('Options');
    const anonymous = await options('/whip');
    expect(anonymous.status).toBe(204);
    expect(linkUris(anonymous.headers.link)).toEqual([]);
    expect(linkUris((await options('/whip', { Authorization: 'Bearer onair_guess' })).headers.link)).toEqual([]);
    expect(linkUris((await options('/WHIP/', { Authorization: 'Bearer onair_guess' })).headers.link)).toEqual([]);
    expect(linkUris((await options('/whip', { Authorization: `Bearer ${key}` })).headers.link)).toEqual([TURN]);
  });

  it('H16 OPTIONS /whep/…: TURN only for a live channel (private: with its token); STUN only otherwise', async () => {
    const { channel: offline } = await stack.createChannel('Open');
    const { channel: hidden, key: hiddenKey } = await stack.createChannel('Hidden', 'private');
    const token = signPlaybackToken(stack.config.secret.value, hidden.id, 0, new Date(Date.now() + 60_000));
    expect(linkUris((await options('/whep/anything')).headers.link)).toEqual([]);
    expect(linkUris((await options(`/whep/${offline.slug}`)).headers.link)).toEqual([]);
    expect(linkUris((await options(`/whep/${hidden.slug}`, { Authorization: `Bearer ${token}` })).headers.link)).toEqual([]); // offline
    const hiddenLive = await httpFrom('127.0.0.90', api('/whip'), { method: 'POST', headers: sdpHeaders({ Authorization: `Bearer ${hiddenKey}` }), body: fresh(OBS_OFFER) });
    expect(hiddenLive.status).toBe(201);
    expect(linkUris((await options(`/whep/${hidden.slug}`)).headers.link)).toEqual([]);
    expect(linkUris((await options(`/whep/${hidden.slug}`, { Authorization: 'Bearer not-a-token' })).headers.link)).toEqual([]);
    expect(linkUris((await options(`/whep/${hidden.slug}`, { Authorization: `Bearer ${token}` })).headers.link)).toEqual([TURN]);
    const { channel: open, session } = await goLive('Open live');
    expect(linkUris((await options(`/whep/${open.slug}`)).headers.link)).toEqual([TURN]);
    await httpFrom('127.0.0.90', session, { method: 'DELETE' });
    await httpFrom('127.0.0.90', api(String(hiddenLive.headers.location)), { method: 'DELETE' });
  });

  it('H16b plain OPTIONS without a bearer spends the per-address request bucket', async () => {
    const limitedAt = await firstLimited(BURST + 8, () => httpFrom('127.0.0.63', api('/whep/anything'), { method: 'OPTIONS' }), [204]);
    expectLimitedAfter(limitedAt, BURST);
  });

  it('H17 a wrong key on OPTIONS counts like a 401: guessing keys that way is limited too', async () => {
    const limitedAt = await firstLimited(15, () => httpFrom('127.0.0.62', api('/whip'), { method: 'OPTIONS', headers: { Authorization: 'Bearer onair_guess' } }), [204]);
    // Ten wrong keys a minute: the 11th is refused, or a little later if a token refilled meanwhile.
    expect(limitedAt).toBeGreaterThanOrEqual(11);
    expect(limitedAt).toBeLessThanOrEqual(13);
  });

  it('H18 the 201 still carries TURN (minted after the check)', async () => {
    const { res, session } = await goLive('Turn');
    expect(linkUris(res.headers.link)).toEqual([TURN]);
    await httpFrom('127.0.0.90', session, { method: 'DELETE' });
  });
});

describe('Content-Type: application/sdp exactly', () => {
  it('H19 WHIP and WHEP 201s, the ICE-restart 200 and HEAD carry no charset parameter', async () => {
    const { channel, session, res } = await goLive('Exact');
    expect(res.headers['content-type']).toBe('application/sdp');
    const viewer = await httpFrom('127.0.0.71', api(`/whep/${channel.slug}`), { method: 'POST', headers: sdpHeaders(), body: fresh(CHROMIUM_PLAYER_OFFER) });
    expect(viewer.status).toBe(201);
    expect(viewer.headers['content-type']).toBe('application/sdp');
    const restart = await httpFrom('127.0.0.90', session, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', 'If-Match': '"*"' },
      body: formatSdpFragment({ iceUfrag: 'rsx1', icePwd: 'restartpasswordrestartx1', media: [] }),
    });
    expect(restart.status).toBe(200);
    expect(restart.headers['content-type']).toBe('application/trickle-ice-sdpfrag');
    for (const path of ['/whip', `/whep/${channel.slug}`]) {
      const head = await httpFrom('127.0.0.71', api(path), { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers['content-type']).toBe('application/sdp');
    }
    await httpFrom('127.0.0.90', session, { method: 'DELETE' });
  });
});
