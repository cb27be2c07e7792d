import { TrackStats } from '../media/media-server';
import { streamHealth } from './stream-health';

const video = (over: Partial<TrackStats> = {}): TrackStats => ({ mid: '1', kind: 'video', codec: 'h264', bitrateKbps: 4000, packets: 1000, packetsLost: 0, nacks: 0, layers: 1, ...over });
const audio = (over: Partial<TrackStats> = {}): TrackStats => ({ mid: '0', kind: 'audio', codec: 'opus', bitrateKbps: 96, packets: 500, packetsLost: 0, nacks: 0, layers: 1, ...over });

describe('streamHealth', () => {
  it('a healthy stream: figures, no warnings', () => {
    expect(streamHealth([audio(), video()])).toEqual({
      video: { codec: 'h264', bitrateKbps: 4000, packetLossPct: 0, nacks: 0, layers: 1 },
      audio: { codec: 'opus', bitrateKbps: 96, packetLossPct: 0 },
      warnings: [],
    });
  });

  it.each<[string, TrackStats[], RegExp]>([
    ['no video arriving', [audio(), video({ bitrateKbps: 0 })], /No video is arriving/],
    ['a starved bitrate', [audio(), video({ bitrateKbps: 150 })], /only 150 kbps.*2500–6000 kbps in OBS/],
    ['no audio track', [video()], /no audio/],
    ['no video track', [audio()], /no video/],
  ])('warns about %s', (_name, tracks, warning) => {
    expect(streamHealth(tracks).warnings.join(' ')).toMatch(warning);
  });

  it('measures loss over the interval since the previous sample', () => {
    const before = [video({ packets: 1000, packetsLost: 500 })];
    const now = [video({ packets: 1970, packetsLost: 530 })];
    const h = streamHealth([audio(), ...now], before);
    expect(h.video!.packetLossPct).toBe(3);
    expect(h.warnings.join(' ')).toMatch(/3% of video packets are lost/);
    // Since the start it would have read 21%: old losses don't keep the warning up.
    expect(streamHealth([audio(), video({ packets: 2000, packetsLost: 530 })], [video({ packets: 1000, packetsLost: 530 })]).warnings).toEqual([]);
  });

  it.each<[string, number, number, RegExp | null]>([
    ['a 2 s GOP at 30 fps', 2, 30, null],
    ['an 8 s GOP', 8, 30, /Keyframe every 8 s: .*Set the keyframe interval to 2 s in OBS/],
    ['12 fps', 2, 12, /Only 12 frames per second/],
  ])('adds the probe\'s figures and warns about %s', (_name, keyframeIntervalS, fps, warning) => {
    const h = streamHealth([audio(), video()], undefined, { fps, keyframeIntervalS, width: 1920, height: 1080, bitrateKbps: 4000, idleMs: 10 });
    expect(h.video).toMatchObject({ fps, keyframeIntervalS, width: 1920, height: 1080 });
    if (warning) expect(h.warnings.join(' ')).toMatch(warning);
    else expect(h.warnings).toEqual([]);
  });

  it('ignores a probe that stopped hearing the stream', () => {
    const h = streamHealth([audio(), video()], undefined, { fps: 30, keyframeIntervalS: 9, width: 1280, height: 720, bitrateKbps: 0, idleMs: 10000 });
    expect(h.video).not.toHaveProperty('fps');
    expect(h.warnings).toEqual([]);
  });
});
