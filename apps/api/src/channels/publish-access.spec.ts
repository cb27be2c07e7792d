import { OBS_OFFER } from '@onair/protocol/testing';
import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { BroadcastRepository } from '../live/broadcast.repository';
import { BroadcastService } from '../whip/broadcast.service';
import { ChannelEvents } from '../live/channel-events';
import { IceSessionService } from '../ice/ice-session';
import { LiveRegistry } from '../live/live-registry';
import { StreamProbes } from '../probes/stream-probes';
import { PublishRequest, PublishResult } from '../media/media-server';
import { FakeMediaServer } from '../media/testing/fake-media-server';
import { Channel } from '../domain/channel';
import { ClientOffer } from '../domain/client-offer';
import { PublishAccess } from './publish-access';
import { StreamKeyRepository } from './stream-key.repository';
import { hashStreamKey, StreamKeyService } from './stream-key.service';

/** A media server whose publish waits until the spec lets it answer: the window a revoke can race into. */
class GatedMediaServer extends FakeMediaServer {
  private gates: (() => void)[] = [];
  readonly waiting: Promise<void>[] = [];
  private arrived?: () => void;
  gated = true;

  /** Resolves once a publish is waiting at the gate. */
  nextPublish(): Promise<void> {
    return new Promise((resolve) => (this.arrived = resolve));
  }

  open(): void {
    for (const g of this.gates.splice(0)) g();
  }

  override async publish(req: PublishRequest): Promise<PublishResult> {
    if (this.gated) {
      const gate = new Promise<void>((resolve) => this.gates.push(resolve));
      this.arrived?.();
      await gate;
    }
    return super.publish(req);
  }
}

/** Our own repositories, in memory. */
function stores() {
  const channels: Channel[] = [];
  const keys: { id: string; channelId: string; keyHash: string; revokedAt: Date | null }[] = [];
  const keyRepo = {
    create: async (input: { channelId: string; label: string; keyHash: string; hint: string }) => {
      const row = { id: `k${keys.length + 1}`, channelId: input.channelId, keyHash: input.keyHash, revokedAt: null };
      keys.push(row);
      return { id: row.id, channelId: row.channelId, label: input.label, hint: input.hint };
    },
    findActiveByHash: async (hash: string) => {
      const k = keys.find((x) => x.keyHash === hash && !x.revokedAt);
      const channel = channels.find((c) => c.id === k?.channelId);
      return k && channel ? { key: { id: k.id, channelId: k.channelId, label: '', hint: '' }, channel } : null;
    },
    isActive: async (id: string) => keys.some((k) => k.id === id && !k.revokedAt),
    touch: async () => undefined,
  } as unknown as StreamKeyRepository;
  const broadcastRepo = {
    open: async (input: { id: string; channelId: string; startedAt: Date }) => ({ id: input.id, channelId: input.channelId, startedAt: input.startedAt }),
    setCodecs: async () => undefined,
    end: async () => undefined,
    endAllOnNode: async () => 0,
  } as unknown as BroadcastRepository;
  const revoke = (key: string) => {
    keys.find((k) => k.keyHash === hashStreamKey(key))!.revokedAt = new Date();
  };
  return { channels, keyRepo, broadcastRepo, revoke };
}

async function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x', ...env });
  const media = new GatedMediaServer();
  media.answerSdp = OBS_OFFER.replace(/a=sendonly/g, 'a=recvonly');
  const s = stores();
  const live = new LiveRegistry();
  const keyService = new StreamKeyService(s.keyRepo);
  const access = new PublishAccess(config, keyService, s.keyRepo, live);
  const broadcasts = new BroadcastService(media, config, access, s.broadcastRepo, live, new ChannelEvents(), new IceSessionService(media), new StreamProbes(media));
  await broadcasts.onModuleInit();
  const channel = async (id: string, ownerId: string | null = 'u1') => {
    const c: Channel = { id, ownerId, slug: id, title: id, description: '', visibility: 'public', playbackTokenVersion: 0 };
    s.channels.push(c);
    return (await keyService.mint(id, 'test')).key;
  };
  const post = (key: string) => broadcasts.start({ streamKey: key, offer: ClientOffer.parse(OBS_OFFER, 'publisher') });
  return { media, live, broadcasts, channel, post, revoke: s.revoke };
}

const outcome = (p: Promise<unknown>) => p.then(() => 'live', (e: unknown) => (e instanceof DomainError ? `${e.code}: ${e.message}` : String(e)));

describe('PublishAccess: a WHIP POST racing a key revocation', () => {
  it('a key revoked while Janus is answering the POST ends the new broadcast (nothing left live or in the media server)', async () => {
    const { media, live, channel, post, revoke } = await setup();
    const key = await channel('c1');
    const arrived = media.nextPublish();
    const posting = outcome(post(key));
    await arrived; // the key was checked (twice: the broadcast is registered); Janus is "answering"
    // The studio revokes it now: no publisher exists yet for it to end, so it marks the
    // broadcast it finds starting on that key (StudioService.revoke).
    revoke(key);
    live.broadcastOnChannel('c1')!.revokedWhileStarting = true;
    media.open();
    expect(await posting).toMatch(/^unauthorized: this stream key was revoked while the stream was starting/);
    expect(live.broadcastOnChannel('c1')).toBeUndefined();
    expect(media.callsOf('closePublisher')).toHaveLength(1);
  });

  it('without a revoke the same POST goes live', async () => {
    const { media, live, channel, post } = await setup();
    const key = await channel('c1');
    const arrived = media.nextPublish();
    const posting = outcome(post(key));
    await arrived;
    media.open();
    expect(await posting).toBe('live');
    await live.broadcastOnChannel('c1')?.goingLive;
    expect(live.broadcastOnChannel('c1')?.playable).toBe(true);
  });
});

describe('PublishAccess: broadcasts live at once per account (ONAIR_MAX_LIVE_PER_ACCOUNT)', () => {
  it('past the quota a POST gets 409 naming the live channels; channels without an owner are not counted', async () => {
    const { media, channel, post, broadcasts, live } = await setup({ ONAIR_MAX_LIVE_PER_ACCOUNT: '2' });
    media.gated = false;
    const keys = [await channel('a1'), await channel('a2'), await channel('a3'), await channel('other', 'u2'), await channel('cli', null)];
    expect(await outcome(post(keys[0]))).toBe('live');
    expect(await outcome(post(keys[1]))).toBe('live');
    const third = await post(keys[2]).catch((e: DomainError) => e);
    expect(third).toMatchObject({ code: 'conflict', retryAfterSeconds: 10 });
    expect((third as Error).message).toMatch(/already has 2 broadcasts live \("a1", "a2"\).*ONAIR_MAX_LIVE_PER_ACCOUNT=2.*end one first/);
    expect(await outcome(post(keys[3]))).toBe('live');
    expect(await outcome(post(keys[4]))).toBe('live');
    // One ends: the third goes live.
    await broadcasts.stop(live.broadcastOnChannel('a1')!.sessionId);
    expect(await outcome(post(keys[2]))).toBe('live');
  });

  it('a broadcast still starting (Janus answering its POST) counts against the quota', async () => {
    const { media, channel, post, live } = await setup({ ONAIR_MAX_LIVE_PER_ACCOUNT: '1' });
    const [k1, k2] = [await channel('a1'), await channel('a2')];
    let arrived = media.nextPublish();
    const first = outcome(post(k1));
    await arrived;
    arrived = media.nextPublish();
    const second = outcome(post(k2)); // the first is not live yet, but it is starting
    expect(await second).toMatch(/^conflict: .*already has 1 broadcast live \("a1"\)/);
    media.open();
    expect(await first).toBe('live');
    expect(live.allBroadcasts().map((b) => b.channel.id)).toEqual(['a1']);
  });
});
