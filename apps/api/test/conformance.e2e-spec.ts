/**
 * WHIP (RFC 9725) and WHEP conformance: drives the running API over HTTP with real SDP
 * (shaped after OBS and Chromium) against a real Janus and Postgres, and checks every status,
 * header and body rule of ../shared protocol checklist. Test names start with the rule id;
 * `npm test` prints the table from them. No media flows here (see media.e2e-spec.ts).
 */
import { createHmac } from 'node:crypto';
import { parseLinks, parseSdp, parseSdpFragment, formatSdpFragment, LinkEntry } from '@onair/protocol';
import { CHROMIUM_PLAYER_OFFER, OBS_OFFER, OBS_SIMULCAST_OFFER } from '@onair/protocol/testing';
import { StreamKeyService } from '../src/channels/stream-key.service';
import { readEvents } from './harness/events';
import { JanusDirect } from './harness/janus-direct';
import { obsOfferWith, withIceCredentials, withoutCandidates } from './harness/sdp';
import { TestStack } from './harness/stack';

const TURN_SECRET = 'conformance-turn-secret';
const AUTH_FAILURES_PER_MIN = 12;
const stack = new TestStack(18280, 18388, {
  // Handed to clients only; Janus itself never contacts a TURN server.
  ONAIR_TURN_URLS: 'turn:turn.onair.test:3478?transport=udp,turns:turn.onair.test:5349?transport=tcp',
  ONAIR_TURN_SECRET: TURN_SECRET,
  ONAIR_TURN_TTL_S: '3600',
  ONAIR_RATE_LIMIT_BURST: '10000',
  ONAIR_RATE_LIMIT_PER_S: '1000',
  ONAIR_AUTH_FAILURES_PER_MIN: String(AUTH_FAILURES_PER_MIN),
  // HTTP-only publishers send no media, so no SPS ever comes: viewers need not wait for one.
  ONAIR_VIEWER_PROFILE_WAIT_MS: '0',
});
const api = (path: string) => `${stack.apiUrl}${path}`;

let ufragSeq = 0;
/** A fresh client identity per offer (real clients never reuse ICE credentials). */
function fresh(sdp: string): string {
  ufragSeq += 1;
  return withIceCredentials(withoutCandidates(sdp), `cf${ufragSeq}`, `conformancepassword${String(ufragSeq).padStart(4, '0')}`);
}
const PLAYER_OFFER = () => fresh(CHROMIUM_PLAYER_OFFER);

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(api(path), { method: 'POST', headers: { 'Content-Type': 'application/sdp', ...headers }, body });
  return { res, text: await res.text() };
}

async function publish(key: string, offer = fresh(OBS_OFFER)) {
  return post('/whip', offer, { Authorization: `Bearer ${key}`, 'User-Agent': 'Mozilla/5.0 (OBS-Studio/32.1.0; Linux x86_64)' });
}

async function live(offer?: string) {
  const { channel, key } = await stack.createChannel('Conformance');
  const { res, text } = await publish(key, offer);
  expect(res.status).toBe(201);
  return { channel, key, res, answer: text, session: api(res.headers.get('location')!), etag: res.headers.get('etag')! };
}

async function watch(slug: string, offer = PLAYER_OFFER()) {
  return post(`/whep/${slug}`, offer);
}

function links(res: Response, rel: string): LinkEntry[] {
  const header = res.headers.get('link');
  return header ? parseLinks(header).filter((l) => l.rel === rel) : [];
}

/** Checks an RFC 9457 body; pass `text` when the body was read already. */
async function problem(res: Response, text?: string) {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(text ?? (await res.text())) as { title: string; status: number; detail: string };
  expect(body.status).toBe(res.status);
  expect(body.detail.length).toBeGreaterThan(10);
  return body;
}

function patch(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, { method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag', ...headers }, body });
}

const CANDIDATE = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host';
const trickleBody = (offer: string, end = true) => {
  const { iceUfrag, icePwd } = parseSdp(offer);
  return formatSdpFragment({ iceUfrag, icePwd, media: [{ mid: '0', candidates: [CANDIDATE], endOfCandidates: end }] });
};
const restartBody = (n: number) =>
  formatSdpFragment({ iceUfrag: `rs${n}`, icePwd: `restartpasswordrestart${String(n).padStart(2, '0')}`, media: [] });

beforeAll(() => stack.start());
afterAll(() => stack.stop());

describe('WHIP endpoint (RFC 9725)', () => {
  let obs: Awaited<ReturnType<typeof live>>;
  beforeAll(async () => {
    obs = await live();
  });

  it('W01 POST answers 201 with application/sdp, a Location and a strong ETag', () => {
    expect(obs.res.headers.get('content-type')).toBe('application/sdp');
    expect(obs.res.headers.get('location')).toMatch(/^\/whip\/sessions\/[A-Za-z0-9_-]{22}$/);
    expect(obs.etag).toMatch(/^"[^"]+"$/);
    expect(obs.res.headers.get('accept-patch')).toBe('application/trickle-ice-sdpfrag');
    // Where the time went, for operators: key check, then DB row, key re-check and Janus publish side by side, and the total.
    expect(obs.res.headers.get('server-timing')).toMatch(/^key;dur=[\d.]+, db;dur=[\d.]+, confirm;dur=[\d.]+, publish;dur=[\d.]+, total;dur=[\d.]+$/);
  });

  it('W02 the answer is recvonly and carries every server candidate (the server never trickles)', () => {
    const answer = parseSdp(obs.answer);
    expect(answer.media.map((m) => m.direction)).toEqual(['recvonly', 'recvonly']);
    expect(answer.hasCandidates).toBe(true);
    expect(obs.answer).toMatch(/a=candidate:.* 127\.0\.0\.2 /);
    expect(obs.answer).toContain('a=end-of-candidates');
  });

  it('W03 session URLs are unguessable (128 random bits) and distinct', async () => {
    const other = await live();
    const id = (u: string) => u.split('/').pop()!;
    expect(Buffer.from(id(obs.session), 'base64url')).toHaveLength(16);
    expect(id(other.session)).not.toBe(id(obs.session));
    await fetch(other.session, { method: 'DELETE' });
  });

  it('W04 TURN servers come as Link rel="ice-server" with TURN REST credentials minted per session', () => {
    const turn = links(obs.res, 'ice-server');
    expect(turn.map((l) => l.uri)).toEqual(['turn:turn.onair.test:3478?transport=udp', 'turns:turn.onair.test:5349?transport=tcp']);
    const { username, credential } = turn[0].params as { username: string; credential: string };
    const [expiry] = username.split(':');
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(3500);
    expect(Number(expiry) - Date.now() / 1000).toBeLessThanOrEqual(3600);
    expect(credential).toBe(createHmac('sha1', TURN_SECRET).update(username).digest('base64'));
  });

  it('W05 a missing or wrong bearer token is 401 with WWW-Authenticate: Bearer', async () => {
    const offer = fresh(OBS_OFFER);
    for (const headers of [{}, { Authorization: 'Bearer onair_wrong' }, { Authorization: 'Basic dXNlcjpwYXNz' }] as Record<string, string>[]) {
      const res = await fetch(api('/whip'), { method: 'POST', headers: { 'Content-Type': 'application/sdp', ...headers }, body: offer });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await problem(res);
    }
  });

  it('W06 a body that is not application/sdp is 415', async () => {
    for (const type of ['text/plain', 'application/json', undefined]) {
      const res = await fetch(api('/whip'), {
        method: 'POST',
        headers: { Authorization: `Bearer ${obs.key}`, ...(type ? { 'Content-Type': type } : {}) },
        body: OBS_OFFER,
      });
      expect(res.status).toBe(415);
      expect((await problem(res)).detail).toContain('application/sdp');
    }
  });

  it('W07 malformed SDP is 400 with the reason', async () => {
    const { key } = await stack.createChannel('Malformed');
    const { res } = await post('/whip', 'v=0\r\nthis is not sdp\r\n', { Authorization: `Bearer ${key}` });
    expect(res.status).toBe(400);
    const noFingerprint = await post('/whip', fresh(OBS_OFFER).replace(/^a=fingerprint:.*\r\n/m, ''), { Authorization: `Bearer ${key}` });
    expect(noFingerprint.res.status).toBe(400);
    expect((await problem(noFingerprint.res, noFingerprint.text)).detail).toMatch(/fingerprint/);
  });

  it('W08 a body over 128 KiB is 413', async () => {
    const huge = OBS_OFFER + `a=x-pad:${'x'.repeat(130 * 1024)}\r\n`;
    const res = await fetch(api('/whip'), { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${obs.key}` }, body: huge });
    expect(res.status).toBe(413);
    await problem(res);
  });

  it('W09 an offer whose media the channel cannot take is 422, naming what the channel accepts', async () => {
    const { key } = await stack.createChannel('Pcmu');
    const pcmu = fresh(OBS_OFFER).replace('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=audio 9 UDP/TLS/RTP/SAVPF 0').replace(/a=rtpmap:111 opus\/48000\/2\r\na=fmtp:111 [^\r]*\r\n/, 'a=rtpmap:0 PCMU/8000\r\n');
    const { res, text } = await publish(key, pcmu);
    expect(res.status).toBe(422);
    const body = await problem(res, text);
    expect(body.detail).toMatch(/accepts video h264, vp8, vp9, av1, h265 and audio opus; the offer had audio pcmu/);
    // Nothing is left live: a correct offer goes through right after.
    expect((await publish(key)).res.status).toBe(201);
  });

  it.each([
    ['H.264 as OBS labels it (42e01f)', 'H264/90000', 'profile-level-id=42e01f;packetization-mode=1', 'H264'],
    ['H.264 High profile', 'H264/90000', 'profile-level-id=640032;packetization-mode=1', 'H264'],
    ['AV1', 'AV1/90000', undefined, 'AV1'],
    ['HEVC', 'H265/90000', 'profile-id=1;tier-flag=0;level-id=93;tx-mode=SRST', 'H265'],
  ])('W10 OBS %s is accepted as offered', async (_name, rtpmap, fmtp, codec) => {
    const { answer } = await live(fresh(obsOfferWith(rtpmap, fmtp)));
    const video = parseSdp(answer).media.find((m) => m.kind === 'video')!;
    expect(video.port).not.toBe(0);
    expect(video.codecs[0].name.toUpperCase()).toBe(codec);
  });

  it('W11 OBS 32.1 simulcast: the answer keeps every rid and the a=simulcast line', async () => {
    const { answer, channel } = await live(fresh(OBS_SIMULCAST_OFFER));
    const video = parseSdp(answer).media.find((m) => m.kind === 'video')!;
    expect(video.rids).toEqual([
      { id: '0', direction: 'recv' },
      { id: '1', direction: 'recv' },
      { id: '2', direction: 'recv' },
    ]);
    expect(video.simulcast).toBe('recv 0;1;2');
    // ...and the channel is playable (layer selection: X04).
    const { res } = await watch(channel.slug);
    expect(res.status).toBe(201);
  });

  it('W12 a second publisher on a live channel is 409 + Retry-After and the first stays live', async () => {
    // Another key of the channel: the live broadcast's own key may take a silent publisher's
    // place (media.e2e-spec.ts, encoder takeover), another key never does.
    const { key } = await stack.app!.get(StreamKeyService).mint(obs.channel.id, 'second encoder');
    const { res, text } = await publish(key);
    expect(res.status).toBe(409);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problem(res, text)).detail).toMatch(/already live/);
    expect((await watch(obs.channel.slug)).res.status).toBe(201);
  });

  it('W13 OPTIONS (not a preflight) is discovery: Accept-Post, and TURN servers only for a valid key (§4.4)', async () => {
    const res = await fetch(api('/whip'), { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('accept-post')).toBe('application/sdp');
    expect(links(res, 'ice-server')).toEqual([]);
    const keyed = await fetch(api('/whip'), { method: 'OPTIONS', headers: { Authorization: `Bearer ${obs.key}` } });
    expect(links(keyed, 'ice-server').length).toBe(2);
  });

  it('W14 a CORS preflight gets CORS headers and no TURN credentials', async () => {
    const res = await fetch(api('/whip'), {
      method: 'OPTIONS',
      headers: { Origin: 'https://studio.onair.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(res.headers.get('access-control-allow-headers')).toMatch(/If-Match/);
    expect(res.headers.get('access-control-allow-methods')).toMatch(/PATCH/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Location.*ETag.*Link.*Accept-Patch/);
    expect(res.headers.get('link')).toBeNull();
  });

  it('W15 GET on the endpoint and the session is 405 with Allow; HEAD on the endpoint is 200', async () => {
    const get = await fetch(api('/whip'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS, HEAD');
    await problem(get);
    const session = await fetch(obs.session);
    expect(session.status).toBe(405);
    expect(session.headers.get('allow')).toBe('PATCH, DELETE, OPTIONS');
    const head = await fetch(api('/whip'), { method: 'HEAD' });
    expect(head.status).toBe(200);
  });
});

describe('WHIP session PATCH and DELETE (RFC 9725 §4.3)', () => {
  let s: Awaited<ReturnType<typeof live>>;
  let offer: string;
  beforeAll(async () => {
    offer = fresh(OBS_OFFER);
    s = await live(offer);
  });

  it('P01 trickle with the current ETag is 204 without body or ETag', async () => {
    const res = await patch(s.session, trickleBody(offer), { 'If-Match': s.etag });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.get('etag')).toBeNull();
  });

  it('P02 a PATCH without If-Match is 428, with a stale one 412', async () => {
    const missing = await patch(s.session, trickleBody(offer), {});
    expect(missing.status).toBe(428);
    await problem(missing);
    const stale = await patch(s.session, trickleBody(offer), { 'If-Match': '"not-the-etag"' });
    expect(stale.status).toBe(412);
    await problem(stale);
  });

  it('P03 a PATCH that is not trickle-ice-sdpfrag is 415; a malformed fragment 400', async () => {
    const wrong = await fetch(s.session, { method: 'PATCH', headers: { 'Content-Type': 'application/sdp', 'If-Match': s.etag }, body: offer });
    expect(wrong.status).toBe(415);
    await problem(wrong);
    const bad = await patch(s.session, 'a=candidate:nonsense\r\n', { 'If-Match': s.etag });
    expect(bad.status).toBe(400);
  });

  it('P04 ICE restart (If-Match: "*") is 200 with the new server credentials, candidates and a new ETag', async () => {
    const res = await patch(s.session, restartBody(1), { 'If-Match': '"*"' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/trickle-ice-sdpfrag/);
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[^"]+"$/);
    expect(etag).not.toBe(s.etag);
    const frag = parseSdpFragment(await res.text());
    expect(frag.iceUfrag).toBeDefined();
    expect(frag.iceUfrag).not.toBe(parseSdp(s.answer).iceUfrag);
    expect(frag.icePwd).not.toBe(parseSdp(s.answer).icePwd);
    expect(frag.media[0].candidates.length).toBeGreaterThan(0);
    // The old ETag is stale now; the new one works.
    expect((await patch(s.session, trickleBody(offer), { 'If-Match': s.etag })).status).toBe(412);
    s.etag = etag;
  });

  it('P05 DELETE is 200, frees everything in Janus, and the session URL is gone after', async () => {
    const res = await fetch(s.session, { method: 'DELETE' });
    expect(res.status).toBe(200);
    const inventory = await stack.janusInventory();
    expect(inventory.rooms).not.toContain(s.channel.id);
    expect(inventory.mountpoints).not.toContain(s.channel.id);
    expect((await fetch(s.session, { method: 'DELETE' })).status).toBe(404);
    expect((await patch(s.session, trickleBody(offer), { 'If-Match': s.etag })).status).toBe(404);
  });
});

describe('WHEP endpoint', () => {
  let obs: Awaited<ReturnType<typeof live>>;
  beforeAll(async () => {
    obs = await live();
  });

  it('E01 a player offer gets 201, application/sdp, Location, ETag and a sendonly answer', async () => {
    const { res, text } = await watch(obs.channel.slug);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/sdp/);
    expect(res.headers.get('location')).toMatch(/^\/whep\/sessions\/[A-Za-z0-9_-]{22}$/);
    expect(res.headers.get('etag')).toMatch(/^"[^"]+"$/);
    expect(parseSdp(text).media.map((m) => m.direction)).toEqual(['sendonly', 'sendonly']);
    expect(links(res, 'ice-server')).toHaveLength(2);
    const [events] = links(res, 'urn:ietf:params:whep:ext:core:server-sent-events');
    expect(events.params).toEqual({ events: 'active,inactive,viewercount,layers' });
    // Not a simulcast stream: no layer extension.
    expect(links(res, 'urn:ietf:params:whep:ext:core:layer')).toHaveLength(0);
  });

  it('E02 HEAD is 200 with application/sdp; an unknown channel is 404', async () => {
    const head = await fetch(api(`/whep/${obs.channel.slug}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^application\/sdp/);
    expect((await fetch(api('/whep/no-such-channel'), { method: 'HEAD' })).status).toBe(404);
    const { res } = await watch('no-such-channel');
    expect(res.status).toBe(404);
  });

  it('E03 an offline channel is 409 with Retry-After', async () => {
    const { channel } = await stack.createChannel('Offline');
    const { res } = await watch(channel.slug);
    expect(res.status).toBe(409);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('E04 a private channel is 401 without a playback token', async () => {
    const { channel } = await stack.createChannel('Private', 'private');
    const { res } = await watch(channel.slug);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('E05 a publisher offer (sendonly) sent to WHEP is 400; a non-SDP body 415', async () => {
    const { res, text } = await watch(obs.channel.slug, fresh(OBS_OFFER));
    expect(res.status).toBe(400);
    expect((await problem(res, text)).detail).toMatch(/player must receive/);
    const wrong = await fetch(api(`/whep/${obs.channel.slug}`), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x' });
    expect(wrong.status).toBe(415);
  });

  it('E06 trickle 204, stale ETag 412, ICE restart 422 with the way out', async () => {
    const offer = PLAYER_OFFER();
    const { res } = await watch(obs.channel.slug, offer);
    const session = api(res.headers.get('location')!);
    const etag = res.headers.get('etag')!;
    expect((await patch(session, trickleBody(offer), { 'If-Match': etag })).status).toBe(204);
    expect((await patch(session, trickleBody(offer), { 'If-Match': '"old"' })).status).toBe(412);
    const restart = await patch(session, restartBody(2), { 'If-Match': '"*"' });
    expect(restart.status).toBe(422);
    expect((await problem(restart)).detail).toMatch(/POST a new offer/);
    // The session is untouched: trickle with the same ETag still works.
    expect((await patch(session, trickleBody(offer), { 'If-Match': etag })).status).toBe(204);
    expect((await fetch(session, { method: 'DELETE' })).status).toBe(200);
  });

  it('E07 DELETE is 200 and releases the viewer in Janus', async () => {
    const before = (await stack.janusInventory()).peerHandles;
    const { res } = await watch(obs.channel.slug);
    expect((await stack.janusInventory()).peerHandles).toBe(before + 1);
    expect((await fetch(api(res.headers.get('location')!), { method: 'DELETE' })).status).toBe(200);
    expect((await stack.janusInventory()).peerHandles).toBe(before);
  });
});

describe('WHEP extensions', () => {
  it('X01 events: POST the wanted names → 201 + Location; the stream starts with "active" and the count', async () => {
    const obs = await live();
    const { res } = await watch(obs.channel.slug);
    const [ext] = links(res, 'urn:ietf:params:whep:ext:core:server-sent-events');
    const created = await fetch(api(ext.uri), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(['active', 'inactive', 'viewercount']) });
    expect(created.status).toBe(201);
    const streamUrl = api(created.headers.get('location')!);
    const got = await readEvents(streamUrl, (e) => e.length >= 2);
    expect(got.contentType).toMatch(/^text\/event-stream/);
    expect(got.events.slice(0, 2)).toEqual([
      { event: 'active', data: '{}' },
      { event: 'viewercount', data: '{"viewercount":1}' },
    ]);
    // The count follows a second viewer.
    const more = await readEvents(streamUrl, (e) => e.some((x) => x.data === '{"viewercount":2}'), 5000, async () => {
      await watch(obs.channel.slug);
    });
    expect(more.events.map((e) => e.data)).toContain('{"viewercount":2}');
    // DELETE ends the stream; its URL is 404 after.
    expect((await fetch(streamUrl, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(streamUrl)).status).toBe(404);
  });

  it('X02 events: "inactive" when the publisher stops, then the stream and the session end', async () => {
    const obs = await live();
    const { res } = await watch(obs.channel.slug);
    const session = api(res.headers.get('location')!);
    const created = await fetch(`${session}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '["active","inactive"]' });
    const got = await readEvents(api(created.headers.get('location')!), (e) => e.some((x) => x.event === 'inactive'), 8000, async () => {
      await fetch(obs.session, { method: 'DELETE' });
    });
    expect(got.events.map((e) => e.event)).toEqual(['active', 'inactive']);
    expect((await fetch(session, { method: 'DELETE' })).status).toBe(404);
  });

  it('X03 events: a body that is not a list of names is 400; only unknown names 422', async () => {
    const obs = await live();
    const { res } = await watch(obs.channel.slug);
    const url = api(`${res.headers.get('location')}/events`);
    const json = { 'Content-Type': 'application/json' };
    expect((await fetch(url, { method: 'POST', headers: json, body: '{"events":1}' })).status).toBe(400);
    expect((await fetch(url, { method: 'POST', headers: json, body: '["scte35"]' })).status).toBe(422);
    expect((await fetch(url, { method: 'POST', headers: json, body: '{not json' })).status).toBe(400);
  });

  it('X04 layers: a simulcast stream offers the layer extension, lists its rids in "layers", and switches by rid', async () => {
    const obs = await live(fresh(OBS_SIMULCAST_OFFER));
    const { res } = await watch(obs.channel.slug);
    const session = api(res.headers.get('location')!);
    const [layerLink] = links(res, 'urn:ietf:params:whep:ext:core:layer');
    expect(api(layerLink.uri)).toBe(`${session}/layer`);
    const created = await fetch(`${session}/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '["layers"]' });
    const got = await readEvents(api(created.headers.get('location')!), (e) => e.length >= 1);
    expect(got.events[0].event).toBe('layers');
    // draft-ietf-wish-whep-events: {"<mediaId>": [{"rid": ...}, ...]}, largest first.
    const [layers] = Object.values(JSON.parse(got.events[0].data) as Record<string, { rid: string }[]>);
    expect(layers.map((l) => l.rid)).toEqual(['0', '1', '2']);
    const json = { 'Content-Type': 'application/json' };
    const post = (body: string, headers: Record<string, string> = json) => fetch(`${session}/layer`, { method: 'POST', headers, body });
    expect((await post('{"encodingId":"2"}')).status).toBe(200);
    expect((await post('{"rid":"1"}')).status).toBe(200);
    expect((await fetch(`${session}/layer`, { method: 'DELETE' })).status).toBe(200);
    const unknown = await post('{"encodingId":"7"}');
    expect(unknown.status).toBe(400);
    expect((await problem(unknown)).detail).toMatch(/no layer with encodingId "7"; this stream has "0", "1", "2"/);
    expect((await post('{"rid":7}')).status).toBe(400);
    expect((await post('{"spatialLayerId":1}')).status).toBe(422);
    expect((await post('x', { 'Content-Type': 'text/plain' })).status).toBe(415);
  });

  it('X05 layers: a single-layer stream offers no layer extension and a layer request is 422', async () => {
    const obs = await live();
    const { res } = await watch(obs.channel.slug);
    expect(links(res, 'urn:ietf:params:whep:ext:core:layer')).toHaveLength(0);
    const refused = await fetch(`${api(res.headers.get('location')!)}/layer`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"rid":"1"}' });
    expect(refused.status).toBe(422);
    expect((await problem(refused)).detail).toMatch(/no simulcast layers/);
  });
});

describe('What onair leaves in Janus and asks of it', () => {
  let janus: JanusDirect;
  beforeAll(async () => {
    janus = await JanusDirect.open(stack.config);
  });
  afterAll(() => janus?.close());

  it('J01 a mountpoint and a room left behind for the channel (a late create) do not break its next POST', async () => {
    const { channel, key } = await stack.createChannel('Leftover');
    await janus.leaveRoom(channel.id);
    await janus.leaveMountpoint(channel.id);
    const { res, text } = await publish(key);
    expect({ status: res.status, text: res.status === 201 ? '' : text }).toEqual({ status: 201, text: '' });
    expect((await watch(channel.slug)).res.status).toBe(201);
    expect((await fetch(api(res.headers.get('location')!), { method: 'DELETE' })).status).toBe(200);
    const inventory = await stack.janusInventory();
    expect(inventory.mountpoints).not.toContain(channel.id);
    expect(inventory.rooms).not.toContain(channel.id);
  });

  it('J02 the mountpoint takes SRTP only (a fresh key per mountpoint)', async () => {
    const { channel } = await live();
    const info = await janus.mountpointInfo(channel.id);
    expect(info.srtp).toBe(true);
  });

  it('J03 viewers are told the publisher\'s H.264 profile (High from OBS), not Constrained Baseline', async () => {
    const offer = fresh(obsOfferWith('H264/90000', 'profile-level-id=640032;packetization-mode=1'));
    const { channel } = await live(offer);
    const video = (await janus.mountpointInfo(channel.id)).media.find((m: { type: string }) => m.type === 'video');
    expect(video.fmtp).toMatch(/profile-level-id=640032/);
    const { res, text } = await watch(channel.slug);
    expect(res.status).toBe(201);
    const fmtp = parseSdp(text).media.find((m) => m.kind === 'video')!.codecs.find((c) => /h264/i.test(c.name))!.fmtp;
    expect(fmtp).toMatch(/profile-level-id=64/);
  });

  it('J04 candidates naming internal addresses never reach Janus (offer and trickle); allowed ones do', async () => {
    const { channel, key } = await stack.createChannel('Candidates');
    const candidate = (addr: string, port: number) => `a=candidate:${port} 1 udp 2122260223 ${addr} ${port} typ host\r\n`;
    const offer = fresh(OBS_OFFER).replace(
      'a=mid:0\r\n',
      `a=mid:0\r\n${candidate('169.254.169.254', 41001)}${candidate('127.0.0.1', 41002)}${candidate('fe80::1', 41003)}${candidate('127.0.0.2', 41004)}`,
    );
    const { res, text } = await publish(key, offer);
    expect(res.status).toBe(201);
    const { iceUfrag, icePwd } = parseSdp(offer);
    const trickled = formatSdpFragment({
      iceUfrag,
      icePwd,
      media: [{ mid: '0', candidates: ['candidate:41005 1 udp 2122260223 169.254.169.254 41005 typ host', 'candidate:41006 1 udp 2122260223 127.0.0.2 41006 typ host'], endOfCandidates: false }],
    });
    const patched = await patch(api(res.headers.get('location')!), trickled, { 'If-Match': res.headers.get('etag')! });
    expect(patched.status).toBe(204);
    // Janus's own list of the remote candidates it checks (Admin API handle_info).
    const held = [...(await janus.allHandleInfo()).matchAll(/"remote-candidates":\[([^\]]*)\]/g)].map((m) => m[1]).join(' ');
    expect(held).toMatch(/127\.0\.0\.2 41004/);
    expect(held).toMatch(/127\.0\.0\.2 41006/);
    for (const denied of ['169.254.169.254', '127.0.0.1 41002', 'fe80::1 41003']) expect(held).not.toContain(denied);
    expect(text).toContain('a=candidate:');
    // Ended, the broadcast leaves nothing in Janus: no handle with its candidates, no mountpoint.
    expect((await fetch(api(res.headers.get('location')!), { method: 'DELETE' })).status).toBe(200);
    expect(await janus.allHandleInfo()).not.toMatch(/127\.0\.0\.2 4100[46]/);
    await expect(janus.mountpointInfo(channel.id)).rejects.toThrow();
  });
});

describe('Channel event feed', () => {
  it('C01 GET /channels/<slug>/events says inactive, then active when a publisher goes live', async () => {
    const { channel, key } = await stack.createChannel('Feed');
    const got = await readEvents(api(`/channels/${channel.slug}/events`), (e) => e.some((x) => x.event === 'active'), 8000, async () => {
      await new Promise((r) => setTimeout(r, 100));
      expect((await publish(key)).res.status).toBe(201);
    });
    expect(got.events.map((e) => e.event).slice(0, 2)).toEqual(['inactive', 'active']);
  });

  it('C02 unknown channels are 404, private ones 401', async () => {
    expect((await fetch(api('/channels/no-such-channel/events'))).status).toBe(404);
    const { channel } = await stack.createChannel('Private feed', 'private');
    expect((await fetch(api(`/channels/${channel.slug}/events`))).status).toBe(401);
  });
});

describe('Overload and outages', () => {
  it('R01 with Janus down, POST is 503 + Retry-After, live broadcasts end, and it recovers', async () => {
    const obs = await live();
    await stack.janus.stop();
    const deadline = Date.now() + 10000;
    while (stack.media.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const { channel } = await stack.createChannel('Outage');
    const { res } = await watch(obs.channel.slug);
    expect(res.status).toBe(409); // the broadcast ended with the media server
    const whep = await watch(channel.slug);
    expect(whep.res.status).toBe(409);
    const { key } = await stack.createChannel('Outage publish');
    const down = await post('/whip', fresh(OBS_OFFER), { Authorization: `Bearer ${key}` });
    expect(down.res.status).toBe(503);
    expect(Number(down.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(down.text).detail).toMatch(/media server/);
    await stack.janus.start();
    await stack.waitForMedia();
    expect((await stack.janusInventory()).rooms).toEqual([]);
    expect((await publish(key)).res.status).toBe(201);
  });

  it('R02 repeated wrong stream keys from one address get 429 with Retry-After', async () => {
    let limited: { res: Response; text: string } | undefined;
    for (let i = 0; i < AUTH_FAILURES_PER_MIN + 2 && !limited; i++) {
      const attempt = await publish('onair_guess');
      if (attempt.res.status === 429) limited = attempt;
      else expect(attempt.res.status).toBe(401);
    }
    expect(limited).toBeDefined();
    expect(Number(limited!.res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await problem(limited!.res, limited!.text)).detail).toMatch(/wrong stream key/);
  });
});
