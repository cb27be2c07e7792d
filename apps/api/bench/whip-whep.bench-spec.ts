/**
 * onair's media benchmark (`npm run bench`): prints figures, asserts nothing about speed.
 *   1. WHIP POST -> 201 through the API vs a raw janode attach + joinandconfigure on the same
 *      Janus with the same offer (the floor the API adds to), and the database round trip the
 *      key check needs (a `SELECT 1` and the key lookup itself, through the API's own client):
 *      the issue 10 target, 2x the raw janode figure plus that round trip, is printed beside.
 *      A few POSTs first warm the API's code paths (not counted: the raw janode loop runs warm too).
 *   2. WHEP POST -> first decoded frame for a viewer joining mid-GOP (4 s keyframe interval,
 *      encoder ignoring keyframe requests like OBS), with and without the keyframe cache.
 * Runs in onair's test network namespace with real Janus, Postgres and Chromium.
 */
import { cpus, totalmem } from 'node:os';
import { randomUUID } from 'node:crypto';
import { OBS_OFFER } from '@onair/protocol/testing';
import { StreamKeyRepository } from '../src/channels/stream-key.repository';
import { hashStreamKey } from '../src/channels/stream-key.service';
import { PrismaService } from '../src/database/prisma.service';
import { Janode, VideoRoomHandle, VideoRoomPlugin } from '../src/media/janus/janode';
import { IGNORE_KEYFRAME_REQUESTS, launchChromium } from '../test/harness/browser';
import { measureWhep, publishObsShaped } from '../test/harness/publisher';
import { withIceCredentials } from '../test/harness/sdp';
import { TestStack } from '../test/harness/stack';

const ROUNDS = Number(process.env.ONAIR_BENCH_ROUNDS ?? 20);
const JOINS = Number(process.env.ONAIR_BENCH_JOINS ?? 5);
const WARMUP = 3;
const GOP_MS = 4000;

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const median = (xs: number[]) => quantile(xs, 0.5);
const stats = (xs: number[]) =>
  `median ${median(xs).toFixed(1)} ms, p90 ${quantile(xs, 0.9).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;
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
      for (let i = -WARMUP; i < ROUNDS; i++) {
        const { key } = await stack.createChannel(`Bench ${i}`);
        const t0 = performance.now();
        const res = await fetch(`${stack.apiUrl}/whip`, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: offer(i + WARMUP) });
        const ms = performance.now() - t0;
        if (res.status !== 201) throw new Error(`POST ${res.status}: ${await res.text()}`);
        await fetch(new URL(res.headers.get('location')!, stack.apiUrl), { method: 'DELETE' });
        if (i < 0) continue;
        api.push(ms);
        // Server-Timing: key;dur=1.2, db;dur=2.0, publish;dur=..., fanout;dur=..., record;dur=...
        for (const m of (res.headers.get('server-timing') ?? '').matchAll(/(\w+);dur=([\d.]+)/g)) {
          steps.set(m[1], [...(steps.get(m[1]) ?? []), Number(m[2])]);
        }
      }
      // The database round trip, through the API's own connection pool.
      const prisma = stack.app!.get(PrismaService);
      const keyRecords = stack.app!.get(StreamKeyRepository);
      const { key: someKey } = await stack.createChannel('Bench key');
      const selectOne: number[] = [];
      const keyLookup: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t0 = performance.now();
        await prisma.$queryRaw`SELECT 1`;
        const t1 = performance.now();
        await keyRecords.findActiveByHash(hashStreamKey(someKey));
        selectOne.push(t1 - t0);
        keyLookup.push(performance.now() - t1);
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
      console.log(`[bench] database round trip, SELECT 1: ${stats(selectOne)}`);
      console.log(`[bench] database round trip, the key check's query (key + channel): ${stats(keyLookup)}`);
      const target = 2 * median(rawWithRoom) + median(keyLookup);
      console.log(`[bench] target (2 x raw room create + join, plus the key check's query): ${target.toFixed(1)} ms; WHIP POST median ${median(api).toFixed(1)} ms`);
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
});
