// The SDP reader under sdp.ts (summaries), sdp-offer.ts (offers) and sdp-munge.ts (the munges):
// an SDP split into session-level attributes and m= sections, with the line grammar checked
// and every line kept verbatim. Internal: not exported from index.ts, apart from SdpError.
// See lines.ts for why this does not go through sdp-transform.

import { attribute, Attribute, Line, quoteLine, splitLines } from './lines';

/** Malformed or unacceptable SDP. The message is meant for the person who sent it. */
export class SdpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SdpError';
  }
}

export interface RawSection {
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

export interface RawSdp {
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
export function read(sdp: string, what: string): RawSdp {
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
    // RFC 8866 §5: one session description per body, so v= only on the first line. A second
    // one makes Janus start another description and answer with something that is not SDP.
    if (line.text.startsWith('v=') && line !== lines[0]) {
      throw new SdpError(`${what} line ${line.no} is a second v= line: a body holds one session description, and v= comes only first`);
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

export function attrs(list: readonly Attribute[], name: string): Attribute[] {
  return list.filter((a) => a.name === name);
}

export function first(list: readonly Attribute[], name: string): string | undefined {
  const value = list.find((a) => a.name === name)?.value?.trim();
  return value === '' ? undefined : value;
}

export function ordinal(n: number): string {
  const rem100 = n % 100;
  const suffix = rem100 >= 11 && rem100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}


export const RTPMAP = /^(\d+) +([^\s/]+)\/(\d+)(?:\/(\d+))? *$/;
export const FMTP = /^(\d+) (.*)$/;

interface Rtpmap {
  name: string;
  clockRate: number;
  channels?: number;
}

export function rtpmapsOf(section: RawSection, where: string): Map<number, Rtpmap> {
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

export function fmtpsOf(section: RawSection, where: string): Map<number, string> {
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
