import { CHROMIUM_PLAYER_OFFER } from '@onair/protocol/testing';
import { Channel } from '../channels/channel';
import { WatchAccess } from '../channels/watch-access';
import { DomainError } from '../errors/domain-error';
import { MediaNotFoundError } from '../media/media-server';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { ChannelEvent, ChannelEvents } from './channel-events';
import { IceSessionService } from './ice-session';
import { LiveBroadcast, LiveRegistry } from './live-registry';
import { PlaybackService } from './playback.service';
import { WhepEventStreams } from './whep-event-streams';

const CHANNEL: Channel = { id: 'c1', ownerId: null, slug: 'demo', title: 'Demo', description: '', visibility: 'public', playbackTokenVersion: 0 };
const ANSWER = CHROMIUM_PLAYER_OFFER.replace(/a=recvonly/g, 'a=sendonly');

/** Our own WatchAccess, faked: every name is the demo channel. */
const access = { channel: async () => CHANNEL, admit: async () => ({ channel: CHANNEL }) } as unknown as WatchAccess;

function setup(opts: { layers?: string[]; live?: boolean } = {}) {
  const media = new FakeMediaServer();
  media.answerSdp = ANSWER;
  const live = new LiveRegistry();
  const events = new ChannelEvents();
  const seen: ChannelEvent[] = [];
  events.subscribe(CHANNEL.id, (e) => seen.push(e));
  const service = new PlaybackService(media, access, live, events, new IceSessionService(media), new WhepEventStreams(events));
  service.onModuleInit();
  if (opts.live !== false) {
    const b: LiveBroadcast = {
      sessionId: 's1', broadcastId: 'b1', channel: CHANNEL, streamKeyId: 'k1', startedAt: new Date(), publisher: { kind: 'publisher', id: 'p1' },
      tracks: [{ mid: '0', kind: 'audio', codec: 'opus' }, { mid: '1', kind: 'video', codec: 'h264', ...(opts.layers ? { rids: opts.layers } : {}) }],
      layers: opts.layers ?? [], playable: true, viewers: new Set(), peakViewers: 0,
    };
    live.addBroadcast(b);
  }
  return { media, live, service, seen };
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof DomainError ? e.code : String(e)));

describe('PlaybackService', () => {
  it('attaches a viewer, counts it and publishes the count; a simulcast viewer starts on the full-size layer', async () => {
    const { media, service, seen, live } = setup({ layers: ['0', '1', '2'] });
    const started = await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    expect(started.layers).toEqual(['0', '1', '2']);
    expect(media.callsOf('watch')[0][0]).toMatchObject({ mountpointId: 'c1', layer: { encoding: 0 } });
    expect(live.broadcastOnChannel('c1')!.viewers.size).toBe(1);
    expect(seen).toContainEqual({ type: 'viewercount', viewercount: 1 });
  });

  it.each<[string, { encodingId?: string; mediaId?: string }, number | string]>([
    ['the smallest layer by rid', { encodingId: '2' }, 2],
    ['the middle one', { encodingId: '1' }, 1],
    ['back to the default', {}, 0],
    ['an unknown rid', { encodingId: 'x' }, 'bad-request'],
    ['the audio mediaId', { encodingId: '1', mediaId: '0' }, 'unprocessable'],
  ])('selectLayer: %s', async (_name, request, expected) => {
    const { media, service } = setup({ layers: ['0', '1', '2'] });
    const { sessionId } = await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    const result = await code(service.selectLayer(sessionId, request));
    if (typeof expected === 'number') {
      expect(result).toBe('ok');
      expect(media.callsOf('selectLayer').at(-1)![1]).toEqual({ encoding: expected });
    } else {
      expect(result).toBe(expected);
      expect(media.callsOf('selectLayer')).toHaveLength(0);
    }
  });

  it('selectLayer on a single-layer stream is 422 and never reaches the media server', async () => {
    const { media, service } = setup();
    const { sessionId } = await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    expect(await code(service.selectLayer(sessionId, { encodingId: '1' }))).toBe('unprocessable');
    expect(media.callsOf('selectLayer')).toHaveLength(0);
  });

  it('an offline channel is 409 with a Retry-After; a mountpoint gone under the viewer too', async () => {
    expect(await code(setup({ live: false }).service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER }))).toBe('offline');
    const { media, service } = setup();
    media.failNext.set('watch', new MediaNotFoundError('no such mountpoint'));
    const err = await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER }).catch((e: DomainError) => e);
    expect(err).toMatchObject({ code: 'offline', retryAfterSeconds: expect.any(Number) });
  });

  it('a viewer whose broadcast ended while the media server answered is released, not registered', async () => {
    const { media, service, live } = setup();
    let answer!: () => void;
    media.holds.set('watch', new Promise<void>((r) => (answer = r)));
    const watching = service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER }).catch((e: DomainError) => e);
    await new Promise((r) => setImmediate(r));
    expect(media.callsOf('watch')).toHaveLength(1);
    live.removeBroadcast('s1'); // the broadcast's teardown, as BroadcastService.end does it
    answer();
    expect(await watching).toMatchObject({ code: 'offline', retryAfterSeconds: expect.any(Number) });
    expect(live.allViewers()).toEqual([]);
    expect(media.callsOf('closeViewer')).toHaveLength(1);
  });

  it('losing the media server removes every viewer from the registry', async () => {
    const { media, service, live } = setup();
    await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    media.emit({ type: 'disconnected' });
    expect(live.allViewers()).toEqual([]);
    expect(live.broadcastOnChannel('c1')!.viewers.size).toBe(0);
  });

  it('a viewer the media server hung up is removed and the count drops', async () => {
    const { media, service, seen, live } = setup();
    await service.start({ slug: 'demo', offerSdp: CHROMIUM_PLAYER_OFFER });
    // The fake numbers its peers: the first one it made is this viewer.
    media.emit({ type: 'viewer-gone', viewer: { kind: 'viewer', id: 'v1' }, reason: 'hangup' });
    await new Promise((r) => setImmediate(r));
    expect(live.broadcastOnChannel('c1')!.viewers.size).toBe(0);
    expect(seen.filter((e) => e.type === 'viewercount').at(-1)).toEqual({ type: 'viewercount', viewercount: 0 });
  });
});
