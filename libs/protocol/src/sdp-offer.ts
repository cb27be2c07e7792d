// A WHIP publisher's or WHEP player's SDP offer, parsed and checked once where it arrives,
// then passed down as an SdpOffer: nothing below the edge reads the text again.

import { describe, isDisabled, parse, Role, SdpError, SdpSummary } from './sdp';

/**
 * An offer the media server can answer: its summary, with the ICE credentials every offer
 * carries, and the text itself (what goes to the media server, unchanged).
 */
export interface SdpOffer extends SdpSummary {
  readonly sdp: string;
  iceUfrag: string;
  icePwd: string;
}

/**
 * Parses an offer from a WHIP publisher or a WHEP player and checks that the
 * media server can answer it. Throws SdpError naming the problem (and the mid).
 */
export function parseOffer(sdp: string, role: Role): SdpOffer {
  const { summary, hasFingerprint } = parse(sdp, 'SDP offer');
  const active = summary.media.filter((m) => !isDisabled(m));
  if (active.length === 0) {
    throw new SdpError(
      summary.media.length === 0
        ? 'SDP offer has no audio or video m= line'
        : 'SDP offer has no audio or video m= line with a non-zero port (every media section is disabled)',
    );
  }
  // JSEP offers carry ICE credentials and a DTLS fingerprint (RFC 9429
  // §5.2.1; DTLS-SRTP is mandatory in WebRTC, RFC 8827); without them no
  // connection can be set up, so fail now rather than at the media server.
  // One ufrag/pwd for the whole offer is enough: WHIP and WHEP use BUNDLE,
  // and bundled sections share the transport of the first one.
  const { iceUfrag, icePwd } = summary;
  if (iceUfrag === undefined) throw new SdpError('SDP offer is missing a=ice-ufrag');
  if (icePwd === undefined) throw new SdpError('SDP offer is missing a=ice-pwd');
  if (!hasFingerprint) {
    throw new SdpError(
      'SDP offer is missing a=fingerprint (WebRTC media is always DTLS-SRTP, so the offer must carry its certificate fingerprint)',
    );
  }
  for (const section of active) {
    const name = describe(section.kind, section.mid);
    if (role === 'publisher') {
      if (section.direction !== 'sendonly' && section.direction !== 'sendrecv') {
        throw new SdpError(
          `SDP offer ${name} is ${section.direction}, but a publisher must send media: make it sendonly or sendrecv`,
        );
      }
      if (section.codecs.length === 0) {
        throw new SdpError(
          `SDP offer ${name} offers no media codec (only retransmission, redundancy, FEC, comfort noise or DTMF, or nothing)`,
        );
      }
    } else if (section.direction !== 'recvonly' && section.direction !== 'sendrecv') {
      throw new SdpError(
        `SDP offer ${name} is ${section.direction}, but a player must receive media: make it recvonly or sendrecv`,
      );
    }
  }
  return { ...summary, iceUfrag, icePwd, sdp };
}
