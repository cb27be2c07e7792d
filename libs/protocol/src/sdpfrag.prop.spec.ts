// Property-based fuzzing of trickle-ice-sdpfrag (RFC 8840) bodies: parse throws only
// SdpError, format throws only TypeError, and what formatSdpFragment writes parses back to
// the same fragment.
import fc from 'fast-check';
import { SdpError } from './sdp';
import { formatSdpFragment, isIceRestart, parseSdpFragment, SdpFragment } from './sdpfrag';
import { WHIP_ICE_RESTART_FRAGMENT, WHIP_TRICKLE_FRAGMENT } from './testing/fixtures';
import { mutated } from './testing/mutations';

const iceChars = fc.string({ unit: fc.constantFrom(...'abcXYZ019+/'), minLength: 1, maxLength: 32 });
const token = fc.string({ unit: fc.constantFrom(...'az09!#$%&\'*+-.^_`{|}~'), minLength: 1, maxLength: 8 });
const field = fc.string({ unit: fc.constantFrom(...'abc019.:-'), minLength: 1, maxLength: 12 });
const candidate = fc
  .tuple(field, fc.nat(256), fc.constantFrom('udp', 'tcp', 'UDP'), fc.nat(), field, fc.nat(65535), fc.constantFrom('host', 'srflx', 'relay'), fc.array(field, { maxLength: 4 }))
  .map(([f, comp, tr, prio, addr, port, typ, ext]) => [`candidate:${f} ${comp} ${tr} ${prio} ${addr} ${port} typ ${typ}`, ...ext].join(' '));

/** Fragments whose every field formatSdpFragment accepts. */
const fragment: fc.Arbitrary<SdpFragment> = fc
  .record(
    {
      iceUfrag: iceChars,
      icePwd: iceChars,
      endOfCandidates: fc.boolean(),
      media: fc.uniqueArray(fc.record({ mid: token, candidates: fc.array(candidate, { maxLength: 4 }), endOfCandidates: fc.boolean() }), {
        maxLength: 4,
        selector: (m) => m.mid,
      }),
    },
    { requiredKeys: ['media'] },
  )
  .map((f) => {
    const frag: SdpFragment = { ...f };
    if (frag.endOfCandidates !== true) delete frag.endOfCandidates;
    return frag;
  });

/** What parsing gives back: a session-level end-of-candidates is reflected in every section. */
function normalised(frag: SdpFragment): SdpFragment {
  const end = frag.endOfCandidates === true;
  return { ...frag, media: frag.media.map((m) => ({ ...m, endOfCandidates: m.endOfCandidates || end })) };
}

describe('sdpfrag under fuzzing', () => {
  it('parse(format(fragment)) gives the fragment back', () => {
    fc.assert(
      fc.property(fragment, (frag) => {
        expect(parseSdpFragment(formatSdpFragment(frag))).toEqual(normalised(frag));
      }),
      { numRuns: 1000 },
    );
  });

  it('parse throws only SdpError on mutated real fragments and arbitrary text; what parses formats and parses the same', () => {
    const body = fc.oneof(
      fc.constantFrom(WHIP_TRICKLE_FRAGMENT, WHIP_ICE_RESTART_FRAGMENT).chain(mutated),
      fc.string({ unit: 'binary', maxLength: 200 }),
    );
    fc.assert(
      fc.property(body, (text) => {
        let frag: SdpFragment;
        try {
          frag = parseSdpFragment(text);
        } catch (err) {
          if (err instanceof SdpError) return;
          throw err;
        }
        expect(isIceRestart(frag, 'current')).toBe(frag.iceUfrag !== undefined && frag.iceUfrag !== 'current');
        // A parsed fragment is well-formed: writing it out and reading it again changes nothing.
        expect(parseSdpFragment(formatSdpFragment(frag))).toEqual(frag);
      }),
      { numRuns: 1500 },
    );
  });

  it('format throws only TypeError on arbitrary values, and what it writes parses', () => {
    const loose = fc.record({
      iceUfrag: fc.option(fc.oneof(iceChars, fc.string({ unit: 'binary' })), { nil: undefined }),
      icePwd: fc.option(fc.oneof(iceChars, fc.string({ unit: 'binary' })), { nil: undefined }),
      endOfCandidates: fc.option(fc.boolean(), { nil: undefined }),
      media: fc.array(fc.record({ mid: fc.oneof(fc.constantFrom('0', '1', 'a'), fc.string({ unit: 'binary' })), candidates: fc.array(fc.oneof(candidate, candidate, fc.string({ unit: 'binary' })), { maxLength: 2 }), endOfCandidates: fc.boolean() }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(loose, (frag) => {
        let body: string;
        try {
          body = formatSdpFragment(frag as SdpFragment);
        } catch (err) {
          if (err instanceof TypeError) return;
          throw err;
        }
        expect(() => parseSdpFragment(body)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
