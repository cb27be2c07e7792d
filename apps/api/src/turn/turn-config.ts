import { isIP } from 'node:net';
import type { TurnServerConfig } from '../config/onair-config';

/** What the rendered file needs beyond onair's settings: whom coturn relays to and runs as. */
export interface TurnRuntime {
  /** The addresses coturn may relay to (Janus's): every other peer is refused. */
  peerIps: string[];
  /** Drop root to this user and group after binding (Debian's coturn package makes `turnserver`). */
  runAs?: { user: string; group: string };
}

const LOOPBACK = /^(127\.|::1$)/;

/**
 * coturn's turnserver.conf for onair's embedded TURN server. What it holds, and why:
 * - TURN REST credentials only (use-auth-secret + static-auth-secret, draft-uberti-behave-
 *   turn-rest): onair mints per-session usernames after the stream key or playback token was
 *   checked, so no password list lives here and a credential expires by itself.
 * - It relays only to Janus: every IPv4 and IPv6 peer is denied and Janus's addresses allowed
 *   again (coturn lets allowed-peer-ip override denied-peer-ip). A client holding a credential
 *   can reach nothing else through it: not the LAN, not the cloud metadata service, not
 *   services on the host's other addresses. Loopback peers only when a peer address is one (tests).
 * - No telnet CLI (its default has a fixed password), no TLS 1.0/1.1, no software name sent,
 *   quotas on allocations per user and in all.
 */
export function renderTurnConfig(server: TurnServerConfig, runtime: TurnRuntime): string {
  const lines = [
    '# Written by onair at start-up (ONAIR_TURN_SERVER=embedded): change onair\'s settings, not this file.',
    `listening-port=${server.port}`,
  ];
  if (server.listenIp) lines.push(`listening-ip=${server.listenIp}`, `relay-ip=${server.listenIp}`);
  if (server.externalIp) lines.push(`external-ip=${server.externalIp}${server.listenIp ? `/${server.listenIp}` : ''}`);
  if (server.tls) {
    lines.push(`tls-listening-port=${server.tlsPort}`, `cert=${server.tls.certFile}`, `pkey=${server.tls.keyFile}`, 'no-tlsv1', 'no-tlsv1_1');
  } else {
    lines.push('no-tls', 'no-dtls');
  }
  lines.push(
    `min-port=${server.relayPorts[0]}`,
    `max-port=${server.relayPorts[1]}`,
    'fingerprint',
    'use-auth-secret',
    `static-auth-secret=${server.secret}`,
    'realm=onair',
    'stale-nonce=600',
    'user-quota=12',
    'total-quota=1200',
    'no-cli',
    'no-software-attribute',
    'no-multicast-peers',
    'denied-peer-ip=0.0.0.0-255.255.255.255',
    'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
  );
  const peers = [...new Set(runtime.peerIps)];
  for (const ip of peers) {
    if (isIP(ip) === 0) throw new Error(`not an IP address: ${JSON.stringify(ip)}`);
    lines.push(`allowed-peer-ip=${ip}`);
  }
  if (peers.some((ip) => LOOPBACK.test(ip))) lines.push('allow-loopback-peers');
  lines.push('log-file=stdout', 'simple-log');
  if (runtime.runAs) lines.push(`proc-user=${runtime.runAs.user}`, `proc-group=${runtime.runAs.group}`);
  return lines.join('\n') + '\n';
}
