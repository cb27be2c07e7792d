/**
 * onair's media benchmark (`npm run bench`): prints figures, asserts nothing about speed.
 *   1. WHIP POST -> 201 through the API vs a raw janode attach + joinandconfigure on the same
 *      Janus with the same offer (the floor the API adds to), and the database round trip the
 *      key check needs (a `SELECT 1` and the key lookup itself, through the API's own client):
 *      the issue 10 target, 2x the raw janode figure plus that round trip, is printed beside,
 *      with onair's HTTP stack alone (OPTIONS /whip) and the floor the three make in series.
 *      50 POSTs first warm the API's code paths (not counted: the raw janode loop runs warm too).
 *   2. WHEP POST -> first decoded frame for a viewer joining mid-GOP (4 s keyframe interval,
 *      encoder ignoring keyframe requests like OBS), with and without the keyframe cache.
 *   3. A storm of WHEP POSTs all at once (ONAIR_BENCH_WHEP_STORM, 100) on one live channel,
 *      POST -> 201 p50/p99 through the API (its own process, as in production), twice: right
 *      after the API started (V8 still interpreting most of it) and after ONAIR_BENCH_WHEP_WARMUP
 *      (300) viewers came and went, as on a server that has been up a while; beside the same
 *      storm of attach + watch straight through janode on one session (the floor). Every session
 *      is DELETEd after, and Janus must hold none of their handles.
 * Runs in onair's test network namespace with real Janus, Postgres and Chromium.
 */
import { writeFileSync } from 'node:fs';
import { IncomingHttpHeaders, request } from 'node:http';
import { Session } from 'node:inspector/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import { CHROMIUM_PLAYER_OFFER, OBS_OFFER } from '@onair/protocol/testing';
import { Client as PgClient } from 'pg';
import { ChannelRepository } from '../src/channels/channel.repository';
import { StreamKeyRepository } from '../src/channels/stream-key.repository';
import { hashStreamKey, StreamKeyService } from '../src/channels/stream-key.service';
import { PrismaService } from '../src/database/prisma.service';
import { Janode, StreamingHandle, StreamingPlugin, VideoRoomHandle, VideoRoomPlugin } from '../src/media/janus/janode';
import { ApiProcess } from '../test/harness/api-process';
import { cpuSeconds } from '../test/harness/proc-stat';
import { JanusView } from '../test/harness/janus-view';
import { IGNORE_KEYFRAME_REQUESTS, launchChromium } from '../test/harness/browser';
import { measureWhep, publishObsShaped } from '../test/harness/publisher';
import { withIceCredentials } from '../test/harness/sdp';
import { TestStack } from '../test/harness/stack';

const ROUNDS = Number(process.env.ONAIR_BENCH_ROUNDS ?? 100);
const JOINS = Number(process.env.ONAIR_BENCH_JOINS ?? 5);
const WARMUP = 50;
const GOP_MS = 4000;
const WHEP_STORM = Number(process.env.ONAIR_BENCH_WHEP_STORM ?? 100);
const WHEP_WARMUP = Number(process.env.ONAIR_BENCH_WHEP_WARMUP ?? 300);

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const median = (xs: number[]) => quantile(xs, 0.5);
const stats = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
/** Percentiles as the viewer storm reports them (nearest rank). */
const pcts = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return `p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
};
/**
 * With ONAIR_BENCH_CPU_PROFILE=<file>, a CPU profile of this process while `run` runs (open it
 * in Chrome's DevTools): where the API's time goes in the WHIP POST loop.
 */
async function profiled<T>(run: () => Promise<T>): Promise<T> {
  const file = process.env.ONAIR_BENCH_CPU_PROFILE;
  if (!file) return run();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`[bench] CPU profile of the WHIP POST loop: ${file}`);
  }
}
/**
 * A POST through node:http, a client about as lean as an encoder's libcurl: the API runs in
 * this process, so a heavier client (fetch) would add its own CPU to what is measured.
 */
function post(url: string, headers: Record<string, string>, body: string, method = 'POST'): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
/** A captured Chromium player offer (its candidates name addresses onair screens out) with its own ICE credentials. */
const playerOffer = (i: number) => withIceCredentials(CHROMIUM_PLAYER_OFFER, `ws${i}`, `whepstormpasswordpassword${String(i).padStart(4, '0')}`);
const offer = (i: number) => withIceCredentials(OBS_OFFER, `bn${i}`, `benchpasswordbenchpass${String(i).padStart(2, '0')}`);

beforeAll(() => {
  console.log(`[bench] machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
});

describe('benchmark', () => {
  it('WHIP POST -> 201 vs raw janode join+configure', async () => {
    const stack = new TestStack(18680, 18788, { ONAIR_RATE_LIMIT_BURST: '100000', ONAIR_RATE_LIMIT_PER_S: '100000' });
    await stack.start();
    try {
      const api: number[] = [];
      const steps = new Map<string, number[]>();
      const channels: Awaited<ReturnType<TestStack["createChannel"]>>[] = [];
      for (let i = -WARMUP; i < ROUNDS; i++) channels.push(await stack.createChannel(`Bench ${i}`));
      await profiled(async () => {
      for (let i = -WARMUP; i < ROUNDS; i++) {
        const { key } = channels[i + WARMUP];
        const t0 = performance.now();
        const res = await post(`${stack.apiUrl}/whip`, { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, offer(i + WARMUP));
        const ms = performance.now() - t0;
        if (res.status !== 201) throw new Error(`POST ${res.status}: ${res.body}`);
        await fetch(new URL(res.headers.location!, stack.apiUrl), { method: 'DELETE' });
        if (i < 0) continue;
        api.push(ms);
        // Server-Timing: key;dur=1.2, db;dur=2.0, confirm;dur=..., publish;dur=..., total;dur=...
        for (const m of (res.headers['server-timing'] ?? '').matchAll(/(\w+);dur=([\d.]+)/g)) {
          steps.set(m[1], [...(steps.get(m[1]) ?? []), Number(m[2])]);
        }
      }
      });
      // The database round trip, through the API's own connection pool.
      const prisma = stack.app!.get(PrismaService);
      const keyRecords = stack.app!.get(StreamKeyRepository);
      const { key: someKey } = await stack.createChannel('Bench key');
      const selectOne: number[] = [];
      const keyLookup: number[] = [];
      const httpFloor: number[] = [];
      const pgSelectOne: number[] = [];
      // The same round trip without Prisma (node-postgres alone): what the client library costs.
      const pg = new PgClient({ connectionString: process.env.DATABASE_URL });
      await pg.connect();
      for (let i = 0; i < ROUNDS; i++) {
        const t = performance.now();
        await pg.query('SELECT 1');
        pgSelectOne.push(performance.now() - t);
      }
      await pg.end();
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        await prisma.$queryRaw`SELECT 1`;
        const t1 = performance.now();
        await keyRecords.findActiveByHash(hashStreamKey(someKey));
        const t2 = performance.now();
        // onair's HTTP stack alone: the same client, middleware (client address, CORS, rate
        // limit), Nest routing and an answer with Link headers, without database or Janus.
        const discovered = await post(`${stack.apiUrl}/whip`, {}, '', 'OPTIONS');
        if (discovered.status !== 204) throw new Error(`OPTIONS /whip ${discovered.status}: ${discovered.body}`);
        httpFloor.push(performance.now() - t2);
        selectOne.push(t1 - t0);
        keyLookup.push(t2 - t1);
      }
      // The same Janus, straight through janode: one room per round, like a channel.
      const conn = await Janode.connect({ address: { url: stack.config.janus.wsUrl, apisecret: stack.config.janus.apiSecret } });
      const session = await conn.create(15);
      const ctl = await session.attach<VideoRoomHandle>(VideoRoomPlugin);
      const raw: number[] = [];
      const rawWithRoom: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const room = randomUUID();
        const t0 = performance.now();
        await ctl.message({ request: 'create', room, publishers: 6, videocodec: 'h264,vp8,vp9,av1,h265', audiocodec: 'opus', is_private: false });
        const t1 = performance.now();
        const handle = await session.attach<VideoRoomHandle>(VideoRoomPlugin);
        const joined = await handle.joinConfigurePublisher({ room, display: 'bench', jsep: { type: 'offer', sdp: offer(100 + i) } });
        const t2 = performance.now();
        if (!joined.jsep) throw new Error('no answer');
        raw.push(t2 - t1);
        rawWithRoom.push(t2 - t0);
        await handle.detach();
        await ctl.message({ request: 'destroy', room });
      }
      await session.destroy();
      await conn.close();
      console.log(`[bench] WHIP POST -> 201 through onair (auth, DB rows, room, join+configure, mountpoint, rtp_forward): ${stats(api)}`);
      for (const [name, ms] of steps) console.log(`[bench]   of which ${name} (Server-Timing): ${stats(ms)}`);
      console.log(`[bench] raw janode attach + joinandconfigure: ${stats(raw)}`);
      console.log(`[bench] raw janode room create + attach + joinandconfigure: ${stats(rawWithRoom)}`);
      console.log(`[bench] onair's HTTP stack alone (OPTIONS /whip without a key: middleware, routing, Link headers): ${stats(httpFloor)}`);
      console.log(`[bench] database round trip, SELECT 1: ${stats(selectOne)}`);
      console.log(`[bench] database round trip, SELECT 1 through node-postgres alone (no Prisma): ${stats(pgSelectOne)}`);
      console.log(`[bench] database round trip, the key check's query (key + channel): ${stats(keyLookup)}`);
      const target = 2 * median(rawWithRoom) + median(keyLookup);
      console.log(`[bench] target (2 x raw room create + join, plus the key check's query): ${target.toFixed(1)} ms; WHIP POST median ${median(api).toFixed(1)} ms`);
      // What a POST can't go below with its steps in series: HTTP, the key query, Janus.
      const floor = median(httpFloor) + median(keyLookup) + median(rawWithRoom);
      console.log(`[bench] floor (HTTP stack + key query + raw room create + join, in series): ${floor.toFixed(1)} ms`);
    } finally {
      await stack.stop();
    }
  });

  it.each([
    ['with the keyframe cache', '10000', 18880, 18988],
    ['without the keyframe cache', '0', 19080, 19188],
  ])('mid-GOP join first frame %s', async (name, bufferMs, apiPort, janusPort) => {
    const stack = new TestStack(apiPort, janusPort, { ONAIR_KEYFRAME_BUFFER_MS: bufferMs });
    await stack.start();
    const obs = await launchChromium([IGNORE_KEYFRAME_REQUESTS]);
    const players = await launchChromium();
    try {
      const { channel, key } = await stack.createChannel('Gop bench');
      const publisher = await obs.newPage();
      await publisher.goto(`${stack.apiUrl}/health`);
      const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { keyframeIntervalMs: GOP_MS });
      if (published.status !== 201) throw new Error(`publish: ${published.status}`);
      const keyframes = () => publisher.evaluate(() => (window as unknown as { __keyframesAt: number[] }).__keyframesAt);
      const firstFrames: number[] = [];
      for (let i = 0; i < JOINS; i++) {
        // Join 1 s after a forced keyframe: 3 s before the next one.
        const seen = (await keyframes()).length;
        const deadline = Date.now() + GOP_MS * 2;
        let last = 0;
        while (Date.now() < deadline) {
          const k = await keyframes();
          if (k.length > seen) {
            last = k[k.length - 1];
            break;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, Math.max(0, last + 1000 - Date.now())));
        const viewer = await players.newPage();
        await viewer.goto(`${stack.apiUrl}/health`);
        const watched = await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
        firstFrames.push(watched.firstFrameMs);
        await fetch(watched.location, { method: 'DELETE' });
        await viewer.close();
      }
      console.log(`[bench] WHEP POST -> first frame, joining 1 s into a ${GOP_MS / 1000} s GOP, ${name}: ${stats(firstFrames)}`);
      await fetch(published.location!, { method: 'DELETE' });
    } finally {
      await obs.close();
      await players.close();
      await stack.stop();
    }
  });

  it(`${WHEP_STORM} WHEP POSTs at once -> 201 vs raw janode attach+watch`, async () => {
    const stack = new TestStack(19280, 19388, {
      ONAIR_RATE_LIMIT_BURST: '100000',
      ONAIR_RATE_LIMIT_PER_S: '100000',
      ONAIR_WHEP_SESSIONS_PER_CLIENT: '100000',
      ONAIR_SECRET: randomBytes(32).toString('hex'),
    });
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/onair-prof" to see where the API's time goes.
    // ONAIR_BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/x' profiles the API through the storm.
    const api = new ApiProcess(
      { ...stack.env, ...(process.env.ONAIR_BENCH_API_NODE_OPTIONS ? { NODE_OPTIONS: process.env.ONAIR_BENCH_API_NODE_OPTIONS } : {}) },
      process.env.ONAIR_BENCH_API_NODE_ARGS?.split(' ').filter(Boolean),
    );
    const prisma = new PrismaService(stack.config);
    const obs = await launchChromium();
    let view: JanusView | undefined;
    try {
      await stack.janus.start();
      await api.start();
      view = await JanusView.open(stack.config);
      const channels = new ChannelRepository(prisma);
      const channel = (await channels.create({ slug: `whep-storm-${randomBytes(3).toString('hex')}`, title: 'WHEP storm', visibility: 'public' }))!;
      const { key } = await new StreamKeyService(new StreamKeyRepository(prisma)).mint(channel.id, 'bench');
      const publisher = await obs.newPage();
      await publisher.goto(`${api.url}/health`);
      const published = await publishObsShaped(publisher, `${api.url}/whip`, key);
      if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.body}`);
      const [apiSession] = await view.otherSessions();
      const whep = `${api.url}/whep/${channel.slug}`;
      const count = (xs: number[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
      let offerNo = 0;
      /** WHEP_STORM POSTs at once, then every session DELETEd; Janus must hold none of them after. */
      const storm = async (label: string) => {
        const loadBefore = load();
        const cpu0 = cpuSeconds(api.pid!);
        const posts = await Promise.all(
          Array.from({ length: WHEP_STORM }, async () => {
            const body = playerOffer(offerNo++);
            const t0 = performance.now();
            const res = await fetch(whep, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body });
            const ms = performance.now() - t0;
            const text = await res.text();
            return { status: res.status, ms, location: res.headers.get('location'), timing: res.headers.get('server-timing') ?? '', error: res.status === 201 ? undefined : text.slice(0, 200) };
          }),
        );
        const apiCpuMs = ((cpuSeconds(api.pid!) - cpu0) * 1000) / WHEP_STORM;
        const created = posts.filter((p) => p.status === 201);
        const steps = new Map<string, number[]>();
        for (const p of created) for (const m of p.timing.matchAll(/(\w+);dur=([\d.]+)/g)) steps.set(m[1], [...(steps.get(m[1]) ?? []), Number(m[2])]);
        const deletes = await Promise.all(created.map((p) => fetch(new URL(p.location!, whep), { method: 'DELETE' }).then((r) => r.status)));
        await new Promise((r) => setTimeout(r, 500));
        const handlesLeft = apiSession ? ((await view!.otherSessions()).find((s) => s.id === apiSession.id)?.handles ?? NaN) - apiSession.handles : NaN;
        const viewersLeft = await view!.mountpointViewers(channel.id);
        const errors = [...new Set(posts.filter((p) => p.error).map((p) => p.error))].slice(0, 3);
        console.log(`[bench] ${WHEP_STORM} WHEP POSTs at once on one live channel, ${label} (captured Chromium offers): statuses ${JSON.stringify(count(posts.map((p) => p.status)))}${errors.length ? `; errors: ${errors.join(' | ')}` : ''}; load average ${loadBefore} before`);
        console.log(`[bench]   POST -> 201 through onair: ${pcts(created.map((p) => p.ms))}; API ${apiCpuMs.toFixed(1)} ms CPU per POST`);
        for (const [name, ms] of steps) console.log(`[bench]     of which ${name} (Server-Timing): ${pcts(ms)}`);
        console.log(`[bench]   after ${deletes.length} DELETEs (statuses ${JSON.stringify(count(deletes))}): ${handlesLeft} viewer handles left in Janus, ${viewersLeft} viewers on the mountpoint`);
        // Speed is only printed; a leak fails the run.
        expect(handlesLeft).toBe(0);
        expect(viewersLeft).toBe(0);
      };
      // One viewer first (the connections to Janus and Postgres), not counted.
      const first = await fetch(whep, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: playerOffer(offerNo++) });
      if (first.status !== 201) throw new Error(`first WHEP POST ${first.status}: ${await first.text()}`);
      await fetch(new URL(first.headers.get('location')!, whep), { method: 'DELETE' });
      // Right after start-up, V8 still interprets most of the API's code: the cold figure.
      await storm('just after the API started');
      // A server that has been up a while has compiled its hot paths: WHEP_WARMUP viewers
      // joining and leaving in groups of 10 first, bounded in count and time (60 s).
      const warmUntil = Date.now() + 60_000;
      for (let done = 0; done < WHEP_WARMUP && Date.now() < warmUntil; done += 10) {
        const group = await Promise.all(Array.from({ length: 10 }, () => fetch(whep, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: playerOffer(offerNo++) })));
        await Promise.all(group.map((r) => (r.status === 201 ? fetch(new URL(r.headers.get('location')!, whep), { method: 'DELETE' }) : r.text())));
      }
      await storm(`after ${WHEP_WARMUP} viewers came and went (warm)`);

      // The floor: the same offers, all at once, straight to Janus on one janode session.
      const rawLoadBefore = load();
      const raw = await Promise.all(
        Array.from({ length: WHEP_STORM }, async () => {
          const sdp = playerOffer(offerNo++);
          const t0 = performance.now();
          const handle = await view!.session.attach<StreamingHandle>(StreamingPlugin);
          const res = await handle.watch({ id: channel.id, jsep: { type: 'offer', sdp } });
          const ms = performance.now() - t0;
          if (!res.jsep) throw new Error('no answer from Janus');
          return { ms, handle };
        }),
      );
      await Promise.all(raw.map((r) => r.handle.detach().catch(() => undefined)));
      console.log(`[bench]   raw janode attach + watch, ${WHEP_STORM} at once on one session, same mountpoint: ${pcts(raw.map((r) => r.ms))}; load average ${rawLoadBefore} before`);
      await fetch(published.location!, { method: 'DELETE' });
    } finally {
      await view?.close();
      await obs.close();
      await api.stop();
      await stack.janus.stop();
      await prisma.$disconnect();
    }
  }, 300_000);
});
