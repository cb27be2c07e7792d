import { Channel } from '../domain/channel';
import { ChannelEvents } from '../live/channel-events';
import { LiveRegistry } from '../live/live-registry';
import { StreamProbes } from '../probes/stream-probes';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { StudioLive } from './studio-live';

const CHANNEL: Channel = { id: 'c1', ownerId: 'u1', slug: 'demo', title: 'Demo', description: '', visibility: 'public', playbackTokenVersion: 0 };
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const media = new FakeMediaServer();
  media.stats = {
    tracks: [
      { mid: '0', kind: 'audio', codec: 'opus', bitrateKbps: 96, packets: 100, packetsLost: 0, nacks: 0, layers: 1 },
      { mid: '1', kind: 'video', codec: 'h264', bitrateKbps: 4000, packets: 1000, packetsLost: 0, nacks: 2, layers: 1 },
    ],
  };
  const live = new LiveRegistry();
  const events = new ChannelEvents();
  const probes = new StreamProbes(media);
  const studioLive = new StudioLive(media, live, events, probes);
  const sent: [string, unknown][] = [];
  return { media, live, events, sent, follow: () => studioLive.follow(CHANNEL, (e, d) => sent.push([e, d])) };
}

const goLive = (live: LiveRegistry) =>
  live.addBroadcast({
    sessionId: 's1', broadcastId: 'b1', channel: CHANNEL, streamKeyId: 'k1', startedAt: new Date('2026-11-24T10:00:00Z'),
    publisher: { kind: 'publisher', id: 'p1' }, tracks: [], layers: [], playable: true, viewers: new Set(['v1']), peakViewers: 1,
  });

describe('StudioLive', () => {
  it('an offline channel: state at once, no health, nothing asked of the media server', async () => {
    const { media, sent, follow } = setup();
    const stop = follow();
    await flush();
    expect(sent).toEqual([['state', { live: false, viewers: 0 }]]);
    expect(media.callsOf('publisherStats')).toHaveLength(0);
    stop();
  });

  it('a live channel: state, then health from the media server, and state again on every change', async () => {
    const { live, events, sent, follow } = setup();
    goLive(live);
    const stop = follow();
    await flush();
    expect(sent[0]).toEqual(['state', { live: true, since: '2026-11-24T10:00:00.000Z', viewers: 1, layers: [] }]);
    expect(sent[1]).toEqual(['health', expect.objectContaining({ video: expect.objectContaining({ codec: 'h264', bitrateKbps: 4000, nacks: 2 }), warnings: [] })]);
    live.removeBroadcast('s1');
    events.publish('c1', { type: 'inactive' });
    expect(sent.at(-1)).toEqual(['state', { live: false, viewers: 0 }]);
    stop();
    events.publish('c1', { type: 'active' });
    expect(sent.at(-1)).toEqual(['state', { live: false, viewers: 0 }]); // nothing after unsubscribing
    expect(sent.filter(([e]) => e === 'state')).toHaveLength(2);
  });

  it('one health poll per channel, shared by every open view: starts with the first, stops with the last', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { media, live, events } = setup();
      goLive(live);
      const probes = new StreamProbes(media);
      const studioLive = new StudioLive(media, live, events, probes);
      const views = Array.from({ length: 5 }, () => {
        const got: [string, unknown][] = [];
        return { got, stop: studioLive.follow(CHANNEL, (e, d) => got.push([e, d])) };
      });
      await flush();
      expect(media.callsOf('publisherStats')).toHaveLength(1);
      // Every view got the health, the later ones from the shared poll's latest figures.
      for (const v of views) expect(v.got.filter(([e]) => e === 'health')).toHaveLength(1);
      for (let i = 0; i < 3; i++) {
        jest.advanceTimersByTime(2000);
        await flush();
      }
      expect(media.callsOf('publisherStats')).toHaveLength(4);
      for (const v of views) expect(v.got.filter(([e]) => e === 'health')).toHaveLength(4);
      views.slice(1).forEach((v) => v.stop());
      jest.advanceTimersByTime(2000);
      await flush();
      expect(media.callsOf('publisherStats')).toHaveLength(5);
      views[0].stop();
      expect(studioLive.activePolls).toBe(0);
      jest.advanceTimersByTime(2000 * 5);
      await flush();
      expect(media.callsOf('publisherStats')).toHaveLength(5);
      // Another view starts a new poll at once.
      const again = studioLive.follow(CHANNEL, () => undefined);
      await flush();
      expect(media.callsOf('publisherStats')).toHaveLength(6);
      again();
    } finally {
      jest.useRealTimers();
    }
  });
});
