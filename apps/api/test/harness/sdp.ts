import { OBS_OFFER } from '@onair/protocol/testing';

/**
 * Offers shaped after real clients, for tests that speak HTTP only (no browser). Their
 * candidates are removed: nothing should try to reach the documentation addresses in the
 * fixtures, and Janus learns a real client's address from its checks anyway (OBS offers none).
 */
export function withoutCandidates(sdp: string): string {
  return sdp.replace(/^a=(candidate:.*|end-of-candidates)\r?\n/gm, '');
}

/** OBS's offer with another video codec line, as OBS 30+ sends for AV1 and HEVC. */
export function obsOfferWith(rtpmap: string, fmtp?: string): string {
  return OBS_OFFER.replace('a=rtpmap:96 H264/90000', `a=rtpmap:96 ${rtpmap}`).replace(
    'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\n',
    fmtp ? `a=fmtp:96 ${fmtp}\r\n` : '',
  );
}

/** A different ICE username fragment per offer, like real clients. */
export function withIceCredentials(sdp: string, ufrag: string, pwd: string): string {
  return sdp.replace(/^a=ice-ufrag:.*$/gm, `a=ice-ufrag:${ufrag}`).replace(/^a=ice-pwd:.*$/gm, `a=ice-pwd:${pwd}`);
}
