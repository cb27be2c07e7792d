// Property-based fuzzing of the ICE restart helpers: an offer rebuilt for any valid restart
// fragment is a valid offer with the new credentials and exactly the fragment's candidates;
// arbitrary answers give an SdpError or a fragment that formats.
import fc from 'fast-check';
import { answerFragment, offerWithNewIce } from './ice-restart';
import { countCandidates, parseSdp, SdpError } from './sdp';
import { parseOffer } from './sdp-offer';
import { formatSdpFragment, parseSdpFragment, SdpFragment } from './sdpfrag';
import { CHROMIUM_PUBLISHER_OFFER, JANUS_ANSWER_VIDEO_REJECTED, OBS_OFFER, OBS_SIMULCAST_OFFER } from './testing/fixtures';
import { mutated } from './testing/mutations';

const iceChars = fc.string({ unit: fc.constantFrom(...'abcXYZ019+/'), minLength: 4, maxLength: 32 });
const candidate = fc
  .tuple(fc.nat(), fc.nat(65535), fc.constantFrom('host', 'srflx'))
  .map(([f, port, typ]) => `candidate:${f} 1 udp 2122260223 192.0.2.9 ${port} typ ${typ}`);

describe('ICE restart helpers under fuzzing', () => {
  it('offerWithNewIce gives a valid offer carrying the fragment\'s credentials and candidates', () => {
    const offers = [OBS_OFFER, OBS_SIMULCAST_OFFER, CHROMIUM_PUBLISHER_OFFER];
    fc.assert(
      fc.property(fc.constantFrom(...offers), iceChars, iceChars, fc.array(candidate, { maxLength: 4 }), fc.boolean(), (offer, ufrag, pwd, candidates, end) => {
        const mid = parseSdp(offer).media[0]!.mid;
        const frag: SdpFragment = { iceUfrag: ufrag, icePwd: pwd, media: [{ mid, candidates, endOfCandidates: end }] };
        const restarted = offerWithNewIce(offer, parseSdpFragment(formatSdpFragment(frag)));
        const summary = parseOffer(restarted, 'publisher');
        expect(summary.iceUfrag).toBe(ufrag);
        expect(summary.icePwd).toBe(pwd);
        expect(countCandidates(restarted)).toBe(candidates.length);
      }),
      { numRuns: 500 },
    );
  });

  it('offerWithNewIce and answerFragment throw only SdpError on mutated descriptions', () => {
    const frag: SdpFragment = { iceUfrag: 'new1', icePwd: 'newpasswordnewpassword12', media: [{ mid: '0', candidates: [], endOfCandidates: true }] };
    fc.assert(
      fc.property(fc.constantFrom(OBS_OFFER, CHROMIUM_PUBLISHER_OFFER, JANUS_ANSWER_VIDEO_REJECTED).chain(mutated), (sdp) => {
        for (const f of [() => offerWithNewIce(sdp, frag), () => formatSdpFragment(answerFragment(sdp))]) {
          try {
            f();
          } catch (err) {
            if (!(err instanceof SdpError)) throw err;
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
