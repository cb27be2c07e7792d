import { CodecInfo, codecNames, countCandidates, MediaSection, parseSdp, rejectedMids, SdpError } from './sdp';
import { parseOffer } from './sdp-offer';
import { CHROMIUM_PLAYER_OFFER, CHROMIUM_PUBLISHER_OFFER, crlf, JANUS_ANSWER_VIDEO_REJECTED, OBS_OFFER, OBS_SIMULCAST_OFFER, toLf, WHIP_TRICKLE_FRAGMENT } from './testing/fixtures';
import { SESSION, sdp, sdpWithout, OPUS, H264, audio, video, thrown } from './testing/sdp-builders';

describe('parseSdp', () => {
  it('summarises the OBS offer completely', () => {
    expect(parseSdp(OBS_OFFER)).toEqual({
      media: [
        {
          mid: '0',
          kind: 'audio',
          port: 9,
          direction: 'sendonly',
          codecs: [
            {
              pt: 111,
              name: 'opus',
              clockRate: 48000,
              channels: 2,
              fmtp: 'minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1',
            },
          ],
          rids: [],
        },
        {
          mid: '1',
          kind: 'video',
          port: 9,
          direction: 'sendonly',
          codecs: [{ pt: 96, name: 'H264', clockRate: 90000, fmtp: 'profile-level-id=42e01f;packetization-mode=1' }],
          rids: [],
        },
      ],
      iceUfrag: 'Vx7c',
      icePwd: '8Q+Ap2Gk0Yl3xWnR4s5T6u',
      hasCandidates: false,
    });
  });

  it('reads the rids and simulcast of the OBS 32.1 simulcast offer, ids as strings', () => {
    const video = parseSdp(OBS_SIMULCAST_OFFER).media[1]!;
    expect(video.rids).toEqual([
      { id: '0', direction: 'send' },
      { id: '1', direction: 'send' },
      { id: '2', direction: 'send' },
    ]);
    expect(video.simulcast).toBe('send 0;1;2');
  });

  it('keeps media codecs of the Chromium offer in m= line order, without rtx/red/fec/CN/DTMF', () => {
    const summary = parseSdp(CHROMIUM_PLAYER_OFFER);
    expect(summary.media.map((m) => [m.mid, m.kind, m.direction])).toEqual([
      ['0', 'audio', 'recvonly'],
      ['1', 'video', 'recvonly'],
    ]);
    expect(summary.media[0]!.codecs).toEqual([
      { pt: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'minptime=10;useinbandfec=1' },
      { pt: 9, name: 'G722', clockRate: 8000 },
      { pt: 0, name: 'PCMU', clockRate: 8000 },
      { pt: 8, name: 'PCMA', clockRate: 8000 },
    ]);
    expect(summary.media[1]!.codecs.map((c) => [c.pt, c.name])).toEqual([
      [96, 'VP8'],
      [104, 'H264'],
      [102, 'H264'],
      [98, 'VP9'],
    ]);
    expect(summary.media[1]!.codecs[1]!.fmtp).toBe(
      'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f',
    );
    expect(summary).toMatchObject({ iceUfrag: 'Gz1e', icePwd: 'eVqG6yVvJbHqzKx6w3N0Wd3F', hasCandidates: true });
  });

  it.each([
    ['OBS', OBS_OFFER],
    ['OBS simulcast', OBS_SIMULCAST_OFFER],
    ['Chromium player', CHROMIUM_PLAYER_OFFER],
    ['Chromium publisher', CHROMIUM_PUBLISHER_OFFER],
    ['Janus answer', JANUS_ANSWER_VIDEO_REJECTED],
  ])('reads the %s SDP the same with LF line ends as with CRLF', (_name, text) => {
    expect(parseSdp(toLf(text))).toEqual(parseSdp(text));
  });

  it.each<[string, string, Partial<Record<string, string>>]>([
    ['no direction anywhere: sendrecv (RFC 3264 §5.1)', sdp(...audio('0', 'x-none')), { '0': 'sendrecv' }],
    ['session-level direction applies to sections without one', sdp('a=recvonly', ...audio('0', 'x-none')), { '0': 'recvonly' }],
    [
      'a section-level direction wins over the session-level one',
      sdp('a=recvonly', ...audio('0', 'sendonly'), ...video('1', 'x-none')),
      { '0': 'sendonly', '1': 'recvonly' },
    ],
    ['inactive', sdp(...audio('0', 'inactive')), { '0': 'inactive' }],
  ])('direction: %s', (_name, text, expected) => {
    const directions = Object.fromEntries(parseSdp(text).media.map((m) => [m.mid, m.direction]));
    expect(directions).toEqual(expected);
  });

  it.each<[string, string[], { pt: number; name: string }[]]>([
    [
      'a dynamic payload type without a=rtpmap is left out',
      ['m=video 9 UDP/TLS/RTP/SAVPF 96 100', 'a=mid:0', 'a=rtpmap:96 VP8/90000'],
      [{ pt: 96, name: 'VP8' }],
    ],
    [
      'an rtpmap for a payload type not in the m= line is ignored',
      ['m=video 9 UDP/TLS/RTP/SAVPF 96', 'a=mid:0', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 H264/90000'],
      [{ pt: 96, name: 'VP8' }],
    ],
    [
      'the m= line order counts, not the rtpmap order',
      ['m=video 9 UDP/TLS/RTP/SAVPF 97 96', 'a=mid:0', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 H264/90000'],
      [
        { pt: 97, name: 'H264' },
        { pt: 96, name: 'VP8' },
      ],
    ],
    [
      'rtx, red, ulpfec, flexfec-03 are not media codecs, whatever their case',
      [
        'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 100',
        'a=mid:0',
        'a=rtpmap:96 RTX/90000',
        'a=rtpmap:97 RED/90000',
        'a=rtpmap:98 ULPFEC/90000',
        'a=rtpmap:99 flexfec-03/90000',
        'a=rtpmap:100 AV1/90000',
      ],
      [{ pt: 100, name: 'AV1' }],
    ],
    [
      'comfort noise and DTMF are not media codecs',
      ['m=audio 9 UDP/TLS/RTP/SAVPF 13 101 111', 'a=mid:0', 'a=rtpmap:101 telephone-event/48000', ...OPUS],
      [{ pt: 111, name: 'opus' }],
    ],
    ['an m= line without formats has no codecs', ['m=audio 9 UDP/TLS/RTP/SAVPF', 'a=mid:0'], []],
  ])('codecs: %s', (_name, lines, expected) => {
    const [section] = parseSdp(sdp(...lines)).media;
    expect(section!.codecs.map(({ pt, name }) => ({ pt, name }))).toEqual(expected);
  });

  it.each<[string, string[], CodecInfo[]]>([
    [
      'audio, G722 at its RTP clock of 8000 (RFC 3551 §4.5.2), L16 stereo',
      ['m=audio 9 RTP/AVP 0 8 9 10 11', 'a=mid:0'],
      [
        { pt: 0, name: 'PCMU', clockRate: 8000 },
        { pt: 8, name: 'PCMA', clockRate: 8000 },
        { pt: 9, name: 'G722', clockRate: 8000 },
        { pt: 10, name: 'L16', clockRate: 44100, channels: 2 },
        { pt: 11, name: 'L16', clockRate: 44100 },
      ],
    ],
    [
      'video',
      ['m=video 9 RTP/AVP 26 34', 'a=mid:0'],
      [
        { pt: 26, name: 'JPEG', clockRate: 90000 },
        { pt: 34, name: 'H263', clockRate: 90000 },
      ],
    ],
    [
      'an explicit a=rtpmap wins over the static assignment',
      ['m=audio 9 RTP/AVP 0', 'a=mid:0', 'a=rtpmap:0 PCMU/8000/2', 'a=fmtp:0 x=1'],
      [{ pt: 0, name: 'PCMU', clockRate: 8000, channels: 2, fmtp: 'x=1' }],
    ],
    ['an unassigned static number without a=rtpmap is left out', ['m=audio 9 RTP/AVP 1 2 0', 'a=mid:0'], [{ pt: 0, name: 'PCMU', clockRate: 8000 }]],
  ])('static payload types (RFC 3551 §6) without a=rtpmap: %s', (_name, lines, expected) => {
    expect(parseSdp(sdp(...lines)).media[0]!.codecs).toStrictEqual(expected);
  });

  it('reads the channel count and fmtp verbatim, and uses the first of repeated rtpmap/fmtp lines', () => {
    const [section] = parseSdp(
      sdp(
        'm=audio 9 UDP/TLS/RTP/SAVPF 111',
        'a=mid:0',
        'a=rtpmap:111 opus/48000/2',
        'a=rtpmap:111 opus/48000/1',
        'a=fmtp:111 stereo=1; sprop-stereo=1',
        'a=fmtp:111 stereo=0',
      ),
    ).media;
    expect(section!.codecs).toEqual([
      { pt: 111, name: 'opus', clockRate: 48000, channels: 2, fmtp: 'stereo=1; sprop-stereo=1' },
    ]);
  });

  it('leaves application sections out but reads their ICE credentials', () => {
    const summary = parseSdp(
      crlf([
        'v=0',
        'o=- 1 1 IN IP4 127.0.0.1',
        's=-',
        't=0 0',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'a=mid:data',
        'a=ice-ufrag:appU',
        'a=ice-pwd:apppwdapppwdapppwdappp',
        'a=sctp-port:5000',
        ...audio('0', 'sendonly', 'a=ice-ufrag:audU', 'a=ice-pwd:audpwdaudpwdaudpwdaudp'),
      ]),
    );
    expect(summary.media.map((m) => m.mid)).toEqual(['0']);
    expect(summary.iceUfrag).toBe('appU');
    expect(summary.icePwd).toBe('apppwdapppwdapppwdappp');
  });

  it.each<[string, string, string | undefined]>([
    ['session level wins over media level', sdp(...audio('0', 'sendonly', 'a=ice-ufrag:med1')), 'abcd'],
    [
      'media level when the session has none',
      sdpWithout('a=ice-ufrag', ...audio('0', 'sendonly', 'a=ice-ufrag:med1'), ...video('1', 'sendonly', 'a=ice-ufrag:med2')),
      'med1',
    ],
    ['absent', sdpWithout('a=ice-ufrag', ...audio('0', 'sendonly')), undefined],
    ['an empty value counts as absent', sdpWithout('a=ice-ufrag', 'a=ice-ufrag:', ...audio('0', 'sendonly')), undefined],
    ['a numeric-looking ufrag stays a string', sdpWithout('a=ice-ufrag', 'a=ice-ufrag:1234', ...audio('0', 'sendonly')), '1234'],
  ])('iceUfrag: %s', (_name, text, expected) => {
    expect(parseSdp(text).iceUfrag).toBe(expected);
  });

  it.each([
    ['no candidates', sdp(...audio('0', 'sendonly')), false],
    ['a candidate in a section', sdp(...audio('0', 'sendonly', 'a=candidate:1 1 udp 1 192.0.2.1 9 typ host')), true],
    ['only end-of-candidates', sdp(...audio('0', 'sendonly', 'a=end-of-candidates')), false],
  ])('hasCandidates: %s', (_name, text, expected) => {
    expect(parseSdp(text).hasCandidates).toBe(expected);
  });

  it.each([
    ['mids that look like numbers stay strings', ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', ...OPUS], '0'],
    ['mids with token punctuation', ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:{audio}-1.x', ...OPUS], '{audio}-1.x'],
    ['trailing whitespace after a mid is not part of it', ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:a0 ', ...OPUS], 'a0'],
  ])('mid: %s', (_name, lines, mid) => {
    expect(parseSdp(sdp(...lines)).media[0]!.mid).toBe(mid);
  });

  it('reads RFC 8851 rid ids with "-" and "_", and rid restrictions', () => {
    const [section] = parseSdp(
      sdp(...video('v', 'sendonly', 'a=rid:hi-res send max-width=1920;max-height=1080', 'a=rid:lo_res recv pt=96')),
    ).media;
    expect(section!.rids).toEqual([
      { id: 'hi-res', direction: 'send' },
      { id: 'lo_res', direction: 'recv' },
    ]);
  });

  it.each([
    ['a=bundle-only marks the section', ['m=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=bundle-only', ...H264], true],
    ['absent otherwise', ['m=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', ...H264], undefined],
  ])('bundleOnly: %s', (_name, lines, expected) => {
    expect(parseSdp(sdp(...lines)).media[0]!.bundleOnly).toBe(expected);
  });

  it('reads an m= line with a port count', () => {
    expect(parseSdp(sdp('m=audio 49170/2 RTP/AVP 0', 'a=mid:0')).media[0]!.port).toBe(49170);
  });

  it.each<[string, string, RegExp]>([
    ['an empty body', '', /^body is not an SDP session description \(it must start with v=0\)$/],
    ['a JSON body', '{"sdp":"v=0"}', /^body is not an SDP session description/],
    ['another version', 'v=1\r\ns=-\r\n', /^body is not an SDP session description/],
    ['v=0 followed by more characters', 'v=01\r\n', /^body is not an SDP session description/],
    ['leading whitespace', ' v=0\r\n', /^body is not an SDP session description/],
    ['no m= lines', crlf(SESSION), /^SDP has no m= lines$/],
    ['a line that is not type=value', sdp('hello', ...audio('0', 'sendonly')), /^SDP line 8 is not of the form <letter>=<value>: "hello"$/],
    ['an upper-case type letter', sdp('A=mid:0', ...audio('0', 'sendonly')), /^SDP line 8 is not of the form/],
    ['a lone CR inside a line', `v=0\r\ns=-\rt=0 0\r\n${crlf(audio('0', 'sendonly'))}`, /^SDP line 2 contains a carriage return/],
    ['CR-only line ends', 'v=0\rs=-\r', /^SDP line 1 contains a carriage return/],
    // Found by the HTTP fuzz run: Janus drops a request whose SDP holds a NUL, so the offer timed out there (a 503).
    ['a NUL in an attribute', sdp('a=\0', ...audio('0', 'sendonly')), /^SDP line 8 contains a NUL character/],
    ['an m= line without proto', sdp('m=audio 9', 'a=mid:0'), /^SDP line 8 is not a valid m= line/],
    ['an m= line with a non-numeric port', sdp('m=audio nine RTP/AVP 0', 'a=mid:0'), /^SDP line 8 is not a valid m= line/],
    // Found by the HTTP fuzz run: Janus never answered a publish with this proto (a 503 after 5 s).
    ['an m= line whose proto is not made of tokens', sdp('m=audio 9 UDP/TLS/\u{5d383}TP/SAVPF 111', 'a=mid:0'), /^SDP line 8 is not a valid m= line/],
    ['an m= line whose media is not a token', sdp('m=aud\u00e9o 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0'), /^SDP line 8 is not a valid m= line/],
    ['an m= line with an empty proto part', sdp('m=audio 9 UDP//SAVPF 111', 'a=mid:0'), /^SDP line 8 is not a valid m= line/],
    // Found by the HTTP fuzz run: Janus never answered a publish whose video section had a non-RTP proto.
    ['a video section whose transport is not RTP', sdp(...audio('0', 'sendonly'), 'm=video 9 1165455263 96', 'a=mid:1', 'a=rtpmap:96 H264/90000'), /^SDP m=video section \(mid 1\) uses the transport "1165455263", which is not RTP/],
    ['an audio section over SCTP', sdp('m=audio 9 UDP/DTLS/SCTP 111', 'a=mid:0'), /uses the transport "UDP\/DTLS\/SCTP", which is not RTP/],
    ['a port above 65535', sdp('m=audio 65536 RTP/AVP 0', 'a=mid:0'), /^SDP line 8 has port 65536, which is not a UDP port$/],
    ['an audio section without a=mid', sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', ...OPUS), /^SDP m=audio line \(the 1st m= line\) has no a=mid$/],
    [
      'a video section without a=mid after others',
      sdp(...audio('0', 'sendonly'), ...audio('1', 'sendonly'), 'm=video 9 UDP/TLS/RTP/SAVPF 96', ...H264),
      /^SDP m=video line \(the 3rd m= line\) has no a=mid$/,
    ],
    ['an empty a=mid', sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:', ...OPUS), /has no a=mid$/],
    ['two a=mid in one section', sdp(...audio('0', 'sendonly', 'a=mid:1')), /^SDP m=audio line \(the 1st m= line\) has more than one a=mid$/],
    ['a mid that is not a token', sdp('m=audio 9 RTP/AVP 0', 'a=mid:a"b'), /has a=mid:a"b, which is not an SDP token/],
    ['the same mid twice', sdp(...audio('0', 'sendonly'), ...video('0', 'sendonly')), /^SDP uses a=mid:0 for more than one m= line$/],
    [
      'the same mid on an application section',
      sdp('m=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:0', ...audio('0', 'sendonly')),
      /^SDP uses a=mid:0 for more than one m= line$/,
    ],
    [
      'two directions in a section',
      sdp(...audio('0', 'sendonly', 'a=recvonly')),
      /^SDP m=audio section \(mid 0\) has more than one direction attribute/,
    ],
    ['two session-level directions', sdp('a=sendonly', 'a=inactive', ...audio('0', 'x')), /^SDP has more than one session-level direction/],
    [
      'a malformed rtpmap',
      sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=rtpmap:111 opus'),
      /^SDP m=audio section \(mid 0\) has a malformed a=rtpmap on line 10 .*: "a=rtpmap:111 opus"$/,
    ],
    [
      'a malformed fmtp',
      sdp('m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', ...OPUS, 'a=fmtp:abc x=1'),
      /^SDP m=audio section \(mid 0\) has a malformed a=fmtp on line 12/,
    ],
    [
      'a non-numeric format in an RTP section',
      sdp('m=video 9 UDP/TLS/RTP/SAVPF 96 h264', 'a=mid:0'),
      /^SDP m=video section \(mid 0\) lists "h264" in its m= line, which is not an RTP payload type \(0-127\)$/,
    ],
    ['a payload type above 127', sdp('m=video 9 UDP/TLS/RTP/SAVPF 128', 'a=mid:0'), /lists "128" in its m= line/],
    ['a rid with an unknown direction', sdp(...video('1', 'sendonly', 'a=rid:0 sideways')), /has a malformed a=rid on line 13 .*"a=rid:0 sideways"$/],
    ['a rid id with a dot', sdp(...video('1', 'sendonly', 'a=rid:a.b send')), /has a malformed a=rid/],
  ])('throws SdpError for %s', (_name, text, message) => {
    const error = thrown(() => parseSdp(text));
    expect(error).toBeInstanceOf(SdpError);
    expect((error as SdpError).name).toBe('SdpError');
    expect((error as SdpError).message).toMatch(message);
  });

  // Found by the HTTP fuzz run (test/fuzz.e2e-spec.ts): Janus refused these with a 465 the
  // API answered as a 500; they are malformed SDP, a 400 naming the line.
  it.each([
    ['a second o= line', [...SESSION.slice(0, 2), 'o=- 2 2 IN IP4 127.0.0.1', ...SESSION.slice(2)], /line 3 is a second o= line/],
    ['an o= line with a garbled field', ['v=0', 'o=rtc 29634 0 IN IP4', ...SESSION.slice(2)], /line 2 is not a valid o= line/],
    ['an o= line with a non-numeric session id', ['v=0', 'o=- x 1 IN IP4 127.0.0.1', ...SESSION.slice(2)], /line 2 is not a valid o= line/],
    ['no o= line', SESSION.filter((l) => !l.startsWith('o=')), /lacks the o= line/],
    ['no s= line', SESSION.filter((l) => !l.startsWith('s=')), /lacks the s= line/],
    ['an s= line in a media section', [...SESSION, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 's=-'], /is a second s= line/],
    ['a t= line that is not two numbers', ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 't=0\u00a00', ...SESSION.slice(4)], /line 4 is not a valid t= line/],
    ['two c= lines in one section', [...SESSION, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'c=IN IP4 0.0.0.0'], /is a second c= line at the same level/],
    ['a c= line with one field', [...SESSION, 'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=992168873'], /is not a valid c= line/],
    ['an a= line without a name', [...SESSION, 'a='], /has no attribute name/],
    ['an a= line starting with a colon', [...SESSION, 'a=:x'], /has no attribute name/],
  ])('throws SdpError for %s (RFC 8866 §5 line grammar)', (_name, lines, message) => {
    const body = crlf([...lines, ...(lines.some((l) => l.startsWith('m=')) ? [] : ['m=audio 9 UDP/TLS/RTP/SAVPF 111', 'a=mid:0', 'a=rtpmap:111 opus/48000/2', 'a=sendonly'])]);
    expect(() => parseOffer(body, 'publisher')).toThrow(SdpError);
    expect(() => parseOffer(body, 'publisher')).toThrow(message);
  });

  it('shows a long offending line cut short and escaped', () => {
    const long = `x${'"'.repeat(100)}`;
    expect(() => parseSdp(sdp(long, ...audio('0', 'sendonly')))).toThrow(
      `SDP line 8 is not of the form <letter>=<value>: ${JSON.stringify(`${long.slice(0, 77)}...`)}`,
    );
  });
});

describe('rejectedMids', () => {
  it.each<[string, string, { mid: string; kind: string }[]]>([
    ['the Janus answer rejecting video', JANUS_ANSWER_VIDEO_REJECTED, [{ mid: '1', kind: 'video' }]],
    ['the same with LF line ends', toLf(JANUS_ANSWER_VIDEO_REJECTED), [{ mid: '1', kind: 'video' }]],
    ['an answer that accepts everything', sdp(...audio('0', 'recvonly'), ...video('1', 'recvonly')), []],
    [
      'an answer that rejects everything, in order',
      sdp('m=audio 0 UDP/TLS/RTP/SAVPF 0', 'a=mid:a', 'm=video 0 UDP/TLS/RTP/SAVPF 0', 'a=mid:v'),
      [
        { mid: 'a', kind: 'audio' },
        { mid: 'v', kind: 'video' },
      ],
    ],
    ['port 0 with a=bundle-only is not a rejection (RFC 8843 §6)', sdp(...audio('0', 'recvonly'), 'm=video 0 UDP/TLS/RTP/SAVPF 96', 'a=mid:1', 'a=bundle-only', ...H264), []],
    ['a rejected data channel is not reported', sdp(...audio('0', 'recvonly'), 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel', 'a=mid:2'), []],
  ])('%s', (_name, text, expected) => {
    expect(rejectedMids(text)).toEqual(expected);
  });

  it('names the answer in its errors', () => {
    expect(() => rejectedMids(crlf(SESSION))).toThrow(new SdpError('SDP answer has no m= lines'));
  });
});

describe('codecNames', () => {
  const section = (codecs: [number, string][]): MediaSection => ({
    mid: '0',
    kind: 'video',
    port: 9,
    direction: 'sendrecv',
    codecs: codecs.map(([pt, name]) => ({ pt, name, clockRate: 90000 })),
    rids: [],
  });

  it.each<[string, [number, string][], string[]]>([
    ['none', [], []],
    ['lower-cased', [[96, 'VP8']], ['vp8']],
    [
      'duplicates removed, first position kept',
      [
        [102, 'H264'],
        [96, 'VP8'],
        [104, 'H264'],
        [98, 'VP9'],
      ],
      ['h264', 'vp8', 'vp9'],
    ],
    [
      'duplicates that differ only in case are one codec',
      [
        [102, 'H264'],
        [104, 'h264'],
      ],
      ['h264'],
    ],
  ])('%s', (_name, codecs, expected) => {
    expect(codecNames(section(codecs))).toEqual(expected);
  });

  it.each([
    ['Chromium player audio', CHROMIUM_PLAYER_OFFER, 0, ['opus', 'g722', 'pcmu', 'pcma']],
    ['Chromium player video', CHROMIUM_PLAYER_OFFER, 1, ['vp8', 'h264', 'vp9']],
    ['OBS video', OBS_OFFER, 1, ['h264']],
  ])('%s', (_name, text, index, expected) => {
    expect(codecNames(parseSdp(text).media[index]!)).toEqual(expected);
  });
});

describe('countCandidates', () => {
  it.each([
    ['OBS (none)', OBS_OFFER, 0],
    ['Chromium player', CHROMIUM_PLAYER_OFFER, 4],
    ['Chromium player, LF', toLf(CHROMIUM_PLAYER_OFFER), 4],
    ['Janus answer', JANUS_ANSWER_VIDEO_REJECTED, 3],
    ['a trickle fragment', WHIP_TRICKLE_FRAGMENT, 4],
    ['an empty string', '', 0],
    ['a candidate on the last line without line end', 'v=0\r\na=candidate:1 1 udp 1 192.0.2.1 9 typ host', 1],
    [
      'lines that only mention candidates',
      crlf(['a=remote-candidates:1 192.0.2.1 9', 'a=end-of-candidates', 'a=candidates:1', ' a=candidate:1 1 udp 1 192.0.2.1 9 typ host']),
      0,
    ],
  ])('%s', (_name, text, expected) => {
    expect(countCandidates(text)).toBe(expected);
  });
});
