/**
 * The controllers over the real HTTP stack (setupHttp, the problem filter, rate limits) and
 * the real Postgres of the test namespace, with the FakeMediaServer in place of Janus: what
 * status, headers and problem+json a client gets for WHIP, WHEP and the studio, without
 * starting Janus or a browser (most of its time is scrypt, at every sign-up). Media
 * behaviour itself is the end-to-end specs' (real Janus, real Chromium).
 * Run: `npm test -- --only test/controllers.http-spec.ts`.
 */
import { randomBytes } from 'node:crypto';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CHROMIUM_PLAYER_OFFER, OBS_OFFER } from '@onair/protocol/testing';
import request from 'supertest';
import { mintSetupToken } from '../src/accounts/auth.service';
import { UserRepository } from '../src/accounts/user.repository';
import { AppModule } from '../src/app.module';
import { loadConfig } from '../src/config/onair-config';
import { GATEWAY_HEADERS } from '../src/http/client-address';
import { setupHttp } from '../src/http/setup';
import { MediaNegotiationError, NegotiatedTrack, PublishRequest, PublishResult, WatchRequest, WatchResult } from '../src/media/media-server';
import { FakeMediaServer } from '../src/media/testing/fake-media-server';

if (!process.env.DATABASE_URL) throw new Error('the HTTP specs need the test Postgres: run them with `npm test -- --only test/controllers.http-spec.ts`');

const WHIP_ANSWER = OBS_OFFER.replace(/a=sendonly/g, 'a=recvonly');
const WHEP_ANSWER = CHROMIUM_PLAYER_OFFER.replace(/a=recvonly/g, 'a=sendonly');
const OBS_TRACKS: NegotiatedTrack[] = [
  { mid: '0', kind: 'audio', codec: 'opus' },
  { mid: '1', kind: 'video', codec: 'h264' },
];

/** The fake media server answering like Janus would: a publisher's answer and tracks, a viewer's answer. */
class SpecMediaServer extends FakeMediaServer {
  override async publish(req: PublishRequest): Promise<PublishResult> {
    const res = await super.publish(req);
    return { ...res, answerSdp: WHIP_ANSWER, tracks: OBS_TRACKS };
  }
  override async watch(req: WatchRequest): Promise<WatchResult> {
    const res = await super.watch(req);
    return { ...res, answerSdp: WHEP_ANSWER };
  }
}

const GATEWAY_SECRET = randomBytes(24).toString('hex');
const config = loadConfig({
  ...process.env,
  ONAIR_LOG_LEVEL: 'error',
  ONAIR_NODE_ID: 'http-spec',
  ONAIR_GATEWAY_SECRET: GATEWAY_SECRET,
  ONAIR_AUTH_FAILURES_PER_MIN: '3',
  ONAIR_VIEWER_PROFILE_WAIT_MS: '0',
});
const media = new SpecMediaServer();
let app: INestApplication;

beforeAll(async () => {
  app = await NestFactory.create(AppModule.forRoot({ config, mediaServer: { useValue: media } }), { logger: ['error'], bodyParser: false });
  setupHttp(app, config);
  await app.init();
});

afterAll(async () => {
  await app.close();
});

/**
 * Requests as the web gateway forwards them: each spec gets its own client address, so one
 * spec's wrong keys don't spend another's rate-limit bucket.
 */
let clients = 0;
function client(address = `198.51.100.${++clients}`) {
  const gw = { [GATEWAY_HEADERS.secret]: GATEWAY_SECRET, [GATEWAY_HEADERS.address]: address };
  const http = request(app.getHttpServer());
  return {
    get: (path: string) => http.get(path).set(gw),
    post: (path: string) => http.post(path).set(gw),
    patch: (path: string) => http.patch(path).set(gw),
    delete: (path: string) => http.delete(path).set(gw),
    options: (path: string) => http.options(path).set(gw),
  };
}

/** A streamer signed up through the API; requests carry the session cookie and the CSRF header. */
async function streamer() {
  const c = client();
  const setupToken = (await mintSetupToken(app.get(UserRepository))) ?? undefined; // only while no account exists
  const email = `streamer-${randomBytes(4).toString('hex')}@onair.test`;
  const res = await c.post('/auth/signup').set('X-Onair-Studio', '1').send({ email, password: 'a long enough password', setupToken });
  expect(res.status).toBe(201);
  const cookie = String(res.headers['set-cookie']).split(';')[0];
  const as = <T extends { set(h: Record<string, string>): T }>(r: T) => r.set({ Cookie: cookie, 'X-Onair-Studio': '1' });
  return {
    email,
    get: (path: string) => as(c.get(path)),
    post: (path: string) => as(c.post(path)),
    patch: (path: string) => as(c.patch(path)),
    delete: (path: string) => as(c.delete(path)),
  };
}

/** One streamer owns the WHIP and WHEP specs' channels (a sign-up costs a scrypt hash). */
let owner: Promise<Awaited<ReturnType<typeof streamer>>> | undefined;

/** A fresh channel with its first stream key, through the studio API. */
async function channel() {
  const me = await (owner ??= streamer());
  const res = await me.post('/studio/channels').send({ title: 'HTTP spec', slug: `http-${randomBytes(4).toString('hex')}` });
  expect(res.status).toBe(201);
  return { me, id: res.body.channel.id as string, slug: res.body.channel.slug as string, key: res.body.streamKey.key as string, keyId: res.body.streamKey.id as string };
}

const publish = (key: string | undefined, body = OBS_OFFER, c = client()) => {
  const req = c.post('/whip').set('Content-Type', 'application/sdp');
  return (key === undefined ? req : req.set('Authorization', `Bearer ${key}`)).send(body);
};

/** An RFC 9457 problem of this status and code, as every error is answered. */
const problem = (status: number, code: string, detail?: RegExp) =>
  expect.objectContaining({
    status,
    headers: expect.objectContaining({ 'content-type': expect.stringMatching(/^application\/problem\+json/) }),
    body: expect.objectContaining({ type: 'about:blank', status, code, title: expect.any(String), ...(detail ? { detail: expect.stringMatching(detail) } : {}) }),
  });

/** supertest leaves a problem+json body unparsed: parse it for the matcher. */
const parsed = (res: request.Response) => ({ status: res.status, headers: res.headers, body: res.body && Object.keys(res.body).length > 0 ? res.body : JSON.parse(res.text || '{}') });

describe('WHIP over HTTP', () => {
  it('OPTIONS on the endpoint: 204 with Allow and Accept-Post', async () => {
    const res = await client().options('/whip');
    expect(res.status).toBe(204);
    expect(res.headers).toMatchObject({ allow: 'POST, OPTIONS, HEAD', 'accept-post': 'application/sdp' });
  });

  it('POST with the key: 201, the answer as application/sdp, Location, ETag, Server-Timing; DELETE ends it (200), a second DELETE is 404', async () => {
    const { key } = await channel();
    const published = media.callsOf('publish').length;
    const res = await publish(key);
    expect(res.status).toBe(201);
    expect(media.callsOf('publish')).toHaveLength(published + 1);
    expect(res.headers['content-type']).toBe('application/sdp');
    expect(res.text).toBe(WHIP_ANSWER);
    expect(res.headers.location).toMatch(/^\/whip\/sessions\/[\w-]+$/);
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
    expect(res.headers['server-timing']).toMatch(/key;dur=[\d.]+/);

    expect((await client().delete(res.headers.location)).status).toBe(200);
    expect(parsed(await client().delete(res.headers.location))).toEqual(problem(404, 'not-found'));
  });

  it('OPTIONS on a session: 204 with the methods a session takes', async () => {
    const res = await client().options('/whip/sessions/whatever');
    expect(res.status).toBe(204);
    expect(res.headers.allow).toMatch(/PATCH/);
  });

  it.each([
    ['no Authorization', undefined, 401, 'unauthorized'],
    ['a key nobody minted', 'not-a-key-of-anyone', 401, 'unauthorized'],
  ])('POST with %s: 401 problem+json naming the Bearer scheme', async (_what, key, status, code) => {
    const res = await publish(key);
    expect(parsed(res)).toEqual(problem(status, code));
    expect(res.headers['www-authenticate']).toBe('Bearer realm="onair"');
  });

  it('POST with a malformed Authorization header: 401', async () => {
    const res = await client().post('/whip').set('Content-Type', 'application/sdp').set('Authorization', 'Basic Zm9vOmJhcg==').send(OBS_OFFER);
    expect(parsed(res)).toEqual(problem(401, 'unauthorized', /Bearer <stream key>/));
  });

  it('POST with JSON instead of SDP: 415', async () => {
    const { key } = await channel();
    const res = await client().post('/whip').set('Authorization', `Bearer ${key}`).set('Content-Type', 'application/json').send({ sdp: OBS_OFFER });
    expect(parsed(res)).toEqual(problem(415, 'unsupported-media-type', /application\/sdp/));
  });

  it('POST with something that is not SDP: 400 naming what is wrong', async () => {
    const { key } = await channel();
    expect(parsed(await publish(key, 'hello'))).toEqual(problem(400, 'bad-request'));
  });

  it('POST the media server can\'t negotiate (a codec the room doesn\'t relay): 422 with its reason, nothing left live', async () => {
    const { key } = await channel();
    media.failNext.set('publish', new MediaNegotiationError('this room relays audio opus only'));
    expect(parsed(await publish(key))).toEqual(problem(422, 'unprocessable', /audio opus only/));
    const again = await publish(key); // the channel is free again
    expect(again.status).toBe(201);
    await client().delete(again.headers.location);
  });

  it('a second publisher on a live channel: 409 with Retry-After; after DELETE the other key goes live', async () => {
    const { me, id, key } = await channel();
    const second = await me.post(`/studio/channels/${id}/keys`).send({ label: 'backup encoder' });
    expect(second.status).toBe(201);
    const first = await publish(key);
    expect(first.status).toBe(201);
    const refused = await publish(second.body.key);
    expect(parsed(refused)).toEqual(problem(409, 'already-live', /already live/));
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await client().delete(first.headers.location);
    const took = await publish(second.body.key);
    expect(took.status).toBe(201);
    await client().delete(took.headers.location);
  });

  it('PATCH: 428 without If-Match, 412 with another ETag, 415 with an SDP answer, 204 for a trickle with the ETag; 404 once ended', async () => {
    const { key } = await channel();
    const res = await publish(key);
    const url = res.headers.location;
    const ufrag = /a=ice-ufrag:(\S+)/.exec(OBS_OFFER)![1];
    const pwd = /a=ice-pwd:(\S+)/.exec(OBS_OFFER)![1];
    const frag = ['a=ice-ufrag:' + ufrag, 'a=ice-pwd:' + pwd, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host', ''].join('\r\n');
    const patch = (headers: Record<string, string>, body = frag) => client().patch(url).set({ 'Content-Type': 'application/trickle-ice-sdpfrag', ...headers }).send(body);
    expect(parsed(await patch({}))).toEqual(problem(428, 'precondition-required'));
    expect(parsed(await patch({ 'If-Match': '"not-the-etag"' }))).toEqual(problem(412, 'precondition-failed'));
    expect(parsed(await client().patch(url).set('Content-Type', 'application/sdp').set('If-Match', res.headers.etag).send(WHIP_ANSWER))).toEqual(problem(415, 'unsupported-media-type'));
    const trickled = await patch({ 'If-Match': res.headers.etag });
    expect(trickled.status).toBe(204);
    await client().delete(url);
    expect(parsed(await patch({ 'If-Match': res.headers.etag }))).toEqual(problem(404, 'not-found'));
  });

  it('wrong keys from one address: 429 with Retry-After once the allowance is spent, even for a right key', async () => {
    const { key } = await channel();
    const c = client('203.0.113.9');
    for (let i = 0; i < config.rateLimit.authFailuresPerMinute; i++) expect((await publish(`guess-${i}`, OBS_OFFER, c)).status).toBe(401);
    const limited = await publish(key, OBS_OFFER, c);
    expect(parsed(limited)).toEqual(problem(429, 'rate-limited', /wrong stream key/));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not held back.
    const other = await publish(key);
    expect(other.status).toBe(201);
    await client().delete(other.headers.location);
  });

  it('a revoked key: 401 on the next POST', async () => {
    const { me, id, key, keyId } = await channel();
    expect((await me.delete(`/studio/channels/${id}/keys/${keyId}`)).status).toBe(200);
    expect(parsed(await publish(key))).toEqual(problem(401, 'unauthorized'));
  });
});

describe('WHEP over HTTP', () => {
  const watch = (slug: string, body = CHROMIUM_PLAYER_OFFER, type = 'application/sdp') => client().post(`/whep/${slug}`).set('Content-Type', type).send(body);

  it('POST on a live channel: 201 with the answer and a session URL; DELETE stops watching', async () => {
    const { key, slug } = await channel();
    const live = await publish(key);
    const res = await watch(slug);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/sdp');
    expect(res.text).toBe(WHEP_ANSWER);
    expect(res.headers.location).toMatch(/^\/whep\/sessions\/[\w-]+$/);
    expect((await client().delete(res.headers.location)).status).toBe(200);
    await client().delete(live.headers.location);
  });

  it('POST on a channel that is not live: 409 offline; on no channel: 404; with JSON: 415', async () => {
    const { slug } = await channel();
    expect(parsed(await watch(slug))).toEqual(problem(409, 'offline'));
    expect(parsed(await watch(`nobody-${randomBytes(3).toString('hex')}`))).toEqual(problem(404, 'not-found'));
    expect(parsed(await watch(slug, JSON.stringify({ sdp: CHROMIUM_PLAYER_OFFER }), 'application/json'))).toEqual(problem(415, 'unsupported-media-type'));
  });
});

describe('the studio over HTTP', () => {
  it('sign-up without the studio header: 403 (cross-site request protection)', async () => {
    const res = await client().post('/auth/signup').send({ email: 'x@onair.test', password: 'a long enough password' });
    expect(parsed(res)).toEqual(problem(403, 'forbidden', /x-onair-studio/));
  });

  it('a studio request without a session: 401 sign-in-required', async () => {
    expect(parsed(await client().get('/studio/channels').set('X-Onair-Studio', '1'))).toEqual(problem(401, 'sign-in-required'));
  });

  it('sign-up, a channel with its first key, the key list, another key: each answered with the shapes the web app reads', async () => {
    const me = await streamer();
    const created = await me.post('/studio/channels').send({ title: 'My show' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ channel: { title: 'My show', slug: expect.stringMatching(/^my-show/), visibility: 'public' }, streamKey: { id: expect.any(String), key: expect.any(String) } });
    const id = created.body.channel.id;
    const listed = await me.get('/studio/channels');
    expect(listed.body.channels.map((c: { id: string }) => c.id)).toEqual([id]);
    const minted = await me.post(`/studio/channels/${id}/keys`).send({ label: 'laptop' });
    expect(minted.body).toMatchObject({ label: 'laptop', key: expect.any(String) });
    const keys = await me.get(`/studio/channels/${id}/keys`);
    expect(keys.body.keys).toHaveLength(2);
    expect(JSON.stringify(keys.body)).not.toContain(minted.body.key); // keys are shown once
  });

  it('bad input: 400 naming the field; another streamer\'s channel: 404; a slug taken: 409', async () => {
    const { me, id, slug } = await channel();
    expect(parsed(await me.post('/studio/channels').send({ title: '' }))).toEqual(problem(400, 'bad-request', /title: title must not be empty/));
    expect(parsed(await me.post('/studio/channels').send({ title: 'x', colour: 'red' }))).toEqual(problem(400, 'bad-request'));
    expect(parsed(await me.post('/studio/channels').set('Content-Type', 'text/plain').send('title=x'))).toEqual(problem(415, 'unsupported-media-type'));
    const other = await streamer();
    expect(parsed(await other.get(`/studio/channels/${id}`))).toEqual(problem(404, 'not-found'));
    expect(parsed(await other.post('/studio/channels').send({ title: 'Copycat', slug }))).toEqual(problem(409, 'conflict'));
  });

  it('wrong passwords for one account from one address: 401, then 429 with Retry-After', async () => {
    const me = await streamer();
    const c = client();
    const signIn = (password: string) => c.post('/auth/signin').set('X-Onair-Studio', '1').send({ email: me.email, password });
    for (let i = 0; i < config.rateLimit.authFailuresPerMinute; i++) expect(parsed(await signIn(`wrong password ${i}`))).toEqual(problem(401, 'sign-in-required'));
    const limited = await signIn('a long enough password');
    expect(parsed(limited)).toEqual(problem(429, 'rate-limited'));
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});
