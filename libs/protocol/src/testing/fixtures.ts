// SDP fixtures shaped after what the real peers send. For tests only: not
// exported from index.ts. Addresses are documentation ranges (RFC 5737),
// keys and credentials are made up. Long on purpose: each fixture is one captured
// description kept whole, so a test reads against what the peer really sent.

/** Joins lines the way SDP is sent on the wire: CRLF after every line. */
export function crlf(lines: readonly string[]): string {
  return lines.map((l) => `${l}\r\n`).join('');
}

/** The same description with bare LF line ends (some HTTP clients and tools produce these). */
export function toLf(sdp: string): string {
  return sdp.replace(/\r\n/g, '\n');
}

const CHROMIUM_FINGERPRINT =
  'sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08';

/** Chromium audio section, minus the direction line; codecs as Chromium lists them. */
function chromiumAudio(direction: string, extra: readonly string[]): string[] {
  return [
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1467250027 1 udp 2122260223 192.0.2.20 51472 typ host generation 0 network-id 1',
    'a=candidate:2991498351 1 udp 1686052607 203.0.113.7 51472 typ srflx raddr 192.0.2.20 rport 51472 generation 0 network-id 1',
    'a=ice-ufrag:Gz1e',
    'a=ice-pwd:eVqG6yVvJbHqzKx6w3N0Wd3F',
    'a=ice-options:trickle',
    `a=fingerprint:${CHROMIUM_FINGERPRINT}`,
    'a=setup:actpass',
    'a=mid:0',
    'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    direction,
    ...extra.filter((l) => l.startsWith('a=msid:')),
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:111 opus/48000/2',
    'a=rtcp-fb:111 transport-cc',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=fmtp:63 111/111',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    ...extra.filter((l) => !l.startsWith('a=msid:')),
  ];
}

/**
 * Chromium video section. The packetization-mode=0 H.264 (104) is listed
 * before the packetization-mode=1 one (102), which is the order that makes
 * Janus's Streaming plugin pick the wrong one.
 */
function chromiumVideo(direction: string, extra: readonly string[]): string[] {
  return [
    'm=video 9 UDP/TLS/RTP/SAVPF 96 97 104 105 102 103 98 99 112 113 114 35',
    'c=IN IP4 0.0.0.0',
    'a=rtcp:9 IN IP4 0.0.0.0',
    'a=candidate:1467250027 1 udp 2122260223 192.0.2.20 51473 typ host generation 0 network-id 1',
    'a=candidate:2991498351 1 udp 1686052607 203.0.113.7 51473 typ srflx raddr 192.0.2.20 rport 51473 generation 0 network-id 1',
    'a=ice-ufrag:Gz1e',
    'a=ice-pwd:eVqG6yVvJbHqzKx6w3N0Wd3F',
    'a=ice-options:trickle',
    `a=fingerprint:${CHROMIUM_FINGERPRINT}`,
    'a=setup:actpass',
    'a=mid:1',
    'a=extmap:14 urn:ietf:params:rtp-hdrext:toffset',
    'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
    'a=extmap:13 urn:3gpp:video-orientation',
    'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
    'a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
    'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
    'a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
    'a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
    direction,
    ...extra.filter((l) => l.startsWith('a=msid:')),
    'a=rtcp-mux',
    'a=rtcp-rsize',
    'a=rtpmap:96 VP8/90000',
    'a=rtcp-fb:96 goog-remb',
    'a=rtcp-fb:96 transport-cc',
    'a=rtcp-fb:96 ccm fir',
    'a=rtcp-fb:96 nack',
    'a=rtcp-fb:96 nack pli',
    'a=rtpmap:97 rtx/90000',
    'a=fmtp:97 apt=96',
    'a=rtpmap:104 H264/90000',
    'a=rtcp-fb:104 goog-remb',
    'a=rtcp-fb:104 transport-cc',
    'a=rtcp-fb:104 ccm fir',
    'a=rtcp-fb:104 nack',
    'a=rtcp-fb:104 nack pli',
    'a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
    'a=rtpmap:105 rtx/90000',
    'a=fmtp:105 apt=104',
    'a=rtpmap:102 H264/90000',
    'a=rtcp-fb:102 goog-remb',
    'a=rtcp-fb:102 transport-cc',
    'a=rtcp-fb:102 ccm fir',
    'a=rtcp-fb:102 nack',
    'a=rtcp-fb:102 nack pli',
    'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    'a=rtpmap:103 rtx/90000',
    'a=fmtp:103 apt=102',
    'a=rtpmap:98 VP9/90000',
    'a=rtcp-fb:98 goog-remb',
    'a=rtcp-fb:98 transport-cc',
    'a=rtcp-fb:98 ccm fir',
    'a=rtcp-fb:98 nack',
    'a=rtcp-fb:98 nack pli',
    'a=fmtp:98 profile-id=0',
    'a=rtpmap:99 rtx/90000',
    'a=fmtp:99 apt=98',
    'a=rtpmap:112 red/90000',
    'a=rtpmap:113 rtx/90000',
    'a=fmtp:113 apt=112',
    'a=rtpmap:114 ulpfec/90000',
    // Chromium offers FlexFEC under its draft name when the field trial is on.
    'a=rtpmap:35 flexfec-03/90000',
    'a=rtcp-fb:35 goog-remb',
    'a=rtcp-fb:35 transport-cc',
    'a=fmtp:35 repair-window=10000000',
    ...extra.filter((l) => !l.startsWith('a=msid:')),
  ];
}

const CHROMIUM_SESSION = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
];

/** What a WHEP player in Chromium offers: recvonly audio and video, two candidates each. */
export const CHROMIUM_PLAYER_OFFER = crlf([
  ...CHROMIUM_SESSION,
  'a=msid-semantic: WMS',
  ...chromiumAudio('a=recvonly', []),
  ...chromiumVideo('a=recvonly', []),
]);

/** The same browser publishing through a WHIP page: sendonly, with msid and ssrc lines. */
export const CHROMIUM_PUBLISHER_OFFER = crlf([
  ...CHROMIUM_SESSION,
  'a=msid-semantic: WMS 5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10',
  ...chromiumAudio('a=sendonly', [
    'a=msid:5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10 0e6a1a8e-3c0a-4b43-8f43-5b8f9c0c2d11',
    'a=ssrc:1825485920 cname:c3ZKxk0Yh1y0sCJ7',
    'a=ssrc:1825485920 msid:5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10 0e6a1a8e-3c0a-4b43-8f43-5b8f9c0c2d11',
  ]),
  ...chromiumVideo('a=sendonly', [
    'a=msid:5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10 9a4f7c2b-6d8e-4f1a-b2c3-d4e5f6a7b8c9',
    'a=ssrc-group:FID 2231627014 632943048',
    'a=ssrc:2231627014 cname:c3ZKxk0Yh1y0sCJ7',
    'a=ssrc:2231627014 msid:5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10 9a4f7c2b-6d8e-4f1a-b2c3-d4e5f6a7b8c9',
    'a=ssrc:632943048 cname:c3ZKxk0Yh1y0sCJ7',
    'a=ssrc:632943048 msid:5b1bbd0e-2b7d-4c8c-a2e1-4a3b3c3e7f10 9a4f7c2b-6d8e-4f1a-b2c3-d4e5f6a7b8c9',
  ]),
]);

// OBS Studio's WHIP output goes through libdatachannel, which writes ICE
// credentials, fingerprint and setup at session level, and offers without
// candidates.
const OBS_SESSION = [
  'v=0',
  'o=rtc 2963486381 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=group:LS 0 1',
  'a=msid-semantic:WMS *',
  'a=setup:actpass',
  'a=ice-ufrag:Vx7c',
  'a=ice-pwd:8Q+Ap2Gk0Yl3xWnR4s5T6u',
  'a=ice-options:ice2,trickle',
  'a=fingerprint:sha-256 3F:1A:92:C4:77:0B:5E:D8:21:6C:A9:40:FE:13:88:7D:52:E6:0F:B1:9A:34:C7:2D:81:5B:EE:06:73:A2:4C:19',
];

const OBS_AUDIO = [
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=mid:0',
  'a=sendonly',
  'a=ssrc:2719430862 cname:mQK4d0pJ7yTfV2hG',
  'a=ssrc:2719430862 msid:obs-studio obs-studio-audio',
  'a=msid:obs-studio obs-studio-audio',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1',
];

/** OBS Studio WHIP offer: opus on mid 0, H.264 packetization-mode=1 on mid 1, no candidates. */
export const OBS_OFFER = crlf([
  ...OBS_SESSION,
  ...OBS_AUDIO,
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=sendonly',
  'a=ssrc:3855113620 cname:mQK4d0pJ7yTfV2hG',
  'a=ssrc:3855113620 msid:obs-studio obs-studio-video',
  'a=msid:obs-studio obs-studio-video',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=rtcp-mux',
  'a=rtpmap:96 H264/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtcp-fb:96 goog-remb',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
]);

/** OBS Studio 32.1 with simulcast on: three send rids on the video section. */
export const OBS_SIMULCAST_OFFER = crlf([
  ...OBS_SESSION,
  ...OBS_AUDIO,
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=sendonly',
  'a=msid:obs-studio obs-studio-video',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:2 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  'a=rtcp-mux',
  'a=rtpmap:96 H264/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtcp-fb:96 goog-remb',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1',
  'a=rid:0 send',
  'a=rid:1 send',
  'a=rid:2 send',
  'a=simulcast:send 0;1;2',
]);

/**
 * Janus answering an OBS offer when the room does not accept the offered
 * video codec: the video section is rejected with port 0 (and, as Janus
 * does, still carries its mid and transport attributes), audio is accepted.
 * Janus half-trickles, so its candidates are in the answer.
 */
export const JANUS_ANSWER_VIDEO_REJECTED = crlf([
  'v=0',
  'o=- 1718031093541286 1 IN IP4 198.51.100.10',
  's=VideoRoom 1234',
  't=0 0',
  'a=group:BUNDLE 0',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 D2:B9:31:8F:DF:24:D8:0E:ED:D2:EF:25:9E:AF:6F:B8:34:AE:53:9C:E6:F3:8F:F2:64:15:FA:E8:7F:53:2D:38',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS *',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 198.51.100.10',
  'a=recvonly',
  'a=mid:0',
  'a=rtcp-mux',
  'a=ice-ufrag:jX2q',
  'a=ice-pwd:r5bZ0kqVwT2pH7yXn9mC1a',
  'a=ice-options:trickle',
  'a=setup:active',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 useinbandfec=1',
  'a=candidate:1 1 udp 2015363327 198.51.100.10 20108 typ host',
  'a=candidate:2 1 tcp 1015021823 198.51.100.10 9 typ host tcptype active',
  'a=candidate:3 1 tcp 1010827519 198.51.100.10 42335 typ host tcptype passive',
  'a=end-of-candidates',
  'm=video 0 UDP/TLS/RTP/SAVPF 0',
  'c=IN IP4 198.51.100.10',
  'a=inactive',
  'a=mid:1',
  'a=rtcp-mux',
  'a=ice-ufrag:jX2q',
  'a=ice-pwd:r5bZ0kqVwT2pH7yXn9mC1a',
  'a=ice-options:trickle',
  'a=setup:active',
]);

/**
 * Janus 1.4's Streaming plugin answering a Chromium player (WHEP): it takes the player's
 * payload type numbers and writes the mountpoint's fmtp (here the one negotiated by an OBS
 * publisher) into the answer; RTX is offered back for the H.264 payload type.
 */
export const JANUS_PLAYER_ANSWER = crlf([
  'v=0',
  'o=- 1718031093541299 1 IN IP4 198.51.100.10',
  's=Mountpoint 1234',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 D2:B9:31:8F:DF:24:D8:0E:ED:D2:EF:25:9E:AF:6F:B8:34:AE:53:9C:E6:F3:8F:F2:64:15:FA:E8:7F:53:2D:38',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS janus',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 198.51.100.10',
  'a=sendonly',
  'a=mid:0',
  'a=rtcp-mux',
  'a=ice-ufrag:Qm7v',
  'a=ice-pwd:b0XhT6c9s2LkW8nQ3fRz1p',
  'a=ice-options:trickle',
  'a=setup:passive',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=msid:janus janusa0',
  'a=ssrc:3461296187 cname:janus',
  'a=candidate:1 1 udp 2015363327 198.51.100.10 20110 typ host',
  'a=end-of-candidates',
  'm=video 9 UDP/TLS/RTP/SAVPF 102 103',
  'c=IN IP4 198.51.100.10',
  'a=sendonly',
  'a=mid:1',
  'a=rtcp-mux',
  'a=ice-ufrag:Qm7v',
  'a=ice-pwd:b0XhT6c9s2LkW8nQ3fRz1p',
  'a=ice-options:trickle',
  'a=setup:passive',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 profile-level-id=42e01f;packetization-mode=1',
  'a=rtcp-fb:102 ccm fir',
  'a=rtcp-fb:102 nack',
  'a=rtcp-fb:102 nack pli',
  'a=rtcp-fb:102 goog-remb',
  'a=rtpmap:103 rtx/90000',
  'a=fmtp:103 apt=102',
  'a=msid:janus janusv1',
  'a=ssrc-group:FID 1850427316 2087655104',
  'a=ssrc:1850427316 cname:janus',
  'a=ssrc:2087655104 cname:janus',
]);

/**
 * A WHIP client's trickle PATCH body, in the shape of the RFC 9725 §4.3.1
 * example: credentials at media level, end-of-candidates after the last one.
 */
export const WHIP_TRICKLE_FRAGMENT = crlf([
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=ice-ufrag:EsAw',
  'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
  'a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1',
  'a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2',
  'a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1',
  'a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw network-id 2',
  'a=end-of-candidates',
]);

/** An ICE restart PATCH body: new credentials, no candidates yet. */
export const WHIP_ICE_RESTART_FRAGMENT = crlf([
  'a=ice-options:trickle ice2',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=ice-ufrag:ysXw',
  'a=ice-pwd:vw5LmwG4y/e6dPP/zAP9Gp5k',
]);
export { mutated, oddValue, sdpishLine } from './mutations';
