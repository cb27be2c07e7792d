/**
 * Chaos, end to end in the test namespace, with real Janus, Postgres, Chromium and the API:
 *   - Janus SIGKILLed mid-broadcast: the API says offline within 2 s, /health is 503, it
 *     recovers when Janus is back and the publisher's new POST plays to a viewer;
 *   - the API SIGKILLed mid-broadcast and started again (as its own process; Janus keeps
 *     running): nothing of the dead process is left in Janus, nothing foreign is touched,
 *     and the broadcast is ended in the database;
 *   - Postgres stopped and started mid-broadcast: the live stream keeps playing, requests
 *     that need the database get 503 + Retry-After, a broadcast that ends meanwhile is
 *     recorded as ended once Postgres is back, and the channel can go live again.
 * (The encoder's own kill -9 and takeover is in the media specs.)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Browser, Page } from 'playwright-core';
import { StreamKeyService } from '../src/channels/stream-key.service';
import { StreamKeyRepository } from '../src/channels/stream-key.repository';
import { ChannelRepository } from '../src/channels/channel.repository';
import { PrismaService } from '../src/database/prisma.service';
import { BroadcastRepository } from '../src/live/broadcast.repository';
import { ApiProcess } from './harness/api-process';
import { launchChromium } from './harness/browser';
import { readEvents } from './harness/events';
import { REPO_ROOT } from './harness/janus-process';
import { JanusView } from './harness/janus-view';
import { measureWhep, publishObsShaped } from './harness/publisher';
import { TestStack } from './harness/stack';
import { until } from './harness/until';

const stack = new TestStack(19280, 19388);
let browser: Browser;

beforeAll(async () => {
  await stack.start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack.stop();
});

async function page(origin: string): Promise<Page> {
  const p = await browser.newPage();
  p.on('pageerror', (err) => console.warn(`[page error] ${err.message}`));
  // A secure-context page of our own origin: getUserMedia needs one.
  await p.goto(`${origin}/health`).catch(() => undefined);
  return p;
}


/** Video frames the page's player (measureWhep's `__player`) has decoded so far. */
function framesDecoded(p: Page): Promise<number> {
  return p.evaluate(async () => {
    const pc = (window as unknown as { __player?: RTCPeerConnection }).__player;
    let frames = 0;
    (await pc?.getStats())?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
    });
    return frames;
  });
}

async function channelJson(apiUrl: string, slug: string): Promise<{ status: number; body: { live?: boolean; detail?: string } }> {
  const res = await fetch(`${apiUrl}/channels/${slug}`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json() };
}

async function whipPost(apiUrl: string, key: string, p: Page): Promise<{ status: number; retryAfter: string | null; detail?: string }> {
  const offer = await p.evaluate(async () => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'sendonly' });
    const o = await pc.createOffer();
    pc.close();
    return o.sdp!;
  });
  const res = await fetch(`${apiUrl}/whip`, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: offer });
  const text = await res.text();
  return { status: res.status, retryAfter: res.headers.get('retry-after'), detail: text.startsWith('{') ? JSON.parse(text).detail : undefined };
}

describe('Janus killed mid-broadcast', () => {
  it('the API says offline within 2 s, /health is 503, and the publisher\'s new POST plays once Janus is back', async () => {
    const { channel, key } = await stack.createChannel('Janus crash');
    const publisher = await page(stack.apiUrl);
    expect((await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key)).status).toBe(201);
    const viewer = await page(stack.apiUrl);
    expect((await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`)).firstFrameMs).toBeGreaterThan(0);

    // The channel feed, open before the crash: 'active' first, then 'inactive'.
    let killedAt = 0;
    const feed = readEvents(`${stack.apiUrl}/channels/${channel.slug}/events`, (ev) => ev.some((e) => e.event === 'inactive'), 15000, async () => {
      await new Promise((r) => setTimeout(r, 300));
      killedAt = Date.now();
      await stack.janus.kill();
    });
    const got = await feed;
    const inactiveAfterMs = Date.now() - killedAt;
    expect(got.events.map((e) => e.event)).toContain('active');
    expect(got.events.map((e) => e.event)).toContain('inactive');
    const offline = await until('the channel JSON to say offline', () => channelJson(stack.apiUrl, channel.slug), (c) => c.body.live === false, 5000, 50);
    const offlineAfterMs = Date.now() - killedAt;
    console.log(`[figures] Janus SIGKILL -> SSE inactive ${inactiveAfterMs} ms, channel JSON live:false ${offlineAfterMs} ms`);
    expect(offline.status).toBe(200);
    expect(inactiveAfterMs).toBeLessThanOrEqual(2000);
    expect(offlineAfterMs).toBeLessThanOrEqual(2000);

    const health = await fetch(`${stack.apiUrl}/health`);
    expect(health.status).toBe(503);
    expect((await health.json()).janus.ok).toBe(false);
    const down = await whipPost(stack.apiUrl, key, publisher);
    expect(down.status).toBe(503);
    expect(Number(down.retryAfter)).toBeGreaterThan(0);

    await stack.janus.start();
    await stack.waitForMedia();
    await until('/health 200', () => fetch(`${stack.apiUrl}/health`).then((r) => r.status), (s) => s === 200);
    expect(await stack.janusInventory()).toMatchObject({ rooms: [], mountpoints: [], peerHandles: 0 });

    // The encoder notices its PeerConnection died and POSTs again with the same key.
    await publisher.evaluate(() => (window as unknown as { __publisher: RTCPeerConnection }).__publisher.close());
    expect((await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key)).status).toBe(201);
    const again = await page(stack.apiUrl);
    const watched = await measureWhep(again, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(watched.status).toBe(201);
    expect(watched.firstFrameMs).toBeGreaterThan(0);
    expect((await channelJson(stack.apiUrl, channel.slug)).body.live).toBe(true);
    await publisher.close();
    await viewer.close();
    await again.close();
  });
});

describe('Postgres stopped and started mid-broadcast', () => {
  const pgdata = process.env.ONAIR_TEST_PGDATA;
  const pg = (cmd: 'start' | 'stop') =>
    execFileSync('bash', [join(REPO_ROOT, 'infra/scripts/postgres.sh'), cmd, pgdata!, ...(cmd === 'start' ? [new URL(process.env.DATABASE_URL!).port || '5432'] : [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60000,
    });
  afterAll(() => pgdata && pg('start')); // never leave the suite without its database

  it('keeps playing, answers 503 + Retry-After meanwhile, and records what happened once it is back', async () => {
    if (!pgdata) throw new Error('ONAIR_TEST_PGDATA is not set: run through `npm test` (test-in-netns.sh exports it)');
    const { channel, key } = await stack.createChannel('Db outage');
    const { key: otherKey } = await stack.createChannel('Db outage other');
    const publisher = await page(stack.apiUrl);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key);
    expect(published.status).toBe(201);
    const viewer = await page(stack.apiUrl);
    expect((await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`)).firstFrameMs).toBeGreaterThan(0);

    pg('stop');
    try {
      const health = await fetch(`${stack.apiUrl}/health`);
      expect(health.status).toBe(503);
      expect((await health.json()).database.ok).toBe(false);

      // The live stream does not need the database.
      const before = await framesDecoded(viewer);
      await new Promise((r) => setTimeout(r, 2000));
      expect(await framesDecoded(viewer)).toBeGreaterThan(before + 20);

      // What needs it says so, with a time to come back: never a 500.
      const whip = await whipPost(stack.apiUrl, otherKey, publisher);
      expect(whip).toMatchObject({ status: 503, retryAfter: '5' });
      expect(whip.detail).toMatch(/database is not reachable/);
      const status = await channelJson(stack.apiUrl, channel.slug);
      expect(status.status).toBe(503);
      const whep = await measureWhep(await page(stack.apiUrl), `${stack.apiUrl}/whep/${channel.slug}`);
      expect(whep.status).toBe(503);

      // The publisher stops while the database is down: the broadcast ends now.
      const endedAt = Date.now();
      expect((await fetch(published.location!, { method: 'DELETE' })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      pg('start');

      // Once Postgres answers, the end is written (with the time it happened) and the channel
      // is offline, then live again from a new POST.
      await until('/health 200', () => fetch(`${stack.apiUrl}/health`).then((r) => r.status), (s) => s === 200);
      await until('the channel JSON to say offline', () => channelJson(stack.apiUrl, channel.slug), (c) => c.status === 200 && c.body.live === false, 10000);
      const [row] = await until(
        'the broadcast row to be ended',
        () => stack.app!.get(BroadcastRepository).listByChannel(channel.id, 1),
        (rows) => Array.isArray(rows) && rows[0]?.endedAt !== null,
        10000,
      );
      expect(row.endReason).toBe('publisher-left');
      expect(Math.abs(row.endedAt!.getTime() - endedAt)).toBeLessThan(2000);
      await publisher.evaluate(() => (window as unknown as { __publisher: RTCPeerConnection }).__publisher.close());
      const again = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key);
      expect(again.status).toBe(201);
      const watched = await measureWhep(await page(stack.apiUrl), `${stack.apiUrl}/whep/${channel.slug}`);
      expect(watched.firstFrameMs).toBeGreaterThan(0);
      expect((await fetch(again.location!, { method: 'DELETE' })).status).toBe(200);
    } finally {
      pg('start');
    }
  });
});

describe('API killed mid-broadcast and started again', () => {
  // The API runs as its own process (built dist/main.js) so it can be SIGKILLed; this
  // stack only lends its settings and its Janus, which keeps running across the restart.
  const apart = new TestStack(19480, 19588, { ONAIR_SECRET: randomBytes(32).toString('hex'), ONAIR_LOG_LEVEL: 'log' });
  const { config, janus } = apart;
  const api = new ApiProcess(apart.env);
  const prisma = new PrismaService(config);
  let view: JanusView;

  beforeAll(async () => {
    await janus.start();
    await api.start();
    view = await JanusView.open(config);
  });

  afterAll(async () => {
    await view?.close();
    await api.stop();
    await janus.stop();
    await prisma.$disconnect();
  });

  it('leaves nothing of the dead process in Janus, touches nothing foreign, and ends the broadcast in the database', async () => {
    const channels = new ChannelRepository(prisma);
    const slug = `api-crash-${randomBytes(3).toString('hex')}`;
    const channel = (await channels.create({ slug, title: 'API crash', visibility: 'public' }))!;
    const { key } = await new StreamKeyService(new StreamKeyRepository(prisma)).mint(channel.id, 'test');

    const publisher = await page(api.url);
    const published = await publishObsShaped(publisher, `${api.url}/whip`, key);
    expect(published.status).toBe(201);
    const viewer = await page(api.url);
    expect((await measureWhep(viewer, `${api.url}/whep/${slug}`)).firstFrameMs).toBeGreaterThan(0);

    // What the running API holds, as Janus reports it.
    expect((await view.roomList()).map((r) => r.room)).toContain(channel.id);
    expect((await view.mountpointList()).map((m) => m.id)).toContain(channel.id);
    expect(await view.forwarders(channel.id)).toBeGreaterThanOrEqual(2);
    const [apiSession] = await view.otherSessions();
    expect(apiSession.handles).toBe(4); // two control handles, the publisher, the viewer

    // Something onair did not make, on the same Janus: it must survive onair's clean-up.
    const foreignRoom = `foreign-${randomBytes(4).toString('hex')}`;
    await view.rooms.message({ request: 'create', room: foreignRoom, description: 'not onair', is_private: false, permanent: false });
    const foreignMountpoint = `foreign-${randomBytes(4).toString('hex')}`;
    await view.streaming.message({
      request: 'create', type: 'rtp', id: foreignMountpoint, description: 'not onair', is_private: false, permanent: false,
      media: [{ type: 'video', mid: 'v', port: 0, iface: '127.0.0.1', codec: 'vp8', pt: 96 }],
    });

    await api.kill();
    // Janus drops the dead client's session (and its handles) as the socket closes; the
    // room, the mountpoint and the forwarders are plugin objects and stay behind.
    await until('the dead API\'s session to go', () => view.otherSessions(), (s) => Array.isArray(s) && s.length === 0, 10000);
    const left = { rooms: (await view.roomList()).map((r) => r.room), mountpoints: (await view.mountpointList()).map((m) => m.id) };
    console.log(`[figures] after the API's SIGKILL Janus still held: room ${left.rooms.includes(channel.id)}, mountpoint ${left.mountpoints.includes(channel.id)}, forwarders ${await view.forwarders(channel.id)}`);

    await api.start();
    const rooms = await view.roomList();
    const mountpoints = await view.mountpointList();
    expect(rooms.filter((r) => r.description.startsWith('onair:'))).toEqual([]);
    expect(mountpoints.filter((m) => m.description.startsWith('onair:'))).toEqual([]);
    expect(await view.forwarders(channel.id)).toBe(0);
    expect(rooms.map((r) => r.room)).toContain(foreignRoom);
    expect(mountpoints.map((m) => m.id)).toContain(foreignMountpoint);
    const sessions = await view.otherSessions();
    expect(sessions).toHaveLength(1); // the new API's
    expect(sessions[0].handles).toBe(2); // its control handles, no peers

    const [row] = await new BroadcastRepository(prisma).listByChannel(channel.id, 1);
    expect(row.endedAt).not.toBeNull();
    expect(row.endReason).toBe('media-server-lost');
    expect((await channelJson(api.url, slug)).body.live).toBe(false);

    // The encoder comes back to the new process and plays.
    await publisher.evaluate(() => (window as unknown as { __publisher: RTCPeerConnection }).__publisher.close());
    const again = await publishObsShaped(publisher, `${api.url}/whip`, key);
    expect(again.status).toBe(201);
    expect((await measureWhep(await page(api.url), `${api.url}/whep/${slug}`)).firstFrameMs).toBeGreaterThan(0);
    expect((await fetch(again.location!, { method: 'DELETE' })).status).toBe(200);

    await view.rooms.message({ request: 'destroy', room: foreignRoom });
    await view.streaming.message({ request: 'destroy', id: foreignMountpoint });
  });
});
