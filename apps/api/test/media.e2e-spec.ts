/**
 * Media end to end in the test namespace, with real Chromium peers on both sides:
 * a mid-GOP join against an encoder with a 4 s keyframe interval that ignores keyframe
 * requests (as OBS does), simulcast with three layers and layer switching, trickle and ICE
 * restart from a browser player, and a player that vanishes without DELETE.
 */
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { OBS_OFFER } from '@onair/protocol/testing';
import { Browser, Page } from 'playwright-core';
import { IGNORE_KEYFRAME_REQUESTS, launchChromium, launchKillableChromium } from './harness/browser';
import { JanusDirect } from './harness/janus-direct';
import { measureWhep, publishObsShaped } from './harness/publisher';
import { withIceCredentials, withoutCandidates } from './harness/sdp';
import { TestStack } from './harness/stack';
import { playerVideoStats, restartIceFromPage, startTricklePlayer } from './harness/trickle-player';
import { until } from './harness/until';

const KEYFRAME_INTERVAL_MS = 4000;
const stack = new TestStack(18480, 18588);
let obsLike: Browser;
let browser: Browser;

beforeAll(async () => {
  await stack.start();
  obsLike = await launchChromium([IGNORE_KEYFRAME_REQUESTS]);
  browser = await launchChromium();
});

afterAll(async () => {
  await obsLike?.close();
  await browser?.close();
  await stack.stop();
});

async function pageOn(b: Browser): Promise<Page> {
  const page = await b.newPage();
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`));
  // A secure-context page of our own origin: getUserMedia needs one.
  await page.goto(`${stack.apiUrl}/health`);
  return page;
}


describe('keyframe cache', () => {
  it('a viewer joining mid-GOP decodes its first frame well before the encoder\'s next keyframe', async () => {
    const { channel, key } = await stack.createChannel('Gop');
    const publisher = await pageOn(obsLike);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { keyframeIntervalMs: KEYFRAME_INTERVAL_MS });
    expect(published.status).toBe(201);
    // Let a few GOPs pass, then join 1 s after a forced keyframe: 3 s before the next one.
    const keyframes = () => publisher.evaluate(() => (window as unknown as { __keyframesAt: number[] }).__keyframesAt);
    let seen = (await until('two forced keyframes', keyframes, (k) => k.length >= 2, 15000)).length;
    // Join 1 s after a keyframe; on a busy machine the wake-up can be late, so a join that
    // would leave less than 2.5 s before the next keyframe waits for the one after.
    let last = 0;
    const viewer = await pageOn(browser);
    for (let attempt = 0; ; attempt++) {
      const now = await until('the next keyframe', keyframes, (k) => k.length > seen, 6000);
      last = now[now.length - 1];
      seen = now.length;
      await new Promise((r) => setTimeout(r, Math.max(0, last + 1000 - Date.now())));
      if (Date.now() - last <= KEYFRAME_INTERVAL_MS - 2500 || attempt === 3) break;
    }
    const joinedAt = Date.now();
    const watched = await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(watched.status).toBe(201);
    expect(watched.firstFrameMs).toBeGreaterThan(0);
    const nextKeyframe = last + KEYFRAME_INTERVAL_MS;
    console.log(
      `[figures] mid-GOP join ${joinedAt - last} ms after a keyframe: first frame ${watched.firstFrameMs.toFixed(0)} ms after POST, ` +
        `${nextKeyframe - watched.firstFrameAt} ms before the next keyframe`,
    );
    // Ordering, not speed: without the cache nothing decodes before the next keyframe.
    expect(watched.firstFrameAt).toBeLessThan(nextKeyframe - 1000);
    await viewer.close();
    await fetch(published.location!, { method: 'DELETE' });
    await publisher.close();
  });
});

describe('simulcast', () => {
  it('takes three layers from Chromium; a viewer starts on the full-size one and switches layers', async () => {
    const { channel, key } = await stack.createChannel('Layers');
    const publisher = await pageOn(browser);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { rids: ['0', '1', '2'], width: 1280, height: 720 });
    expect(published.status).toBe(201);
    const encoded = () =>
      publisher.evaluate(async () => {
        const layers: { rid: string; width: number; fps: number; plis: number; keyframes: number }[] = [];
        (await (window as unknown as { __publisher: RTCPeerConnection }).__publisher.getStats()).forEach((s) => {
          if (s.type === 'outbound-rtp' && s.kind === 'video' && s.framesEncoded > 0) {
            layers.push({ rid: s.rid, width: s.frameWidth, fps: s.framesPerSecond, plis: s.pliCount, keyframes: s.keyFramesEncoded });
          }
        });
        return layers.sort((a, b) => b.width - a.width);
      });
    const sent = (await until('three encoded layers', encoded, (l) => l.length === 3)).map((l) => l.width);
    expect(sent).toEqual([1280, 640, 320]);
    const viewer = await pageOn(browser);
    const started = await startTricklePlayer(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(started.status).toBe(201);
    const session = await viewer.evaluate(() => (window as unknown as { __tp: { url: string } }).__tp.url);
    await until('full-size frames', () => playerVideoStats(viewer), (s) => s.frameWidth === 1280 && s.framesDecoded > 10);

    // The WHEP layer extension, as a player uses it: pick an encoding by rid.
    const pick = (encodingId: string) =>
      fetch(`${session}/layer`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ encodingId }) });
    for (const [rid, width] of [['2', 320], ['1', 640], ['0', 1280]] as const) {
      const res = await pick(rid);
      expect(res.status).toBe(200);
      const before = (await playerVideoStats(viewer)).framesDecoded;
      const now = await until(`layer "${rid}" at ${width} px`, () => playerVideoStats(viewer), (s) => s.frameWidth === width && s.framesDecoded > before + 10).catch(
        async (err: Error) => {
          const janusSaid = stack.janus.recentLog(15, /PLI|keyframe|substream|imulcast/i);
          throw new Error(`${err.message}; the publisher encodes ${JSON.stringify(await encoded())}\n${janusSaid.join('\n')}`);
        },
      );
      expect(now.frameWidth).toBe(width);
    }
    await fetch(session, { method: 'DELETE' });
    await fetch(published.location!, { method: 'DELETE' });
    await viewer.close();
    await publisher.close();
  });
});

describe('trickle and ICE restart from browser clients', () => {
  it('a player trickles its candidates; a publisher restarts ICE and the viewer keeps decoding', async () => {
    const { channel, key } = await stack.createChannel('Restart');
    const publisher = await pageOn(browser);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key);
    expect(published.status).toBe(201);
    const viewer = await pageOn(browser);
    const started = await startTricklePlayer(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(started.status).toBe(201);
    const playing = await until('frames', () => playerVideoStats(viewer), (s) => s.framesDecoded > 10);
    const patches = await viewer.evaluate(() => (window as unknown as { __tp: { patches: number[] } }).__tp.patches);
    expect(patches.length).toBeGreaterThan(0);
    expect(patches.every((s) => s === 204)).toBe(true);

    const restarted = await restartIceFromPage(publisher);
    expect(restarted).toEqual({ status: 200, etagChanged: true, ufragChanged: true });
    const after = await until('frames after the restart', () => playerVideoStats(viewer), (s) => s.framesDecoded > playing.framesDecoded + 60);
    expect(after.iceState).toBe('connected');
    const publisherIce = await publisher.evaluate(() => (window as unknown as { __tp: { pc: RTCPeerConnection } }).__tp.pc.iceConnectionState);
    expect(publisherIce).toBe('connected');
    await viewer.close();
    await fetch(published.location!, { method: 'DELETE' });
    await publisher.close();
  });
});

describe('a player that vanishes', () => {
  it('is hung up and removed without a DELETE, leaving nothing in Janus', async () => {
    const { channel, key } = await stack.createChannel('Vanish');
    const publisher = await pageOn(browser);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key);
    expect(published.status).toBe(201);
    const before = await stack.janusInventory();
    const marker = `onair-doomed-${process.pid}-${Date.now()}`;
    const doomed = await launchChromium([`--${marker}`]);
    const viewer = await pageOn(doomed);
    const watched = await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(watched.firstFrameMs).toBeGreaterThan(0);
    expect((await stack.janusInventory()).peerHandles).toBe(before.peerHandles + 1);
    // Kill the browser process outright: no DELETE, no orderly close, nothing more on the wire.
    execFileSync('pkill', ['-KILL', '-f', marker]);
    await doomed.close().catch(() => undefined);
    const started = Date.now();
    await until('the viewer to be released', () => stack.janusInventory(), (inv) => inv.peerHandles === before.peerHandles, 45000);
    console.log(`[figures] vanished player released after ${Date.now() - started} ms`);
    const status = await (await fetch(`${stack.apiUrl}/channels/${channel.slug}`)).json();
    expect(status.viewers).toBe(0);
    await fetch(published.location!, { method: 'DELETE' });
    await publisher.close();
  });
});

/** An OBS-shaped publisher's offer, ICE gathering done, kept in the page until posted. */
async function prepareObsShapedOffer(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 360, frameRate: 30 } });
    const pc = new RTCPeerConnection();
    pc.addTransceiver(stream.getAudioTracks()[0], { direction: 'sendonly', streams: [stream] });
    const video = pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly', streams: [stream] });
    video.setCodecPreferences(
      (RTCRtpSender.getCapabilities('video')?.codecs ?? []).filter((c) => c.mimeType === 'video/H264' && /packetization-mode=1/.test(c.sdpFmtpLine ?? '')).slice(0, 1),
    );
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      setTimeout(resolve, 3000);
    });
    (window as unknown as { __prepared: RTCPeerConnection }).__prepared = pc;
  });
}

/** POSTs the prepared offer once; on 201 the page applies the answer and sends. */
function postPreparedOffer(page: Page, whipUrl: string, key: string): Promise<{ status: number; retryAfter: string | null; location?: string; timing?: string | null }> {
  return page.evaluate(
    async ({ whipUrl, key }) => {
      const pc = (window as unknown as { __prepared: RTCPeerConnection }).__prepared;
      const res = await fetch(whipUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` }, body: pc.localDescription!.sdp });
      const body = await res.text();
      if (res.status !== 201) return { status: res.status, retryAfter: res.headers.get('Retry-After') };
      await pc.setRemoteDescription({ type: 'answer', sdp: body });
      return { status: 201, retryAfter: null, location: new URL(res.headers.get('Location')!, whipUrl).toString(), timing: res.headers.get('Server-Timing') };
    },
    { whipUrl, key },
  );
}

describe('encoder takeover (a crashed encoder comes back)', () => {
  it('while the encoder sends, its key gets 409 + Retry-After; after kill -9 a re-POST with it is live again at once (figure printed; 6 s budget)', async () => {
    const { channel, key } = await stack.createChannel('Takeover');
    const whip = `${stack.apiUrl}/whip`;
    const encoder = await launchKillableChromium([IGNORE_KEYFRAME_REQUESTS]);
    // The killable browser is its own process group: a failed expectation must not leave it
    // running (and publishing) for the rest of the suite.
    try {
      const first = await publishObsShaped(await pageOn(encoder.browser), whip, key, { keyframeIntervalMs: 1000 });
      expect(first.status).toBe(201);
      const viewer = await pageOn(browser);
      expect((await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`)).firstFrameMs).toBeGreaterThan(0);
      await viewer.close();

      // The same key while the encoder is alive and sending: refused, with a time to come back.
      const busy = await fetch(whip, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` },
        body: withIceCredentials(withoutCandidates(OBS_OFFER), 'tk1', 'takeoverpasswordtakeover'),
      });
      expect(busy.status).toBe(409);
      expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);

      // The encoder's replacement gets its offer ready (media, ICE gathering) before the crash,
      // so what is measured below is onair's part: kill -> a POST that is accepted.
      const next = await pageOn(browser);
      await prepareObsShapedOffer(next);
      encoder.kill();
      const killedAt = Date.now();
      // Reconnect like an encoder: a fresh POST, again after a refusal (bounded: 15 s).
      const refusals: { status: number; retryAfter: string | null }[] = [];
      let again: Awaited<ReturnType<typeof postPreparedOffer>> | undefined;
      while (Date.now() - killedAt < 15000) {
        again = await postPreparedOffer(next, whip, key);
        if (again.status === 201) break;
        refusals.push(again);
        // Sooner than Retry-After (1 s) so the figure below isn't rounded to whole seconds.
        await new Promise((r) => setTimeout(r, 250));
      }
      const backMs = Date.now() - killedAt;
      console.log(`[figures] encoder kill -9 -> re-POST 201 after ${backMs} ms (${refusals.length} 409s before it, Retry-After ${refusals[0]?.retryAfter ?? '-'}; Server-Timing ${again?.timing})`);
      expect(again?.status).toBe(201);
      expect(refusals.every((r) => r.status === 409 && Number(r.retryAfter) > 0)).toBe(true);
      // The issue asks for "at once"; the budget leaves room for a busy CI machine, and the
      // figure above is printed either way.
      expect(backMs).toBeLessThan(6000);

      const watched = await measureWhep(await pageOn(browser), `${stack.apiUrl}/whep/${channel.slug}`);
      expect(watched.status).toBe(201);
      expect(watched.firstFrameMs).toBeGreaterThan(0);
      await fetch(again!.location!, { method: 'DELETE' });
      await next.close();
    } finally {
      encoder.kill();
    }
  });
});

describe('the mountpoint takes RTP from onair\'s forwarders only', () => {
  it('plain RTP a local user sends to the mountpoint\'s port never reaches a viewer', async () => {
    const { channel, key } = await stack.createChannel('Inject');
    // Live, but no media from the publisher: anything a viewer gets is injected.
    const published = await fetch(`${stack.apiUrl}/whip`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` },
      body: withIceCredentials(withoutCandidates(OBS_OFFER), 'inj1', 'injectpasswordinjectpass'),
    });
    expect(published.status).toBe(201);
    const janus = await JanusDirect.open(stack.config);
    const audio = (await janus.mountpointInfo(channel.id)).media.find((m: { type: string }) => m.type === 'audio');
    await janus.close();
    expect(audio.port).toBeGreaterThan(0);

    const viewer = await pageOn(browser);
    const connected = await viewer.evaluate(async (whepUrl) => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
      await pc.setLocalDescription(await pc.createOffer());
      const res = await fetch(whepUrl, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription!.sdp });
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      (window as unknown as { __pc: RTCPeerConnection }).__pc = pc;
      for (let i = 0; i < 100 && pc.connectionState !== 'connected'; i++) await new Promise((r) => setTimeout(r, 100));
      return pc.connectionState;
    }, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(connected).toBe('connected');

    // 100 Opus-shaped RTP packets over 1 s, as any local process could send them.
    const socket = createSocket('udp4');
    const ssrc = randomBytes(4).readUInt32BE();
    for (let seq = 0; seq < 100; seq++) {
      const header = Buffer.alloc(12);
      header[0] = 0x80;
      header[1] = 111;
      header.writeUInt16BE(seq, 2);
      header.writeUInt32BE(seq * 960, 4);
      header.writeUInt32BE(ssrc, 8);
      await new Promise<void>((resolve, reject) => socket.send(Buffer.concat([header, randomBytes(40)]), audio.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      await new Promise((r) => setTimeout(r, 10));
    }
    socket.close();
    await new Promise((r) => setTimeout(r, 500));
    const received = await viewer.evaluate(async () => {
      let packets = 0;
      (await (window as unknown as { __pc: RTCPeerConnection }).__pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived;
      });
      return packets;
    });
    expect(received).toBe(0);
    await viewer.close();
    await fetch(new URL(published.headers.get('location')!, stack.apiUrl), { method: 'DELETE' });
  });
});

describe('the H.264 profile viewers are told', () => {
  it('is the one in the SPS the publisher sends, not the one its offer claimed; the viewer decodes', async () => {
    const { channel, key } = await stack.createChannel('Profile');
    const publisher = await pageOn(obsLike);
    // OBS claims 42e01f while x264 sends High; here the claim is High (640032) while Chromium's
    // encoder (OpenH264) sends Constrained Baseline: either way the claim is not the stream.
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { claimProfileLevelId: '640032' });
    expect(published.status).toBe(201);
    const janus = await JanusDirect.open(stack.config);
    const mountpointVideo = (await janus.mountpointInfo(channel.id)).media.find((m: { type: string }) => m.type === 'video');
    await janus.close();
    expect(mountpointVideo.fmtp).toMatch(/profile-level-id=640032/); // what was negotiated

    // At once, as a viewer of a channel that has just gone live: the first SPS may not be in yet.
    const viewer = await pageOn(browser);
    const watched = await measureWhep(viewer, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(watched.status).toBe(201);
    const video = watched.answer.slice(watched.answer.indexOf('m=video'));
    const h264 = [...video.matchAll(/^a=rtpmap:(\d+) H264\/90000/gim)].map((m) => m[1]);
    expect(h264.length).toBeGreaterThan(0);
    const fmtps = h264.map((pt) => new RegExp(`^a=fmtp:${pt} (.*)$`, 'm').exec(video)?.[1] ?? '');
    for (const fmtp of fmtps) {
      expect(fmtp).toMatch(/packetization-mode=1/);
      // Constrained Baseline (42 with constraint_set1, e.g. 42c01f or 42e01f), any level.
      expect(/profile-level-id=([0-9a-f]{6})/i.exec(fmtp)?.[1]).toMatch(/^42[c-f]0[0-9a-f]{2}$/i);
    }
    expect(watched.firstFrameMs).toBeGreaterThan(0);
    console.log(`[figures] profile: offer claimed 640032, viewer told ${fmtps.map((f) => /profile-level-id=(\w+)/.exec(f)?.[1]).join(',')}; POST→201 ${watched.postMs.toFixed(0)} ms, first frame ${watched.firstFrameMs.toFixed(0)} ms`);
    await viewer.close();
    await publisher.close();
    await fetch(published.location!, { method: 'DELETE' });
  });
});
