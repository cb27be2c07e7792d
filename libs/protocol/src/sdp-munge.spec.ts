import * as sdpTransform from 'sdp-transform';
import { parseSdp, SdpError } from './sdp';
import { preferH264PacketizationMode1, withH264ProfileLevelId } from './sdp-munge';
import { CHROMIUM_PLAYER_OFFER, CHROMIUM_PUBLISHER_OFFER, crlf, JANUS_ANSWER_VIDEO_REJECTED, JANUS_PLAYER_ANSWER, OBS_OFFER, toLf } from './testing/fixtures';
import { SESSION, sdp, audio, video } from './testing/sdp-builders';

describe('preferH264PacketizationMode1', () => {
  const mLines = (text: string): string[] => text.split(/\r?\n/).filter((l) => l.startsWith('m='));

  it('moves the packetization-mode=1 H.264 ahead of the mode 0 one in the Chromium offer', () => {
    expect(mLines(preferH264PacketizationMode1(CHROMIUM_PLAYER_OFFER))).toEqual([
      'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
      'm=video 9 UDP/TLS/RTP/SAVPF 96 97 102 105 104 103 98 99 112 113 114 35',
    ]);
  });

  it.each([
    ['Chromium player', CHROMIUM_PLAYER_OFFER],
    ['Chromium publisher', CHROMIUM_PUBLISHER_OFFER],
  ])('changes nothing but the video m= line of the %s offer', (_name, text) => {
    const before = text.split('\r\n');
    const after = preferH264PacketizationMode1(text).split('\r\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [i]));
    expect(changed).toHaveLength(1);
    const i = changed[0]!;
    expect(before[i]!.startsWith('m=video ')).toBe(true);
    // Same payload types, only their order differs.
    expect(after[i]!.split(' ').sort()).toEqual(before[i]!.split(' ').sort());
  });

  it('keeps everything sdp-transform can see, including candidates, fingerprints, extmaps, ssrcs and rtcp-fb', () => {
    // sdp-transform serves as an independent reader here.
    const before = sdpTransform.parse(CHROMIUM_PUBLISHER_OFFER);
    const after = sdpTransform.parse(preferH264PacketizationMode1(CHROMIUM_PUBLISHER_OFFER));
    expect(after.media[1]!.payloads).toBe('96 97 102 105 104 103 98 99 112 113 114 35');
    const withoutPayloads = (s: sdpTransform.SessionDescription): unknown => ({
      ...s,
      media: s.media.map(({ payloads: _payloads, ...rest }) => rest),
    });
    expect(withoutPayloads(after)).toEqual(withoutPayloads(before));
    // The comparison above is only as strong as what was parsed: make sure
    // the interesting parts were there to compare.
    const video = after.media[1]!;
    expect(video.candidates).toHaveLength(2);
    expect(video.fingerprint?.hash).toMatch(/^6B:8B/);
    expect(video.ext?.map((e) => e.value)).toEqual([14, 2, 13, 3, 5, 4, 10, 11]);
    expect(video.ssrcs).toHaveLength(4);
    expect(video.ssrcGroups).toEqual([{ semantics: 'FID', ssrcs: '2231627014 632943048' }]);
    expect(video.rtcpFb?.filter((f) => f.payload === 102)).toHaveLength(5);
    expect(video.invalid).toBeUndefined();
  });

  it('keeps LF line ends as they are', () => {
    const out = preferH264PacketizationMode1(toLf(CHROMIUM_PLAYER_OFFER));
    expect(out).not.toContain('\r');
    expect(out).toBe(toLf(preferH264PacketizationMode1(CHROMIUM_PLAYER_OFFER)));
  });

  it('keeps a last line without line end', () => {
    const text = sdp(...video('0', 'recvonly')).replace(/\r\n$/, '');
    expect(preferH264PacketizationMode1(text)).toBe(text);
  });

  it.each([
    ['Chromium player (reordered)', CHROMIUM_PLAYER_OFFER],
    ['Chromium publisher (reordered)', CHROMIUM_PUBLISHER_OFFER],
    ['OBS (in order)', OBS_OFFER],
    ['already reordered', preferH264PacketizationMode1(CHROMIUM_PLAYER_OFFER)],
  ])('gives the same text with the offer already parsed: %s', (_name, text) => {
    expect(preferH264PacketizationMode1(text, parseSdp(text))).toBe(preferH264PacketizationMode1(text));
  });

  it('is idempotent', () => {
    const once = preferH264PacketizationMode1(CHROMIUM_PLAYER_OFFER);
    expect(preferH264PacketizationMode1(once)).toBe(once);
  });

  it.each([
    ['OBS (one H.264 already mode 1)', OBS_OFFER],
    ['a Janus answer', JANUS_ANSWER_VIDEO_REJECTED],
    ['audio only', sdp(...audio('0', 'recvonly'))],
  ])('returns %s unchanged', (_name, text) => {
    expect(preferH264PacketizationMode1(text)).toBe(text);
  });

  /** A video section from [pt, codec, fmtp] triples, in m= line order. */
  function videoOffer(formats: [number, string, string?][]): string {
    return sdp(
      `m=video 9 UDP/TLS/RTP/SAVPF ${formats.map(([pt]) => pt).join(' ')}`,
      'a=mid:1',
      'a=recvonly',
      ...formats.flatMap(([pt, codec, fmtp]) => [
        `a=rtpmap:${pt} ${codec}/90000`,
        ...(fmtp === undefined ? [] : [`a=fmtp:${pt} ${fmtp}`]),
      ]),
    );
  }

  it.each<[string, [number, string, string?][], string]>([
    [
      'mode 0 first, mode 1 second',
      [
        [104, 'H264', 'packetization-mode=0;profile-level-id=42e01f'],
        [102, 'H264', 'packetization-mode=1;profile-level-id=42e01f'],
      ],
      '102 104',
    ],
    [
      'already in order',
      [
        [102, 'H264', 'packetization-mode=1'],
        [104, 'H264', 'packetization-mode=0'],
      ],
      '102 104',
    ],
    [
      'no packetization-mode means mode 0 (RFC 6184 §8.1)',
      [
        [100, 'H264', 'profile-level-id=42e01f'],
        [101, 'H264', 'packetization-mode=1'],
      ],
      '101 100',
    ],
    [
      'no fmtp at all means mode 0',
      [
        [100, 'H264'],
        [101, 'H264', 'packetization-mode=1'],
      ],
      '101 100',
    ],
    [
      'other codecs keep their positions',
      [
        [96, 'VP8'],
        [97, 'rtx', 'apt=96'],
        [104, 'H264', 'packetization-mode=0'],
        [105, 'rtx', 'apt=104'],
        [102, 'H264', 'packetization-mode=1'],
        [103, 'rtx', 'apt=102'],
        [45, 'AV1'],
      ],
      '96 97 102 105 104 103 45',
    ],
    [
      'several of each: relative order within each group is kept',
      [
        [104, 'H264', 'packetization-mode=0;profile-level-id=42e01f'],
        [106, 'H264', 'packetization-mode=0;profile-level-id=42001f'],
        [96, 'VP8'],
        [102, 'H264', 'packetization-mode=1;profile-level-id=42e01f'],
        [108, 'H264', 'packetization-mode=1;profile-level-id=42001f'],
        [127, 'H264', 'packetization-mode=1;profile-level-id=4d001f'],
      ],
      '102 108 96 127 104 106',
    ],
    [
      'parameter names are case-insensitive and may be spaced',
      [
        [104, 'H264', 'profile-level-id=42e01f'],
        [102, 'H264', 'profile-level-id=42e01f; Packetization-Mode = 1'],
      ],
      '102 104',
    ],
    [
      'codec names are case-insensitive',
      [
        [104, 'h264', 'packetization-mode=0'],
        [102, 'h264', 'packetization-mode=1'],
      ],
      '102 104',
    ],
    [
      'packetization-mode=2 (interleaved) is not mode 1',
      [
        [110, 'H264', 'packetization-mode=2'],
        [104, 'H264', 'packetization-mode=0'],
        [102, 'H264', 'packetization-mode=1'],
      ],
      '102 110 104',
    ],
    [
      'a value that merely starts with 1 is not mode 1',
      [
        [104, 'H264', 'packetization-mode=10'],
        [102, 'H264', 'packetization-mode=1'],
      ],
      '102 104',
    ],
    [
      'H.265 is not H.264',
      [
        [49, 'H265'],
        [104, 'H264', 'packetization-mode=0'],
        [102, 'H264', 'packetization-mode=1'],
      ],
      '49 102 104',
    ],
    ['no H.264: untouched', [[96, 'VP8'], [98, 'VP9']], '96 98'],
  ])('%s', (_name, formats, expected) => {
    const [line] = mLines(preferH264PacketizationMode1(videoOffer(formats)));
    expect(line).toBe(`m=video 9 UDP/TLS/RTP/SAVPF ${expected}`);
  });

  it('reorders every video section and leaves audio ones alone', () => {
    const text = sdp(
      'm=audio 9 UDP/TLS/RTP/SAVPF 104 102',
      'a=mid:0',
      'a=rtpmap:104 H264/90000',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=1',
      'm=video 9 UDP/TLS/RTP/SAVPF 104 102',
      'a=mid:1',
      'a=rtpmap:104 H264/90000',
      'a=rtpmap:102 H264/90000',
      'a=fmtp:102 packetization-mode=1',
      'm=video 9 UDP/TLS/RTP/SAVPF 106 108',
      'a=mid:2',
      'a=rtpmap:106 H264/90000',
      'a=rtpmap:108 H264/90000',
      'a=fmtp:108 packetization-mode=1',
    );
    expect(mLines(preferH264PacketizationMode1(text))).toEqual([
      'm=audio 9 UDP/TLS/RTP/SAVPF 104 102',
      'm=video 9 UDP/TLS/RTP/SAVPF 102 104',
      'm=video 9 UDP/TLS/RTP/SAVPF 108 106',
    ]);
  });

  it('keeps a port count in the m= line', () => {
    const text = sdp('m=video 9/2 RTP/AVP 104 102', 'a=mid:1', 'a=rtpmap:104 H264/90000', 'a=rtpmap:102 H264/90000', 'a=fmtp:102 packetization-mode=1');
    expect(mLines(preferH264PacketizationMode1(text))).toEqual(['m=video 9/2 RTP/AVP 102 104']);
  });

  it.each([
    ['not SDP', 'hello', 'body is not an SDP session description (it must start with v=0)'],
    ['no m= lines', crlf(SESSION), 'SDP has no m= lines'],
  ])('throws SdpError for %s', (_name, text, message) => {
    expect(() => preferH264PacketizationMode1(text)).toThrow(new SdpError(message));
  });
});

describe('withH264ProfileLevelId', () => {
  /** The lines that differ, as [before, after] pairs (line counts must match). */
  function changedLines(before: string, after: string): [string, string][] {
    const a = before.split('\r\n');
    const b = after.split('\r\n');
    expect(b).toHaveLength(a.length);
    return a.flatMap((line, i) => (line === b[i] ? [] : [[line, b[i]!] as [string, string]]));
  }

  it('rewrites only the H.264 fmtp line of a Janus answer: audio, RTX, ssrcs and candidates stay', () => {
    expect(changedLines(JANUS_PLAYER_ANSWER, withH264ProfileLevelId(JANUS_PLAYER_ANSWER, '64001f'))).toEqual([
      ['a=fmtp:102 profile-level-id=42e01f;packetization-mode=1', 'a=fmtp:102 profile-level-id=64001f;packetization-mode=1'],
    ]);
  });

  /** A video section from [pt, codec, fmtp] triples, in m= line order. */
  function videoAnswer(formats: [number, string, string?][]): string {
    return sdp(
      `m=video 9 UDP/TLS/RTP/SAVPF ${formats.map(([pt]) => pt).join(' ')}`,
      'a=mid:1',
      'a=sendonly',
      ...formats.flatMap(([pt, codec, fmtp]) => [`a=rtpmap:${pt} ${codec}/90000`, ...(fmtp === undefined ? [] : [`a=fmtp:${pt} ${fmtp}`])]),
    );
  }
  const fmtpLines = (text: string): string[] => text.split('\r\n').filter((l) => l.startsWith('a=fmtp:'));

  it.each<[string, [number, string, string?][], string, string[]]>([
    [
      'packetization-mode and other parameters keep their place',
      [[102, 'H264', 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f']],
      '640028',
      ['a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640028'],
    ],
    [
      'every H.264 payload type; VP8, VP9 and RTX untouched',
      [
        [96, 'VP8'],
        [98, 'VP9', 'profile-id=0'],
        [102, 'H264', 'profile-level-id=42001f;packetization-mode=1'],
        [103, 'rtx', 'apt=102'],
        [104, 'H264', 'profile-level-id=42e01f;packetization-mode=0'],
      ],
      '4d0028',
      ['a=fmtp:98 profile-id=0', 'a=fmtp:102 profile-level-id=4d0028;packetization-mode=1', 'a=fmtp:103 apt=102', 'a=fmtp:104 profile-level-id=4d0028;packetization-mode=0'],
    ],
    [
      'a parameter name in capitals keeps its spelling; the value is written in lower case',
      [[102, 'h264', 'PROFILE-LEVEL-ID=42E01F; packetization-mode=1']],
      '64001F',
      ['a=fmtp:102 PROFILE-LEVEL-ID=64001f; packetization-mode=1'],
    ],
    [
      'an fmtp without profile-level-id gets one appended',
      [[102, 'H264', 'packetization-mode=1;']],
      '42e01f',
      ['a=fmtp:102 packetization-mode=1;profile-level-id=42e01f'],
    ],
    [
      'an H.264 payload type without fmtp gets one (absent would mean Baseline 1.0)',
      [[102, 'H264'], [96, 'VP8']],
      '640033',
      ['a=fmtp:102 profile-level-id=640033'],
    ],
  ])('%s', (_name, formats, id, expected) => {
    expect(fmtpLines(withH264ProfileLevelId(videoAnswer(formats), id))).toEqual(expected);
  });

  it('puts a new fmtp line right after the rtpmap, also at the very end without a line end', () => {
    const text = sdp('m=video 9 UDP/TLS/RTP/SAVPF 102 96', 'a=mid:1', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:102 H264/90000').replace(/\r\n$/, '');
    expect(withH264ProfileLevelId(text, '42e01f')).toBe(`${text}\r\na=fmtp:102 profile-level-id=42e01f`);
    const lf = toLf(sdp('m=video 9 UDP/TLS/RTP/SAVPF 102', 'a=mid:1', 'a=rtpmap:102 H264/90000', 'a=rtcp-fb:102 nack'));
    expect(withH264ProfileLevelId(lf, '42e01f')).toBe(lf.replace('H264/90000\n', 'H264/90000\na=fmtp:102 profile-level-id=42e01f\n'));
  });

  it.each([
    ['the same profile already', JANUS_PLAYER_ANSWER.replace('42e01f', '64001f')],
    ['a rejected video section', JANUS_ANSWER_VIDEO_REJECTED],
    ['H.264 named in an audio section', sdp('m=audio 9 UDP/TLS/RTP/SAVPF 102', 'a=mid:0', 'a=rtpmap:102 H264/90000', 'a=fmtp:102 profile-level-id=42e01f')],
    ['VP8 only', videoAnswer([[96, 'VP8']])],
  ])('returns %s unchanged', (_name, text) => {
    expect(withH264ProfileLevelId(text, '64001f')).toBe(text);
  });

  it('keeps LF line ends and is idempotent', () => {
    const once = withH264ProfileLevelId(toLf(JANUS_PLAYER_ANSWER), '640028');
    expect(once).not.toContain('\r');
    expect(once).toBe(toLf(withH264ProfileLevelId(JANUS_PLAYER_ANSWER, '640028')));
    expect(withH264ProfileLevelId(once, '640028')).toBe(once);
  });

  it.each(['64001', '64001fz', 'high', ''])('refuses the profile-level-id %j', (id) => {
    expect(() => withH264ProfileLevelId(JANUS_PLAYER_ANSWER, id)).toThrow(RangeError);
  });

  it('throws SdpError for text that is not SDP', () => {
    expect(() => withH264ProfileLevelId('hello', '64001f')).toThrow(new SdpError('body is not an SDP session description (it must start with v=0)'));
  });
});
