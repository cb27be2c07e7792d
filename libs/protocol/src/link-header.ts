// Link header fields (RFC 8288) as WHIP and WHEP use them to hand STUN/TURN
// servers to the client (RFC 9725 §4.4).
//
//   Link       = #link-value
//   link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param )
//   link-param = token BWS [ "=" BWS ( token / quoted-string ) ]   (RFC 8288 §3)

export interface LinkEntry {
  uri: string;
  rel: string;
  /** Target attributes; `true` writes a parameter without a value. */
  params?: Record<string, string | true>;
}

export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** token = 1*tchar (RFC 9110 §5.6.2). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function describe(value: string): string {
  return JSON.stringify(value);
}

/**
 * quoted-string (RFC 9110 §5.6.4): '"' and '\' are escaped with '\'. Control
 * characters other than HTAB cannot be carried at all (and CR/LF would split
 * the header), so they are refused. Non-ASCII is refused too: the value would
 * have to go out as obs-text, which recipients treat as opaque bytes, and
 * RFC 9110 §5.5 asks new fields to stay within US-ASCII.
 */
function quote(value: string, what: string): string {
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code !== 0x09 && (code < 0x20 || code > 0x7e)) {
      throw new TypeError(
        `${what} contains the character U+${code.toString(16).toUpperCase().padStart(4, '0')}, which cannot be sent in a Link header (only printable ASCII, space and tab)`,
      );
    }
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Refuses what cannot sit between "<" and ">": the closing ">" itself, "<",
 * whitespace and control characters (none of which a URI-Reference may contain,
 * RFC 3986 §2), and non-ASCII characters (an IRI must be percent-encoded first).
 */
function checkUri(uri: string): void {
  for (const ch of uri) {
    const code = ch.codePointAt(0)!;
    if (ch === '<' || ch === '>' || code <= 0x20 || code >= 0x7f) {
      throw new TypeError(
        `Link target ${describe(uri)} contains ${describe(ch)}, which a URI cannot contain (percent-encode it)`,
      );
    }
  }
}

/** Formats one link-value: `<uri>; rel="..."; name="value"`. */
export function formatLink(entry: LinkEntry): string {
  checkUri(entry.uri);
  if (entry.rel.trim() === '') throw new TypeError(`Link to ${describe(entry.uri)} has an empty rel`);
  let out = `<${entry.uri}>; rel=${quote(entry.rel, 'rel')}`;
  for (const [name, value] of Object.entries(entry.params ?? {})) {
    if (!TOKEN.test(name)) {
      throw new TypeError(`Link parameter name ${describe(name)} is not an RFC 9110 token`);
    }
    // Parameter names are case-insensitive and rel may appear only once
    // (RFC 8288 §3.3); a second one would be ignored by recipients.
    if (name.toLowerCase() === 'rel') {
      throw new TypeError('Link parameters must not include rel: set LinkEntry.rel instead');
    }
    // A name ending in "*" takes an RFC 8187 ext-value, which is not a
    // quoted-string (RFC 8288 §3); writing one here would produce a header
    // recipients misread.
    if (name.endsWith('*')) {
      throw new TypeError(`Link parameter ${describe(name)} needs an RFC 8187 ext-value, which formatLink does not produce`);
    }
    if (value === true) {
      out += `; ${name}`;
    } else if (typeof value === 'string') {
      out += `; ${name}=${quote(value, `Link parameter ${name}`)}`;
    } else {
      throw new TypeError(`Link parameter ${describe(name)} must be a string or true`);
    }
  }
  return out;
}

/** Formats a Link header field value: link-values joined by ", ". */
export function formatLinks(entries: readonly LinkEntry[]): string {
  return entries.map(formatLink).join(', ');
}

/**
 * One `rel="ice-server"` link per URL (RFC 9725 §4.4). username and credential
 * are sent only when given; credential-type is never sent because "password",
 * the only type in use, is its default.
 */
export function iceServerLinks(servers: readonly IceServer[]): LinkEntry[] {
  return servers.flatMap((server) =>
    server.urls.map((uri): LinkEntry => {
      const params: Record<string, string> = {};
      if (server.username !== undefined) params.username = server.username;
      if (server.credential !== undefined) params.credential = server.credential;
      return Object.keys(params).length > 0 ? { uri, rel: 'ice-server', params } : { uri, rel: 'ice-server' };
    }),
  );
}

export interface ParseLinksOptions {
  /**
   * Leave out a malformed link-value (or one without rel) and read on from the next
   * top-level comma, instead of throwing. For clients such as a browser player, which
   * take what they can use (the ICE servers) from a header any server may have written.
   */
  skipMalformed?: boolean;
}

/**
 * Parses a Link header field value. Parameter names come back lower-cased
 * (they are case-insensitive, RFC 8288 §3); values are unescaped but otherwise
 * verbatim. Of repeated parameters the first wins (RFC 8288 §3.3 says so for
 * rel; the same is done for the rest). Throws SyntaxError on malformed input
 * or a link without rel, unless `options.skipMalformed`.
 */
export function parseLinks(header: string, options: ParseLinksOptions = {}): LinkEntry[] {
  let i = 0;
  const n = header.length;
  const fail = (what: string): never => {
    throw new SyntaxError(`Link header: ${what} at position ${i}: ${describe(header)}`);
  };
  const skipWhitespace = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < n && TCHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  const readQuoted = (): string => {
    i++; // opening quote
    let out = '';
    while (i < n) {
      const ch = header[i]!;
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        i++;
        if (i >= n) break;
      }
      out += header[i]!;
      i++;
    }
    return fail('unterminated quoted-string');
  };

  /** Moves past the next comma that is outside <...> and quoted-strings (or to the end). */
  const skipLinkValue = (): void => {
    let quoted = false;
    for (; i < n; i++) {
      const ch = header[i];
      if (quoted) {
        if (ch === '\\') i++;
        else if (ch === '"') quoted = false;
      } else if (ch === '"') {
        quoted = true;
      } else if (ch === '<') {
        const end = header.indexOf('>', i + 1);
        if (end < 0) break;
        i = end;
      } else if (ch === ',') {
        i++;
        return;
      }
    }
    i = n;
  };

  const entries: LinkEntry[] = [];
  while (i < n) {
    skipWhitespace();
    // Empty list elements are allowed and ignored (RFC 9110 §5.6.1).
    if (i >= n) break;
    if (header[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    try {
      entries.push(readLinkValue());
    } catch (err) {
      if (!options.skipMalformed || !(err instanceof SyntaxError)) throw err;
      i = start;
      skipLinkValue();
    }
  }
  return entries;

  function readLinkValue(): LinkEntry {
    if (header[i] !== '<') fail('expected "<"');
    const end = header.indexOf('>', i + 1);
    if (end < 0) fail('missing ">"');
    const uri = header.slice(i + 1, end);
    i = end + 1;

    let rel: string | undefined;
    const params: [string, string | true][] = [];
    for (;;) {
      skipWhitespace();
      if (header[i] !== ';') break;
      i++;
      skipWhitespace();
      const name = readToken().toLowerCase();
      if (name === '') fail('expected a parameter name');
      skipWhitespace();
      let value: string | true = true;
      if (header[i] === '=') {
        i++;
        skipWhitespace();
        if (header[i] === '"') {
          value = readQuoted();
        } else {
          value = readToken();
          if (value === '') fail(`expected a token or quoted-string value for parameter ${name}`);
        }
      }
      if (name === 'rel') {
        if (value === true) fail('rel has no value');
        rel ??= value as string;
      } else if (!params.some(([seen]) => seen === name)) {
        params.push([name, value]);
      }
    }
    if (i < n && header[i] !== ',') fail(`unexpected ${describe(header[i]!)}`);
    if (rel === undefined) {
      throw new SyntaxError(`Link header: the link to <${uri}> has no rel parameter (RFC 8288 §3.3 requires one)`);
    }
    // Object.fromEntries defines own properties, so a parameter named
    // "__proto__" cannot reach the prototype.
    return params.length > 0 ? { uri, rel, params: Object.fromEntries(params) } : { uri, rel };
  }
}
