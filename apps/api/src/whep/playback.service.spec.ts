import { createSocket } from 'node:dgram';
import { parseSdp } from '@onair/protocol';
import { loadConfig } from '../config/onair-config';
import { CHROMIUM_PLAYER_OFFER, JANUS_PLAYER_ANSWER } from '@onair/protocol/testing';
import { Channel } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { WatchAccess } from '../channels/watch-access';
import { DomainError } from '../errors/domain-error';
import { MediaNotFoundError } from '../media/media-server';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { ChannelEvent, ChannelEvents } from '../live/channel-events';
import { IceSessionService } from '../ice/ice-session';
import { LiveBroadcast, LiveRegistry } from '../live/live-registry';
import { PlaybackService } from './playback.service';
import { PublisherProfiles } from './publisher-profiles';
import { StreamProbes } from '../probes/stream-probes';
import { WhepEventStreams } from './whep-event-streams';
import { WhepSessionCaps } from './whep-session-caps';

const CHANNEL: Channel = { id: 'c1', ownerId: null, slug: 'demo', title: 'Demo', description: '', visibility: 'public', playbackTokenVersion: 0 };
const ANSWER = CHROMIUM_PLAYER_OFFER.replace(/a=recvonly/g, 'a=sendonly');

/** Our own WatchAccess, faked: every name is the demo channel. */
const access = { channel: async () => CHANNEL, admit: async () => ({ channel: CHANNEL }) } as unknown as WatchAccess;

function setup(opts: { layers?: string[]; live?: boolean; profileWaitMs?: number; videoCodec?: string; startedAt?: Date } = {}) {
  const media = new FakeMediaServer();
  media.answerSdp = ANSWER;
  const live = new LiveRegistry();
  const events = new ChannelEvents();
  const seen: ChannelEvent[] = [];
  events.subscribe(CHANNEL.id, (e) => seen.push(e));
  const probes = new StreamProbes(media);
  const profiles = new PublisherProfiles(probes, { media: { keyframeBufferMs: 0, mediaTimeoutS: 15, viewerProfileWaitMs: opts.profileWaitMs ?? 0 } });
  const config = loadConfig({ DATABASE_URL: 'postgresql://onair@127.0.0.1:5433/onair' });
  const eventStreams = new WhepEventStreams(events, config);
  const caps = new WhepSessionCaps(config, live);
  const service = new PlaybackService(media, access, live, events, new IceSessionService(media), eventStreams, profiles, caps);
  service.onModuleInit();
  let b: LiveBroadcast | undefined;
  if (opts.live !== false) {
    b = {
      sessionId: 's1', broadcastId: 'b1', channel: CHANNEL, streamKeyId: 'k1', startedAt: opts.startedAt ?? new Date(), publisher: { kind: 'publisher', id: 'p1' },
      tracks: [{ mid: '0', kind: 'audio', codec: 'opus' }, { mid: '1', kind: 'video', codec: opts.videoCodec ?? 'h264', ...(opts.layers ? { rids: opts.layers } : {}) }],
      layers: opts.layers ?? [], playable: true, viewers: new Set(), peakViewers: 0,
    };
    live.addBroadcast(b);
  }
  return { media, live, service, seen, probes, eventStreams, caps, broadcast: b! };
}

const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof DomainError ? e.code : String(e)));

describe('PlaybackService', () => {
  it('attaches a viewer, counts it and publishes the count; a simulcast viewer starts on the full-size layer', async () => {
    const { media, service, seen, live } = setup({ layers: ['0', '1', '2'] });
    const started = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
    expect(started.layers).toEqual(['0', '1', '2']);
    expect(media.callsOf('watch')[0][0]).toMatchObject({ feedId: 'c1', layer: { encoding: 0 } });
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
    const { sessionId } = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
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
    const { sessionId } = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
    expect(await code(service.selectLayer(sessionId, { encodingId: '1' }))).toBe('unprocessable');
    expect(media.callsOf('selectLayer')).toHaveLength(0);
  });

  it('an offline channel is 409 with a Retry-After; a mountpoint gone under the viewer too', async () => {
    expect(await code(setup({ live: false }).service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }))).toBe('offline');
    const { media, service } = setup();
    media.failNext.set('watch', new MediaNotFoundError('no such mountpoint'));
    const err = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }).catch((e: DomainError) => e);
    expect(err).toMatchObject({ code: 'offline', retryAfterSeconds: expect.any(Number) });
  });

  it.each([
    ['becomes playable: the player is answered', true, 'ok'],
    ['ends instead: offline (409)', false, 'offline'],
  ])('a POST arriving while the broadcast builds its feed (after its WHIP 201) waits until it %s', async (_name, goesLive, expected) => {
    const { media, service, live, broadcast } = setup();
    let settle!: () => void;
    Object.assign(broadcast, { playable: false, goingLive: new Promise<void>((r) => (settle = r)) });
    const answered = code(service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }));
    await new Promise((r) => setImmediate(r));
    expect(media.callsOf('watch')).toHaveLength(0);
    if (goesLive) broadcast.playable = true;
    else live.removeBroadcast(broadcast.sessionId);
    settle();
    expect(await answered).toBe(expected);
    expect(media.callsOf('watch')).toHaveLength(goesLive ? 1 : 0);
  });

  it.each([
    ['becomes playable: live (discovery hands out TURN)', true, true],
    ['ends instead: not live', false, false],
  ])('isLive() on a broadcast still building its feed waits until it %s', async (_name, goesLive, expected) => {
    const { service, live, broadcast } = setup();
    let settle!: () => void;
    Object.assign(broadcast, { playable: false, goingLive: new Promise<void>((r) => (settle = r)) });
    const answer = service.isLive('c1');
    await new Promise((r) => setImmediate(r));
    if (goesLive) broadcast.playable = true;
    else live.removeBroadcast(broadcast.sessionId);
    settle();
    expect(await answer).toBe(expected);
  });

  it('a viewer whose broadcast ended while the media server answered is released, not registered', async () => {
    const { media, service, live } = setup();
    let answer!: () => void;
    media.holds.set('watch', new Promise<void>((r) => (answer = r)));
    const watching = service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }).catch((e: DomainError) => e);
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
    await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
    await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
    media.emit({ type: 'disconnected' });
    expect(live.allViewers()).toEqual([]);
    expect(live.broadcastOnChannel('c1')!.viewers.size).toBe(0);
  });

  it('a viewer the media server hung up is removed and the count drops', async () => {
    const { media, service, seen, live } = setup();
    await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
    // The fake numbers its peers: the first one it made is this viewer.
    media.emit({ type: 'viewer-gone', viewer: { kind: 'viewer', id: 'v1' }, reason: 'hangup' });
    await new Promise((r) => setImmediate(r));
    expect(live.broadcastOnChannel('c1')!.viewers.size).toBe(0);
    expect(seen.filter((e) => e.type === 'viewercount').at(-1)).toEqual({ type: 'viewercount', viewercount: 0 });
  });

  describe('the one teardown of a viewer', () => {
    /** A viewer admitted through its session slot, with a WHEP event stream read by a sink. */
    async function watching(ctx: ReturnType<typeof setup>, client = '10.0.0.1') {
      const { sessionId } = await ctx.caps.admit(client, () => ctx.service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }));
      const streamId = ctx.service.createEventStream(sessionId, []);
      const sink = { closed: 0, send: () => undefined, close: () => void sink.closed++ };
      ctx.eventStreams.attach(sessionId, streamId, sink);
      return { sessionId, streamId, sink };
    }
    const counts = (seen: ChannelEvent[]) => seen.filter((e) => e.type === 'viewercount');

    it.each<[string, (ctx: ReturnType<typeof setup>, sessionId: string) => Promise<unknown>]>([
      ['DELETE', (ctx, id) => ctx.service.stop(id)],
      ['a hang-up from the media server', async (ctx) => {
        ctx.media.emit({ type: 'viewer-gone', viewer: { kind: 'viewer', id: 'v1' }, reason: 'hangup' });
        await new Promise((r) => setImmediate(r));
      }],
      ['its access revoked', (ctx) => ctx.service.endViewersWhere(() => true)],
      ['end() itself', (ctx, id) => ctx.service.end(id, 'deleted')],
    ])('%s releases everything once: registry, count, event streams, session slot, media server', async (_name, ending) => {
      const ctx = setup();
      const { sessionId, streamId, sink } = await watching(ctx);
      expect(ctx.caps.count('10.0.0.1')).toBe(1);
      await ending(ctx, sessionId);
      expect(ctx.live.allViewers()).toEqual([]);
      expect(ctx.live.broadcastOnChannel('c1')!.viewers.size).toBe(0);
      expect(counts(ctx.seen).at(-1)).toEqual({ type: 'viewercount', viewercount: 0 });
      expect(sink.closed).toBe(1);
      expect(() => ctx.eventStreams.check(sessionId, streamId)).toThrow(DomainError);
      expect(ctx.caps.count('10.0.0.1')).toBe(0);
      expect(ctx.media.callsOf('closeViewer')).toEqual([[{ kind: 'viewer', id: 'v1' }]]);
    });

    it('is harmless twice and more: every path at once releases once; a later DELETE is 404', async () => {
      const ctx = setup();
      const { sessionId, sink } = await watching(ctx);
      let release!: () => void;
      const slow = new Promise<void>((r) => (release = r));
      const close = ctx.media.closeViewer.bind(ctx.media);
      ctx.media.closeViewer = async (v) => {
        await close(v);
        await slow;
      };
      const all = [
        ctx.service.stop(sessionId),
        ctx.service.end(sessionId, 'hangup'),
        ctx.service.endViewersWhere(() => true),
        ctx.service.stop(sessionId), // a second DELETE while the first is releasing: the same end
      ];
      ctx.media.emit({ type: 'viewer-gone', viewer: { kind: 'viewer', id: 'v1' }, reason: 'hangup' });
      ctx.media.emit({ type: 'disconnected' });
      let settled = false;
      const done = Promise.all(all).then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      expect(settled).toBe(false); // each waits for the media server's release
      release();
      await done;
      expect(ctx.media.callsOf('closeViewer')).toHaveLength(1);
      expect(counts(ctx.seen)).toEqual([{ type: 'viewercount', viewercount: 1 }, { type: 'viewercount', viewercount: 0 }]);
      expect(sink.closed).toBe(1);
      expect(ctx.caps.count('10.0.0.1')).toBe(0);
      expect(await code(ctx.service.stop(sessionId))).toBe('not-found');
      await expect(ctx.service.end(sessionId, 'hangup')).resolves.toBeUndefined();
      expect(ctx.media.callsOf('closeViewer')).toHaveLength(1);
    });

    it('ends the other viewers untouched, and a failing release is logged, not thrown', async () => {
      const ctx = setup();
      const first = await watching(ctx, '10.0.0.1');
      const second = await watching(ctx, '10.0.0.2');
      ctx.media.failNext.set('closeViewer', new Error('Janus said no'));
      await expect(ctx.service.stop(first.sessionId)).resolves.toBeUndefined();
      expect(ctx.live.allViewers().map((v) => v.sessionId)).toEqual([second.sessionId]);
      expect(second.sink.closed).toBe(0);
      expect(ctx.caps.count('10.0.0.2')).toBe(1);
    });

    it('losing the media server ends every viewer without asking it to release them or announcing counts', async () => {
      const ctx = setup();
      const { sink } = await watching(ctx);
      await watching(ctx, '10.0.0.2');
      const before = counts(ctx.seen).length;
      ctx.media.emit({ type: 'disconnected' });
      expect(ctx.live.allViewers()).toEqual([]);
      expect(sink.closed).toBe(1);
      expect(ctx.caps.count('10.0.0.1') + ctx.caps.count('10.0.0.2')).toBe(0);
      expect(ctx.media.callsOf('closeViewer')).toEqual([]);
      expect(counts(ctx.seen)).toHaveLength(before);
    });
  });

  describe('the H.264 profile viewers are told', () => {
    // libx264's High 3.1 SPS (OBS's default), in one RTP packet to the probe's port.
    const HIGH_SPS = Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex');
    async function sendSps(media: FakeMediaServer): Promise<void> {
      const [[, port]] = media.callsOf('tapVideo') as [unknown, number][];
      const sock = createSocket('udp4');
      const packet = Buffer.concat([Buffer.from([0x80, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]), HIGH_SPS]);
      await new Promise<void>((resolve) => sock.send(packet, port, '127.0.0.1', () => resolve()));
      sock.close();
    }
    const videoFmtps = (sdp: string) => parseSdp(sdp).media.find((m) => m.kind === 'video')!.codecs.map((c) => `${c.pt} ${c.name} ${c.fmtp ?? ''}`);
    const audioLines = (sdp: string) => sdp.split('\r\n').slice(0, sdp.split('\r\n').findIndex((l) => l.startsWith('m=video')));

    it('is the profile of the SPS the publisher sends (High), not the one it negotiated (42e01f)', async () => {
      const { media, service, probes, broadcast } = setup({ profileWaitMs: 2000 });
      media.answerSdp = JANUS_PLAYER_ANSWER;
      await probes.start(broadcast);
      await sendSps(media);
      await new Promise((r) => setTimeout(r, 50));
      const { answerSdp } = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
      expect(videoFmtps(answerSdp)).toEqual(['102 H264 profile-level-id=64001f;packetization-mode=1']);
      expect(answerSdp).toContain('a=fmtp:103 apt=102');
      expect(audioLines(answerSdp)).toEqual(audioLines(JANUS_PLAYER_ANSWER));
      probes.stop('c1', 's1');
    });

    it('in a broadcast\'s first moments a viewer waits for the first SPS, and no longer', async () => {
      const { media, service, probes, broadcast } = setup({ profileWaitMs: 2000 });
      media.answerSdp = JANUS_PLAYER_ANSWER;
      const t0 = performance.now();
      const started = service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
      await probes.start(broadcast); // the probe may start after the broadcast is playable
      await new Promise((r) => setTimeout(r, 100));
      await sendSps(media);
      const { answerSdp } = await started;
      const waited = performance.now() - t0;
      expect(videoFmtps(answerSdp)).toEqual(['102 H264 profile-level-id=64001f;packetization-mode=1']);
      expect(waited).toBeGreaterThanOrEqual(90);
      expect(waited).toBeLessThan(1000);
      probes.stop('c1', 's1');
    });

    it.each<[string, { profileWaitMs: number; startedAt?: Date; videoCodec?: string }, number, number]>([
      ['no SPS within the wait: the negotiated profile, after the wait', { profileWaitMs: 300 }, 250, 1000],
      ['a broadcast live longer than the wait: the negotiated profile at once', { profileWaitMs: 2000, startedAt: new Date(Date.now() - 5000) }, 0, 150],
      ['waiting turned off', { profileWaitMs: 0 }, 0, 150],
      ['VP8: untouched at once', { profileWaitMs: 2000, videoCodec: 'vp8' }, 0, 150],
    ])('%s', async (_name, opts, atLeastMs, belowMs) => {
      const { media, service, probes, broadcast } = setup(opts);
      media.answerSdp = JANUS_PLAYER_ANSWER;
      await probes.start(broadcast);
      const t0 = performance.now();
      const { answerSdp } = await service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') });
      const waited = performance.now() - t0;
      expect(answerSdp).toBe(JANUS_PLAYER_ANSWER);
      expect(waited).toBeGreaterThanOrEqual(atLeastMs);
      expect(waited).toBeLessThan(belowMs);
      probes.stop('c1', 's1');
    });

    it('a viewer waiting for the first SPS is answered at once when the broadcast ends', async () => {
      const { media, service, probes, broadcast, live } = setup({ profileWaitMs: 5000 });
      media.answerSdp = JANUS_PLAYER_ANSWER;
      await probes.start(broadcast);
      const t0 = performance.now();
      const started = service.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player') }).catch((e: DomainError) => e);
      await new Promise((r) => setTimeout(r, 50));
      live.removeBroadcast('s1');
      probes.stop('c1', 's1'); // BroadcastService.end does both
      expect(await started).toMatchObject({ code: 'offline' });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(media.callsOf('closeViewer')).toHaveLength(1);
    });
  });
});
