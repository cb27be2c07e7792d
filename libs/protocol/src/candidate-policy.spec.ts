import {
  candidateAddress,
  candidatePolicy,
  DEFAULT_CANDIDATE_DENY,
  isCandidateDenied,
  parseCidrList,
  withoutDeniedCandidates,
} from './candidate-policy';

const cand = (addr: string, rest = 'typ host') => `candidate:1 1 udp 2122260223 ${addr} 50000 ${rest}`;
const DEFAULT = candidatePolicy(DEFAULT_CANDIDATE_DENY);

describe('isCandidateDenied with the default deny list', () => {
  it.each<[string, string, boolean]>([
    ['loopback', '127.0.0.1', true],
    ['another loopback address', '127.0.0.2', true],
    ['the cloud metadata service (link-local)', '169.254.169.254', true],
    ['"this network"', '0.0.0.0', true],
    ['multicast', '239.255.255.250', true],
    ['broadcast', '255.255.255.255', true],
    ['IPv6 loopback', '::1', true],
    ['IPv6 unspecified', '::', true],
    ['IPv6 link-local', 'fe80::1c2a:3bff:fe4d:5e6f', true],
    ['IPv6 link-local with a zone', 'fe80::1%eth0', true],
    ['IPv6 multicast', 'ff02::1', true],
    ['IPv4-mapped loopback', '::ffff:127.0.0.1', true],
    ['IPv4-mapped metadata service', '::ffff:169.254.169.254', true],
    ['an mDNS name (Janus ignores them anyway)', '0b0ba5e4-5dbc-4c6f-9f1e-4ac6c53e0e3f.local', true],
    ['a host name', 'metadata.google.internal', true],
    ['a short IPv4 form ipaddr.js would read as loopback', '127.1', true],
    ['a hex IPv4 form', '0x7f000001', true],
    ['a public address', '203.0.113.7', false],
    ['a LAN address (private ranges stay allowed by default)', '192.168.1.20', false],
    ['a 10/8 address', '10.1.2.3', false],
    ['carrier-grade NAT', '100.64.0.1', false],
    ['a public IPv6 address', '2001:db8::7', false],
    ['a unique-local IPv6 address', 'fd12:3456::1', false],
  ])('%s (%s) → denied %s', (_name, addr, denied) => {
    expect(isCandidateDenied(cand(addr), DEFAULT)).toBe(denied);
  });

  it('reads the address of srflx/relay candidates, not their raddr', () => {
    expect(isCandidateDenied(cand('203.0.113.7', 'typ srflx raddr 127.0.0.1 rport 1'), DEFAULT)).toBe(false);
    expect(isCandidateDenied(cand('169.254.169.254', 'typ relay raddr 203.0.113.7 rport 1'), DEFAULT)).toBe(true);
  });

  it('denies a truncated candidate it cannot read', () => {
    expect(isCandidateDenied('candidate:1 1 udp 2122260223', DEFAULT)).toBe(true);
  });
});

describe('allow list exceptions and custom lists', () => {
  it.each<[string, string, string, string, boolean]>([
    ['a test network allowed inside loopback', DEFAULT_CANDIDATE_DENY, '127.0.0.2/32', '127.0.0.2', false],
    ['the rest of loopback stays denied', DEFAULT_CANDIDATE_DENY, '127.0.0.2/32', '127.0.0.1', true],
    ['a public server denying private ranges', `${DEFAULT_CANDIDATE_DENY},10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7`, '', '192.168.1.20', true],
    ['...and unique-local IPv6', `${DEFAULT_CANDIDATE_DENY},fc00::/7`, '', 'fd12:3456::1', true],
    ['an empty deny list lets everything through', '', '', '127.0.0.1', false],
    ['a bare address in the list', '198.51.100.9', '', '198.51.100.9', true],
    ['an IPv4-mapped CIDR in the list', '::ffff:198.51.100.0/120', '', '198.51.100.20', true],
  ])('%s', (_name, deny, allow, addr, denied) => {
    expect(isCandidateDenied(cand(addr), candidatePolicy(deny, allow))).toBe(denied);
  });
});

describe('parseCidrList', () => {
  it.each([['10.0.0.0/33'], ['not-an-ip'], ['10.0.0.0/8,, 300.1.1.1']])('refuses %s naming the entry', (text) => {
    expect(() => parseCidrList(text)).toThrow(/is not an IP address or CIDR range/);
  });

  it('reads spaces, empty entries and both families', () => {
    expect(parseCidrList(' 10.0.0.0/8 ,, fe80::/10 ').map(([a, bits]) => `${a.toString()}/${bits}`)).toEqual(['10.0.0.0/8', 'fe80::/10']);
  });
});

describe('candidateAddress', () => {
  it.each<[string, string | undefined]>([
    [cand('192.0.2.1'), '192.0.2.1'],
    [`a=${cand('192.0.2.1')}`, '192.0.2.1'],
    ['candidate:4 1 tcp 1518280447 2001:db8::1 9 typ host tcptype active', '2001:db8::1'],
    ['candidate:1 1 udp', undefined],
    ['not a candidate', undefined],
  ])('%s → %s', (line, addr) => {
    expect(candidateAddress(line)).toBe(addr);
  });
});

describe('withoutDeniedCandidates', () => {
  const sdp = [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111',
    'a=mid:0',
    `a=${cand('192.0.2.1')}`,
    `a=${cand('169.254.169.254')}`,
    `a=${cand('127.0.0.1')}`,
    'a=end-of-candidates',
    '',
  ].join('\r\n');

  it('drops the denied lines and keeps the rest byte for byte', () => {
    const out = withoutDeniedCandidates(sdp, DEFAULT);
    expect(out.dropped).toBe(2);
    expect(out.sdp).toBe(['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', `a=${cand('192.0.2.1')}`, 'a=end-of-candidates', ''].join('\r\n'));
  });

  it('returns the very same string when nothing is denied (LF endings kept)', () => {
    const lf = 'v=0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=candidate:1 1 udp 1 203.0.113.7 5 typ host\n';
    expect(withoutDeniedCandidates(lf, DEFAULT)).toEqual({ sdp: lf, dropped: 0 });
  });
});
