import type { TurnServerConfig } from '../config/onair-config';
import { renderTurnConfig } from './turn-config';

const server: TurnServerConfig = {
  binary: 'turnserver',
  secret: 's'.repeat(32),
  port: 3478,
  tlsPort: 5349,
  relayPorts: [49152, 65535],
  peerIps: [],
};
const runtime = { peerIps: ['203.0.113.7'] };
const lines = (text: string) => text.trim().split('\n');

describe('renderTurnConfig', () => {
  it('takes REST credentials only, and relays to Janus alone', () => {
    const conf = lines(renderTurnConfig(server, runtime));
    expect(conf).toEqual(
      expect.arrayContaining([
        'listening-port=3478',
        'use-auth-secret',
        `static-auth-secret=${'s'.repeat(32)}`,
        'no-cli',
        'no-tls',
        'no-dtls',
        'min-port=49152',
        'max-port=65535',
        'denied-peer-ip=0.0.0.0-255.255.255.255',
        'denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        'allowed-peer-ip=203.0.113.7',
        'log-file=stdout',
      ]),
    );
    // Never a loopback exception, nor a password list, unless asked.
    expect(conf).not.toContain('allow-loopback-peers');
    expect(conf.some((l) => l.startsWith('user=') || l.startsWith('lt-cred-mech'))).toBe(false);
    // Allowed after denied: coturn reads allowed-peer-ip as exceptions to the denied ranges.
    expect(conf.indexOf('allowed-peer-ip=203.0.113.7')).toBeGreaterThan(conf.indexOf('denied-peer-ip=0.0.0.0-255.255.255.255'));
  });

  it.each([
    ['a listen address, also the relay address', { listenIp: '10.0.0.5' }, ['listening-ip=10.0.0.5', 'relay-ip=10.0.0.5']],
    ['a public address behind a 1:1 NAT', { listenIp: '10.0.0.5', externalIp: '203.0.113.7' }, ['external-ip=203.0.113.7/10.0.0.5']],
    ['a public address alone', { externalIp: '203.0.113.7' }, ['external-ip=203.0.113.7']],
    [
      'TLS with a certificate',
      { tls: { certFile: '/etc/onair/turn.pem', keyFile: '/etc/onair/turn.key' } },
      ['tls-listening-port=5349', 'cert=/etc/onair/turn.pem', 'pkey=/etc/onair/turn.key', 'no-tlsv1', 'no-tlsv1_1'],
    ],
  ])('%s', (_name, extra, expected) => {
    const conf = lines(renderTurnConfig({ ...server, ...extra }, runtime));
    expect(conf).toEqual(expect.arrayContaining(expected));
    if ('tls' in extra) expect(conf).not.toContain('no-tls');
  });

  it('allows loopback peers only when a peer address is loopback (the test namespace)', () => {
    expect(lines(renderTurnConfig(server, { ...runtime, peerIps: ['127.0.0.2'] }))).toEqual(expect.arrayContaining(['allowed-peer-ip=127.0.0.2', 'allow-loopback-peers']));
  });

  it('drops root to the given user, and lists each peer once', () => {
    const conf = lines(renderTurnConfig(server, { ...runtime, peerIps: ['192.0.2.1', '192.0.2.1', '2001:db8::1'], runAs: { user: 'turnserver', group: 'turnserver' } }));
    expect(conf.filter((l) => l === 'allowed-peer-ip=192.0.2.1')).toHaveLength(1);
    expect(conf).toEqual(expect.arrayContaining(['allowed-peer-ip=2001:db8::1', 'proc-user=turnserver', 'proc-group=turnserver']));
  });

  it('refuses a peer that is not an address (it would end up as a config line)', () => {
    expect(() => renderTurnConfig(server, { ...runtime, peerIps: ['1.2.3.4\nallow-loopback-peers'] })).toThrow('not an IP address');
  });
});
