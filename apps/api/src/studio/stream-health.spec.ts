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
});
