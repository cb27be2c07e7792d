import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseLinks } from '@onair/protocol';

export const TEST_ICE_IP = process.env.ONAIR_TEST_ICE_IP ?? '127.0.0.2';

/**
 * onair settings for an embedded TURN server in the test namespace: coturn on the namespace's
 * address, relaying to Janus there only, with its own relay ports and data directory (under
 * the run's temporary folder) so two stacks of one run don't collide.
 */
export function embeddedTurnEnv(opts: { port?: number; relayPorts: string; secret?: string }): Record<string, string> {
  return {
    ONAIR_TURN_SERVER: 'embedded',
    ONAIR_TURN_SECRET: opts.secret ?? randomBytes(32).toString('hex'),
    ONAIR_TURN_HOST: TEST_ICE_IP,
    ONAIR_TURN_LISTEN_IP: TEST_ICE_IP,
    ONAIR_TURN_PEER_IPS: TEST_ICE_IP,
    ONAIR_TURN_PORT: String(opts.port ?? 3478),
    ONAIR_TURN_RELAY_PORTS: opts.relayPorts,
    ONAIR_HOME: mkdtempSync(join(tmpdir(), 'onair-home-')),
  };
}

/**
 * The TURN servers a WHEP endpoint hands out on OPTIONS (RFC 9725 §4.4), read with onair's
 * Link parser, keeping the `turn:` URI of one transport.
 */
export async function discoverTurn(whepUrl: string, transport: 'udp' | 'tcp'): Promise<RTCIceServer[]> {
  const res = await fetch(whepUrl, { method: 'OPTIONS' });
  return parseLinks(res.headers.get('link') ?? '')
    .filter((l) => l.rel === 'ice-server' && l.uri.startsWith('turn:') && l.uri.endsWith(`transport=${transport}`))
    .map((l) => ({ urls: l.uri, username: String(l.params?.username), credential: String(l.params?.credential) }));
}
