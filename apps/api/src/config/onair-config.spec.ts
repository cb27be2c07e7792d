import { ConfigError, loadConfig } from './onair-config';

const base = { DATABASE_URL: 'postgresql://onair@127.0.0.1:5433/onair' };

describe('loadConfig', () => {
  it('applies defaults for a minimal environment', () => {
    const c = loadConfig(base);
    expect(c.http).toEqual({ host: '0.0.0.0', port: 8080, corsOrigins: '*', trustProxy: false });
    expect(c.ice.turn).toBeUndefined();
    expect(c.ice.iceTcp).toBe(false);
    expect(c.rateLimit).toEqual({ burst: 60, perSecond: 10, authFailuresPerMinute: 10 });
    expect(c.janus.wsUrl).toBe('ws://127.0.0.1:8188');
    expect(c.ice.rtpPortRange).toEqual([20000, 40000]);
    expect(c.media.keyframeBufferMs).toBe(10000);
    expect(c.media.viewerProfileWaitMs).toBe(2000);
    expect(c.nodeId).toBe('ws://127.0.0.1:8188');
    expect(c.quotas).toEqual({ channelsPerAccount: 20, keysPerChannel: 10, sessionsPerAccount: 10, liveBroadcastsPerAccount: 2 });
    // Loopback and link-local (the metadata service) are denied; the LAN is not.
    expect(c.ice.remoteCandidates.deny.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(expect.arrayContaining(['127.0.0.0/8', '169.254.0.0/16', 'fe80::/10']));
    expect(c.ice.remoteCandidates.deny.map(([a]) => a.toString())).not.toContain('192.168.0.0');
    expect(c.ice.remoteCandidates.allow).toEqual([]);
  });

  it('reads a deny list and its exceptions', () => {
    const c = loadConfig({ ...base, ONAIR_ICE_DENY_CIDRS: '10.0.0.0/8,fc00::/7', ONAIR_ICE_ALLOW_CIDRS: '10.1.0.0/16' });
    expect(c.ice.remoteCandidates.deny.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.0.0.0/8', 'fc00::/7']);
    expect(c.ice.remoteCandidates.allow.map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.1.0.0/16']);
  });

  it.each([
    [{ ONAIR_API_PORT: '8081' }, (c: ReturnType<typeof loadConfig>) => c.http.port, 8081],
    [{ ONAIR_CORS_ORIGINS: 'https://a.example, https://b.example' }, (c: ReturnType<typeof loadConfig>) => c.http.corsOrigins, ['https://a.example', 'https://b.example']],
    [{ ONAIR_STUN_SERVER: 'stun.example.org:3478' }, (c: ReturnType<typeof loadConfig>) => c.ice.stunServer, { host: 'stun.example.org', port: 3478 }],
    [{ ONAIR_PUBLIC_IP: '203.0.113.7' }, (c: ReturnType<typeof loadConfig>) => c.ice.publicIp, '203.0.113.7'],
    [{ ONAIR_ICE_INTERFACE: ' eth0 ' }, (c: ReturnType<typeof loadConfig>) => c.ice.enforceInterface, 'eth0'],
    [{ ONAIR_ICE_INTERFACE: '' }, (c: ReturnType<typeof loadConfig>) => c.ice.enforceInterface, undefined],
    [{ ONAIR_MAX_LIVE_PER_ACCOUNT: '5' }, (c: ReturnType<typeof loadConfig>) => c.quotas.liveBroadcastsPerAccount, 5],
    [{ ONAIR_IPV6: 'yes' }, (c: ReturnType<typeof loadConfig>) => c.ice.ipv6, true],
    [{ ONAIR_RTP_PORT_RANGE: '30000-30100' }, (c: ReturnType<typeof loadConfig>) => c.ice.rtpPortRange, [30000, 30100]],
    [
      { ONAIR_TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349', ONAIR_TURN_SECRET: 's3cret' },
      (c: ReturnType<typeof loadConfig>) => c.ice.turn,
      { urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'], secret: 's3cret', ttlS: 86400 },
    ],
    [{ ONAIR_ICE_TCP: 'true' }, (c: ReturnType<typeof loadConfig>) => c.ice.iceTcp, true],
    // The embedded TURN server: its URIs follow from the host clients reach it at, TLS only with a certificate.
    [
      { ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_SECRET: 'x'.repeat(32), ONAIR_TURN_HOST: 'tv.example.org' },
      (c: ReturnType<typeof loadConfig>) => c.ice.turn?.urls,
      ['turn:tv.example.org:3478?transport=udp', 'turn:tv.example.org:3478?transport=tcp'],
    ],
    [
      { ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_SECRET: 'x'.repeat(32), ONAIR_PUBLIC_IP: '2001:db8::7', ONAIR_TURN_PORT: '3479', ONAIR_TURN_TLS_CERT: '/c.pem', ONAIR_TURN_TLS_KEY: '/k.pem' },
      (c: ReturnType<typeof loadConfig>) => c.ice.turn?.urls,
      ['turn:[2001:db8::7]:3479?transport=udp', 'turn:[2001:db8::7]:3479?transport=tcp', 'turns:[2001:db8::7]:5349?transport=tcp'],
    ],
    [
      { ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_SECRET: 'x'.repeat(32), ONAIR_TURN_HOST: '127.0.0.2', ONAIR_TURN_LISTEN_IP: '127.0.0.2', ONAIR_TURN_PEER_IPS: '127.0.0.2' },
      (c: ReturnType<typeof loadConfig>) => c.ice.turnServer,
      { binary: 'turnserver', secret: 'x'.repeat(32), listenIp: '127.0.0.2', externalIp: undefined, port: 3478, tlsPort: 5349, tls: undefined, relayPorts: [49152, 65535], peerIps: ['127.0.0.2'] },
    ],
    [{ ONAIR_HOME: '/srv/onair' }, (c: ReturnType<typeof loadConfig>) => c.home, '/srv/onair'],
    [{ ONAIR_TRUST_PROXY: 'loopback' }, (c: ReturnType<typeof loadConfig>) => c.http.trustProxy, 'loopback'],
    [{ ONAIR_RATE_LIMIT_BURST: '5', ONAIR_RATE_LIMIT_PER_S: '0.5' }, (c: ReturnType<typeof loadConfig>) => c.rateLimit.perSecond, 0.5],
  ])('reads %j', (env, pick, expected) => {
    expect(pick(loadConfig({ ...base, ...env }))).toEqual(expected);
  });

  it.each([
    [{ DATABASE_URL: undefined }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL: expected a postgresql:// URL'],
    [{ ONAIR_API_PORT: '70000' }, 'ONAIR_API_PORT'],
    [{ ONAIR_API_PORT: 'eighty' }, 'ONAIR_API_PORT'],
    [{ JANUS_WS_URL: 'http://127.0.0.1:8188' }, 'JANUS_WS_URL: expected a ws:// or wss:// URL'],
    [{ ONAIR_RTP_PORT_RANGE: '40000-20000' }, 'ONAIR_RTP_PORT_RANGE'],
    [{ ONAIR_RTP_PORT_RANGE: '100-200' }, 'ONAIR_RTP_PORT_RANGE'],
    [{ ONAIR_PUBLIC_IP: 'my-host' }, 'ONAIR_PUBLIC_IP: expected an IP address'],
    [{ ONAIR_STUN_SERVER: 'stun.example.org' }, 'ONAIR_STUN_SERVER: expected host:port'],
    [{ ONAIR_IPV6: 'maybe' }, 'ONAIR_IPV6'],
    [{ ONAIR_TURN_URLS: 'turn:turn.example.org:3478' }, 'ONAIR_TURN_SECRET: required when ONAIR_TURN_URLS is set'],
    [{ ONAIR_TURN_URLS: 'http://turn.example.org', ONAIR_TURN_SECRET: 'x' }, 'ONAIR_TURN_URLS: expected comma-separated turn:'],
    [{ ONAIR_TURN_TTL_S: '5' }, 'ONAIR_TURN_TTL_S'],
    [{ ONAIR_TURN_SERVER: 'coturn' }, 'ONAIR_TURN_SERVER: expected off or embedded'],
    [{ ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_HOST: 'tv.example.org' }, 'ONAIR_TURN_SECRET: required when ONAIR_TURN_URLS is set or ONAIR_TURN_SERVER=embedded'],
    [{ ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_HOST: 'tv.example.org', ONAIR_TURN_SECRET: 'short' }, 'ONAIR_TURN_SECRET: must be at least 32 characters'],
    [{ ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_SECRET: 'x'.repeat(32) }, 'ONAIR_TURN_HOST: required with ONAIR_TURN_SERVER=embedded'],
    [{ ONAIR_TURN_SERVER: 'embedded', ONAIR_TURN_SECRET: 'x'.repeat(32), ONAIR_TURN_HOST: 'h', ONAIR_TURN_TLS_CERT: '/c.pem' }, 'ONAIR_TURN_TLS_CERT: ONAIR_TURN_TLS_CERT and ONAIR_TURN_TLS_KEY go together'],
    [{ ONAIR_TURN_PEER_IPS: '10.0.0.1, janus.local' }, 'ONAIR_TURN_PEER_IPS: expected comma-separated IP addresses'],
    [{ ONAIR_TURN_LISTEN_IP: 'eth0' }, 'ONAIR_TURN_LISTEN_IP: expected an IP address'],
    [{ ONAIR_RATE_LIMIT_BURST: '0' }, 'ONAIR_RATE_LIMIT_BURST'],
    [{ ONAIR_TRUST_PROXY: 'everyone' }, 'ONAIR_TRUST_PROXY'],
    [{ ONAIR_ICE_TCP: 'true', ONAIR_PUBLIC_IP: '203.0.113.7' }, 'ONAIR_ICE_TCP: cannot be combined with ONAIR_PUBLIC_IP'],
    [{ ONAIR_ICE_DENY_CIDRS: '10.0.0.0/8, 10.0.0.0/40' }, 'ONAIR_ICE_DENY_CIDRS: "10.0.0.0/40" is not an IP address or CIDR range'],
    [{ ONAIR_ICE_ALLOW_CIDRS: 'lan' }, 'ONAIR_ICE_ALLOW_CIDRS'],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('config errors never quote secrets', () => {
  const message = (env: Record<string, string | undefined>) => {
    try {
      loadConfig({ ...base, ...env });
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    throw new Error('expected a ConfigError');
  };

  it.each([
    ['ONAIR_SECRET', 'short-but-secret-value'],
    ['ONAIR_GATEWAY_SECRET', 'short-gateway-secret'],
  ])('names %s without its value', (name, value) => {
    const text = message({ [name]: value });
    expect(text).toContain(name);
    expect(text).not.toContain(value);
    expect(text).toMatch(/value not shown: it is a secret/);
  });

  it('hides JANUS_*_SECRET and ONAIR_TURN_SECRET whatever the failing rule', () => {
    for (const name of ['JANUS_API_SECRET', 'JANUS_ADMIN_SECRET', 'ONAIR_TURN_SECRET']) {
      // Force a failure on the setting itself: a non-string value is refused by the schema.
      const text = message({ [name]: 42 as unknown as string });
      expect(text).toContain(name);
      expect(text).not.toContain('42');
    }
  });

  it.each([
    ['mysql://onair:hunter2-pass@db:3306/onair', 'mysql://onair:***@db:3306/onair'],
    ['postgres-ish://onair:p@ss/w?rd@db/onair', 'postgres-ish://onair:***@db/onair'],
    ['pg://db/onair?user=x&password=hunter2-pass', 'pg://db/onair?user=x&password=***'],
  ])('redacts the password of DATABASE_URL %j', (url, shown) => {
    const text = message({ DATABASE_URL: url });
    expect(text).toContain('DATABASE_URL');
    expect(text).not.toContain('hunter2');
    expect(text).toContain(JSON.stringify(shown));
  });

  it('never echoes a DATABASE_URL that is not a URL (it may hold a password anywhere)', () => {
    const text = message({ DATABASE_URL: 'not a url password=hunter2-pass' });
    expect(text).toContain('DATABASE_URL');
    expect(text).not.toContain('hunter2');
  });

  it('reads the gateway secret and the stream caps', () => {
    const c = loadConfig({ ...base, ONAIR_GATEWAY_SECRET: 'g'.repeat(32), ONAIR_STREAMS_PER_CLIENT: '3', ONAIR_WHEP_EVENT_STREAMS_PER_SESSION: '2' });
    expect(c.gateway.secret).toBe('g'.repeat(32));
    expect(c.limits).toEqual({ streamsPerClient: 3, streams: 2000, streamMaxAgeS: 3600, whepSessionsPerClient: 50, whepSessions: 1000, eventStreamsPerSession: 2 });
    expect(loadConfig(base).gateway.secret).toBeUndefined();
  });
});
