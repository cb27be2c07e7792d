// Line-level SDP reading shared by sdp.ts and sdpfrag.ts. Internal: not
// exported from index.ts.
//
// SDP is read here line by line instead of through sdp-transform's parse():
// sdp-transform turns every value that looks like a number into a number
// (a=mid:0 -> 0, a=ice-ufrag:1234 -> 1234, a=rid:0 -> 0), silently moves lines
// its grammar does not know into `invalid` (an RFC 8851 rid such as "hi-res"
// ends up there), keeps only the last of repeated singular attributes, and its
// write() re-orders attributes into its own grammar order. A tiny reader that
// keeps every line verbatim avoids all of that, gives error messages that name
// the line, and lets the munger change one line and leave the rest byte-exact.

/** One line of a description, without its terminator. */
export interface Line {
  /** 1-based line number, for error messages. */
  no: number;
  text: string;
  /** The line terminator as found ('\r\n', '\n' or '' for the last line). */
  eol: string;
}

/**
 * Splits a body into lines, keeping each line's terminator so that a caller
 * can put the body back together byte for byte.
 *
 * RFC 8866 §5: lines end with CRLF, but parsers SHOULD also accept a bare LF.
 */
export function splitLines(body: string): Line[] {
  const lines: Line[] = [];
  const re = /\r?\n/g;
  let start = 0;
  let no = 1;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    lines.push({ no: no++, text: body.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < body.length) lines.push({ no, text: body.slice(start), eol: '' });
  return lines;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

/** An a= line split into attribute name and value (RFC 8866 §5.13). */
export interface Attribute {
  line: Line;
  name: string;
  /** undefined for a property attribute such as a=sendonly. */
  value: string | undefined;
}

/** Reads an a= line (the caller has checked that it starts with "a="). */
export function attribute(line: Line): Attribute {
  const body = line.text.slice(2);
  const colon = body.indexOf(':');
  return colon < 0
    ? { line, name: body.trimEnd(), value: undefined }
    : { line, name: body.slice(0, colon), value: body.slice(colon + 1) };
}

/** Shows a line in an error message: quoted, escaped, and cut short. */
export function quoteLine(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/**
 * SDP token (RFC 8866 §9, token-char), the syntax of a=mid values
 * (RFC 5888 §4, identification-tag = token).
 */
export const SDP_TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/;

/** ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4). */
export const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

/**
 * The a=candidate grammar of RFC 8839 §5.1 up to the candidate type:
 * foundation, component-id, transport, priority, address, port, "typ" type.
 * Extensions after that are free-form. Checked so that a PATCH body with a
 * truncated or garbled candidate fails here with a clear message instead of
 * deep inside the media server.
 */
export const CANDIDATE = /^candidate:[^\s]+ \d+ [^\s]+ \d+ [^\s]+ \d+ typ [^\s]+(?: .*)?$/;

/** Parses "k=v;k2=v2" (a=fmtp format parameters), keys lower-cased. */
export function formatParameters(config: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const part of config.split(';')) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    // Media type parameter names are case-insensitive (RFC 6838 §4.3).
    if (key !== '' && !params.has(key)) params.set(key, eq < 0 ? '' : part.slice(eq + 1).trim());
  }
  return params;
}
