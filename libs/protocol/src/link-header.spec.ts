import { formatLink, formatLinks, iceServerLinks, LinkEntry, parseLinks } from './link-header';

describe('formatLink', () => {
  it.each<[string, LinkEntry, string]>([
    ['a STUN server', { uri: 'stun:stun.example.net', rel: 'ice-server' }, '<stun:stun.example.net>; rel="ice-server"'],
    [
      'a TURN server with credentials (RFC 9725 §4.4)',
      {
        uri: 'turn:turn.example.net?transport=udp',
        rel: 'ice-server',
        params: { username: 'user', credential: 'myPassword' },
      },
      '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="myPassword"',
    ],
    [
      'a double quote and a backslash are escaped (RFC 9110 §5.6.4)',
      { uri: 'turns:turn.example.net:5349', rel: 'ice-server', params: { credential: 'a"b\\c' } },
      '<turns:turn.example.net:5349>; rel="ice-server"; credential="a\\"b\\\\c"',
    ],
    [
      'values full of separators stay inside the quotes',
      { uri: 'turn:t.example', rel: 'ice-server', params: { username: '1718031093:alice, <bob>; x=y' } },
      '<turn:t.example>; rel="ice-server"; username="1718031093:alice, <bob>; x=y"',
    ],
    [
      'base64 credentials with "/", "+" and "="',
      { uri: 'turn:t.example', rel: 'ice-server', params: { credential: 'q3/Zx+9a==' } },
      '<turn:t.example>; rel="ice-server"; credential="q3/Zx+9a=="',
    ],
    ['an empty value', { uri: 'turn:t.example', rel: 'ice-server', params: { username: '' } }, '<turn:t.example>; rel="ice-server"; username=""'],
    ['space and tab are allowed in a value', { uri: 'x:y', rel: 'r', params: { title: 'a b\tc' } }, '<x:y>; rel="r"; title="a b\tc"'],
    ['true writes a bare parameter', { uri: 'x:y', rel: 'r', params: { flag: true } }, '<x:y>; rel="r"; flag'],
    ['several relation types', { uri: '/a', rel: 'ice-server other', params: {} }, '</a>; rel="ice-server other"'],
    ['an empty URI reference is allowed (RFC 8288 §3)', { uri: '', rel: 'self' }, '<>; rel="self"'],
    [
      'token punctuation in parameter names',
      { uri: 'x:y', rel: 'r', params: { "a!#$%&'+-.^_`|~9": 'v' } },
      '<x:y>; rel="r"; a!#$%&\'+-.^_`|~9="v"',
    ],
    [
      'a URI with IPv6 literal, query and fragment',
      { uri: 'turn:[2001:db8::1]:3478?transport=tcp#x', rel: 'ice-server' },
      '<turn:[2001:db8::1]:3478?transport=tcp#x>; rel="ice-server"',
    ],
  ])('%s', (_name, entry, expected) => {
    expect(formatLink(entry)).toBe(expected);
  });

  it.each<[string, LinkEntry, string | RegExp]>([
    ['">" in the URI', { uri: 'turn:a>b', rel: 'ice-server' }, 'Link target "turn:a>b" contains ">", which a URI cannot contain (percent-encode it)'],
    ['"<" in the URI', { uri: 'turn:<a', rel: 'ice-server' }, /contains "<"/],
    ['a CRLF in the URI (header injection)', { uri: 'turn:a\r\nSet-Cookie: x', rel: 'ice-server' }, /contains "\\r"/],
    ['a NUL in the URI', { uri: 'turn:a\u0000', rel: 'ice-server' }, /contains "\\u0000"/],
    ['DEL in the URI', { uri: 'turn:a\u007f', rel: 'ice-server' }, /contains "\u007f"/],
    ['a space in the URI', { uri: 'turn:a b', rel: 'ice-server' }, /contains " "/],
    ['a non-ASCII URI', { uri: 'turn:tûrn.example', rel: 'ice-server' }, /contains "û"/],
    ['an empty rel', { uri: 'x:y', rel: ' ' }, 'Link to "x:y" has an empty rel'],
    ['a CR in rel', { uri: 'x:y', rel: 'a\rb' }, 'rel contains the character U+000D, which cannot be sent in a Link header (only printable ASCII, space and tab)'],
    ['a parameter name with a space', { uri: 'x:y', rel: 'r', params: { 'user name': 'a' } }, 'Link parameter name "user name" is not an RFC 9110 token'],
    ['an empty parameter name', { uri: 'x:y', rel: 'r', params: { '': 'a' } }, /^Link parameter name "" is not an RFC 9110 token$/],
    ['a parameter name with "="', { uri: 'x:y', rel: 'r', params: { 'a=b': 'a' } }, /is not an RFC 9110 token/],
    ['a parameter name with ","', { uri: 'x:y', rel: 'r', params: { 'a,b': 'a' } }, /is not an RFC 9110 token/],
    ['a parameter name with a quote', { uri: 'x:y', rel: 'r', params: { 'a"': 'a' } }, /is not an RFC 9110 token/],
    ['rel among the parameters', { uri: 'x:y', rel: 'r', params: { rel: 'other' } }, 'Link parameters must not include rel: set LinkEntry.rel instead'],
    ['REL among the parameters', { uri: 'x:y', rel: 'r', params: { REL: 'other' } }, /must not include rel/],
    ['a star parameter', { uri: 'x:y', rel: 'r', params: { 'title*': "UTF-8'de'n%c3%a4chstes" } }, /needs an RFC 8187 ext-value/],
    [
      'a newline in a credential (header injection)',
      { uri: 'x:y', rel: 'r', params: { credential: 'a\r\nX-Evil: 1' } },
      'Link parameter credential contains the character U+000D, which cannot be sent in a Link header (only printable ASCII, space and tab)',
    ],
    ['a NUL in a value', { uri: 'x:y', rel: 'r', params: { username: 'a\u0000' } }, /U\+0000/],
    ['DEL in a value', { uri: 'x:y', rel: 'r', params: { username: 'a\u007f' } }, /U\+007F/],
    ['a non-ASCII value', { uri: 'x:y', rel: 'r', params: { username: 'jörg' } }, /Link parameter username contains the character U\+00F6/],
    ['an emoji value', { uri: 'x:y', rel: 'r', params: { username: 'a😀' } }, /U\+1F600/],
  ])('throws TypeError for %s', (_name, entry, message) => {
    expect(() => formatLink(entry)).toThrow(TypeError);
    expect(() => formatLink(entry)).toThrow(message);
  });

  it.each([
    ['false', false],
    ['a number', 3],
    ['null', null],
  ])('throws TypeError for a parameter value that is %s', (_name, value) => {
    const entry = { uri: 'x:y', rel: 'r', params: { flag: value } } as unknown as LinkEntry;
    expect(() => formatLink(entry)).toThrow(new TypeError('Link parameter "flag" must be a string or true'));
  });
});

describe('formatLinks', () => {
  it.each<[string, LinkEntry[], string]>([
    ['none', [], ''],
    ['one', [{ uri: 'stun:s.example', rel: 'ice-server' }], '<stun:s.example>; rel="ice-server"'],
    [
      'several, comma-separated',
      [
        { uri: 'stun:s.example', rel: 'ice-server' },
        { uri: 'turn:t.example', rel: 'ice-server', params: { username: 'u', credential: 'p' } },
      ],
      '<stun:s.example>; rel="ice-server", <turn:t.example>; rel="ice-server"; username="u"; credential="p"',
    ],
  ])('%s', (_name, entries, expected) => {
    expect(formatLinks(entries)).toBe(expected);
  });

  it('fails as a whole when one entry is invalid', () => {
    expect(() => formatLinks([{ uri: 'stun:ok', rel: 'ice-server' }, { uri: 'bad>', rel: 'ice-server' }])).toThrow(TypeError);
  });
});

describe('iceServerLinks', () => {
  it.each<[string, Parameters<typeof iceServerLinks>[0], LinkEntry[]]>([
    ['no servers', [], []],
    ['a server without URLs', [{ urls: [] }], []],
    ['STUN: no params at all', [{ urls: ['stun:stun.example.net'] }], [{ uri: 'stun:stun.example.net', rel: 'ice-server' }]],
    [
      'TURN: one entry per URL, each with the credentials, no credential-type',
      [
        {
          urls: ['turn:turn.example.net?transport=udp', 'turn:turn.example.net?transport=tcp', 'turns:turn.example.net:443'],
          username: '1718031093:stream-42',
          credential: 'q3/Zx+9a==',
        },
      ],
      ['turn:turn.example.net?transport=udp', 'turn:turn.example.net?transport=tcp', 'turns:turn.example.net:443'].map((uri) => ({
        uri,
        rel: 'ice-server',
        params: { username: '1718031093:stream-42', credential: 'q3/Zx+9a==' },
      })),
    ],
    [
      'only what is given',
      [{ urls: ['turn:a.example'], username: 'u' }, { urls: ['turn:b.example'], credential: 'c' }],
      [
        { uri: 'turn:a.example', rel: 'ice-server', params: { username: 'u' } },
        { uri: 'turn:b.example', rel: 'ice-server', params: { credential: 'c' } },
      ],
    ],
    [
      'empty strings are given values',
      [{ urls: ['turn:a.example'], username: '', credential: '' }],
      [{ uri: 'turn:a.example', rel: 'ice-server', params: { username: '', credential: '' } }],
    ],
    [
      'servers in order',
      [{ urls: ['stun:a.example'] }, { urls: ['stun:b.example'] }],
      [
        { uri: 'stun:a.example', rel: 'ice-server' },
        { uri: 'stun:b.example', rel: 'ice-server' },
      ],
    ],
  ])('%s', (_name, servers, expected) => {
    expect(iceServerLinks(servers)).toStrictEqual(expected);
  });

  it('formats into the header RFC 9725 §4.4 shows', () => {
    const header = formatLinks(
      iceServerLinks([
        { urls: ['stun:stun.example.net'] },
        { urls: ['turn:turn.example.net?transport=udp', 'turn:turn.example.net?transport=tcp'], username: 'user', credential: 'myPassword' },
      ]),
    );
    expect(header).toBe(
      '<stun:stun.example.net>; rel="ice-server", ' +
        '<turn:turn.example.net?transport=udp>; rel="ice-server"; username="user"; credential="myPassword", ' +
        '<turn:turn.example.net?transport=tcp>; rel="ice-server"; username="user"; credential="myPassword"',
    );
  });
});

describe('parseLinks', () => {
  it.each<[string, string, LinkEntry[]]>([
    ['an empty header', '', []],
    ['only commas and spaces (empty list elements, RFC 9110 §5.6.1)', ' , ,, ', []],
    ['one link', '<stun:stun.example.net>; rel="ice-server"', [{ uri: 'stun:stun.example.net', rel: 'ice-server' }]],
    [
      'several links with credentials',
      '<stun:s.example>; rel="ice-server", <turn:t.example?transport=udp>; rel="ice-server"; username="user"; credential="myPassword"',
      [
        { uri: 'stun:s.example', rel: 'ice-server' },
        { uri: 'turn:t.example?transport=udp', rel: 'ice-server', params: { username: 'user', credential: 'myPassword' } },
      ],
    ],
    [
      'commas and semicolons inside quoted strings',
      '<turn:t.example>; rel="ice-server"; username="a, b; c=d", <stun:s.example>; rel="ice-server"',
      [
        { uri: 'turn:t.example', rel: 'ice-server', params: { username: 'a, b; c=d' } },
        { uri: 'stun:s.example', rel: 'ice-server' },
      ],
    ],
    [
      'commas and semicolons inside <...>',
      '<http://e.example/a,b;c>; rel="next", <x:y>; rel="prev"',
      [
        { uri: 'http://e.example/a,b;c', rel: 'next' },
        { uri: 'x:y', rel: 'prev' },
      ],
    ],
    [
      'quoted-pairs are unescaped',
      '<x:y>; rel="r"; credential="a\\"b\\\\c\\d"',
      [{ uri: 'x:y', rel: 'r', params: { credential: 'a"b\\cd' } }],
    ],
    ['token values', '<x:y>; rel=ice-server; username=user', [{ uri: 'x:y', rel: 'ice-server', params: { username: 'user' } }]],
    ['an empty quoted value', '<x:y>; rel="r"; username=""', [{ uri: 'x:y', rel: 'r', params: { username: '' } }]],
    ['a bare parameter', '<x:y>; rel="r"; flag; other="v"', [{ uri: 'x:y', rel: 'r', params: { flag: true, other: 'v' } }]],
    [
      'optional whitespace everywhere it may appear (OWS, BWS)',
      ' \t<x:y>\t;\trel = "r" ;  username =\t"u"  ,<a:b>;rel="s"  ',
      [
        { uri: 'x:y', rel: 'r', params: { username: 'u' } },
        { uri: 'a:b', rel: 's' },
      ],
    ],
    ['no whitespace at all', '<x:y>;rel="r";a="1",<a:b>;rel="s"', [{ uri: 'x:y', rel: 'r', params: { a: '1' } }, { uri: 'a:b', rel: 's' }]],
    ['parameter names are case-insensitive, returned lower-cased', '<x:y>; REL="r"; UserName="u"', [{ uri: 'x:y', rel: 'r', params: { username: 'u' } }]],
    ['the rel value keeps its case', '<x:y>; rel="ICE-Server"', [{ uri: 'x:y', rel: 'ICE-Server' }]],
    ['the first rel wins (RFC 8288 §3.3)', '<x:y>; rel="a"; rel="b"', [{ uri: 'x:y', rel: 'a' }]],
    ['the first of other repeated parameters wins', '<x:y>; rel="r"; u="1"; U="2"', [{ uri: 'x:y', rel: 'r', params: { u: '1' } }]],
    ['rel need not come first', '<x:y>; username="u"; rel="r"', [{ uri: 'x:y', rel: 'r', params: { username: 'u' } }]],
    ['a trailing comma', '<x:y>; rel="r",', [{ uri: 'x:y', rel: 'r' }]],
  ])('%s', (_name, header, expected) => {
    expect(parseLinks(header)).toStrictEqual(expected);
  });

  it('keeps a parameter named __proto__ as an own property', () => {
    const [entry] = parseLinks('<x:y>; rel="r"; __proto__="polluted"');
    expect(Object.getPrototypeOf(entry!.params)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(entry!.params, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, string, string | RegExp]>([
    ['text before the link', 'stun:s.example; rel="ice-server"', 'Link header: expected "<" at position 0: "stun:s.example; rel=\\"ice-server\\""'],
    ['a missing ">"', '<stun:s.example; rel="ice-server"', /^Link header: missing ">" at position 0/],
    ['an unterminated quoted-string', '<x:y>; rel="ice-server', /^Link header: unterminated quoted-string at position 22/],
    ['a backslash at the very end', '<x:y>; rel="r\\', /unterminated quoted-string/],
    ['no rel', '<x:y>; username="u"', 'Link header: the link to <x:y> has no rel parameter (RFC 8288 §3.3 requires one)'],
    ['no parameters at all', '<x:y>', /the link to <x:y> has no rel parameter/],
    ['a rel without value', '<x:y>; rel', /^Link header: rel has no value/],
    ['a parameter without name', '<x:y>; ="r"', /^Link header: expected a parameter name at position 7/],
    ['"=" without a value', '<x:y>; rel="r"; a=', /^Link header: expected a token or quoted-string value for parameter a/],
    ['"=" followed by a separator', '<x:y>; rel="r"; a=;b', /expected a token or quoted-string value for parameter a/],
    ['junk after a link', '<x:y>; rel="r" junk', /^Link header: unexpected "j" at position 15/],
    ['junk after a quoted value', '<x:y>; rel="r"x', /^Link header: unexpected "x"/],
    ['two links without a comma', '<x:y>; rel="r" <a:b>; rel="s"', /unexpected "<"/],
  ])('throws SyntaxError for %s', (_name, header, message) => {
    expect(() => parseLinks(header)).toThrow(SyntaxError);
    expect(() => parseLinks(header)).toThrow(message);
  });

  it.each<[string, string, LinkEntry[]]>([
    ['text before the first link', 'garbage; rel="x", <stun:ok>; rel="ice-server"', [{ uri: 'stun:ok', rel: 'ice-server' }]],
    ['an unterminated link at the end', '<stun:ok>; rel="ice-server", <unterminated', [{ uri: 'stun:ok', rel: 'ice-server' }]],
    ['a link without rel', '<x:y>; username="u", <stun:ok>; rel="ice-server"', [{ uri: 'stun:ok', rel: 'ice-server' }]],
    ['junk after a link', '<x:y>; rel="r" junk, <a:b>; rel="s"', [{ uri: 'a:b', rel: 's' }]],
    ['a comma inside the broken link\'s quoted-string or <...>', '<a,b>; rel="r" x; t="1,2", <a:b>; rel="s"', [{ uri: 'a:b', rel: 's' }]],
    ['an unterminated quoted-string swallowing the rest', '<a:b>; rel="s", <x:y>; rel="r, <c:d>; rel="t"', [{ uri: 'a:b', rel: 's' }]],
    ['nothing usable', 'garbage', []],
  ])('with skipMalformed, leaves out %s and keeps the rest', (_name, header, expected) => {
    expect(() => parseLinks(header)).toThrow(SyntaxError);
    expect(parseLinks(header, { skipMalformed: true })).toStrictEqual(expected);
  });

  it.each<[string, LinkEntry[]]>([
    ['ICE servers', iceServerLinks([{ urls: ['stun:s.example', 'turn:t.example?transport=tcp'], username: 'u:1', credential: 'p/+=' }])],
    [
      'values that need escaping',
      [{ uri: 'turn:t.example', rel: 'ice-server', params: { username: '"quoted"', credential: 'back\\slash, comma; semi' } }],
    ],
    ['bare parameters', [{ uri: 'x:y', rel: 'r', params: { a: true, b: '' } }]],
    ['no entries', []],
  ])('is the inverse of formatLinks: %s', (_name, entries) => {
    expect(parseLinks(formatLinks(entries))).toStrictEqual(entries);
  });
});
