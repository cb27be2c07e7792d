import { CHROMIUM_PLAYER_OFFER } from '@onair/protocol/testing';
import { loadConfig } from '../config/onair-config';
import { ChannelEvents } from '../live/channel-events';
import { IceSessionService } from '../ice/ice-session';
import { LiveRegistry } from '../live/live-registry';
import { PlaybackService } from './playback.service';
import { PublisherProfiles } from './publisher-profiles';
import { StreamProbes } from '../probes/stream-probes';
import { WhepEventStreams } from './whep-event-streams';
import { WhepSessionCaps } from './whep-session-caps';
import { WatchRequest, WatchResult } from '../media/media-server';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { Channel, ChannelVisibility } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { ChannelRepository } from '../channels/channel.repository';
import { signPlaybackToken } from '../channels/playback-token';
import { WatchAccess } from '../channels/watch-access';
import { WatchRevocation } from './watch-revocation';
import { GrantedStreams } from '../live/granted-streams';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const ANSWER = CHROMIUM_PLAYER_OFFER.replace(/a=recvonly/g, 'a=sendonly');
const flush = () => new Promise((r) => setImmediate(r));

/** A media server whose `watch` can be held open: the window a revoke can race into. */
class GatedMediaServer extends FakeMediaServer {
  gate?: Promise<void>;
  override async watch(req: WatchRequest): Promise<WatchResult> {
    await this.gate;
    return super.watch(req);
  }
}

function setup(visibility: ChannelVisibility) {
  const config = loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x', ONAIR_SECRET: SECRET });
  let channel: Channel = { id: 'c1', ownerId: 'u1', slug: 'demo', title: 'Demo', description: '', visibility, playbackTokenVersion: 0 };
  // Our own repository, in memory.
  const repo = {
    findBySlug: async (slug: string) => (slug === channel.slug ? channel : null),
    findByIds: async (ids: string[]) => (ids.includes(channel.id) ? [channel] : []),
  } as unknown as ChannelRepository;
  const media = new GatedMediaServer();
  media.answerSdp = ANSWER;
  const live = new LiveRegistry();
  const events = new ChannelEvents();
  const access = new WatchAccess(config, repo);
  const eventStreams = new WhepEventStreams(events, config);
  // No stream probe runs here: answers go out as the media server made them, without waiting.
  const profiles = new PublisherProfiles(new StreamProbes(media), { media: { ...config.media, viewerProfileWaitMs: 0 } });
  const playback = new PlaybackService(media, access, live, events, new IceSessionService(media), eventStreams, profiles, new WhepSessionCaps(config, live));
  playback.onModuleInit();
  const streams = new GrantedStreams();
  const revocation = new WatchRevocation(access, playback, repo, events, streams);
  revocation.onModuleInit();
  live.addBroadcast({
    sessionId: 's1', broadcastId: 'b1', channel, streamKeyId: 'k1', startedAt: new Date(), publisher: { kind: 'publisher', id: 'p1' },
    tracks: [{ mid: '0', kind: 'audio', codec: 'opus' }, { mid: '1', kind: 'video', codec: 'h264' }], layers: [], playable: true, viewers: new Set(), peakViewers: 0,
  });
  const link = (expiresInS = 3600) => signPlaybackToken(SECRET, channel.id, channel.playbackTokenVersion, new Date(Date.now() + expiresInS * 1000));
  /** A viewer with its WHEP event stream read by a sink; `closed` says whether the sink was closed. */
  const watch = async (token?: string) => {
    const { sessionId } = await playback.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player'), token });
    const streamId = playback.createEventStream(sessionId, []);
    const state = { sessionId, closed: false };
    eventStreams.attach(sessionId, streamId, { send: () => undefined, close: () => (state.closed = true) });
    return state;
  };
  /** A channel event stream (GET /channels/demo/events) opened with `token`. */
  const follow = async (token?: string) => {
    const state = { closed: false };
    const { grant } = await access.admit('demo', token);
    streams.hold(channel.id, grant, () => (state.closed = true));
    return state;
  };
  const change = async (c: Partial<Channel>) => {
    channel = { ...channel, ...c, playbackTokenVersion: channel.playbackTokenVersion + 1 };
    const b = live.broadcastOnChannel(channel.id);
    if (b) b.channel = channel;
    return revocation.channelChanged(channel);
  };
  return { media, live, revocation, streams, link, watch, follow, change, access, playback };
}

describe('WatchRevocation', () => {
  it('revoking a private channel\'s share links ends the viewers and streams that came in with them', async () => {
    const { media, live, streams, link, watch, follow, change } = setup('private');
    const token = link();
    const [a, b] = [await watch(token), await watch(token)];
    const feed = await follow(token);
    expect(live.allViewers()).toHaveLength(2);
    expect(await change({})).toBe(3);
    expect(live.allViewers()).toHaveLength(0);
    expect(media.callsOf('closeViewer')).toHaveLength(2); // hung up in the media server
    expect([a.closed, b.closed, feed.closed]).toEqual([true, true, true]);
    expect(streams.size).toBe(0);
    // A link of the new version works, and survives a change that keeps it private... until the next revoke.
    const fresh = await watch(link());
    expect(fresh.closed).toBe(false);
    expect(live.allViewers()).toHaveLength(1);
  });

  it('a public channel turned private ends everyone watching; private turned unlisted ends no one', async () => {
    const pub = setup('public');
    await pub.watch();
    const feed = await pub.follow();
    await pub.change({ visibility: 'private' });
    expect(pub.live.allViewers()).toHaveLength(0);
    expect(feed.closed).toBe(true);

    const priv = setup('private');
    await priv.watch(priv.link());
    await priv.change({ visibility: 'unlisted' });
    expect(priv.live.allViewers()).toHaveLength(1);
  });

  it('stops watching a channel once nobody holds its links and no join can be in flight, or when it is made public or deleted', async () => {
    const { revocation, link, watch, change, playback, live } = setup('private');
    let now = 1_000_000;
    revocation.now = () => now;
    const kept = await watch(link());
    await change({}); // ends it; the channel is watched for late joins
    expect(revocation.watchedChannels).toBe(1);
    const fresh = await watch(link()); // a link of the new version
    now += 120_000;
    revocation.prune();
    expect(revocation.watchedChannels).toBe(1); // someone still watches with a link
    await playback.stop(fresh.sessionId);
    revocation.prune();
    expect(revocation.watchedChannels).toBe(0);
    expect(kept.closed).toBe(true);
    expect(live.allViewers()).toHaveLength(0);

    await change({});
    expect(revocation.watchedChannels).toBe(1);
    await change({ visibility: 'public' });
    expect(revocation.watchedChannels).toBe(0);
    await change({ visibility: 'private' });
    expect(revocation.watchedChannels).toBe(1);
    revocation.forget('c1'); // deleted
    expect(revocation.watchedChannels).toBe(0);
  });

  it('a share link ends its viewers and streams when it expires (a timer at expiry), not before', async () => {
    jest.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z'), doNotFake: ['setImmediate'] });
    try {
      const { live, link, watch, follow } = setup('private');
      const shortLived = await watch(link(60));
      const longLived = await watch(link(3600));
      const feed = await follow(link(60));
      jest.advanceTimersByTime(59_000);
      await flush();
      expect(live.allViewers()).toHaveLength(2);
      jest.advanceTimersByTime(1_000);
      await flush();
      await flush();
      expect(live.allViewers().map((v) => v.sessionId)).toEqual([longLived.sessionId]);
      expect([shortLived.closed, feed.closed, longLived.closed]).toEqual([true, true, false]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a WHEP POST admitted just before the revoke, answered after it, is ended as soon as it joins and answered 401', async () => {
    const { media, live, link, change, playback } = setup('private');
    const token = link();
    let answer!: () => void;
    media.gate = new Promise<void>((r) => (answer = r));
    const joining = playback.start({ slug: 'demo', offer: ClientOffer.parse(CHROMIUM_PLAYER_OFFER, 'player'), token }); // the link is checked now; Janus is "answering"
    await flush();
    expect(await change({})).toBe(0); // nobody to end yet
    answer();
    await expect(joining).rejects.toMatchObject({ code: 'unauthorized', message: expect.stringMatching(/was revoked by its owner/) });
    await flush();
    expect(live.allViewers()).toHaveLength(0);
    expect(media.callsOf('closeViewer')).toHaveLength(1);
  });
});
