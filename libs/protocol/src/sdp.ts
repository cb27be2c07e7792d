// SDP inspection: what a description holds (its audio and video sections, codecs, rids,
// ICE credentials), read once. Pure functions over strings. Offers are checked in
// sdp-offer.ts, the munges are in sdp-munge.ts, the line reader in sdp-read.ts; see
// lines.ts for why none of them goes through sdp-transform.

import { quoteLine, SDP_TOKEN, splitLines } from './lines';
import { attrs, first, fmtpsOf, ordinal, RawSdp, RawSection, read, rtpmapsOf, SdpError } from './sdp-read';

export { SdpError } from './sdp-read';

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

export function describe(kind: string, mid: string): string {
  return `m=${kind} section (mid ${mid})`;
}

export interface ParsedSdp {
  summary: SdpSummary;
  raw: RawSdp;
  /** Whether the session, or any m= section, carries a=fingerprint. */
  hasFingerprint: boolean;
}

export function parse(sdp: string, what: string): ParsedSdp {
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
      // parseOffer reports).
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
export function isDisabled(section: MediaSection): boolean {
  return section.port === 0 && section.bundleOnly !== true;
}

/**
 * Summarises a media server's answer, naming it "SDP answer" in errors. Parse an answer
 * once with this and read what it rejected with rejectedSections().
 */
export function parseAnswer(sdp: string): SdpSummary {
  return parse(sdp, 'SDP answer').summary;
}

/**
 * The audio/video m= sections a summary of an answer rejected: port 0 (RFC 3264 §6).
 * A port 0 with a=bundle-only is not a rejection (RFC 8843 §6).
 */
export function rejectedSections(answer: SdpSummary): { mid: string; kind: MediaKind }[] {
  return answer.media.filter(isDisabled).map((m) => ({ mid: m.mid, kind: m.kind }));
}

/** rejectedSections() of an answer given as text. */
export function rejectedMids(answer: string): { mid: string; kind: MediaKind }[] {
  return rejectedSections(parseAnswer(answer));
}

/** Lower-case codec names of a section, first occurrence order, without duplicates. */
export function codecNames(section: MediaSection): string[] {
  return [...new Set(section.codecs.map((c) => c.name.toLowerCase()))];
}

/** Number of a=candidate lines anywhere in an SDP (or SDP fragment). */
export function countCandidates(sdp: string): number {
  return splitLines(sdp).filter((l) => l.text.startsWith('a=candidate:')).length;
}
