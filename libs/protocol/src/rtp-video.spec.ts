import { parseRtp, RtpPacket, VideoProbe } from './rtp-video';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** An RTP packet: version 2, the given flags, payload type 96. */
function rtp(opts: { seq: number; ts: number; marker?: boolean; payload: Buffer; csrcs?: number; ext?: Buffer; padding?: number }): Buffer {
  const head = Buffer.alloc(12 + (opts.csrcs ?? 0) * 4);
  head[0] = 0x80 | (opts.ext ? 0x10 : 0) | (opts.padding ? 0x20 : 0) | (opts.csrcs ?? 0);
  head[1] = (opts.marker ? 0x80 : 0) | 96;
  head.writeUInt16BE(opts.seq, 2);
  head.writeUInt32BE(opts.ts, 4);
  head.writeUInt32BE(0x1234, 8);
  const pad = opts.padding ? Buffer.concat([Buffer.alloc(opts.padding - 1), Buffer.from([opts.padding])]) : Buffer.alloc(0);
  return Buffer.concat([head, opts.ext ?? Buffer.alloc(0), opts.payload, pad]);
}

describe('parseRtp', () => {
  it.each<[string, Buffer, Partial<RtpPacket> | null]>([
    ['a plain packet', rtp({ seq: 7, ts: 9000, marker: true, payload: hex('65aa') }), { sequence: 7, timestamp: 9000, marker: true, payloadType: 96, payload: hex('65aa') }],
    ['CSRCs', rtp({ seq: 1, ts: 1, csrcs: 2, payload: hex('41bb') }), { payload: hex('41bb') }],
    ['a header extension', rtp({ seq: 1, ts: 1, ext: hex('bede0001 10ff0000'), payload: hex('41cc') }), { payload: hex('41cc') }],
    ['padding', rtp({ seq: 1, ts: 1, padding: 4, payload: hex('41dd') }), { payload: hex('41dd') }],
    ['too short', hex('8060'), null],
    ['not version 2', Buffer.alloc(20), null],
  ])('%s', (_name, buf, expected) => {
    const p = parseRtp(buf);
    if (expected === null) expect(p).toBeNull();
    else expect(p).toMatchObject(expected);
  });
});

describe('VideoProbe', () => {
  const SPS = hex('6764001facd9405005bb0110000003001000000303c0f1831960');
  const PPS = hex('68ebe3cb22c0');
  const stapA = Buffer.concat([hex('18'), Buffer.from([0, SPS.length]), SPS, Buffer.from([0, PPS.length]), PPS]);

  /** 30 fps for `seconds`, a keyframe (STAP-A + IDR in two FU-A packets) every `gop` frames. */
  function feed(probe: VideoProbe, seconds: number, gop: number): number {
    let seq = 0;
    let now = 0;
    for (let f = 0; f < seconds * 30; f++) {
      now = Math.round((f * 1000) / 30);
      const ts = f * 3000;
      const packets: Buffer[] =
        f % gop === 0
          ? [stapA, Buffer.concat([hex('7c85'), Buffer.alloc(900, 1)]), Buffer.concat([hex('7c45'), Buffer.alloc(300, 2)])]
          : [Buffer.concat([hex('41'), Buffer.alloc(400, 3)])];
      packets.forEach((payload, i) => probe.feed(parseRtp(rtp({ seq: seq++, ts, marker: i === packets.length - 1, payload }))!, now));
    }
    return now;
  }

  it('measures frame rate, bitrate, keyframe interval and size, and keeps the keyframe as Annex B', () => {
    const probe = new VideoProbe('h264');
    const now = feed(probe, 10, 60);
    const s = probe.snapshot(now);
    expect(s).toMatchObject({ fps: 30, width: 1280, height: 720, keyframeIntervalS: 2 });
    expect(s.bitrateKbps).toBeGreaterThan(90);
    expect(s.bitrateKbps).toBeLessThan(130);
    const au = probe.latestKeyframe()!;
    expect(au.subarray(0, 5).toString('hex')).toBe('0000000167');
    expect(au.includes(hex('0000000168'))).toBe(true);
    expect(au.includes(Buffer.concat([hex('0000000165'), Buffer.alloc(4, 1)]))).toBe(true);
    expect(au.length).toBe(4 * 3 + SPS.length + PPS.length + 1 + 900 + 300);
  });

  it('reports an 8 s GOP as such, and goes idle when packets stop', () => {
    const probe = new VideoProbe('h264');
    const now = feed(probe, 20, 240);
    expect(probe.snapshot(now).keyframeIntervalS).toBe(8);
    expect(probe.snapshot(now + 5000)).toMatchObject({ fps: 0, bitrateKbps: 0, idleMs: 5000 });
  });

  it('knows nothing before the first keyframe', () => {
    const probe = new VideoProbe('h264');
    probe.feed(parseRtp(rtp({ seq: 1, ts: 1, marker: true, payload: hex('41aa') }))!, 0);
    expect(probe.snapshot(0)).toEqual({ fps: 0, bitrateKbps: expect.any(Number), idleMs: 0 });
    expect(probe.latestKeyframe()).toBeUndefined();
  });

  /** One keyframe (STAP-A + IDR in three FU-A packets) at `ts`, starting at sequence `seq`. */
  const keyframePackets = (seq: number, ts: number) => [
    rtp({ seq, ts, payload: stapA }),
    rtp({ seq: seq + 1, ts, payload: Buffer.concat([hex('7c85'), Buffer.alloc(500, 1)]) }),
    rtp({ seq: seq + 2, ts, payload: Buffer.concat([hex('7c05'), Buffer.alloc(500, 2)]) }),
    rtp({ seq: seq + 3, ts, marker: true, payload: Buffer.concat([hex('7c45'), Buffer.alloc(100, 3)]) }),
  ];

  it('recognises a keyframe with a lost packet but keeps no undecodable still of it', () => {
    const probe = new VideoProbe('h264');
    const [a, b, , d] = keyframePackets(100, 90000);
    for (const p of [a, b, d]) probe.feed(parseRtp(p)!, 0);
    expect(probe.snapshot(0)).toMatchObject({ width: 1280, height: 720 });
    expect(probe.latestKeyframe()).toBeUndefined();
    for (const p of keyframePackets(104, 93000)) probe.feed(parseRtp(p)!, 2000);
    expect(probe.latestKeyframe()!.length).toBe(4 * 3 + SPS.length + PPS.length + 1 + 1100);
    expect(probe.snapshot(2000).keyframeIntervalS).toBe(2);
  });

  it('ignores a late retransmission of an earlier frame instead of cutting the current one short', () => {
    const probe = new VideoProbe('h264');
    const [a, b, c, d] = keyframePackets(200, 180000);
    probe.feed(parseRtp(a)!, 0);
    probe.feed(parseRtp(b)!, 0);
    probe.feed(parseRtp(rtp({ seq: 150, ts: 177000, marker: true, payload: hex('41aa') }))!, 1); // a NACKed old delta
    probe.feed(parseRtp(c)!, 2);
    probe.feed(parseRtp(d)!, 2);
    expect(probe.latestKeyframe()).toBeDefined();
    expect(probe.snapshot(2).fps).toBe(0); // one frame so far, not two
  });

  it('orders timestamps across the 32-bit wrap', () => {
    const probe = new VideoProbe('h264');
    for (const p of keyframePackets(1, 0xffffffff - 100)) probe.feed(parseRtp(p)!, 0);
    for (const p of keyframePackets(5, 2900)) probe.feed(parseRtp(p)!, 2000);
    expect(probe.snapshot(2000).keyframeIntervalS).toBe(2);
  });

  it('reads the profile-level-id from the stream\'s SPS, single or aggregated, and follows a new one', () => {
    const probe = new VideoProbe('h264');
    expect(probe.profileLevelId()).toBeUndefined();
    probe.feed(parseRtp(rtp({ seq: 1, ts: 1, marker: true, payload: hex('41aa') }))!, 0);
    expect(probe.profileLevelId()).toBeUndefined();
    for (const p of keyframePackets(2, 3000)) probe.feed(parseRtp(p)!, 0); // SPS in a STAP-A
    expect(probe.profileLevelId()).toBe('64001f');
    // x264 as OBS sends it: SPS, PPS and IDR as separate single NAL unit packets.
    const baseline = hex('6742c01ed900a02ff970110000030001000003003c0f162e48');
    probe.feed(parseRtp(rtp({ seq: 6, ts: 6000, payload: baseline }))!, 100);
    expect(probe.profileLevelId()).toBe('42c01e');
  });

  it.each<[string, string[], string]>([
    ['a browser growing from 320x180 to 720p: the level rises with it', ['6742c00c', '6742c01e', '6742c01f'], '42c01f'],
    ['and shrinking again: the highest level stays (a level is a ceiling)', ['6742c01f', '6742c00d'], '42c01f'],
    ['a new profile starts over with its own level', ['6742c01f', '674d0016'], '4d0016'],
    ['an unreadable SPS changes nothing', ['6764001f', '6764'], '64001f'],
  ])('SPS sequence: %s', (_name, spses, expected) => {
    const probe = new VideoProbe('h264');
    spses.forEach((sps, i) => probe.feed(parseRtp(rtp({ seq: i, ts: i * 3000, marker: true, payload: Buffer.concat([hex(sps), hex('ac')]) }))!, i));
    expect(probe.profileLevelId()).toBe(expected);
  });

  it('bounds an access unit that never ends', () => {
    const probe = new VideoProbe('h264');
    probe.feed(parseRtp(rtp({ seq: 0, ts: 5, payload: Buffer.concat([hex('7c85'), Buffer.alloc(1000, 1)]) }))!, 0);
    for (let i = 1; i < 6000; i++) probe.feed(parseRtp(rtp({ seq: i, ts: 5, payload: Buffer.concat([hex('7c05'), Buffer.alloc(1000, 1)]) }))!, 0);
    probe.feed(parseRtp(rtp({ seq: 6000, ts: 5, marker: true, payload: Buffer.concat([hex('7c45'), Buffer.alloc(10, 1)]) }))!, 0);
    expect(probe.latestKeyframe()).toBeUndefined();
  });
});
