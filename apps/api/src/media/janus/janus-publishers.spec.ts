import { parseAnswer, parseOffer } from '@onair/protocol';
import { JANUS_ANSWER_VIDEO_REJECTED, OBS_OFFER, OBS_SIMULCAST_OFFER } from '@onair/protocol/testing';
import { droppedMedia, negotiatedTracks, ridOrder } from './janus-publishers';

/** Janus's answer to an offer that it accepted whole: the offer turned around. */
const accepting = (offer: string) => offer.replace(/a=sendonly/g, 'a=recvonly').replace(/a=rid:(\w+) send/g, 'a=rid:$1 recv').replace('a=simulcast:send', 'a=simulcast:recv');
const PCMU_OFFER = OBS_OFFER.replace('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'm=audio 9 UDP/TLS/RTP/SAVPF 0').replace(/a=rtpmap:111 opus\/48000\/2\r\na=fmtp:111 [^\r]*\r\n/, 'a=rtpmap:0 PCMU/8000\r\n');
const LOW_FIRST_OFFER = OBS_SIMULCAST_OFFER.replace(/a=rid:0 send\r\na=rid:1 send\r\na=rid:2 send\r\na=simulcast:send 0;1;2/, 'a=rid:l send\r\na=rid:m send\r\na=rid:h send\r\na=simulcast:send l;m;h');

describe('a publisher\'s answer from Janus, read once', () => {
  it.each<[string, string, string, string | undefined]>([
    ['everything accepted', OBS_OFFER, accepting(OBS_OFFER), undefined],
    ['a rejected video section', OBS_OFFER, JANUS_ANSWER_VIDEO_REJECTED, 'this channel accepts video h264, vp8, vp9, av1, h265 and audio opus; the offer had video h264'],
    // Janus "accepts" PCMU in an Opus room, and would then relay nothing of it.
    ['PCMU accepted in an Opus room', PCMU_OFFER, accepting(PCMU_OFFER), 'this channel accepts video h264, vp8, vp9, av1, h265 and audio opus; the offer had audio pcmu'],
  ])('%s: the refusal names what was dropped', (_name, offerSdp, answerSdp, refusal) => {
    const offer = parseOffer(offerSdp, 'publisher');
    const answer = parseAnswer(answerSdp);
    expect(droppedMedia(answer, negotiatedTracks(answer, offer, ridOrder(offer)), offer)).toBe(refusal);
  });

  it('reports the negotiated tracks with their format parameters', () => {
    const offer = parseOffer(OBS_OFFER, 'publisher');
    const answer = parseAnswer(accepting(OBS_OFFER));
    expect(negotiatedTracks(answer, offer, ridOrder(offer))).toEqual([
      { mid: '0', kind: 'audio', codec: 'opus', fmtp: expect.stringContaining('useinbandfec=1') },
      { mid: '1', kind: 'video', codec: 'h264', fmtp: 'profile-level-id=42e01f;packetization-mode=1' },
    ]);
  });

  it.each<[string, string, string, string[]]>([
    ['OBS lists the largest first', OBS_SIMULCAST_OFFER, 'hml', ['0', '1', '2']],
    ['l/m/h is named low-first: reported largest first', LOW_FIRST_OFFER, 'lmh', ['h', 'm', 'l']],
  ])('simulcast: %s', (_name, offerSdp, order, rids) => {
    const offer = parseOffer(offerSdp, 'publisher');
    expect(ridOrder(offer)).toBe(order);
    const video = negotiatedTracks(parseAnswer(accepting(offerSdp)), offer, ridOrder(offer)).find((t) => t.kind === 'video');
    expect(video?.rids).toEqual(rids);
  });
});
