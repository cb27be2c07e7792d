/**
 * The embedded TURN server (ONAIR_TURN_SERVER=embedded): the API runs coturn (Debian's) and
 * supervises it. A Chromium player (glass-to-glass.ts) that may use relayed candidates only
 * (`iceTransportPolicy: 'relay'`), with the TURN credentials OPTIONS on the live channel's
 * WHEP endpoint hands out, plays through coturn, over UDP and over TCP; a wrong or expired
 * credential is refused by coturn (401); coturn killed with SIGKILL comes back by itself and
 * /health shows it; a coturn left running by an API killed with SIGKILL is ended by the next
 * API before it starts its own. Runs inside onair's test network namespace (npm test): coturn listens on
 * the namespace's 127.0.0.2 and may relay to Janus there only.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { turnRestCredential } from '../src/ice/ice-servers.service';
import { ApiProcess } from './harness/api-process';
import { launchChromium } from './harness/browser';
import { readClockFrames } from './harness/glass-to-glass';
import { publishObsShaped } from './harness/publisher';
import { TestStack } from './harness/stack';
import { discoverTurn, embeddedTurnEnv, TEST_ICE_IP as ICE_IP } from './harness/turn';
import { until } from './harness/until';

const SECRET = randomBytes(32).toString('hex');
const stack = new TestStack(19880, 19988, embeddedTurnEnv({ relayPorts: '41000-41999', secret: SECRET }));
let browser: Browser;
let publisher: Page;
let whepUrl: string;

/** Gathers relay candidates with the given credentials; returns the relay candidates and errors. */
function gatherWith(page: Page, server: RTCIceServer): Promise<{ relays: number; errors: number[] }> {
  return page.evaluate(async (server) => {
    const errors: number[] = [];
    const pc = new RTCPeerConnection({ iceServers: [server], iceTransportPolicy: 'relay' });
    pc.addEventListener('icecandidateerror', (e) => errors.push((e as RTCPeerConnectionIceErrorEvent).errorCode));
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && (clearTimeout(timer), resolve()));
    });
    const relays = (pc.localDescription!.sdp.match(/typ relay/g) ?? []).length;
    pc.close();
    return { relays, errors };
  }, server);
}

const health = async () => (await (await fetch(`${stack.apiUrl}/health`)).json()) as { status: string; helpers: { name: string; ok: boolean; state: string; pid?: number; restarts: number }[] };
const turnHealth = async () => (await health()).helpers.find((h) => h.name === 'turn');

beforeAll(async () => {
  await stack.start();
  browser = await launchChromium();
  const { channel, key } = await stack.createChannel('Turn test');
  publisher = await browser.newPage();
  await publisher.goto(`${stack.apiUrl}/health`);
  const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { source: 'clock' });
  if (published.status !== 201) throw new Error(`publish: ${published.status}`);
  whepUrl = `${stack.apiUrl}/whep/${channel.slug}`;
  await until('coturn up', turnHealth, (h) => h?.ok === true, 10000);
}, 60000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
});

describe('embedded TURN server', () => {
  it('T01 /health lists the TURN server, up, with its pid', async () => {
    const h = await health();
    expect(h.status).toBe('ok');
    expect(h.helpers).toEqual([expect.objectContaining({ name: 'turn', ok: true, restarts: 0, pid: expect.any(Number) })]);
  });

  it.each([
    ['T02', 'udp'],
    ['T03', 'tcp'],
  ] as const)('%s a relay-only player plays through coturn over %s', async (_id, transport) => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/health`);
    // Frames read back by their painted capture time: real, advancing pictures, not a black one.
    const out = await readClockFrames(page, whepUrl, { relayVia: await discoverTurn(whepUrl, transport), samples: 30, timeoutMs: 10000 });
    await page.close();
    expect(out.offeredTypes.length).toBeGreaterThan(0);
    expect(new Set(out.offeredTypes)).toEqual(new Set(['relay']));
    expect(out.status).toBe(201);
    expect(out.delaysMs.length).toBeGreaterThanOrEqual(30);
    expect(out).toMatchObject({ localType: 'relay', relayProtocol: transport });
  });

  it('T04 coturn refuses a wrong credential and an expired one (401), and takes a fresh one', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/health`);
    const urls = `turn:${ICE_IP}:3478?transport=udp`;
    const wrong = await gatherWith(page, { urls, ...turnRestCredential('not-the-secret-not-the-secret-00', 'intruder', Date.now() / 1000 + 3600) });
    const expired = await gatherWith(page, { urls, ...turnRestCredential(SECRET, 'late', Date.now() / 1000 - 60) });
    const fresh = await gatherWith(page, { urls, ...turnRestCredential(SECRET, 'viewer', Date.now() / 1000 + 3600) });
    await page.close();
    expect(wrong).toEqual({ relays: 0, errors: expect.arrayContaining([401]) });
    expect(expired).toEqual({ relays: 0, errors: expect.arrayContaining([401]) });
    expect(fresh.relays).toBeGreaterThan(0);
  });

  it('T05 coturn killed with SIGKILL is started again by the API and relays again', async () => {
    const before = await turnHealth();
    process.kill(before!.pid!, 'SIGKILL');
    const after = await until('coturn back', turnHealth, (h) => h?.ok === true && h.pid !== before!.pid && h.restarts === 1, 15000);
    expect(after).toMatchObject({ name: 'turn', restarts: 1 });
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/health`);
    const fresh = await until(
      'relay candidates from the new coturn',
      () => gatherWith(page, { urls: `turn:${ICE_IP}:3478?transport=udp`, ...turnRestCredential(SECRET, 'viewer', Date.now() / 1000 + 3600) }),
      (g) => g.relays > 0,
      15000,
    );
    await page.close();
    expect(fresh.relays).toBeGreaterThan(0);
  });
});

describe('embedded TURN server across an API crash', () => {
  // The API as its own process (built dist/main.js), so it can be SIGKILLed; this stack lends
  // its settings (the same ONAIR_HOME across both runs) and its Janus.
  const apart = new TestStack(20280, 20388, embeddedTurnEnv({ port: 3479, relayPorts: '43000-43999' }));
  const api = new ApiProcess(apart.env);
  const turnPid = async () => {
    const h = (await (await fetch(`${api.url}/health`)).json()) as { helpers: { name: string; ok: boolean; pid?: number }[] };
    return h.helpers.find((x) => x.name === 'turn' && x.ok)?.pid;
  };
  /** A live turnserver (a zombie waiting to be reaped has an empty command line). */
  const isTurnserver = (pid: number) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(apart.config.ice.turnServer!.binary);
    } catch {
      return false;
    }
  };

  beforeAll(async () => {
    await apart.janus.start();
    await api.start();
  });

  afterAll(async () => {
    await api.stop();
    await apart.janus.stop();
  });

  it('T06 the next API ends the coturn a SIGKILLed API left running, and runs its own', async () => {
    const first = await until('coturn up', turnPid, (pid) => typeof pid === 'number', 10000);
    await api.kill();
    // Nothing could stop it: the API died without a word. It is still there, unsupervised.
    expect(isTurnserver(first!)).toBe(true);
    await api.start();
    const second = await until('the new coturn up', turnPid, (pid) => typeof pid === 'number', 10000);
    expect(second).not.toBe(first);
    expect(isTurnserver(first!)).toBe(false);
    expect(isTurnserver(second!)).toBe(true);
  });
});

