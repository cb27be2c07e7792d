/**
 * Viewer storm (`npm run bench`): N real WebRTC viewers (libwebrtc in Node, @roamhq/wrtc:
 * real ICE, DTLS and SRTP, one bundled transport each) POST to /whep within 2 s, each from
 * its own loopback source address (127.0.1.x: the whole 127/8 is on lo), on a ~2.5 Mbps
 * H.264 720p stream from a Chromium publisher. Prints POST -> 201 p50/p99, ICE and DTLS
 * connected p99, first video RTP packet p99, Janus and API CPU per viewer (from
 * /proc/<pid>/stat), the handles left in Janus after every DELETE, and the same figures for
 * the same storm straight to Janus through janode on the same mountpoint (the floor the API adds to).
 *
 * The Node viewers receive the stream but do not decode it: this libwebrtc build has no
 * H.264, so each offer is told to Janus as H.264 and the answer back to the peer as the VP8
 * it offered, with no feedback (no PLI/NACK): Janus sends exactly what it sends a browser,
 * and 200 decoders would not fit on the machine beside Janus. Bounded: every wait has a
 * deadline, the viewer count is fixed (ONAIR_BENCH_STORM_VIEWERS, default 200).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import { ChannelRepository } from '../src/channels/channel.repository';
import { StreamKeyRepository } from '../src/channels/stream-key.repository';
import { StreamKeyService } from '../src/channels/stream-key.service';
import { PrismaService } from '../src/database/prisma.service';
import { StreamingHandle, StreamingPlugin } from '../src/media/janus/janode';
import { ApiProcess } from '../test/harness/api-process';
import { cpuSeconds } from '../test/harness/proc-stat';
import { launchChromium } from '../test/harness/browser';
import { REPO_ROOT } from '../test/harness/janus-process';
import { JanusView } from '../test/harness/janus-view';
import type { Page } from 'playwright-core';
import { TestStack } from '../test/harness/stack';

const VIEWERS = Number(process.env.ONAIR_BENCH_STORM_VIEWERS ?? 200);
const SPREAD_MS = 2000;
const HOLD_MS = 5000;
const STEP_TIMEOUT_MS = 15000;

type Pc = InstanceType<typeof wrtc.RTCPeerConnection>;

interface Viewer {
  i: number;
  pc: Pc;
  offer: string;
  status?: number;
  error?: string;
  location?: string;
  /** Milliseconds from the POST (or raw attach) to each step. */
  answerMs?: number;
  iceMs?: number;
  dtlsMs?: number;
  firstRtpMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
};
const fmt = (xs: number[]) =>
  xs.length === 0 ? 'none' : `p50 ${pct(xs, 0.5).toFixed(0)} ms, p99 ${pct(xs, 0.99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (n=${xs.length})`;

/** What Janus is told: the peer's video m-line as H.264 (42e01f, packetization-mode 1) only, same payload type. */
function offerAsH264(sdp: string): string {
  return mapVideoSection(sdp, (lines) => {
    const m = lines[0].split(' ');
    const pt = m[3];
    const kept = lines.slice(1).filter((l) => !/^a=(rtpmap|fmtp|rtcp-fb):/.test(l));
    return [[...m.slice(0, 3), pt].join(' '), ...kept, `a=rtpmap:${pt} H264/90000`, `a=fmtp:${pt} level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f`];
  });
}

/** What the peer is told: Janus's H.264 answer as the VP8 it offered, without feedback. */
function answerAsOffered(sdp: string): string {
  return mapVideoSection(sdp, (lines) =>
    lines
      .filter((l) => !/^a=(fmtp|rtcp-fb):/.test(l))
      .map((l) => l.replace(/^a=rtpmap:(\d+) H264\/90000/i, 'a=rtpmap:$1 VP8/90000')),
  );
}

function mapVideoSection(sdp: string, f: (lines: string[]) => string[]): string {
  const sections = sdp.split(/\r\n(?=m=)/);
  return sections.map((s) => (s.startsWith('m=video') ? f(s.replace(/\r\n$/, '').split('\r\n')).join('\r\n') + (s.endsWith('\r\n') ? '\r\n' : '') : s)).join('\r\n');
}

/** A receive-only peer, ICE gathering complete (the offer carries its candidates). */
async function preparePeer(i: number): Promise<Viewer> {
  const pc = new wrtc.RTCPeerConnection({ bundlePolicy: 'max-bundle' });
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const gathered = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered;
  return { i, pc, offer: pc.localDescription!.sdp };
}

/** Resolves with ms since t0 when `done()` holds, checked on the events given and every `everyMs`. */
function whenState(pc: Pc, t0: number, done: () => boolean, failed: () => boolean, everyMs = 10): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => finish(new Error('timed out')), STEP_TIMEOUT_MS);
    const timer = setInterval(check, everyMs);
    function finish(err?: Error) {
      clearTimeout(deadline);
      clearInterval(timer);
      if (err) reject(err);
      else resolve(performance.now() - t0);
    }
    function check() {
      if (done()) finish();
      else if (failed()) finish(new Error(`${pc.iceConnectionState}/${pc.connectionState}`));
    }
    check();
  });
}

/** Time of the first video RTP packet the peer counted (inbound-rtp packetsReceived > 0). */
async function firstVideoPacket(pc: Pc, t0: number): Promise<number> {
  const deadline = performance.now() + STEP_TIMEOUT_MS;
  while (performance.now() < deadline) {
    let packets = 0;
    (await pc.getStats()).forEach((s: { type: string; kind?: string; mediaType?: string; packetsReceived?: number }) => {
      if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') packets += s.packetsReceived ?? 0;
    });
    if (packets > 0) return performance.now() - t0;
    await sleep(20);
  }
  throw new Error('no video packet');
}

/** After the answer: ICE connected, DTLS connected, first video packet (ms since t0). */
async function connect(v: Viewer, answerSdp: string, t0: number): Promise<void> {
  const pc = v.pc;
  const iceUp = () => pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed';
  const failed = () => pc.iceConnectionState === 'failed' || pc.connectionState === 'failed' || pc.connectionState === 'closed';
  const [ice, dtls] = [whenState(pc, t0, iceUp, failed), whenState(pc, t0, () => pc.connectionState === 'connected', failed)];
  dtls.catch(() => undefined); // reported through `ice` when both fail
  await pc.setRemoteDescription({ type: 'answer', sdp: answerAsOffered(answerSdp) });
  v.iceMs = await ice;
  v.dtlsMs = await dtls;
  v.firstRtpMs = await firstVideoPacket(pc, t0);
}

/** POST over HTTP/1.1 from a chosen local address (each viewer its own client address). */
function post(url: string, body: string, localAddress: string): Promise<{ status: number; location?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'Content-Type': 'application/sdp', 'Content-Length': Buffer.byteLength(body) }, timeout: STEP_TIMEOUT_MS }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, text }));
    });
    req.on('timeout', () => req.destroy(new Error('POST timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

function del(url: string, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'DELETE', localAddress, timeout: STEP_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * An OBS-shaped publisher (H.264 42e01f packetization-mode 1 + Opus, one POST after
 * gathering) whose video is a 1280x720 canvas of changing noise at 15 fps: a fake camera's
 * test pattern compresses to ~0.5 Mbps, noise makes the encoder spend the ~2.5 Mbps it is
 * allowed (maintain-resolution keeps 720p; a keyframe every 2 s). 15 fps: the same bitrate
 * for half the publisher's CPU, which the 2-core machine needs for Janus and the viewers.
 */
function publishNoise(page: Page, whipUrl: string, streamKey: string): Promise<{ status: number; location?: string; body?: string }> {
  return page.evaluate(
    async ({ whipUrl, streamKey }) => {
      const canvas = document.createElement('canvas');
      canvas.width = 1280;
      canvas.height = 720;
      const ctx = canvas.getContext('2d')!;
      const frames = Array.from({ length: 6 }, () => {
        const img = ctx.createImageData(1280, 720);
        const words = new Uint32Array(img.data.buffer);
        for (let i = 0; i < words.length; i++) words[i] = (Math.random() * 0xffffffff) | 0xff000000;
        return img;
      });
      let n = 0;
      const draw = setInterval(() => ctx.putImageData(frames[n++ % frames.length], (n % 7) * 3, (n % 5) * 3), 66);
      const audio = new AudioContext();
      const osc = audio.createOscillator();
      const dest = audio.createMediaStreamDestination();
      osc.connect(dest);
      osc.start();
      const stream = new MediaStream([...canvas.captureStream(15).getVideoTracks(), ...dest.stream.getAudioTracks()]);
      const pc = new RTCPeerConnection();
      const a = pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
      const v = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream], sendEncodings: [{ maxBitrate: 2_500_000 }] });
      const h264 = (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter(
        (c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '') && /profile-level-id=42e01f/.test(c.sdpFmtpLine ?? ''),
      );
      v.setCodecPreferences(h264.slice(0, 1));
      a.setCodecPreferences((RTCRtpSender.getCapabilities('audio')?.codecs ?? []).filter((c) => c.mimeType === 'audio/opus'));
      const p0 = v.sender.getParameters();
      p0.degradationPreference = 'maintain-resolution';
      await v.sender.setParameters(p0);
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
        setTimeout(resolve, 3000);
      });
      const res = await fetch(whipUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${streamKey}` }, body: pc.localDescription!.sdp });
      const body = await res.text();
      if (res.status !== 201) {
        clearInterval(draw);
        return { status: res.status, body };
      }
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      (window as unknown as { __publisher: RTCPeerConnection }).__publisher = pc;
      // A keyframe every 2 s (bounded: 10 minutes).
      let k = 0;
      const keyframes = setInterval(() => {
        if (++k > 300 || pc.connectionState === 'closed') return clearInterval(keyframes);
        const p = v.sender.getParameters();
        void (v.sender.setParameters as (p: RTCRtpSendParameters, o: unknown) => Promise<void>)(p, { encodingOptions: p.encodings.map(() => ({ keyFrame: true })) });
      }, 2000);
      setTimeout(() => clearInterval(draw), 600_000);
      return { status: 201, location: new URL(res.headers.get('Location')!, whipUrl).toString() };
    },
    { whipUrl, streamKey },
  );
}

/** 127.0.1.1, 127.0.1.2, ...: a different client address per viewer (all on lo). */
const sourceAddress = (i: number) => `127.0.${1 + Math.floor(i / 254)}.${1 + (i % 254)}`;

describe('viewer storm', () => {
  it(`${VIEWERS} WebRTC viewers join within ${SPREAD_MS / 1000} s from ${VIEWERS} addresses`, async () => {
    // The load average says how much else ran on the machine (figures from a busy machine are worse).
    const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`[bench] machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average ${load()} before`);
    const stack = new TestStack(19680, 19788, {
      ONAIR_RATE_LIMIT_BURST: '100000',
      ONAIR_RATE_LIMIT_PER_S: '100000',
      ONAIR_SECRET: randomBytes(32).toString('hex'),
      ONAIR_LOG_LEVEL: 'log', // the API's log is kept in a file after the run
      // The keyframe cache sends each new viewer the buffered GOP in one burst: compare with 0.
      // Janus's static event loops (0: a thread per handle): compare with 2.
      ...(process.env.ONAIR_BENCH_JANUS_EVENT_LOOPS ? { JANUS_EVENT_LOOPS: process.env.ONAIR_BENCH_JANUS_EVENT_LOOPS } : {}),
      ...(process.env.ONAIR_BENCH_KEYFRAME_BUFFER_MS ? { ONAIR_KEYFRAME_BUFFER_MS: process.env.ONAIR_BENCH_KEYFRAME_BUFFER_MS } : {}),
    });
    console.log(`[bench] keyframe cache: ${stack.config.media.keyframeBufferMs} ms; Janus event loops: ${stack.config.janus.eventLoops || 'one per handle'}`);
    const api = new ApiProcess(stack.env);
    const prisma = new PrismaService(stack.config);
    const browser = await launchChromium();
    let view: JanusView | undefined;
    const viewers: Viewer[] = [];
    try {
      await stack.janus.start();
      await api.start();
      view = await JanusView.open(stack.config);
      const channels = new ChannelRepository(prisma);
      const slug = `storm-${randomBytes(3).toString('hex')}`;
      const channel = (await channels.create({ slug, title: 'Storm', visibility: 'public' }))!;
      const { key } = await new StreamKeyService(new StreamKeyRepository(prisma)).mint(channel.id, 'bench');

      const page = await browser.newPage();
      await page.goto(`${api.url}/health`);
      const published = await publishNoise(page, `${api.url}/whip`, key);
      if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.body}`);
      const sent = () =>
        page.evaluate(async () => {
          const pc = (window as unknown as { __publisher: RTCPeerConnection }).__publisher;
          let bytes = 0;
          let width = 0;
          (await pc.getStats()).forEach((s) => {
            if (s.type === 'outbound-rtp' && s.kind === 'video') {
              bytes += s.bytesSent ?? 0;
              width = Math.max(width, s.frameWidth ?? 0);
            }
          });
          return { bytes, width, at: performance.now() };
        });
      let rate = { kbps: 0, width: 0 };
      for (const deadline = Date.now() + 45000; Date.now() < deadline && rate.kbps < 2300; ) {
        const a = await sent();
        await sleep(2000);
        const b = await sent();
        rate = { kbps: ((b.bytes - a.bytes) * 8) / (b.at - a.at), width: b.width };
      }
      console.log(`[bench] stream: H.264 ${rate.width} px wide at 15 fps, ${(rate.kbps / 1000).toFixed(2)} Mbps video from the publisher`);

      const janusPid = stack.janus.pid!;
      const apiPid = api.pid!;
      const [apiSession] = await view.otherSessions();
      const idle0 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      await sleep(HOLD_MS);
      const idle1 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };

      // Offers first (ICE gathering is the client's own time), then the storm.
      for (let i = 0; i < VIEWERS; i += 25) {
        viewers.push(...(await Promise.all(Array.from({ length: Math.min(25, VIEWERS - i) }, (_, k) => preparePeer(i + k)))));
      }
      const whep = `${api.url}/whep/${slug}`;
      const storm0 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      const start = performance.now();
      await Promise.all(
        viewers.map(async (v) => {
          await sleep(start + (v.i * SPREAD_MS) / VIEWERS - performance.now());
          const t0 = performance.now();
          try {
            const res = await post(whep, offerAsH264(v.offer), sourceAddress(v.i));
            v.status = res.status;
            if (res.status !== 201) throw new Error(res.text.slice(0, 200));
            v.answerMs = performance.now() - t0;
            v.location = new URL(res.location!, whep).toString();
            await connect(v, res.text, t0);
          } catch (err) {
            v.error = (err as Error).message;
          }
        }),
      );
      const storm1 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      const joined = viewers.filter((v) => v.firstRtpMs !== undefined);
      // janode drops a connection whose ping goes 5 s unanswered, and this process (200 peers)
      // can stall that long: look at Janus through a new connection after each storm.
      const reopen = async () => {
        await view?.close().catch(() => undefined);
        view = await JanusView.open(stack.config);
        return view;
      };
      const mountpointViewers = await (await reopen()).mountpointViewers(channel.id);
      await sleep(HOLD_MS);
      const held = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      let stillReceiving = 0;
      for (const v of joined) {
        if (v.pc.connectionState === 'connected') stillReceiving++;
      }

      const beforeDelete = { mountpoint: await (await reopen()).mountpointViewers(channel.id), connected: joined.filter((v) => v.pc.connectionState === 'connected').length };
      // Every viewer leaves with a DELETE; Janus must hold nothing of theirs after.
      const deletes = await Promise.all(viewers.filter((v) => v.location).map((v) => del(v.location!, sourceAddress(v.i))));
      for (const v of viewers) v.pc.close();
      await sleep(1000);
      const handlesLeft = apiSession ? (await view.otherSessions()).find((s) => s.id === apiSession.id)!.handles - apiSession.handles : NaN;
      const viewersLeft = await view.mountpointViewers(channel.id);

      // The floor: the same storm (same count, same spread, same offers) straight to Janus
      // through janode on the same mountpoint, no API: what Janus itself gives on this machine.
      const raw: Viewer[] = [];
      for (let i = 0; i < VIEWERS; i += 25) {
        raw.push(...(await Promise.all(Array.from({ length: Math.min(25, VIEWERS - i) }, (_, k) => preparePeer(VIEWERS + i + k)))));
      }
      const rawHandles: StreamingHandle[] = [];
      const rawView = await reopen();
      const raw0 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      const rawStart = performance.now();
      await Promise.all(
        raw.map(async (v, k) => {
          await sleep(rawStart + (k * SPREAD_MS) / VIEWERS - performance.now());
          const t0 = performance.now();
          try {
            const handle = await rawView.session.attach<StreamingHandle>(StreamingPlugin);
            rawHandles.push(handle);
            const res = await handle.watch({ id: channel.id, jsep: { type: 'offer', sdp: offerAsH264(v.offer) } });
            v.answerMs = performance.now() - t0;
            await connect(v, res.jsep!.sdp, t0);
          } catch (err) {
            v.error = (err as Error).message;
          }
        }),
      );
      const raw1 = { janus: cpuSeconds(janusPid), api: cpuSeconds(apiPid), viewers: cpuSeconds(process.pid), at: performance.now() };
      await Promise.all(rawHandles.map((h) => h.detach().catch(() => undefined)));
      for (const v of raw) v.pc.close();

      const count = (xs: (number | undefined)[]) => xs.reduce<Record<string, number>>((m, x) => ((m[String(x ?? 'none')] = (m[String(x ?? 'none')] ?? 0) + 1), m), {});
      const statuses = count(viewers.map((v) => v.status));
      const errors = [...new Set(viewers.filter((v) => v.error).map((v) => v.error))].slice(0, 3);
      const per = (a: { janus: number; api: number; viewers: number; at: number }, b: { janus: number; api: number; viewers: number; at: number }, n: number) => ({
        viewersPct: ((b.viewers - a.viewers) / ((b.at - a.at) / 1000)) * 100,
        janusPct: ((b.janus - a.janus) / ((b.at - a.at) / 1000)) * 100,
        apiPct: ((b.api - a.api) / ((b.at - a.at) / 1000)) * 100,
        janusMsPer: ((b.janus - a.janus) * 1000) / n,
        apiMsPer: ((b.api - a.api) * 1000) / n,
      });
      const idle = per(idle0, idle1, 1);
      // Join cost: the storm window's CPU beyond what the idle stream costs, per viewer.
      const stormS = (storm1.at - storm0.at) / 1000;
      const join = {
        viewersPct: per(storm0, storm1, 1).viewersPct,
        janusMsPer: ((storm1.janus - storm0.janus - (idle.janusPct / 100) * stormS) * 1000) / Math.max(1, joined.length),
        apiMsPer: ((storm1.api - storm0.api - (idle.apiPct / 100) * stormS) * 1000) / Math.max(1, joined.length),
      };
      const steady = per(storm1, held, 1);
      const n = Math.max(1, stillReceiving);
      console.log(`[bench] viewer storm: ${VIEWERS} viewers POSTed within ${SPREAD_MS} ms from ${VIEWERS} source addresses (127.0.1.x); statuses ${JSON.stringify(statuses)}; ${joined.length} got video, Janus counted ${mountpointViewers} on the mountpoint${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`);
      console.log(`[bench]   POST -> 201: ${fmt(joined.map((v) => v.answerMs!))}`);
      console.log(`[bench]   POST -> ICE connected: ${fmt(joined.map((v) => v.iceMs!))}`);
      console.log(`[bench]   POST -> DTLS connected: ${fmt(joined.map((v) => v.dtlsMs!))}`);
      console.log(`[bench]   POST -> first video RTP packet: ${fmt(joined.map((v) => v.firstRtpMs!))} (stats polled every 20 ms)`);
      console.log(`[bench]   storm window (${stormS.toFixed(1)} s: joins, plus streaming to those already joined; idle subtracted): Janus ${join.janusMsPer.toFixed(1)} ms CPU per viewer, API ${join.apiMsPer.toFixed(1)} ms CPU per viewer`);
      console.log(
        `[bench]   watching (${stillReceiving} viewers, ${HOLD_MS / 1000} s): Janus ${steady.janusPct.toFixed(0)}% of a core (${((steady.janusPct - idle.janusPct) / n).toFixed(2)}% per viewer over the idle ${idle.janusPct.toFixed(1)}%), API ${steady.apiPct.toFixed(1)}% (${((steady.apiPct - idle.apiPct) / n).toFixed(3)}% per viewer over the idle ${idle.apiPct.toFixed(1)}%); the Node viewers themselves ${steady.viewersPct.toFixed(0)}% (storm window ${join.viewersPct.toFixed(0)}%)`,
      );
      const rawOk = raw.filter((v) => v.firstRtpMs !== undefined);
      const rawS = (raw1.at - raw0.at) / 1000;
      const rawJanusMsPer = ((raw1.janus - raw0.janus - (idle.janusPct / 100) * rawS) * 1000) / Math.max(1, rawOk.length);
      console.log(`[bench]   raw janode floor, the same storm (${VIEWERS} attach+watch within ${SPREAD_MS} ms on one janode session, same mountpoint, no API): ${rawOk.length} got video`);
      console.log(`[bench]     attach+watch ${fmt(rawOk.map((v) => v.answerMs!))}; ICE ${fmt(rawOk.map((v) => v.iceMs!))}; first video RTP ${fmt(rawOk.map((v) => v.firstRtpMs!))}; Janus ${rawJanusMsPer.toFixed(1)} ms CPU per viewer`);
      console.log(`[bench]   after ${deletes.length} DELETEs (statuses ${JSON.stringify(count(deletes))}; 0 = no answer): ${handlesLeft} viewer handles left in Janus, ${viewersLeft} viewers on the mountpoint; load average ${load()} after`);
      // Speed is only printed; a leak fails the run (fewer handles: the publisher's went with a broadcast Janus ended).
      expect(handlesLeft <= 0).toBe(true);
      expect(viewersLeft).toBe(0);
      if (stack.janus.ended) console.log(`[bench]   JANUS ENDED during the run: ${stack.janus.ended}`);
      console.log(`[bench]   before the DELETEs: ${beforeDelete.mountpoint} viewers on the mountpoint, ${beforeDelete.connected} peers connected`);
      const warnings = api.log.filter((l) => /WARN|ERROR/.test(l));
      if (warnings.length > 0) console.log(`[bench]   API warnings (${warnings.length}, last 8):\n${warnings.slice(-8).join('\n')}`);
      await fetch(published.location!, { method: 'DELETE' });
    } finally {
      // Both logs stay behind for a look at what the storm did (Janus's stdout, the API's log),
      // in test-output/ (the run's temporary folder is removed when the bench ends).
      const logs = join(REPO_ROOT, 'test-output/bench');
      mkdirSync(logs, { recursive: true });
      for (const [name, lines] of [['janus', stack.janus.recentLog(400)], ['api', api.log]] as const) {
        const file = join(logs, `viewer-storm-${name}.log`);
        writeFileSync(file, lines.join('\n') + '\n');
        console.log(`[bench]   ${name} log: ${file}`);
      }
      for (const v of viewers) v.pc.close();
      await view?.close();
      await browser.close();
      await api.stop();
      await stack.janus.stop();
      await prisma.$disconnect();
    }
  }, 600_000); // the root config's 120 s testTimeout applies here, not the bench project's
});
