// Which remote ICE candidates a server may hand to its ICE agent.
//
// A remote candidate tells the media server where to send connectivity checks
// (STUN binding requests, RFC 8445 §7.2). A client can name any address there:
// loopback, link-local (169.254.169.254 is the cloud metadata service), the
// server's own LAN. Left alone, the server probes those addresses on the
// client's behalf. Candidates whose address falls in a deny list are dropped
// before they reach the ICE agent; a client that really is behind such an
// address still connects, because its own checks reach the server and are
// learned as peer-reflexive candidates (RFC 8445 §7.3.1.3).
//
// Address parsing and CIDR matching use ipaddr.js (the library Express's
// proxy-addr uses) rather than hand-written code.

import ipaddr from 'ipaddr.js';
import { splitLines, joinLines } from './lines';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

export interface CandidatePolicy {
  /** Candidates with an address in one of these ranges are dropped... */
  deny: readonly Range[];
  /** ...unless the address is also in one of these (exceptions, e.g. a test network). */
  allow: readonly Range[];
}

/**
 * The default deny list: addresses no client on the Internet or a LAN can be
 * reached at. "This network" (RFC 791), loopback, link-local (RFC 3927; it
 * holds 169.254.169.254, the metadata service of most clouds), multicast and
 * reserved IPv4 (incl. broadcast); IPv6 unspecified, loopback, link-local,
 * multicast. Private ranges (10/8, 172.16/12, 192.168/16, fc00::/7,
 * 100.64/10) are NOT in it, so LAN viewers keep working: a public server adds
 * them through its setting.
 */
export const DEFAULT_CANDIDATE_DENY = [
  '0.0.0.0/8',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  '::1/128',
  'fe80::/10',
  'ff00::/8',
].join(',');

/**
 * Parses a comma-separated list of CIDRs ("10.0.0.0/8, fe80::/10"); a bare
 * address means just that address. Throws an Error naming the bad entry.
 */
export function parseCidrList(text: string): Range[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      try {
        if (entry.includes('/')) return normalizeRange(ipaddr.parseCIDR(entry));
        const addr = toPlain(ipaddr.parse(entry));
        return [addr, addr.kind() === 'ipv4' ? 32 : 128] as Range;
      } catch {
        throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. 169.254.0.0/16, fe80::/10)`);
      }
    });
}

export function candidatePolicy(deny: string, allow = ''): CandidatePolicy {
  return { deny: parseCidrList(deny), allow: parseCidrList(allow) };
}

/** The connection-address field of an a=candidate value (RFC 8839 §5.1), or undefined. */
export function candidateAddress(candidate: string): string | undefined {
  const fields = candidate.replace(/^a=/, '').trim().split(/\s+/);
  return fields[0]?.startsWith('candidate:') && fields.length >= 8 ? fields[4] : undefined;
}

/**
 * Whether a candidate must not reach the ICE agent: its address is in the
 * deny list and not in the allow list. A candidate whose address is not an IP
 * literal (an mDNS ".local" name, any host name) is denied too: onair cannot
 * tell where it points, and Janus ignores mDNS names anyway (ignore_mdns).
 */
export function isCandidateDenied(candidate: string, policy: CandidatePolicy): boolean {
  const text = candidateAddress(candidate);
  // Only the plain forms an ICE agent reads (dotted quad, RFC 4291 text): ipaddr.js
  // also takes "127.1" or "0x7f000001", which Janus would not parse the same way.
  if (text === undefined || !(ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text))) return true;
  const addr = toPlain(ipaddr.parse(text));
  const within = (ranges: readonly Range[]) => ranges.some((r) => inRange(addr, r));
  return within(policy.deny) && !within(policy.allow);
}

/**
 * Removes every a=candidate line the policy denies from an SDP (offer or
 * fragment). Everything else is left byte for byte. Returns how many were dropped.
 */
export function withoutDeniedCandidates(sdp: string, policy: CandidatePolicy): { sdp: string; dropped: number } {
  const lines = splitLines(sdp);
  const kept = lines.filter((l) => !(l.text.startsWith('a=candidate:') && isCandidateDenied(l.text.slice(2), policy)));
  const dropped = lines.length - kept.length;
  return { sdp: dropped === 0 ? sdp : joinLines(kept), dropped };
}

function inRange(addr: Address, [base, bits]: Range): boolean {
  if (addr.kind() !== base.kind()) return false;
  return addr.kind() === 'ipv4'
    ? (addr as ipaddr.IPv4).match(base as ipaddr.IPv4, bits)
    : (addr as ipaddr.IPv6).match(base as ipaddr.IPv6, bits);
}

/** IPv4-mapped IPv6 (::ffff:127.0.0.1) is matched as the IPv4 address it carries. */
function toPlain(addr: Address): Address {
  return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() ? (addr as ipaddr.IPv6).toIPv4Address() : addr;
}

function normalizeRange([addr, bits]: Range): Range {
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [addr, bits];
}
