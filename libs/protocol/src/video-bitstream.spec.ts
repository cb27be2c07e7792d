import { h264ProfileLevelId, h264SpsDimensions, h264Units, vp8Keyframe } from './video-bitstream';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('h264Units', () => {
  it.each<[string, string, { nals: string[]; fragment?: object }]>([
    ['a single NAL unit', '65aabb', { nals: ['65aabb'] }],
    ['STAP-A with SPS and PPS', '18 0003 674200 0002 68ce', { nals: ['674200', '68ce'] }],
    ['a truncated STAP-A keeps the whole units', '18 0003 674200 0009 68', { nals: ['674200'] }],
    ['FU-A start of an IDR', '7c 85 aabb', { nals: [], fragment: { start: true, end: false, header: 0x65 } }],
    ['FU-A end', '7c 45 cc', { nals: [], fragment: { start: false, end: true, header: 0x65 } }],
    ['an unknown type', '1e00', { nals: [] }],
  ])('%s', (_name, payload, expected) => {
    const got = h264Units(hex(payload));
    expect(got.nals.map((n) => n.toString('hex'))).toEqual(expected.nals);
    if (expected.fragment) expect(got.fragment).toMatchObject(expected.fragment);
  });
});

describe('h264SpsDimensions', () => {
  // SPS from libx264 (High and Constrained Baseline), as OBS sends them.
  it.each<[string, string, number, number, number]>([
    ['High 1280x720', '6764001facd9405005bb0110000003001000000303c0f1831960', 1280, 720, 100],
    ['High 1920x1080 (cropped from 1088)', '67640028acd940780227e5c044000003000400000300f03c60c658', 1920, 1080, 100],
    ['Constrained Baseline 640x360', '6742c01ed900a02ff970110000030001000003003c0f162e48', 640, 360, 66],
  ])('%s', (_name, sps, width, height, profile) => {
    expect(h264SpsDimensions(hex(sps))).toEqual({ width, height, profile });
  });

  it.each([['a PPS', '68ce3c80'], ['a truncated SPS', '6764001f'], ['nothing', '']])('%s → null', (_name, nal) => {
    expect(h264SpsDimensions(hex(nal))).toBeNull();
  });
});

describe('h264ProfileLevelId', () => {
  // Whole SPSes where we have them (libx264 as OBS runs it, OpenH264 as Chromium does); the
  // others are the first bytes only, which is all the mapping reads.
  it.each<[string, string, string]>([
    ['High 3.1 (x264 720p, OBS default)', '6764001facd9405005bb0110000003001000000303c0f1831960', '64001f'],
    ['High 4.0 (x264 1080p)', '67640028acd940780227e5c044000003000400000300f03c60c658', '640028'],
    ['High 5.1', '67640033ac', '640033'],
    ['Constrained Baseline 3.0 (x264 640x360)', '6742c01ed900a02ff970110000030001000003003c0f162e48', '42c01e'],
    ['Constrained Baseline 3.1, constraint_set0..2 (42e01f)', '6742e01f8d', '42e01f'],
    ['Baseline 3.1 without constraints', '6742001f8d', '42001f'],
    ['Main 4.0', '674d0028ab', '4d0028'],
    ['Main 3.1, constraint_set1 (4d401f)', '674d401fe8', '4d401f'],
    ['Baseline level 1b (level_idc 11 + constraint_set3)', '6742100bf4', '42100b'],
    ['High level 1b (level_idc 9)', '67640009ac', '640009'],
    ['another nal_ref_idc in the NAL header', '2764001fac', '64001f'],
  ])('%s → %s', (_name, sps, expected) => {
    expect(h264ProfileLevelId(hex(sps))).toBe(expected);
  });

  it.each([
    ['a PPS', '68ce3c80'],
    ['an IDR slice', '65888400'],
    ['an SPS cut after the profile', '6764'],
    ['profile_idc 0', '6700001f'],
    ['nothing', ''],
  ])('%s → null', (_name, nal) => {
    expect(h264ProfileLevelId(hex(nal))).toBeNull();
  });
});

describe('vp8Keyframe', () => {
  it.each<[string, string, ReturnType<typeof vp8Keyframe>]>([
    // libvpx 320x240 keyframe; descriptor: S=1, PartID 0, no extensions.
    ['a keyframe start', '10 b05a009d012a4001f000', { keyframe: true, width: 320, height: 240 }],
    ['with PictureID (15 bit) extension', '90 80 8001 b05a009d012a4001f000', { keyframe: true, width: 320, height: 240 }],
    ['an interframe', '10 b15a009d012a4001f000', { keyframe: false }],
    ['a continuation packet', '00 b05a009d012a4001f000', { keyframe: false }],
  ])('%s', (_name, payload, expected) => {
    expect(vp8Keyframe(hex(payload))).toEqual(expected);
  });
});
