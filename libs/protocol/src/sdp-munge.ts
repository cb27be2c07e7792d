// The munges onair applies to SDP on its way through: each changes the lines it must and
// leaves every other byte as it was (see lines.ts for why this does not go through
// sdp-transform's write()).

import { formatParameters, joinLines, Line } from './lines';
import { attrs, FMTP, fmtpsOf, ordinal, read, RTPMAP, rtpmapsOf } from './sdp-read';
import type { CodecInfo, SdpSummary } from './sdp';

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
export function preferH264PacketizationMode1(sdp: string, parsed?: SdpSummary): string {
  // With the description already parsed, an offer whose H.264 formats are in order (most
  // are) is returned without reading it again: this runs for every viewer that joins.
  if (parsed && !parsed.media.some((m) => m.kind === 'video' && h264OutOfOrder(m.codecs))) return sdp;
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

/** Whether an H.264 format without packetization-mode=1 comes before one with it. */
function h264OutOfOrder(codecs: CodecInfo[]): boolean {
  let sawMode0 = false;
  for (const c of codecs) {
    if (c.name.toLowerCase() !== 'h264') continue;
    const mode1 = formatParameters(c.fmtp ?? '').get('packetization-mode') === '1';
    if (mode1 && sawMode0) return true;
    if (!mode1) sawMode0 = true;
  }
  return false;
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