import { OBS_OFFER } from '@onair/protocol/testing';
import { Channel } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { PublishAccess } from '../channels/publish-access';
import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { BroadcastRepository, EndReason } from '../live/broadcast.repository';
import { BroadcastService, TAKEOVER_AFTER_SILENCE_MS } from './broadcast.service';
import { ChannelEvents } from '../live/channel-events';
import { IceSessionService } from '../ice/ice-session';
import { LiveRegistry } from '../live/live-registry';
import { StreamProbes } from '../probes/stream-probes';

const CHANNEL: Channel = { id: 'c1', ownerId: null, slug: 'demo', title: 'Demo', description: '', visibility: 'public', playbackTokenVersion: 0 };
const config = loadConfig({ DATABASE_URL: 'postgresql://onair@127.0.0.1:5433/onair' });

/** onair's own PublishAccess, faked: two keys of the demo channel, never revoked. */
const keys = {
  admit: async (key?: string) => {
    if (key !== 'key-a' && key !== 'key-b') throw new DomainError('unauthorized', 'bad key');
    return { channel: CHANNEL, keyId: key };
  },
  confirm: async () => undefined,
} as unknown as PublishAccess;

/** onair's own BroadcastRepository, in memory: one open broadcast per channel, as the index says. */
class MemoryBroadcasts {
  readonly rows = new Map<string, { channelId: string; endedAt?: Date; reason?: EndReason }>();
  async open(input: { id: string; channelId: string; startedAt: Date }) {
    if ([...this.rows.values()].some((r) => r.channelId === input.channelId && !r.endedAt)) return null;
    this.rows.set(input.id, { channelId: input.channelId });
    return { id: input.id, channelId: input.channelId, startedAt: input.startedAt };
  }
  async setCodecs() {}
  /** Like the real one: no row with that id (it was never written) is nothing to end. */
  async end(id: string, reason: EndReason) {
    const row = this.rows.get(id);
    if (row && !row.endedAt) Object.assign(row, { endedAt: new Date(), reason });
  }
  async endAllOnNode() {
    return 0;
  }
}

function setup(access: PublishAccess = keys) {
  const media = new FakeMediaServer();
  media.answerSdp = OBS_OFFER.replace(/a=sendonly/g, 'a=recvonly');
  const live = new LiveRegistry();
  const repo = new MemoryBroadcasts();
  const events = new ChannelEvents();
  const probes = { start: async () => undefined, stop: () => undefined } as unknown as StreamProbes;
  const service = new BroadcastService(
    media,
    config,
    access,
    repo as unknown as BroadcastRepository,
    live,
    events,
    new IceSessionService(media),
    probes,
  );
  return { media, live, repo, service, events };
}

const start = (service: BroadcastService, key: string) => service.start({ streamKey: key, offer: ClientOffer.parse(OBS_OFFER, 'publisher') });
const tick = () => new Promise((r) => setImmediate(r));
/** The POST answered: waits for what follows its 201 (the feed being built) to settle. */
const settled = async (live: LiveRegistry) => {
  for (const b of live.allBroadcasts()) await b.goingLive;
};
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: DomainError) => ({ code: e.code, retryAfter: e.retryAfterSeconds, message: e.message }));
/** The types of the channel events published from now on. */
const seen = (events: ChannelEvents) => {
  const types: string[] = [];
  events.subscribe(CHANNEL.id, (e) => types.push(e.type));
  return types;
};

describe('BroadcastService: a second POST on a live channel', () => {
  it('with the live key while the publisher still sends: 409 + Retry-After, the broadcast stays', async () => {
    const { media, live, service } = setup();
    const first = await start(service, 'key-a');
    const err = await failure(start(service, 'key-a'));
    expect(err).toMatchObject({ code: 'already-live', retryAfter: expect.any(Number) });
    expect(err!.message).toMatch(/still sending/);
    expect(live.broadcastOnChannel(CHANNEL.id)!.sessionId).toBe(first.sessionId);
    expect(media.callsOf('closePublisher')).toHaveLength(0);
  });

  it('with the live key once the publisher is silent: the old broadcast ends (once) and the new one starts', async () => {
    const { media, live, repo, service } = setup();
    const first = await start(service, 'key-a');
    const publisher = live.broadcast(first.sessionId)!.publisher!;
    media.silenceMs.set(publisher.id, TAKEOVER_AFTER_SILENCE_MS + 200);
    const second = await start(service, 'key-a');
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(live.broadcastOnChannel(CHANNEL.id)!.sessionId).toBe(second.sessionId);
    expect(live.broadcast(first.sessionId)).toBeUndefined();
    expect(media.callsOf('closePublisher')).toEqual([[publisher]]);
    expect([...repo.rows.values()].map((r) => r.reason)).toEqual(['media-timeout', undefined]);
  });

  it('with the live key, silent but not long enough yet: 409 + Retry-After', async () => {
    const { media, live, service } = setup();
    const first = await start(service, 'key-a');
    media.silenceMs.set(live.broadcast(first.sessionId)!.publisher!.id, TAKEOVER_AFTER_SILENCE_MS - 300);
    expect(await failure(start(service, 'key-a'))).toMatchObject({ code: 'already-live', retryAfter: 1 });
  });

  it('with another key of the channel, even when silent: 409 + Retry-After, no takeover', async () => {
    const { media, live, service } = setup();
    const first = await start(service, 'key-a');
    media.silenceMs.set(live.broadcast(first.sessionId)!.publisher!.id, 60_000);
    expect(await failure(start(service, 'key-b'))).toMatchObject({ code: 'already-live', retryAfter: expect.any(Number) });
    expect(live.broadcastOnChannel(CHANNEL.id)!.sessionId).toBe(first.sessionId);
  });

  it('two takeover POSTs at once: one wins, the other gets 409 + Retry-After', async () => {
    const { media, live, service } = setup();
    const first = await start(service, 'key-a');
    media.silenceMs.set(live.broadcast(first.sessionId)!.publisher!.id, 60_000);
    const results = await Promise.all([failure(start(service, 'key-a')), failure(start(service, 'key-a'))]);
    expect(results.filter((r) => r === undefined)).toHaveLength(1);
    expect(results.find((r) => r !== undefined)).toMatchObject({ code: 'already-live', retryAfter: expect.any(Number) });
    expect(media.callsOf('closePublisher')).toHaveLength(1);
  });
});

describe('BroadcastService: the key checked again once the media server answered', () => {
  it('a refused confirm ends the broadcast before it was ever playable: no viewer could join, no feed hears inactive', async () => {
    let playableDuringCheck: boolean | undefined;
    const refusing = {
      ...keys,
      confirm: async (b: { playable: boolean }) => {
        playableDuringCheck = b.playable;
        throw new DomainError('unauthorized', 'this stream key was revoked while the stream was starting');
      },
    } as unknown as PublishAccess;
    const { live, repo, service, events } = setup(refusing);
    const types = seen(events);
    expect(await failure(start(service, 'key-a'))).toMatchObject({ code: 'unauthorized' });
    expect(playableDuringCheck).toBe(false);
    expect(types).toEqual([]);
    expect(live.broadcastOnChannel(CHANNEL.id)).toBeUndefined();
    expect([...repo.rows.values()][0]).toMatchObject({ reason: 'publisher-left' });
  });

  it('a revoke landing while the key is checked (the broadcast not yet playable) is honoured', async () => {
    const racing = {
      ...keys,
      confirm: async (b: { revokedWhileStarting?: boolean }) => {
        b.revokedWhileStarting = true; // what StudioService.revoke does to a broadcast still starting
      },
    } as unknown as PublishAccess;
    const { live, service, events } = setup(racing);
    const types = seen(events);
    expect(await failure(start(service, 'key-a'))).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/revoked while the stream was starting/) });
    expect(types).toEqual([]);
    expect(live.broadcastOnChannel(CHANNEL.id)).toBeUndefined();
  });
});

describe('BroadcastService: the broadcast row written while Janus answers', () => {
  /** Holds every call of `target[method]` until the spec calls the returned release. */
  const held = <T, K extends keyof T>(target: T, method: K) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const original = (target[method] as (...args: unknown[]) => Promise<unknown>).bind(target);
    target[method] = (async (...args: unknown[]) => {
      await gate;
      return original(...args);
    }) as T[K];
    return release;
  };
  const gatedOpen = (repo: MemoryBroadcasts) => held(repo, 'open');

  it('Janus is asked while the row is still being written, and Server-Timing names every step in the order it started', async () => {
    const { media, live, repo, service } = setup();
    const release = gatedOpen(repo);
    const posting = start(service, 'key-a');
    await tick();
    expect(media.callsOf('publish')).toHaveLength(1);
    // The mountpoint waits for the row: it is the channel's lock across API processes.
    expect(media.callsOf('startFanout')).toHaveLength(0);
    release();
    const started = await posting;
    expect(started.timings.map((t) => t.name)).toEqual(['key', 'db', 'confirm', 'publish']);
    await settled(live);
    expect(media.callsOf('startFanout')).toHaveLength(1);
  });

  it('a channel with an open row already (another API process): 409, the publisher released, no fan-out', async () => {
    const { media, live, repo, service } = setup();
    repo.rows.set('elsewhere', { channelId: CHANNEL.id });
    expect(await failure(start(service, 'key-a'))).toMatchObject({ code: 'already-live', retryAfter: expect.any(Number) });
    expect(media.callsOf('publish')).toHaveLength(1);
    expect(media.callsOf('closePublisher')).toHaveLength(1);
    expect(media.callsOf('startFanout')).toHaveLength(0);
    expect(live.broadcastOnChannel(CHANNEL.id)).toBeUndefined();
  });

  it('the row write failing: the error comes back and the publisher Janus made meanwhile is released', async () => {
    const { media, live, repo, service } = setup();
    repo.open = async () => {
      throw new Error('connection reset');
    };
    expect(await failure(start(service, 'key-a'))).toMatchObject({ message: 'connection reset' });
    expect(media.callsOf('closePublisher')).toHaveLength(1);
    expect(live.allBroadcasts()).toEqual([]);
  });

  it('ended while its row is being written (Janus lost): the row is closed once written, the POST fails, nothing stays in Janus', async () => {
    const { media, live, repo, service } = setup();
    await service.onModuleInit(); // listens to media events
    const release = gatedOpen(repo);
    // Janus answers only after the broadcast was ended: end() had no publisher to release.
    const answer = held(media, 'publish');
    const posting = failure(start(service, 'key-a'));
    await tick();
    media.emit({ type: 'disconnected' });
    release();
    answer();
    expect(await posting).toMatchObject({ code: 'media-unavailable' });
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ channelId: CHANNEL.id, reason: 'media-server-lost' })]);
    expect(media.callsOf('closePublisher')).toEqual([[{ kind: 'publisher', id: 'p1' }]]);
    expect(live.allBroadcasts()).toEqual([]);
  });
});

describe('BroadcastService: a broadcast from POST to its end', () => {
  it('publish -> live -> DELETE: Janus answers, the channel goes live, and DELETE releases everything once', async () => {
    const { media, live, repo, service, events } = setup();
    const types = seen(events);
    const started = await start(service, 'key-a');
    expect(started).toMatchObject({ answerSdp: media.answerSdp, channel: CHANNEL, etag: expect.any(String) });
    expect(started.timings.map((t) => t.name)).toEqual(expect.arrayContaining(['key', 'db', 'publish']));
    const b = live.broadcastOnChannel(CHANNEL.id)!;
    // The 201 comes before the feed is built; viewers may join once it is.
    expect(b).toMatchObject({ sessionId: started.sessionId, playable: false });
    await settled(live);
    expect(b.playable).toBe(true);
    expect(media.callsOf('publish')).toHaveLength(1);
    expect(media.callsOf('startFanout')).toEqual([[expect.objectContaining({ publisher: b.publisher })]]);
    expect(types).toEqual(['active']);

    await service.stop(started.sessionId);
    expect(live.broadcastOnChannel(CHANNEL.id)).toBeUndefined();
    expect(media.callsOf('closePublisher')).toEqual([[b.publisher]]);
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'publisher-left', endedAt: expect.any(Date) })]);
    expect(types).toEqual(['active', 'inactive']);

    // A second DELETE finds nothing; ending again through any other path changes nothing.
    expect(await failure(service.stop(started.sessionId))).toMatchObject({ code: 'not-found' });
    await service.end(started.sessionId, 'media-timeout');
    expect(media.callsOf('closePublisher')).toHaveLength(1);
    expect(types).toEqual(['active', 'inactive']);
  });

  it('simulcast: the layers the fan-out can select are announced with the broadcast', async () => {
    const { media, live, service, events } = setup();
    media.selectableLayers = ['0', '1'];
    const got: unknown[] = [];
    events.subscribe(CHANNEL.id, (e) => got.push(e));
    await start(service, 'key-a');
    await settled(live);
    expect(got).toEqual([{ type: 'active' }, { type: 'layers', layers: [{ encodingId: '0' }, { encodingId: '1' }] }]);
  });

  it('a wrong key: 401 before anything is opened', async () => {
    const { media, repo, service } = setup();
    expect(await failure(start(service, 'nope'))).toMatchObject({ code: 'unauthorized' });
    expect(media.calls).toHaveLength(0);
    expect(repo.rows.size).toBe(0);
  });

  it('the media server down: 503 with Retry-After, no broadcast row', async () => {
    const { media, repo, service } = setup();
    media.connected = false;
    expect(await failure(start(service, 'key-a'))).toMatchObject({ code: 'media-unavailable', retryAfter: 5 });
    expect(repo.rows.size).toBe(0);
  });

  it('the publish failing: the broadcast row is closed and the channel is free again', async () => {
    const { media, live, repo, service } = setup();
    media.failNext.set('publish', new Error('janus said no'));
    await expect(start(service, 'key-a')).rejects.toThrow('janus said no');
    expect(live.broadcastOnChannel(CHANNEL.id)).toBeUndefined();
    expect(media.callsOf('closePublisher')).toHaveLength(0); // there was no publisher to close
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'publisher-left' })]);
    await start(service, 'key-a'); // the next POST goes live
  });

  it('the fan-out failing after the 201: the publisher is closed through the one teardown, no viewer ever saw it', async () => {
    const { media, live, repo, service, events } = setup();
    const types = seen(events);
    media.failNext.set('startFanout', new Error('no mountpoint'));
    await start(service, 'key-a'); // answered: Janus took the publisher
    await settled(live);
    await tick();
    expect(media.callsOf('closePublisher')).toEqual([[expect.objectContaining({ kind: 'publisher' })]]);
    expect(live.allBroadcasts()).toEqual([]);
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'media-server-lost' })]);
    expect(types).toEqual([]);
  });

  it('a key revoked after the 201, while the feed is being built: the broadcast ends before any viewer could join', async () => {
    const { media, live, repo, service, events } = setup();
    const types = seen(events);
    await start(service, 'key-a');
    const b = live.broadcastOnChannel(CHANNEL.id)!;
    b.revokedWhileStarting = true; // what StudioService.revoke does to a broadcast not yet playable
    await b.goingLive;
    expect(b.playable).toBe(false);
    expect(media.callsOf('closePublisher')).toEqual([[b.publisher]]);
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'key-revoked' })]);
    expect(types).toEqual([]);
  });

  it('a DELETE while the feed is being built: ended once, never announced live', async () => {
    const { media, live, repo, service, events } = setup();
    const types = seen(events);
    const started = await start(service, 'key-a');
    const b = live.broadcastOnChannel(CHANNEL.id)!;
    await service.stop(started.sessionId);
    await b.goingLive;
    expect(b.playable).toBe(false);
    expect(media.callsOf('closePublisher')).toEqual([[b.publisher]]);
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'publisher-left' })]);
    expect(types).toEqual([]);
  });

  it('closing the publisher failing still ends the broadcast row (the error is logged, not thrown)', async () => {
    const { media, live, repo, service } = setup();
    const { sessionId } = await start(service, 'key-a');
    media.failNext.set('closePublisher', new Error('handle already gone'));
    await service.stop(sessionId);
    expect(live.broadcast(sessionId)).toBeUndefined();
    expect([...repo.rows.values()]).toEqual([expect.objectContaining({ reason: 'publisher-left' })]);
  });

  it('the media server reporting the publisher gone, or the connection lost, ends the broadcast with that reason', async () => {
    const { media, live, repo, service } = setup();
    await service.onModuleInit();
    const first = await start(service, 'key-a');
    media.emit({ type: 'publisher-gone', publisher: live.broadcast(first.sessionId)!.publisher!, reason: 'media-timeout' });
    await service.end(first.sessionId, 'publisher-left'); // joins the teardown the event started
    const second = await start(service, 'key-a');
    media.emit({ type: 'disconnected' });
    await service.end(second.sessionId, 'publisher-left');
    expect([...repo.rows.values()].map((r) => r.reason)).toEqual(['media-timeout', 'media-server-lost']);
    expect(live.allBroadcasts()).toEqual([]);
  });

  it('shutdown ends every live broadcast', async () => {
    const { live, repo, service } = setup();
    await start(service, 'key-a');
    await service.beforeApplicationShutdown();
    expect(live.allBroadcasts()).toEqual([]);
    expect([...repo.rows.values()].map((r) => r.reason)).toEqual(['shutdown']);
  });
});
