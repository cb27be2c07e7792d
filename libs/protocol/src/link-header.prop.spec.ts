// Property-based fuzzing of Link header fields (RFC 8288): parseLinks throws only
// SyntaxError whatever the header, formatLink only TypeError whatever the entry, and what
// formatLinks writes parses back to the same entries.
import fc from 'fast-check';
import { formatLink, formatLinks, iceServerLinks, LinkEntry, parseLinks } from './link-header';

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
/** Printable ASCII without whitespace, "<" and ">": what a URI-Reference can be. */
const uri = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)).filter((c) => c !== '<' && c !== '>'), maxLength: 60 });
const tokenChar = fc.constantFrom(...'!#$%&\'+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz');
const paramName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 10 }).filter((n) => n !== 'rel' && !n.endsWith('*'));
const entry: fc.Arbitrary<LinkEntry> = fc
  .record({
    uri,
    rel: printable.filter((r) => r.trim() !== ''),
    params: fc.dictionary(paramName, fc.oneof(printable, fc.constant(true as const)), { maxKeys: 4 }),
  })
  .map(({ uri, rel, params }) => (Object.keys(params).length > 0 ? { uri, rel, params } : { uri, rel }));

/** Header-ish text: link syntax characters in odd places, and anything else. */
const headerText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.array(fc.constantFrom('<', '>', ';', ',', '=', '"', '\\', ' ', '\t', 'rel', 'turn:x', 'a', '*', '\r\n'), { maxLength: 40 }).map((p) => p.join('')),
  fc.array(entry, { minLength: 1, maxLength: 3 }).chain((entries) =>
    fc.tuple(fc.nat(), fc.string({ unit: 'binary', maxLength: 3 })).map(([at, junk]) => {
      const text = formatLinks(entries);
      const i = at % (text.length + 1);
      return text.slice(0, i) + junk + text.slice(i + 1);
    }),
  ),
);

describe('Link headers under fuzzing', () => {
  it('parseLinks(formatLinks(entries)) gives the entries back', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), (entries) => {
        expect(parseLinks(formatLinks(entries))).toEqual(entries);
      }),
      { numRuns: 1000 },
    );
  });

  it('ICE servers survive the trip through a Link header', () => {
    const server = fc.record(
      { urls: fc.array(uri.map((u) => `turn:${u}`), { minLength: 1, maxLength: 3 }), username: printable, credential: printable },
      { requiredKeys: ['urls'] },
    );
    fc.assert(
      fc.property(fc.array(server, { maxLength: 3 }), (servers) => {
        const parsed = parseLinks(formatLinks(iceServerLinks(servers)));
        expect(parsed.map((l) => l.uri)).toEqual(servers.flatMap((s) => s.urls));
        expect(parsed.every((l) => l.rel === 'ice-server')).toBe(true);
        expect(parsed.map((l) => l.params?.username)).toEqual(servers.flatMap((s) => s.urls.map(() => s.username)));
        expect(parsed.map((l) => l.params?.credential)).toEqual(servers.flatMap((s) => s.urls.map(() => s.credential)));
      }),
      { numRuns: 300 },
    );
  });

  it('parseLinks throws only SyntaxError on any header, quickly', () => {
    fc.assert(
      fc.property(headerText, (header) => {
        const started = performance.now();
        try {
          for (const link of parseLinks(header)) expect(typeof link.rel).toBe('string');
        } catch (err) {
          if (!(err instanceof SyntaxError)) throw err;
        }
        // Bounded time (a regex blow-up takes seconds; the bound leaves room for a busy machine).
  expect(performance.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 1500 },
    );
  });

  it('with skipMalformed, parseLinks never throws and keeps what parses strictly', () => {
    fc.assert(
      fc.property(headerText, (header) => {
        const lenient = parseLinks(header, { skipMalformed: true });
        for (const link of lenient) expect(typeof link.rel).toBe('string');
        // A header that parses strictly loses nothing to the lenient reading.
        let strict: LinkEntry[] | undefined;
        try {
          strict = parseLinks(header);
        } catch {
          strict = undefined;
        }
        if (strict) expect(lenient).toEqual(strict);
      }),
      { numRuns: 1500 },
    );
  });

  it('with skipMalformed, good links around a broken one all come through', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3 }), fc.constantFrom('garbage', 'x=";,"', '<x:y>; username="u"', '<x:y>; rel="r" junk'), fc.array(entry, { maxLength: 3 }), (before, broken, after) => {
        const header = [...before.map(formatLink), broken, ...after.map(formatLink)].join(', ');
        expect(parseLinks(header, { skipMalformed: true })).toEqual([...before, ...after]);
        // An unterminated "<" or quoted-string can only be told apart at the end.
        expect(parseLinks([...before.map(formatLink), '<x:y>; rel="open'].join(', '), { skipMalformed: true })).toEqual(before);
      }),
      { numRuns: 500 },
    );
  });

  it('formatLink throws only TypeError on arbitrary entries, and what it writes parses', () => {
    const loose = fc.record({
      uri: fc.string({ unit: 'binary', maxLength: 30 }),
      rel: fc.string({ unit: 'binary', maxLength: 10 }),
      params: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), fc.oneof(fc.string({ unit: 'binary', maxLength: 10 }), fc.constant(true as const))),
    });
    fc.assert(
      fc.property(loose, (e) => {
        let text: string;
        try {
          text = formatLink(e);
        } catch (err) {
          if (err instanceof TypeError) return;
          throw err;
        }
        expect(parseLinks(text)).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
  });
});
