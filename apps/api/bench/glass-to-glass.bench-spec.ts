/**
 * Glass-to-glass delay (`npm run bench -- bench/glass-to-glass.bench-spec.ts`): a Chromium
 * publisher paints its capture time into every frame as a barcode (publisher.ts, source
 * 'clock'), publishes it OBS-shaped, and players in the same Chromium read the time back from
 * each decoded frame: WebRTC direct, then WebRTC through onair's embedded TURN server (coturn,
 * relay-only, UDP and TCP), one after the other in one run on one stream. The direct figure is
 * the floor the relayed ones add to. HLS joins this table when onair serves HLS.
 * Prints figures only; runs in the test namespace like `npm test`.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { launchChromium } from '../test/harness/browser';
import { readClockFrames } from '../test/harness/glass-to-glass';
import { publishObsShaped } from '../test/harness/publisher';
import { TestStack } from '../test/harness/stack';
import { discoverTurn, embeddedTurnEnv } from '../test/harness/turn';

const SAMPLES = Number(process.env.ONAIR_BENCH_G2G_FRAMES ?? 300);

const pcts = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return s.length === 0 ? 'no frames read' : `p50 ${q(0.5).toFixed(0)} ms, p90 ${q(0.9).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms, max ${s[s.length - 1].toFixed(0)} ms (n=${s.length})`;
};

describe('glass-to-glass', () => {
  it(`WebRTC direct vs through TURN (UDP, TCP), ${SAMPLES} frames each`, async () => {
    const stack = new TestStack(20080, 20188, embeddedTurnEnv({ relayPorts: '42000-42999' }));
    await stack.start();
    const browser = await launchChromium();
    try {
      console.log(`[bench] machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
      const { channel, key } = await stack.createChannel('Glass');
      const publisher = await browser.newPage();
      await publisher.goto(`${stack.apiUrl}/health`);
      const published = await publishObsShaped(publisher, `${stack.apiUrl}/whip`, key, { source: 'clock', keyframeIntervalMs: 1000 });
      if (published.status !== 201) throw new Error(`publish: ${published.status} ${published.body}`);
      const whep = `${stack.apiUrl}/whep/${channel.slug}`;
      const player = await browser.newPage();
      await player.goto(`${stack.apiUrl}/health`);
      for (const [name, relay] of [['WebRTC direct', undefined], ['WebRTC through TURN/UDP', 'udp'], ['WebRTC through TURN/TCP', 'tcp']] as const) {
        const r = await readClockFrames(player, whep, { relayVia: relay && (await discoverTurn(whep, relay)), samples: SAMPLES, timeoutMs: 60_000 });
        if (r.status !== 201) throw new Error(`${name}: WHEP POST ${r.status}`);
        // The first frames carry the keyframe cache's catch-up: the steady state is what a viewer watches.
        const steady = r.delaysMs.slice(Math.min(30, Math.floor(r.delaysMs.length / 4)));
        console.log(`[bench] glass-to-glass, ${name} (${r.localType ?? '?'}${r.relayProtocol ? `/${r.relayProtocol}` : ''}): ${pcts(steady)}; unreadable frames ${r.unreadable}`);
      }
      console.log('[bench] targets on loopback: direct p99 <= 50 ms, through TURN p99 <= 80 ms');
    } finally {
      await browser.close();
      await stack.stop();
    }
  }, 300_000);
});
