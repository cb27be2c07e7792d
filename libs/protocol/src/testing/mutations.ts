// Mutated protocol bodies for fuzzing (the *.prop.spec.ts property tests and the API's HTTP
// fuzz run). For tests only. Starting from a real peer's description and breaking it a few
// lines or bytes at a time reaches far deeper into a parser than random text, which rarely
// gets past "v=0".

import fc from 'fast-check';

/** Values that have broken parsers before: empty, huge, negative, non-ASCII, control characters. */
export const oddValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', ' ', '0', '-1', '65535', '65536', '127', '128', '4294967296', '99999999999999999999999', '1e400', 'NaN', '0x10',
    '\u0000', '\r', '\t', '\u00a0', '\u2028', '\ud800', '💥', 'é', ':', '=', '/', ';', ',', '"', '\\', '<', '>', '%00',
    '..', 'undefined', 'null', '__proto__', 'constructor', 'toString', 'x'.repeat(5000), ' '.repeat(2000) + 'x',
  ),
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.string({ maxLength: 24 }),
  fc.integer().map(String),
);

const ATTRIBUTES = [
  'mid', 'rtpmap', 'fmtp', 'rid', 'simulcast', 'candidate', 'end-of-candidates', 'ice-ufrag', 'ice-pwd', 'fingerprint',
  'setup', 'sendonly', 'recvonly', 'sendrecv', 'inactive', 'bundle-only', 'group', 'extmap', 'ssrc', 'msid', 'rtcp-fb',
];

/** One SDP-shaped line with a broken part: what a careless or hostile peer might write. */
export const sdpishLine: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom(...ATTRIBUTES), oddValue).map(([name, value]) => `a=${name}:${value}`),
  fc.constantFrom(...ATTRIBUTES).map((name) => `a=${name}`),
  fc.tuple(fc.constantFrom('audio', 'video', 'application', 'text', ''), oddValue, fc.constantFrom('UDP/TLS/RTP/SAVPF', 'RTP/AVP', ''), fc.array(oddValue, { maxLength: 4 }))
    .map(([kind, port, proto, fmts]) => `m=${kind} ${port} ${proto} ${fmts.join(' ')}`),
  fc.tuple(fc.constantFrom('v', 'o', 's', 'c', 't', 'b', 'x', 'A', '1', ' '), oddValue).map(([t, v]) => `${t}=${v}`),
  fc.tuple(fc.nat(127), fc.constantFrom('H264', 'opus', 'VP8', 'rtx', 'AV1', ''), oddValue).map(([pt, name, clock]) => `a=rtpmap:${pt} ${name}/${clock}`),
  fc.tuple(oddValue, oddValue).map(([a, b]) => `a=candidate:${a} 1 udp ${b} 127.0.0.1 9 typ host`),
  oddValue,
);

type Edit =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; to: number }
  | { op: 'replace'; at: number; text: string }
  | { op: 'insert'; at: number; text: string }
  | { op: 'field'; at: number; field: number; text: string }
  | { op: 'byte'; at: number; pos: number; text: string }
  | { op: 'truncate'; at: number }
  | { op: 'eol'; eol: string };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), to: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), text: sdpishLine }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), text: sdpishLine }),
  fc.record({ op: fc.constant('field' as const), at: fc.nat(), field: fc.nat(8), text: oddValue }),
  fc.record({ op: fc.constant('byte' as const), at: fc.nat(), pos: fc.nat(), text: fc.string({ unit: 'binary', minLength: 0, maxLength: 2 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('eol' as const), eol: fc.constantFrom('\n', '\r', '\r\n', '\n\r', '', '\r\r\n') }),
);

function apply(lines: string[], e: Edit): string[] {
  const out = [...lines];
  const i = out.length === 0 ? 0 : e.op === 'eol' ? 0 : e.at % out.length;
  switch (e.op) {
    case 'delete':
      out.splice(i, 1);
      break;
    case 'duplicate':
      if (out.length > 0) out.splice(i, 0, out[i]!);
      break;
    case 'swap': {
      if (out.length === 0) break;
      const j = e.to % out.length;
      [out[i], out[j]] = [out[j]!, out[i]!];
      break;
    }
    case 'replace':
      out[i] = e.text;
      break;
    case 'insert':
      out.splice(i, 0, e.text);
      break;
    case 'field': {
      // Replace one space-separated field after the "x=" prefix (a port, a payload type, a value).
      const line = out[i] ?? '';
      const fields = line.split(' ');
      const k = e.field % fields.length;
      fields[k] = k === 0 && line[1] === '=' ? `${line.slice(0, 2)}${e.text}` : e.text;
      out[i] = fields.join(' ');
      break;
    }
    case 'byte': {
      const line = out[i] ?? '';
      const pos = line.length === 0 ? 0 : e.pos % line.length;
      out[i] = line.slice(0, pos) + e.text + line.slice(pos + 1);
      break;
    }
    case 'truncate': {
      const line = out[i] ?? '';
      out[i] = line.slice(0, line.length === 0 ? 0 : e.at % line.length);
      out.splice(i + 1);
      break;
    }
    case 'eol':
      break;
  }
  return out;
}

/**
 * `base` (an SDP or sdpfrag body) with one to four edits: lines deleted, duplicated, swapped,
 * replaced or inserted, a field or a byte changed, the body cut short, line ends changed.
 */
export function mutated(base: string): fc.Arbitrary<string> {
  const lines = base.split(/\r\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let eol = '\r\n';
    let current = lines;
    for (const e of edits) {
      if (e.op === 'eol') eol = e.eol;
      else current = apply(current, e);
    }
    return current.map((l) => l + eol).join('');
  });
}
