// SDP inspection and the one munge the platform needs. Pure functions over
// strings; see lines.ts for why this does not go through sdp-transform.

import {
  attribute,
  Attribute,
  formatParameters,
  joinLines,
  Line,
  quoteLine,
  SDP_TOKEN,
  splitLines,
} from './lines';

/** Malformed or unacceptable SDP. The message is meant for the person who sent it. */
export class SdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdpError';
  }
}

export type MediaKind = 'audio' | 'video';
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
export type Role = 'publisher' | 'player';

export interface CodecInfo {
  pt: number;
  /** As written in a=rtpmap, e.g. 'H264', 'opus'. */
  name: string;
  clockRate: number;
  /** The rtpmap encoding parameters: for audio, the channel count. */
  channels?: number;
  /** The a=fmtp parameters of this payload type, verbatim. */
  fmtp?: string;
}

export interface MediaSection {
  mid: string;
  kind: MediaKind;
  port: number;
  direction: Direction;
  /** Media codecs in m= line order: rtx, red, ulpfec, flexfec, CN and telephone-event left out. */
  codecs: CodecInfo[];
  rids: { id: string; direction: 'send' | 'recv' }[];
  /** The a=simulcast value, e.g. 'send 0;1;2'. */
  simulcast?: string;
  /**
   * Set when the section carries a=bundle-only: its port 0 then means "use
   * the BUNDLE transport", not "disabled" (RFC 8843 §6).
   */
  bundleOnly?: true;
}

export interface SdpSummary {
  /** The audio and video m= sections, in order. Other media (application) are left out. */
  media: MediaSection[];
  /** Session-level a=ice-ufrag, else the first one found in an m= section. */
  iceUfrag?: string;
  icePwd?: string;
  hasCandidates: boolean;
}

// The RTP transports an audio or video m= section may name (RFC 9429 §5.8). Janus never
// answered a publisher whose video section named another (the request timed out).
const RTP_PROTOS: ReadonlySet<string> = new Set([
  'UDP/TLS/RTP/SAVPF', 'UDP/TLS/RTP/SAVP', 'TCP/DTLS/RTP/SAVPF', 'TCP/DTLS/RTP/SAVP', 'RTP/SAVPF', 'RTP/SAVP', 'RTP/AVPF', 'RTP/AVP',
]);

const DIRECTIONS: ReadonlySet<string> = new Set<Direction>(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

// Payload formats that ride along with a media codec rather than being one:
// retransmission (RFC 4588), redundancy (RFC 2198), FEC (RFC 5109, RFC 8627),
// comfort noise (RFC 3389) and DTMF events (RFC 4733). A section offering only
// these carries no decodable media.
const NOT_MEDIA_CODECS: ReadonlySet<string> = new Set(['rtx', 'red', 'ulpfec', 'cn', 'telephone-event']);

function isMediaCodec(name: string): boolean {
  const lower = name.toLowerCase();
  // Chromium names it "flexfec-03" (the draft it implements).
  return !NOT_MEDIA_CODECS.has(lower) && !lower.startsWith('flexfec');
}

// Static payload types (RFC 3551 §6, tables 4 and 5) may appear in an m= line
// without an a=rtpmap; a rejected section is typically answered as
// "m=audio 0 UDP/TLS/RTP/SAVPF 0". Entries: [name, clock rate, channels].
// G722 is listed at 8000 although it samples at 16 kHz: RFC 3551 §4.5.2 keeps
// the RTP clock at 8000 for historical reasons, and SDP follows it.
const STATIC_PAYLOAD_TYPES: Readonly<Record<number, readonly [string, number, number?]>> = {
  0: ['PCMU', 8000],
  3: ['GSM', 8000],
  4: ['G723', 8000],
  5: ['DVI4', 8000],
  6: ['DVI4', 16000],
  7: ['LPC', 8000],
  8: ['PCMA', 8000],
  9: ['G722', 8000],
  10: ['L16', 44100, 2],
  11: ['L16', 44100],
  12: ['QCELP', 8000],
  13: ['CN', 8000],
  14: ['MPA', 90000],
  15: ['G728', 8000],
  16: ['DVI4', 11025],
  17: ['DVI4', 22050],
  18: ['G729', 8000],
  25: ['CelB', 90000],
  26: ['JPEG', 90000],
  28: ['nv', 90000],
  31: ['H261', 90000],
  32: ['MPV', 90000],
  33: ['MP2T', 90000],
  34: ['H263', 90000],
};

// ---------------------------------------------------------------------------
// Reading

interface RawSection {
  /** 0-based position among all m= lines. */
  index: number;
  mLine: Line;
  media: string;
  port: number;
  /** The m= line up to and including the proto field, verbatim. */
  head: string;
  proto: string;
  fmts: string[];
  attrs: Attribute[];
}

interface RawSdp {
  lines: Line[];
  session: Attribute[];
  sections: RawSection[];
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 §5.14), where
// media and fmt are tokens and proto is token *("/" token) (§9): ASCII only. Fields
// are separated by exactly one space, so the line can be rebuilt from its parts.
const TOKEN = "[!#$%&'*+\\-.0-9A-Z^_`a-z{|}~]+";
const M_LINE = new RegExp(`^m=(${TOKEN}) ((\\d+)(?:/\\d+)?) (${TOKEN}(?:/${TOKEN})*)((?: ${TOKEN})*) *$`);

/**
 * Splits an SDP into session-level attributes and m= sections, checking only
 * the line syntax. `what` names the description in messages ("SDP offer").
 */
function read(sdp: string, what: string): RawSdp {
  // RFC 8866 §5: a session description starts with v=0. Checked before
  // anything else so that a JSON or form body gets a message that says so.
  if (!/^v=0(?:\r|\n|$)/.test(sdp)) {
    throw new SdpError('body is not an SDP session description (it must start with v=0)');
  }
  const lines = splitLines(sdp);
  const session: Attribute[] = [];
  const sections: RawSection[] = [];
  for (const line of lines) {
    // Tolerate blank lines (a trailing extra newline is common); RFC 8866 has
    // none, but nothing is lost by skipping them.
    if (line.text === '') continue;
    if (line.text.includes('\r')) {
      throw new SdpError(
        `${what} line ${line.no} contains a carriage return that is not followed by a line feed (lines must end with CRLF or LF)`,
      );
    }
    // RFC 8866 §9: no field may hold NUL. Janus's JSON parser (jansson) drops a whole
    // request whose strings contain one, so such an offer would only time out there.
    if (line.text.includes('\0')) throw new SdpError(`${what} line ${line.no} contains a NUL character: ${quoteLine(line.text)}`);
    if (!/^[a-z]=/.test(line.text)) {
      throw new SdpError(`${what} line ${line.no} is not of the form <letter>=<value>: ${quoteLine(line.text)}`);
    }
    if (line.text.startsWith('m=')) {
      const m = M_LINE.exec(line.text);
      if (m === null) {
        throw new SdpError(
          `${what} line ${line.no} is not a valid m= line (expected "m=<media> <port> <proto> <fmt> ..."): ${quoteLine(line.text)}`,
        );
      }
      const port = Number(m[3]);
      if (port > 65535) throw new SdpError(`${what} line ${line.no} has port ${m[3]}, which is not a UDP port`);
      sections.push({
        index: sections.length,
        mLine: line,
        media: m[1]!,
        port,
        head: `m=${m[1]} ${m[2]} ${m[4]}`,
        proto: m[4]!,
        fmts: (m[5] ?? '').split(' ').filter((f) => f !== ''),
        attrs: [],
      });
      continue;
    }
    if (line.text.startsWith('a=')) {
      const attr = attribute(line);
      (sections.length === 0 ? session : sections[sections.length - 1]!.attrs).push(attr);
    }
    // Other line types (o=, s=, c=, b=, t=, ...) carry nothing this library needs.
  }
  if (sections.length === 0) throw new SdpError(`${what} has no m= lines`);
  checkStructure(lines, what);
  return { lines, session, sections };
}

// The line grammars of RFC 8866 §5 that a media server's SDP parser enforces before
// anything else (Janus answers a 465 "Invalid o= line" / "Multiple m-line c= lines" /
// "Missing mandatory lines" for them): checked here so that such an offer is a 400 that
// names the line, not a failure deep inside the media server.
const O_LINE = /^o=\S+ \d+ \d+ \S+ \S+ \S+$/; // username sess-id sess-version nettype addrtype address
const T_LINE = /^t=\d+ \d+$/; // start-time stop-time
const C_LINE = /^c=\S+ \S+ \S+$/; // nettype addrtype connection-address

function checkStructure(lines: readonly Line[], what: string): void {
  let origin = 0;
  let name = 0;
  let inMedia = false;
  let connection = false;
  const fail = (line: Line, rule: string): never => {
    throw new SdpError(`${what} line ${line.no} ${rule}: ${quoteLine(line.text)}`);
  };
  for (const line of lines) {
    const { text } = line;
    if (text.startsWith('m=')) {
      inMedia = true;
      connection = false;
    } else if (text.startsWith('o=')) {
      if (inMedia || ++origin > 1) fail(line, 'is a second o= line (a description has one, before the first m= line; RFC 8866 §5.2)');
      if (!O_LINE.test(text)) fail(line, 'is not a valid o= line (expected "o=<username> <sess-id> <sess-version> IN IP4 <address>", RFC 8866 §5.2)');
    } else if (text.startsWith('s=')) {
      if (inMedia || ++name > 1) fail(line, 'is a second s= line (a description has one, before the first m= line; RFC 8866 §5.3)');
    } else if (text.startsWith('t=')) {
      if (!T_LINE.test(text)) fail(line, 'is not a valid t= line (expected "t=<start> <stop>", e.g. "t=0 0"; RFC 8866 §5.9)');
    } else if (text.startsWith('c=')) {
      if (connection) fail(line, 'is a second c= line at the same level (RFC 8866 §5.7)');
      connection = true;
      if (!C_LINE.test(text)) fail(line, 'is not a valid c= line (expected "c=IN IP4 <address>", RFC 8866 §5.7)');
    } else if (text.startsWith('a=')) {
      const colon = text.indexOf(':');
      if (text.length === 2 || colon === 2) fail(line, 'has no attribute name (RFC 8866 §5.13)');
    }
  }
  if (origin === 0 || name === 0) {
    throw new SdpError(`${what} lacks ${origin === 0 ? 'the o= line' : 'the s= line'} (every description has v=, o= and s=, in that order; RFC 8866 §5)`);
  }
}

function attrs(list: readonly Attribute[], name: string): Attribute[] {
  return list.filter((a) => a.name === name);
}

function first(list: readonly Attribute[], name: string): string | undefined {
  const value = list.find((a) => a.name === name)?.value?.trim();
  return value === '' ? undefined : value;
}

function ordinal(n: number): string {
  const rem100 = n % 100;
  const suffix = rem100 >= 11 && rem100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** "m=video section (mid 1)", the way every message names a section. */
function describe(kind: string, mid: string): string {
  return `m=${kind} section (mid ${mid})`;
}

interface ParsedSdp {
  summary: SdpSummary;
  raw: RawSdp;
  /** Whether the session, or any m= section, carries a=fingerprint. */
  hasFingerprint: boolean;
}

function parse(sdp: string, what: string): ParsedSdp {
  const raw = read(sdp, what);
  const sessionDirections = raw.session.filter((a) => DIRECTIONS.has(a.name) && a.value === undefined);
  if (sessionDirections.length > 1) {
    throw new SdpError(`${what} has more than one session-level direction attribute (a=sendrecv/sendonly/recvonly/inactive)`);
  }
  // RFC 8866 §6.7: a session-level direction is the default for every m=
  // section; without one the default is sendrecv (RFC 3264 §5.1).
  const sessionDirection = (sessionDirections[0]?.name as Direction | undefined) ?? 'sendrecv';

  const media: MediaSection[] = [];
  const mids = new Set<string>();
  let iceUfrag = first(raw.session, 'ice-ufrag');
  let icePwd = first(raw.session, 'ice-pwd');
  let hasFingerprint = raw.session.some((a) => a.name === 'fingerprint');
  let hasCandidates = raw.session.some((a) => a.name === 'candidate');

  for (const section of raw.sections) {
    const where = `${what} m=${section.media} line (the ${ordinal(section.index + 1)} m= line)`;
    const midAttrs = attrs(section.attrs, 'mid');
    // JSEP (RFC 9429 §5.2.1, §5.3.1) puts a=mid in every m= section, rejected
    // ones included, and BUNDLE relies on it; Janus does the same.
    const isAv = section.media === 'audio' || section.media === 'video';
    if (midAttrs.length > 1) throw new SdpError(`${where} has more than one a=mid`);
    const mid = midAttrs[0]?.value?.trim();
    if (mid === undefined || mid === '') {
      if (isAv) throw new SdpError(`${where} has no a=mid`);
    } else {
      if (!SDP_TOKEN.test(mid)) throw new SdpError(`${where} has a=mid:${mid}, which is not an SDP token (RFC 5888 §4)`);
      // RFC 5888 §4: mid values are unique within a session description.
      if (mids.has(mid)) throw new SdpError(`${what} uses a=mid:${mid} for more than one m= line`);
      mids.add(mid);
    }

    iceUfrag ??= first(section.attrs, 'ice-ufrag');
    icePwd ??= first(section.attrs, 'ice-pwd');
    hasFingerprint ||= section.attrs.some((a) => a.name === 'fingerprint');
    hasCandidates ||= section.attrs.some((a) => a.name === 'candidate');

    if (!isAv || mid === undefined) continue;
    const kind = section.media as MediaKind;
    const name = describe(kind, mid);
    if (!RTP_PROTOS.has(section.proto)) {
      throw new SdpError(
        `${what} ${name} uses the transport "${section.proto}", which is not RTP (WebRTC media is "UDP/TLS/RTP/SAVPF"; RFC 9429 §5.8 lists the others)`,
      );
    }

    const directions = section.attrs.filter((a) => DIRECTIONS.has(a.name) && a.value === undefined);
    if (directions.length > 1) {
      throw new SdpError(`${what} ${name} has more than one direction attribute (a=sendrecv/sendonly/recvonly/inactive)`);
    }
    const direction = (directions[0]?.name as Direction | undefined) ?? sessionDirection;

    const result: MediaSection = {
      mid,
      kind,
      port: section.port,
      direction,
      codecs: codecsOf(section, `${what} ${name}`),
      rids: ridsOf(section, `${what} ${name}`),
    };
    const simulcast = first(section.attrs, 'simulcast');
    if (simulcast !== undefined) result.simulcast = simulcast;
    if (section.attrs.some((a) => a.name === 'bundle-only')) result.bundleOnly = true;
    media.push(result);
  }

  const summary: SdpSummary = { media, hasCandidates };
  if (iceUfrag !== undefined) summary.iceUfrag = iceUfrag;
  if (icePwd !== undefined) summary.icePwd = icePwd;
  return { summary, raw, hasFingerprint };
}

const RTPMAP = /^(\d+) +([^\s/]+)\/(\d+)(?:\/(\d+))? *$/;
const FMTP = /^(\d+) (.*)$/;

interface Rtpmap {
  name: string;
  clockRate: number;
  channels?: number;
}

function rtpmapsOf(section: RawSection, where: string): Map<number, Rtpmap> {
  const maps = new Map<number, Rtpmap>();
  for (const a of attrs(section.attrs, 'rtpmap')) {
    const m = RTPMAP.exec(a.value ?? '');
    if (m === null) {
      throw new SdpError(
        `${where} has a malformed a=rtpmap on line ${a.line.no} (expected "a=rtpmap:<pt> <name>/<clock rate>[/<channels>]"): ${quoteLine(a.line.text)}`,
      );
    }
    const entry: Rtpmap = { name: m[2]!, clockRate: Number(m[3]) };
    if (m[4] !== undefined) entry.channels = Number(m[4]);
    if (!maps.has(Number(m[1]))) maps.set(Number(m[1]), entry);
  }
  return maps;
}

function fmtpsOf(section: RawSection, where: string): Map<number, string> {
  const fmtps = new Map<number, string>();
  for (const a of attrs(section.attrs, 'fmtp')) {
    const m = FMTP.exec(a.value ?? '');
    if (m === null) {
      throw new SdpError(
        `${where} has a malformed a=fmtp on line ${a.line.no} (expected "a=fmtp:<pt> <parameters>"): ${quoteLine(a.line.text)}`,
      );
    }
    if (!fmtps.has(Number(m[1]))) fmtps.set(Number(m[1]), m[2]!.trim());
  }
  return fmtps;
}

function codecsOf(section: RawSection, where: string): CodecInfo[] {
  const rtpmaps = rtpmapsOf(section, where);
  const fmtps = fmtpsOf(section, where);
  const codecs: CodecInfo[] = [];
  for (const fmt of section.fmts) {
    if (!/^\d+$/.test(fmt) || Number(fmt) > 127) {
      // RTP payload types are 7 bits (RFC 3550 §5.1).
      throw new SdpError(`${where} lists "${fmt}" in its m= line, which is not an RTP payload type (0-127)`);
    }
    const pt = Number(fmt);
    let map = rtpmaps.get(pt);
    if (map === undefined) {
      const known = STATIC_PAYLOAD_TYPES[pt];
      // A dynamic payload type without a=rtpmap cannot be named; leave it out
      // rather than guess (the section may then have no codec at all, which
      // validateOffer reports).
      if (known === undefined) continue;
      map = { name: known[0], clockRate: known[1] };
      if (known[2] !== undefined) map.channels = known[2];
    }
    if (!isMediaCodec(map.name)) continue;
    const codec: CodecInfo = { pt, ...map };
    const fmtp = fmtps.get(pt);
    if (fmtp !== undefined) codec.fmtp = fmtp;
    codecs.push(codec);
  }
  return codecs;
}

// rid-syntax = "a=rid:" rid-id SP rid-dir [...] (RFC 8851 §10),
// rid-id = 1*(alpha-numeric / "-" / "_").
const RID = /^([A-Za-z0-9_-]+) (send|recv)(?: .*)?$/;

function ridsOf(section: RawSection, where: string): MediaSection['rids'] {
  return attrs(section.attrs, 'rid').map((a) => {
    const m = RID.exec((a.value ?? '').trim());
    if (m === null) {
      throw new SdpError(
        `${where} has a malformed a=rid on line ${a.line.no} (expected "a=rid:<id> send|recv [...]"): ${quoteLine(a.line.text)}`,
      );
    }
    return { id: m[1]!, direction: m[2] as 'send' | 'recv' };
  });
}

// ---------------------------------------------------------------------------
// Public API

/**
 * Summarises an SDP session description: its audio and video m= sections,
 * ICE credentials and whether it carries candidates. Throws SdpError when the
 * text is not SDP or an audio/video section cannot be understood.
 */
export function parseSdp(sdp: string): SdpSummary {
  return parse(sdp, 'SDP').summary;
}

/** A section with port 0 and no a=bundle-only is disabled (RFC 3264 §5.1, §6; RFC 8843 §6). */
function isDisabled(section: MediaSection): boolean {
  return section.port === 0 && section.bundleOnly !== true;
}

/**
 * Parses an offer from a WHIP publisher or a WHEP player and checks that the
 * media server can answer it. Throws SdpError naming the problem (and the mid).
 */
export function validateOffer(sdp: string, role: Role): SdpSummary {
  const { summary, hasFingerprint } = parse(sdp, 'SDP offer');
  const active = summary.media.filter((m) => !isDisabled(m));
  if (active.length === 0) {
    throw new SdpError(
      summary.media.length === 0
        ? 'SDP offer has no audio or video m= line'
        : 'SDP offer has no audio or video m= line with a non-zero port (every media section is disabled)',
    );
  }
  // JSEP offers carry ICE credentials and a DTLS fingerprint (RFC 9429
  // §5.2.1; DTLS-SRTP is mandatory in WebRTC, RFC 8827); without them no
  // connection can be set up, so fail now rather than at the media server.
  // One ufrag/pwd for the whole offer is enough: WHIP and WHEP use BUNDLE,
  // and bundled sections share the transport of the first one.
  if (summary.iceUfrag === undefined) throw new SdpError('SDP offer is missing a=ice-ufrag');
  if (summary.icePwd === undefined) throw new SdpError('SDP offer is missing a=ice-pwd');
  if (!hasFingerprint) {
    throw new SdpError(
      'SDP offer is missing a=fingerprint (WebRTC media is always DTLS-SRTP, so the offer must carry its certificate fingerprint)',
    );
  }
  for (const section of active) {
    const name = describe(section.kind, section.mid);
    if (role === 'publisher') {
      if (section.direction !== 'sendonly' && section.direction !== 'sendrecv') {
        throw new SdpError(
          `SDP offer ${name} is ${section.direction}, but a publisher must send media: make it sendonly or sendrecv`,
        );
      }
      if (section.codecs.length === 0) {
        throw new SdpError(
          `SDP offer ${name} offers no media codec (only retransmission, redundancy, FEC, comfort noise or DTMF, or nothing)`,
        );
      }
    } else if (section.direction !== 'recvonly' && section.direction !== 'sendrecv') {
      throw new SdpError(
        `SDP offer ${name} is ${section.direction}, but a player must receive media: make it recvonly or sendrecv`,
      );
    }
  }
  return summary;
}

/**
 * The audio/video m= sections an answer rejected: port 0 (RFC 3264 §6).
 * A port 0 with a=bundle-only is not a rejection (RFC 8843 §6).
 */
export function rejectedMids(answer: string): { mid: string; kind: MediaKind }[] {
  return parse(answer, 'SDP answer')
    .summary.media.filter(isDisabled)
    .map((m) => ({ mid: m.mid, kind: m.kind }));
}

/** Lower-case codec names of a section, first occurrence order, without duplicates. */
export function codecNames(section: MediaSection): string[] {
  return [...new Set(section.codecs.map((c) => c.name.toLowerCase()))];
}

/** Number of a=candidate lines anywhere in an SDP (or SDP fragment). */
export function countCandidates(sdp: string): number {
  return splitLines(sdp).filter((l) => l.text.startsWith('a=candidate:')).length;
}

/**
 * Reorders the payload types of every video m= line so that H.264 with
 * packetization-mode=1 comes before H.264 without it. Nothing else changes:
 * non-H.264 formats keep their positions, other lines and line endings are
 * left byte for byte.
 *
 * Why: Janus's Streaming plugin answers a player with the first H.264 payload
 * type in the offer, whatever its packetization-mode, and writes the
 * mountpoint's own fmtp (packetization-mode=1, since the publisher sends
 * FU-A fragments) into the answer. Chromium often lists a
 * packetization-mode=0 variant first; the player then gets an answer that
 * contradicts what it offered for that payload type and may drop the
 * fragmented frames.
 *
 * An H.264 payload type without packetization-mode counts as mode 0
 * (RFC 6184 §8.1: absent means single NAL unit mode).
 */
export function preferH264PacketizationMode1(sdp: string): string {
  const raw = read(sdp, 'SDP');
  let changed = false;
  for (const section of raw.sections) {
    if (section.media !== 'video') continue;
    const where = `SDP m=video line (the ${ordinal(section.index + 1)} m= line)`;
    const rtpmaps = rtpmapsOf(section, where);
    const fmtps = fmtpsOf(section, where);
    const isH264 = (fmt: string): boolean => rtpmaps.get(Number(fmt))?.name.toLowerCase() === 'h264';
    const isMode1 = (fmt: string): boolean =>
      formatParameters(fmtps.get(Number(fmt)) ?? '').get('packetization-mode') === '1';

    // Fill the slots that H.264 formats occupy with the mode-1 ones first,
    // then the rest, each group in its original order: a stable partition
    // restricted to the H.264 entries.
    const h264 = section.fmts.filter(isH264);
    const wanted = [...h264.filter(isMode1), ...h264.filter((f) => !isMode1(f))];
    if (wanted.every((f, i) => f === h264[i])) continue;
    let next = 0;
    const fmts = section.fmts.map((f) => (isH264(f) ? wanted[next++]! : f));
    section.mLine.text = `${section.head} ${fmts.join(' ')}`;
    changed = true;
  }
  return changed ? joinLines(raw.lines) : sdp;
}

const PROFILE_LEVEL_ID = /^[0-9a-f]{6}$/i;

/**
 * Sets profile-level-id (RFC 6184 §8.1) on every H.264 payload type of every video m= line:
 * the value replaces the one in its a=fmtp (other parameters, packetization-mode among
 * them, keep their place), is appended to an a=fmtp without it, and gets an a=fmtp of its
 * own, right after the a=rtpmap, where the payload type has none (an absent
 * profile-level-id means Baseline level 1.0, which would be wrong). Other codecs, RTX
 * included, audio sections and every other line stay byte for byte.
 *
 * Why: Janus's Streaming plugin writes the mountpoint's fmtp into every viewer's answer,
 * and the mountpoint only knows what the publisher negotiated. OBS negotiates 42e01f
 * whatever x264 encodes (High by default), so onair puts the profile of the stream's own
 * SPS into the answer: strict decoders (Safari, hardware ones) set themselves up from it.
 * Janus relays the RTP whatever its fmtp says, so only the answer needs to change.
 */
export function withH264ProfileLevelId(sdp: string, profileLevelId: string): string {
  if (!PROFILE_LEVEL_ID.test(profileLevelId)) {
    throw new RangeError(`profile-level-id must be six hex digits (profile_idc, constraints, level_idc), got ${JSON.stringify(profileLevelId)}`);
  }
  const id = profileLevelId.toLowerCase();
  const raw = read(sdp, 'SDP');
  const eol = raw.lines.find((l) => l.eol !== '')?.eol ?? '\r\n';
  const inserts = new Map<Line, Line>();
  let changed = false;
  for (const section of raw.sections) {
    if (section.media !== 'video') continue;
    const where = `SDP m=video line (the ${ordinal(section.index + 1)} m= line)`;
    const rtpmaps = rtpmapsOf(section, where);
    for (const fmt of new Set(section.fmts)) {
      const pt = Number(fmt);
      if (rtpmaps.get(pt)?.name.toLowerCase() !== 'h264') continue;
      // The first a=fmtp of a payload type is the one read (fmtpsOf does the same).
      const fmtp = attrs(section.attrs, 'fmtp').find((a) => Number(FMTP.exec(a.value ?? '')?.[1]) === pt);
      if (fmtp !== undefined) {
        const text = `a=fmtp:${pt} ${withParameter(FMTP.exec(fmtp.value!)![2]!, 'profile-level-id', id)}`;
        if (text !== fmtp.line.text) {
          fmtp.line.text = text;
          changed = true;
        }
        continue;
      }
      const rtpmap = attrs(section.attrs, 'rtpmap').find((a) => Number(RTPMAP.exec(a.value ?? '')?.[1]) === pt)!;
      inserts.set(rtpmap.line, { no: 0, text: `a=fmtp:${pt} profile-level-id=${id}`, eol: rtpmap.line.eol || '' });
      if (rtpmap.line.eol === '') rtpmap.line.eol = eol;
      changed = true;
    }
  }
  if (!changed) return sdp;
  return joinLines(raw.lines.flatMap((l) => (inserts.has(l) ? [l, inserts.get(l)!] : [l])));
}

/**
 * `config` (a=fmtp parameters) with `key` set to `value`: each occurrence of the key (names
 * are case-insensitive, RFC 6838 §4.3) gets the value in place, spelling and spacing kept;
 * without one, `key=value` is appended.
 */
function withParameter(config: string, key: string, value: string): string {
  let found = false;
  const parts = config.split(';').map((part) => {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    if (name.trim().toLowerCase() !== key) return part;
    found = true;
    return `${name}=${value}`;
  });
  if (found) return parts.join(';');
  const rest = config.trim().replace(/;$/, '');
  return rest === '' ? `${key}=${value}` : `${rest};${key}=${value}`;
}
