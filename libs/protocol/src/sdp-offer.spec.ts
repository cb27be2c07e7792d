import { parseSdp, SdpError } from './sdp';
import { parseOffer } from './sdp-offer';
import { CHROMIUM_PLAYER_OFFER, CHROMIUM_PUBLISHER_OFFER, crlf, OBS_OFFER, OBS_SIMULCAST_OFFER, toLf } from './testing/fixtures';
import { SESSION, sdp, sdpWithout, OPUS, H264, audio, video, thrown } from './testing/sdp-builders';

describe('parseOffer', () => {
  const acceptable: [string, string, 'publisher' | 'player'][] = [
    ['OBS', OBS_OFFER, 'publisher'],
    ['OBS simulcast', OBS_SIMULCAST_OFFER, 'publisher'],
    ['Chromium publisher', CHROMIUM_PUBLISHER_OFFER, 'publisher'],
    ['Chromium player', CHROMIUM_PLAYER_OFFER, 'player'],
    ['OBS with LF line ends', toLf(OBS_OFFER), 'publisher'],
    ['a sendrecv offer', sdp(...audio('0', 'sendrecv'), ...video('1', 'sendrecv')), 'publisher'],
    ['a sendrecv offer', sdp(...audio('0', 'sendrecv'), ...video('1', 'sendrecv')), 'player'],
    ['media-level ICE and fingerprint', sdpWithout('a=', ...audio('0', 'sendonly', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuv', 'a=fingerprint:sha-256 AB')), 'publisher'],
    [
      'a disabled section is not checked',
      sdp(...audio('0', 'sendonly'), 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=inactive'),
      'publisher',
    ],
    ['an offer with an extra data channel', sdp(...audio('0', 'recvonly'), 'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2'), 'player'],
  ];
  it.each(acceptable.map(([name, text, role]) => [name, role, text] as const))('accepts %s (as %s)', (_name, role, text) => {
    expect(parseOffer(text, role)).toEqual({ ...parseSdp(text), sdp: text });
  });

  const rejections: [string, string, 'publisher' | 'player', string | RegExp][] = [
    ['a player offer from a publisher', CHROMIUM_PLAYER_OFFER, 'publisher', 'SDP offer m=audio section (mid 0) is recvonly, but a publisher must send media: make it sendonly or sendrecv'],
    ['a publisher offer from a player', OBS_OFFER, 'player', 'SDP offer m=audio section (mid 0) is sendonly, but a player must receive media: make it recvonly or sendrecv'],
    ['a recvonly video from a publisher', sdp(...audio('0', 'sendonly'), ...video('1', 'recvonly')), 'publisher', /^SDP offer m=video section \(mid 1\) is recvonly, but a publisher/],
    ['an inactive section from a publisher', sdp(...audio('0', 'inactive')), 'publisher', /^SDP offer m=audio section \(mid 0\) is inactive, but a publisher/],
    ['an inactive section from a player', sdp(...audio('0', 'recvonly'), ...video('v', 'inactive')), 'player', /^SDP offer m=video section \(mid v\) is inactive, but a player/],
    [
      'a bundle-only section is checked like any other',
      sdp(...audio('0', 'sendonly'), 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=bundle-only', 'a=recvonly', ...H264),
      'publisher',
      /^SDP offer m=video section \(mid 1\) is recvonly/,
    ],
    [
      'a publisher section with only rtx and red',
      sdp(...audio('0', 'sendonly'), 'm=video 9 UDP/TLS/RTP/SAVPF 97 98', 'a=mid:1', 'a=sendonly', 'a=rtpmap:97 rtx/90000', 'a=rtpmap:98 red/90000'),
      'publisher',
      'SDP offer m=video section (mid 1) offers no media codec (only retransmission, redundancy, FEC, comfort noise or DTMF, or nothing)',
    ],
    ['a publisher section without any format', sdp('m=audio 9 UDP/TLS/RTP/SAVPF', 'a=mid:0', 'a=sendonly'), 'publisher', /^SDP offer m=audio section \(mid 0\) offers no media codec/],
    ['no ice-ufrag', sdpWithout('a=ice-ufrag', ...audio('0', 'sendonly')), 'publisher', 'SDP offer is missing a=ice-ufrag'],
    ['no ice-pwd', sdpWithout('a=ice-pwd', ...audio('0', 'sendonly')), 'player', 'SDP offer is missing a=ice-pwd'],
    ['no fingerprint', sdpWithout('a=fingerprint', ...audio('0', 'sendonly')), 'publisher', /^SDP offer is missing a=fingerprint \(WebRTC media is always DTLS-SRTP/],
    ['only a data channel', sdp('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:0'), 'player', 'SDP offer has no audio or video m= line'],
    [
      'only disabled media',
      sdp('m=audio 0 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=sendonly', ...OPUS),
      'publisher',
      'SDP offer has no audio or video m= line with a non-zero port (every media section is disabled)',
    ],
    ['no m= lines at all', crlf(SESSION), 'publisher', 'SDP offer has no m= lines'],
    ['a malformed rtpmap', sdp('m=audio 9 RTP/AVP 111', 'a=mid:0', 'a=rtpmap:111'), 'publisher', /^SDP offer m=audio section \(mid 0\) has a malformed a=rtpmap/],
    ['a form body', 'sdp=v%3D0', 'publisher', 'body is not an SDP session description (it must start with v=0)'],
    [
      'a second v= line (a fuzz find: Janus answered it with something that is not SDP)',
      sdp('v=-1252029664', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=sendonly', ...OPUS),
      'publisher',
      /^SDP offer line \d+ is a second v= line/,
    ],
  ];
  it.each(rejections.map(([name, text, role, message]) => [name, role, text, message] as const))(
    'rejects %s (as %s)',
    (_name, role, text, message) => {
    const error = thrown(() => parseOffer(text, role));
    expect(error).toBeInstanceOf(SdpError);
    if (typeof message === 'string') expect((error as Error).message).toBe(message);
    else expect((error as Error).message).toMatch(message);
    },
  );

  it('checks ICE credentials before directions, so the first problem reported is the transport one', () => {
    expect(() => parseOffer(sdpWithout('a=ice-ufrag', ...audio('0', 'recvonly')), 'publisher')).toThrow(
      'SDP offer is missing a=ice-ufrag',
    );
  });
});
