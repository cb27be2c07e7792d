/**
 * The spine of onair end to end, with real parts: an OBS-shaped publisher (Chromium, fake
 * camera and mic) POSTs to /whip; the real /watch/<channel> page of the built web app
 * plays it over WHEP; DELETE ends it and nothing is left in Janus.
 * Runs inside onair's test network namespace (npm test).
 */
import { Browser, Page } from 'playwright-core';
import { launchChromium } from './harness/browser';
import { measureWhep, publishObsShaped } from './harness/publisher';
import { TestStack } from './harness/stack';
import { WebProcess } from './harness/web-process';

const API_PORT = 18080;
const JANUS_PORT = 18188;
const WEB_PORT = 13000;

const stack = new TestStack(API_PORT, JANUS_PORT);
const web = new WebProcess(WEB_PORT, stack.apiUrl, { ONAIR_GATEWAY_SECRET: stack.env.ONAIR_GATEWAY_SECRET });
let browser: Browser;

beforeAll(async () => {
  await stack.start();
  await web.start();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await web.stop();
  await stack.stop();
});

async function newPage(url: string): Promise<Page> {
  const page = await browser.newPage();
  // Record the page's PeerConnections so the test can read their stats (audio flow).
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const seen: RTCPeerConnection[] = [];
    (window as unknown as { __onairPeerConnections: RTCPeerConnection[] }).__onairPeerConnections = seen;
    const Recorded = function (this: unknown, config?: RTCConfiguration) {
      const pc = new Native(config);
      seen.push(pc);
      return pc;
    } as unknown as typeof RTCPeerConnection;
    Recorded.prototype = Native.prototype;
    Object.assign(Recorded, { generateCertificate: Native.generateCertificate });
    window.RTCPeerConnection = Recorded;
  });
  page.on('pageerror', (err) => console.warn(`[page error] ${err.message}`));
  await page.goto(url);
  return page;
}

async function videoStats(page: Page) {
  return page.evaluate(() => {
    const video = document.querySelector('[data-testid="video"]') as HTMLVideoElement | null;
    const q = video?.getVideoPlaybackQuality?.();
    return { width: video?.videoWidth ?? 0, frames: q?.totalVideoFrames ?? 0 };
  });
}

describe('OBS-shaped WHIP in, WHEP out to the watch page', () => {
  it('goes live, plays on /watch/<channel> with audio, and leaves nothing behind after DELETE', async () => {
    const { channel, key } = await stack.createChannel('Skeleton');
    const before = await stack.janusInventory();

    const watch = await newPage(`${web.url}/watch/${channel.slug}`);
    await watch.waitForSelector('[data-testid="player"][data-state="offline"]', { timeout: 15000 });
    expect(await watch.textContent('body')).toMatch(/offline/i);

    const publisher = await newPage(`${stack.apiUrl}/health`);
    const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key);
    expect(published).toMatchObject({ status: 201 });
    console.log(`[figures] WHIP POST -> 201: ${published.postMs!.toFixed(1)} ms`);

    // The watch page was retrying on 409 + Retry-After; it turns live by itself.
    await watch.waitForSelector('[data-testid="player"][data-state="live"]', { timeout: 20000 });
    await watch.waitForFunction(() => (document.querySelector('[data-testid="video"]') as HTMLVideoElement)?.videoWidth > 0, null, {
      timeout: 15000,
    });
    const first = await videoStats(watch);
    await watch.waitForTimeout(3000);
    const later = await videoStats(watch);
    expect(first.width).toBeGreaterThan(0);
    expect(later.frames).toBeGreaterThan(first.frames + 30);

    // Audio: the player's inbound audio RTP is flowing and being decoded.
    const audio = await watch.evaluate(async () => {
      const video = document.querySelector('[data-testid="video"]') as HTMLVideoElement;
      const stream = video.srcObject as MediaStream;
      return { tracks: stream.getAudioTracks().length };
    });
    expect(audio.tracks).toBe(1);
    const whepTiming = await measureWhep(await newPage(`${stack.apiUrl}/health`), `${stack.apiUrl}/whep/${channel.slug}`);
    expect(whepTiming.status).toBe(201);
    expect(whepTiming.firstFrameMs).toBeGreaterThan(0);
    console.log(`[figures] WHEP POST -> 201: ${whepTiming.postMs.toFixed(1)} ms; POST -> first decoded frame: ${whepTiming.firstFrameMs.toFixed(1)} ms`);

    const audioFlow = await pollAudio(watch);
    expect(audioFlow.after).toBeGreaterThan(audioFlow.before);

    const live = await stack.janusInventory();
    expect(live.rooms).toContain(channel.id);
    expect(live.mountpoints).toContain(channel.id);
    expect(live.forwarders[channel.id]).toBe(3); // audio + video to the mountpoint, video to onair's stream probe
    expect(live.peerHandles).toBe(before.peerHandles + 3); // publisher + watch page + measuring player

    // DELETE ends the broadcast: the watch page goes back to offline, Janus holds nothing.
    const del = await fetch(published.location!, { method: 'DELETE' });
    expect(del.status).toBe(200);
    await watch.waitForSelector('[data-testid="player"][data-state="offline"]', { timeout: 15000 });
    const after = await stack.janusInventory();
    expect(after.rooms).not.toContain(channel.id);
    expect(after.mountpoints).not.toContain(channel.id);
    expect(after.forwarders[channel.id]).toBeUndefined();
    expect(after.peerHandles).toBe(before.peerHandles);
    expect((await fetch(published.location!, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('health', () => {
  it('is 200 with both Janus and Postgres answering', async () => {
    const res = await fetch(`${stack.apiUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', janus: { ok: true }, database: { ok: true } });
  });
});

describe('WHIP and WHEP refuse what they must', () => {
  const offerLike = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

  it('answers a wrong stream key with 401 and WWW-Authenticate', async () => {
    const res = await fetch(`${stack.apiUrl}/whip`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: 'Bearer onair_not-a-key' },
      body: offerLike,
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await res.json()).detail).toMatch(/stream key is not valid/);
  });

  it('answers a missing stream key with 401', async () => {
    const res = await fetch(`${stack.apiUrl}/whip`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offerLike });
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/Authorization: Bearer/);
  });

  it('answers a non-SDP body with 415', async () => {
    const { key } = await stack.createChannel('Typed');
    const res = await fetch(`${stack.apiUrl}/whip`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await res.json()).detail).toMatch(/Content-Type: application\/sdp/);
  });

  it('answers WHEP for an unknown channel with 404', async () => {
    const res = await fetch(`${stack.apiUrl}/whep/no-such-channel-here`, { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: offerLike });
    expect(res.status).toBe(404);
  });

  it('answers WHEP on an offline channel with 409 and Retry-After', async () => {
    const { channel } = await stack.createChannel('Quiet');
    const page = await newPage(`${stack.apiUrl}/health`);
    const res = await measureWhep(page, `${stack.apiUrl}/whep/${channel.slug}`);
    expect(res.status).toBe(409);
    const raw = await fetch(`${stack.apiUrl}/whep/${channel.slug}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp' },
      body: await page.evaluate(async () => {
        const pc = new RTCPeerConnection();
        pc.addTransceiver('video', { direction: 'recvonly' });
        const o = await pc.createOffer();
        pc.close();
        return o.sdp!;
      }),
    });
    expect(raw.status).toBe(409);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('answers a second publisher on a live channel with 409 and keeps the first one live', async () => {
    const { channel, key } = await stack.createChannel('Busy');
    const first = await publishObsShaped(await newPage(`${stack.apiUrl}/health`), `${stack.apiUrl}/whip`, key);
    expect(first.status).toBe(201);
    const second = await publishObsShaped(await newPage(`${stack.apiUrl}/health`), `${stack.apiUrl}/whip`, key);
    expect(second.status).toBe(409);
    expect(JSON.parse(second.body!).detail).toMatch(/already live/);
    const status = await (await fetch(`${stack.apiUrl}/channels/${channel.slug}`)).json();
    expect(status.live).toBe(true);
    expect((await fetch(first.location!, { method: 'DELETE' })).status).toBe(200);
  });
});

async function pollAudio(page: Page): Promise<{ before: number; after: number }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __onairPeerConnections?: RTCPeerConnection[] }).__onairPeerConnections;
    const pc = pcs?.[pcs.length - 1];
    const measure = async () => {
      if (!pc) return 0;
      let samples = 0;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') samples = s.totalSamplesReceived ?? s.packetsReceived ?? 0;
      });
      return samples;
    };
    const before = await measure();
    await new Promise((r) => setTimeout(r, 1500));
    return { before, after: await measure() };
  });
}
