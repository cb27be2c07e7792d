// ICE restarts driven by a WHIP/WHEP PATCH (RFC 9725 §4.3.2).
//
// The client sends only new ICE credentials (and maybe candidates) in a
// trickle-ice-sdpfrag body; the media server, though, renegotiates with whole
// offers. offerWithNewIce() turns the session's last offer into the offer the
// client would have made for the restart: same media, new ufrag/pwd, the
// fragment's candidates in place of the old ones. answerFragment() goes the
// other way: from the media server's answer to the sdpfrag the 200 carries
// (its new credentials and candidates).

import { attribute, CANDIDATE, ICE_CHARS, joinLines, Line, quoteLine, SDP_TOKEN, splitLines } from './lines';
import { SdpError } from './sdp';
import { SdpFragment } from './sdpfrag';

interface Section {
  /** Index of the m= line in `lines`, -1 for the session level. */
  start: number;
  mid?: string;
}

function sectionsOf(lines: Line[]): Section[] {
  const sections: Section[] = [{ start: -1 }];
  lines.forEach((line, i) => {
    if (line.text.startsWith('m=')) sections.push({ start: i });
    else if (line.text.startsWith('a=mid:')) sections[sections.length - 1].mid = line.text.slice(6).trim();
  });
  return sections;
}

const isIceLine = (text: string): boolean =>
  text.startsWith('a=candidate:') || text === 'a=end-of-candidates' || text.startsWith('a=ice-ufrag:') || text.startsWith('a=ice-pwd:');

/**
 * The offer for an ICE restart: `offerSdp` with every ice-ufrag/ice-pwd set to
 * the fragment's, its candidates removed, and the fragment's candidates (and
 * end-of-candidates) put in the sections with the same mid. Credentials are
 * written at media level in every section that had them, as browsers do.
 * Throws SdpError if the fragment lacks credentials or names an unknown mid.
 */
export function offerWithNewIce(offerSdp: string, frag: SdpFragment): string {
  if (frag.iceUfrag === undefined || frag.icePwd === undefined) {
    throw new SdpError('an ICE restart fragment must carry both a=ice-ufrag and a=ice-pwd');
  }
  const lines = splitLines(offerSdp);
  const eol = lines.find((l) => l.eol !== '')?.eol ?? '\r\n';
  const sections = sectionsOf(lines);
  const known = new Set(sections.map((s) => s.mid).filter((m): m is string => m !== undefined));
  for (const m of frag.media) {
    if (!known.has(m.mid)) throw new SdpError(`the fragment names mid ${JSON.stringify(m.mid)}, which is not in this session`);
  }
  const out: Line[] = [];
  let section: Section = sections[0];
  let next = 1;
  const flush = (s: Section) => {
    const media = frag.media.find((m) => m.mid === s.mid);
    for (const c of media?.candidates ?? []) out.push({ no: 0, text: `a=${c}`, eol });
    if (media?.endOfCandidates || (frag.endOfCandidates && s.start >= 0)) out.push({ no: 0, text: 'a=end-of-candidates', eol });
  };
  lines.forEach((line, i) => {
    if (next < sections.length && sections[next].start === i) {
      if (section.start >= 0) flush(section);
      section = sections[next++];
    }
    const { text } = line;
    if (text.startsWith('a=ice-ufrag:')) out.push({ ...line, text: `a=ice-ufrag:${frag.iceUfrag}` });
    else if (text.startsWith('a=ice-pwd:')) out.push({ ...line, text: `a=ice-pwd:${frag.icePwd}` });
    else if (!isIceLine(text)) out.push(line);
  });
  if (section.start >= 0) flush(section);
  // The last line must end like the others (an SDP body ends with a line terminator).
  if (out.length > 0 && out[out.length - 1].eol === '') out[out.length - 1] = { ...out[out.length - 1], eol };
  return joinLines(out);
}

/**
 * The sdpfrag a server returns for an ICE restart (RFC 9725 §4.3.2): its ICE
 * credentials and candidates from `answerSdp`. With BUNDLE every section
 * shares one transport, so the candidates are given once, under the first
 * section's mid, closed with end-of-candidates (the answer is complete:
 * the server never trickles). Throws SdpError when the answer lacks credentials or a mid,
 * or carries a value the fragment could not be written with (formatSdpFragment's rules), so
 * that whatever it returns can be sent.
 */
export function answerFragment(answerSdp: string): SdpFragment {
  const lines = splitLines(answerSdp);
  let iceUfrag: string | undefined;
  let icePwd: string | undefined;
  let firstMid: string | undefined;
  let inMedia = false;
  const candidates: string[] = [];
  for (const line of lines) {
    if (line.text.startsWith('m=')) {
      if (inMedia && firstMid !== undefined) break;
      inMedia = true;
      continue;
    }
    if (!line.text.startsWith('a=')) continue;
    const attr = attribute(line);
    const value = attr.value?.trim();
    if (attr.name === 'ice-ufrag') iceUfrag ??= checked(value, ICE_CHARS, line, 'a=ice-ufrag must be made of letters, digits, "+" and "/" (RFC 8839 §5.4)');
    else if (attr.name === 'ice-pwd') icePwd ??= checked(value, ICE_CHARS, line, 'a=ice-pwd must be made of letters, digits, "+" and "/" (RFC 8839 §5.4)');
    else if (attr.name === 'mid' && inMedia) firstMid ??= checked(value, SDP_TOKEN, line, 'a=mid must be an SDP token (RFC 5888 §4)');
    else if (attr.name === 'candidate' && inMedia) {
      const candidate = `candidate:${(attr.value ?? '').trimEnd()}`;
      if (!CANDIDATE.test(candidate)) throw new SdpError(`the answer's line ${line.no} is not a valid candidate (RFC 8839 §5.1): ${quoteLine(line.text)}`);
      candidates.push(candidate);
    }
  }
  if (!iceUfrag || !icePwd) throw new SdpError('the answer carries no ICE credentials');
  if (firstMid === undefined) throw new SdpError('the answer has no m= section with a mid');
  return { iceUfrag, icePwd, media: [{ mid: firstMid, candidates, endOfCandidates: true }] };
}


function checked(value: string | undefined, syntax: RegExp, line: Line, rule: string): string {
  if (value === undefined || !syntax.test(value)) throw new SdpError(`the answer's line ${line.no}: ${rule}, got ${quoteLine(line.text)}`);
  return value;
}
