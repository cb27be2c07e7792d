// Property-based fuzzing of the SDP reader (fast-check): whatever a client sends, the parser
// answers with a summary or an SdpError (a 400 with a message), never another exception, and
// quickly. Mutations start from real peers' offers so they get past "v=0".
import fc from 'fast-check';
import { countCandidates, parseSdp, rejectedMids, SdpError } from './sdp';
import { preferH264PacketizationMode1 } from './sdp-munge';
import { parseOffer } from './sdp-offer';
import {
  CHROMIUM_PLAYER_OFFER,
  CHROMIUM_PUBLISHER_OFFER,
  JANUS_ANSWER_VIDEO_REJECTED,
  OBS_OFFER,
  OBS_SIMULCAST_OFFER,
} from './testing/fixtures';
import { mutated } from './testing/mutations';

const FIXTURES = [OBS_OFFER, OBS_SIMULCAST_OFFER, CHROMIUM_PLAYER_OFFER, CHROMIUM_PUBLISHER_OFFER, JANUS_ANSWER_VIDEO_REJECTED];
const anyFixture = fc.constantFrom(...FIXTURES);
const mutatedOffer = anyFixture.chain(mutated);
/** Arbitrary text, some of it starting like SDP. */
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }).map((s) => `v=0\r\n${s}`));

/** Runs `f`; anything thrown must be an SdpError with a message; each call must be fast. */
function onlySdpError(f: () => unknown): void {
  const started = performance.now();
  try {
    f();
  } catch (err) {
    if (!(err instanceof SdpError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
  }
  // Bounded time: no input may stall the event loop (a regex blow-up takes seconds; the
  // bound leaves room for a busy CI machine).
  expect(performance.now() - started).toBeLessThan(1000);
}

describe('SDP parser under fuzzing', () => {
  it('parseOffer / parseSdp / rejectedMids throw only SdpError on mutated real offers', () => {
    fc.assert(
      fc.property(mutatedOffer, fc.constantFrom('publisher' as const, 'player' as const), (sdp, role) => {
        onlySdpError(() => parseOffer(sdp, role));
        onlySdpError(() => parseSdp(sdp));
        onlySdpError(() => rejectedMids(sdp));
        expect(countCandidates(sdp)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 2500 },
    );
  });

  it('throws only SdpError on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (sdp) => {
        onlySdpError(() => parseOffer(sdp, 'publisher'));
        onlySdpError(() => preferH264PacketizationMode1(sdp));
      }),
      { numRuns: 1000 },
    );
  });

  it('stays fast on long adversarial lines', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('m=video 9 UDP/TLS/RTP/SAVPF', 'a=rtpmap:96 H264/90000', 'a=candidate:1 1 udp 1 192.0.2.1 9 typ host', 'a=rid:0 send', 'a=fmtp:96 '),
        fc.constantFrom(' ', ' 1', '  ', '\t', '/', '=;', ' x'),
        fc.integer({ min: 1000, max: 8000 }),
        fc.constantFrom('', '\t', '\u0000', ' !', '/'),
        (head, unit, n, tail) => {
          const line = head + unit.repeat(n) + tail;
          onlySdpError(() => parseOffer(OBS_OFFER.replace('a=mid:1\r\n', `a=mid:1\r\n${line}\r\n`), 'publisher'));
          onlySdpError(() => parseOffer(OBS_OFFER.replace('m=video 9 UDP/TLS/RTP/SAVPF 96', line), 'publisher'));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('preferH264PacketizationMode1 is idempotent and changes nothing but m= lines', () => {
    fc.assert(
      fc.property(mutatedOffer, (sdp) => {
        let once: string;
        try {
          once = preferH264PacketizationMode1(sdp);
        } catch (err) {
          if (err instanceof SdpError) return;
          throw err;
        }
        expect(preferH264PacketizationMode1(once)).toBe(once);
        const before = sdp.split('\n');
        const after = once.split('\n');
        expect(after).toHaveLength(before.length);
        after.forEach((line, i) => {
          if (!line.startsWith('m=')) expect(line).toBe(before[i]);
          // Only the payload-type order may change.
          else expect(line.split(' ').slice().sort()).toEqual(before[i]!.split(' ').slice().sort());
        });
      }),
      { numRuns: 1000 },
    );
  });
});
