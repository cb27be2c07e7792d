// application/trickle-ice-sdpfrag bodies (RFC 8840 §9), which WHIP and WHEP
// clients PATCH to trickle candidates and to restart ICE (RFC 9725 §4.3).
//
// A fragment is a few session-level attributes (ice-ufrag, ice-pwd,
// ice-options, group, ...) followed by m= sections, each identified by its
// a=mid and carrying a=candidate and a=end-of-candidates lines. The m= line
// itself is only a section separator: the receiver matches sections by mid.

import { attribute, CANDIDATE, ICE_CHARS, quoteLine, SDP_TOKEN, splitLines } from './lines';
import { SdpError } from './sdp';

export interface SdpFragmentMedia {
  mid: string;
  /** Full attribute values, each starting with "candidate:" (the RTCIceCandidate.candidate form). */
  candidates: string[];
  endOfCandidates: boolean;
}

export interface SdpFragment {
  /** The fragment's ice-ufrag, from session level or from its m= sections. */
  iceUfrag?: string;
  icePwd?: string;
  /**
   * A session-level a=end-of-candidates: gathering finished for every
   * section. When parsed, it is also reflected in each section's flag.
   */
  endOfCandidates?: boolean;
  media: SdpFragmentMedia[];
}

const M_LINE = /^m=[^\s]+ \d+(?:\/\d+)? [^\s]+(?: [^\s]+)* *$/;

/**
 * Parses a trickle-ice-sdpfrag body. Throws SdpError on lines that are not
 * a= or m= lines, m= sections without a=mid, candidates outside an m= section
 * or malformed, and conflicting ICE credentials.
 */
export function parseSdpFragment(body: string): SdpFragment {
  const fragment: SdpFragment = { media: [] };
  let current: SdpFragmentMedia | undefined;
  let currentLine = 0;
  let sessionEnd = false;
  const mids = new Set<string>();

  // WHIP/WHEP sessions are BUNDLEd over one ICE transport, so a fragment
  // carries one set of credentials, whatever level it is written at.
  const credential = (key: 'iceUfrag' | 'icePwd', attr: string, raw: string | undefined, no: number): void => {
    const value = (raw ?? '').trim();
    if (!ICE_CHARS.test(value)) {
      throw new SdpError(
        `SDP fragment line ${no}: a=${attr} must be made of letters, digits, "+" and "/" (RFC 8839 §5.4), got ${quoteLine(value)}`,
      );
    }
    const previous = fragment[key];
    if (previous !== undefined && previous !== value) {
      throw new SdpError(`SDP fragment line ${no}: a=${attr}:${value} conflicts with a=${attr}:${previous} given earlier`);
    }
    fragment[key] = value;
  };

  const close = (): void => {
    if (current !== undefined && current.mid === '') {
      throw new SdpError(`SDP fragment m= line ${currentLine} has no a=mid (RFC 8840 identifies sections by mid)`);
    }
  };

  for (const line of splitLines(body)) {
    if (line.text === '') continue;
    if (line.text.includes('\r')) {
      throw new SdpError(
        `SDP fragment line ${line.no} contains a carriage return that is not followed by a line feed (lines must end with CRLF or LF)`,
      );
    }
    // RFC 8866 §9: no field may hold NUL (and Janus drops a request with one in a candidate).
    if (line.text.includes('\0')) throw new SdpError(`SDP fragment line ${line.no} contains a NUL character: ${quoteLine(line.text)}`);
    if (line.text.startsWith('m=')) {
      if (!M_LINE.test(line.text)) {
        throw new SdpError(
          `SDP fragment line ${line.no} is not a valid m= line (e.g. "m=audio 9 UDP/TLS/RTP/SAVPF 111"): ${quoteLine(line.text)}`,
        );
      }
      close();
      current = { mid: '', candidates: [], endOfCandidates: false };
      currentLine = line.no;
      fragment.media.push(current);
      continue;
    }
    if (!line.text.startsWith('a=')) {
      throw new SdpError(
        `SDP fragment line ${line.no} is neither an a= nor an m= line (application/trickle-ice-sdpfrag has no others): ${quoteLine(line.text)}`,
      );
    }
    const { name, value } = attribute(line);
    switch (name) {
      case 'ice-ufrag':
        credential('iceUfrag', name, value, line.no);
        break;
      case 'ice-pwd':
        credential('icePwd', name, value, line.no);
        break;
      case 'end-of-candidates':
        if (current === undefined) sessionEnd = true;
        else current.endOfCandidates = true;
        break;
      case 'mid': {
        if (current === undefined) throw new SdpError(`SDP fragment line ${line.no}: a=mid before any m= line`);
        const mid = (value ?? '').trim();
        if (current.mid !== '') throw new SdpError(`SDP fragment line ${line.no}: a second a=mid in one m= section`);
        if (!SDP_TOKEN.test(mid)) {
          throw new SdpError(`SDP fragment line ${line.no}: a=mid must be an SDP token (RFC 5888 §4), got ${quoteLine(mid)}`);
        }
        if (mids.has(mid)) throw new SdpError(`SDP fragment line ${line.no}: a=mid:${mid} appears in two m= sections`);
        mids.add(mid);
        current.mid = mid;
        break;
      }
      case 'candidate': {
        if (current === undefined) {
          throw new SdpError(
            `SDP fragment line ${line.no}: a=candidate before any m= line (candidates belong to the m= section of their mid)`,
          );
        }
        const candidate = `candidate:${(value ?? '').trimEnd()}`;
        if (!CANDIDATE.test(candidate)) {
          throw new SdpError(
            `SDP fragment line ${line.no} is not a valid candidate (expected "a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...", RFC 8839 §5.1): ${quoteLine(line.text)}`,
          );
        }
        current.candidates.push(candidate);
        break;
      }
      default:
      // ice-options, group, ice-lite, remote-candidates, ...: nothing to act on.
    }
  }
  close();
  if (sessionEnd) {
    // A session-level end-of-candidates covers every section (RFC 8840).
    fragment.endOfCandidates = true;
    for (const media of fragment.media) media.endOfCandidates = true;
  }
  return fragment;
}

/**
 * Writes a trickle-ice-sdpfrag body with CRLF line ends. Each section gets the
 * placeholder line "m=audio 9 RTP/AVP 0", as in the RFC 8840 examples: the
 * receiver goes by a=mid, and the fragment does not know the section's kind.
 * Throws TypeError on values that would produce a malformed body.
 */
export function formatSdpFragment(frag: SdpFragment): string {
  const lines: string[] = [];
  if (frag.iceUfrag !== undefined) lines.push(`a=ice-ufrag:${checkIce(frag.iceUfrag, 'iceUfrag')}`);
  if (frag.icePwd !== undefined) lines.push(`a=ice-pwd:${checkIce(frag.icePwd, 'icePwd')}`);
  if (frag.endOfCandidates === true) lines.push('a=end-of-candidates');
  const mids = new Set<string>();
  for (const media of frag.media) {
    if (!SDP_TOKEN.test(media.mid)) {
      throw new TypeError(`mid ${JSON.stringify(media.mid)} is not an SDP token (RFC 5888 §4)`);
    }
    if (mids.has(media.mid)) throw new TypeError(`mid ${JSON.stringify(media.mid)} appears in two sections (mids are unique, RFC 5888 §4)`);
    mids.add(media.mid);
    lines.push('m=audio 9 RTP/AVP 0', `a=mid:${media.mid}`);
    for (const candidate of media.candidates) {
      // CANDIDATE's "." matches no line terminator, so this also refuses a
      // value that would smuggle in another line.
      if (!CANDIDATE.test(candidate)) {
        throw new TypeError(
          `${JSON.stringify(candidate)} is not a candidate attribute value (expected "candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...")`,
        );
      }
      lines.push(`a=${candidate}`);
    }
    if (media.endOfCandidates) lines.push('a=end-of-candidates');
  }
  return lines.map((l) => `${l}\r\n`).join('');
}

function checkIce(value: string, field: string): string {
  if (!ICE_CHARS.test(value)) {
    throw new TypeError(`${field} ${JSON.stringify(value)} may only contain letters, digits, "+" and "/" (RFC 8839 §5.4)`);
  }
  return value;
}

/**
 * Whether a PATCH fragment asks for an ICE restart: it carries an ice-ufrag
 * other than the session's current one (RFC 8445 §9 restarts ICE by changing
 * the credentials; RFC 9725 §4.3 signals it in the PATCH body this way).
 */
export function isIceRestart(frag: SdpFragment, currentUfrag: string): boolean {
  return frag.iceUfrag !== undefined && frag.iceUfrag !== currentUfrag;
}
