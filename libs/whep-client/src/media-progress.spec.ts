import { inboundCounters, mediaProgressed, NO_COUNTERS, type InboundCounters } from './media-progress';

const report = (...stats: object[]) => ({ forEach: (fn: (s: object) => void) => stats.forEach(fn) });

describe('inboundCounters', () => {
  it.each<[string, object[], InboundCounters]>([
    ['an empty report', [], { videoSeen: false, videoFrames: 0, videoPackets: 0, audioPackets: 0 }],
    [
      'video and audio, other stats ignored',
      [
        { type: 'inbound-rtp', kind: 'video', framesDecoded: 30, packetsReceived: 100 },
        { type: 'inbound-rtp', kind: 'audio', packetsReceived: 50 },
        { type: 'outbound-rtp', kind: 'video', packetsSent: 9 },
        { type: 'candidate-pair', packetsReceived: 999 },
      ],
      { videoSeen: true, videoFrames: 30, videoPackets: 100, audioPackets: 50 },
    ],
    [
      'several video streams summed (simulcast layers switched in turn)',
      [
        { type: 'inbound-rtp', kind: 'video', framesDecoded: 10, packetsReceived: 40 },
        { type: 'inbound-rtp', kind: 'video', framesDecoded: 5, packetsReceived: 20 },
      ],
      { videoSeen: true, videoFrames: 15, videoPackets: 60, audioPackets: 0 },
    ],
    ['the older mediaType name', [{ type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 7 }], { videoSeen: false, videoFrames: 0, videoPackets: 0, audioPackets: 7 }],
    ['video with no counts yet', [{ type: 'inbound-rtp', kind: 'video' }], { videoSeen: true, videoFrames: 0, videoPackets: 0, audioPackets: 0 }],
  ])('%s', (_name, stats, expected) => {
    expect(inboundCounters(report(...stats))).toEqual(expected);
  });
});

describe('mediaProgressed', () => {
  const video = (videoFrames: number, videoPackets: number, audioPackets = 0): InboundCounters => ({ videoSeen: true, videoFrames, videoPackets, audioPackets });
  const audioOnly = (audioPackets: number): InboundCounters => ({ videoSeen: false, videoFrames: 0, videoPackets: 0, audioPackets });
  it.each<[string, InboundCounters, InboundCounters, boolean]>([
    ['first video frames', video(1, 5), NO_COUNTERS, true],
    ['video streams present but nothing counted yet', video(0, 0), NO_COUNTERS, false],
    ['more frames', video(31, 100), video(30, 100), true],
    ['more packets, no new frame (decoder behind)', video(30, 101), video(30, 100), true],
    ['video stalled while audio still flows', video(30, 100, 60), video(30, 100, 50), false],
    ['audio-only stream flowing', audioOnly(51), audioOnly(50), true],
    ['audio-only stream stalled', audioOnly(50), audioOnly(50), false],
    ['nothing at all', audioOnly(0), NO_COUNTERS, false],
  ])('%s', (_name, now, last, expected) => {
    expect(mediaProgressed(now, last)).toBe(expected);
  });
});
