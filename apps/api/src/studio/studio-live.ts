import { Inject, Injectable, Logger } from '@nestjs/common';
import type { StreamHealth, StudioLiveEvents } from '@onair/api-types';
import { Channel } from '../domain/channel';
import { ChannelEvents } from '../live/channel-events';
import { LiveRegistry } from '../live/live-registry';
import { StreamProbes } from '../probes/stream-probes';
import { MEDIA_SERVER, MediaServer, TrackStats } from '../media/media-server';
import { streamHealth } from './stream-health';

const HEALTH_EVERY_MS = 2000;

export type StudioLiveSend = <E extends keyof StudioLiveEvents>(event: E, data: StudioLiveEvents[E]) => void;

/** One health poll of a channel, shared by every studio live view open on it. */
interface HealthPoll {
  followers: Set<StudioLiveSend>;
  timer?: NodeJS.Timeout;
  /** The previous figures (rates are deltas) and the latest health, for newcomers. */
  previous?: TrackStats[];
  latest?: StreamHealth;
  busy: boolean;
  unsubscribe: () => void;
}

/**
 * The studio's live view of one channel: `state` (live since, viewers, layers) at once and on
 * every change, and `health` every two seconds while live. One poll of the media server per
 * channel serves all its open views: it starts with the first and stops with the last (each
 * view polling on its own let a few open tabs multiply the load on Janus's admin API).
 */
@Injectable()
export class StudioLive {
  private readonly log = new Logger('StudioLive');
  private readonly polls = new Map<string, HealthPoll>();

  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
    private readonly probes: StreamProbes,
  ) {}

  /** Returns the unsubscribe function. */
  follow(channel: Channel, send: StudioLiveSend): () => void {
    const state = () => {
      const b = this.live.broadcastOnChannel(channel.id);
      send('state', b?.playable ? { live: true, since: b.startedAt.toISOString(), viewers: b.viewers.size, layers: b.layers } : { live: false, viewers: 0 });
    };
    state();
    const unsubscribe = this.events.subscribe(channel.id, (e) => {
      if (e.type !== 'layers') state();
    });
    const leave = this.joinPoll(channel, send);
    return () => {
      unsubscribe();
      leave();
    };
  }

  /** How many channels are being polled (for specs). */
  get activePolls(): number {
    return this.polls.size;
  }

  private joinPoll(channel: Channel, send: StudioLiveSend): () => void {
    let poll = this.polls.get(channel.id);
    if (poll) {
      poll.followers.add(send);
      if (poll.latest !== undefined) send('health', poll.latest);
    } else {
      const created: HealthPoll = { followers: new Set([send]), busy: false, unsubscribe: () => undefined };
      created.unsubscribe = this.events.subscribe(channel.id, (e) => {
        if (e.type === 'inactive') created.previous = created.latest = undefined;
      });
      created.timer = setInterval(() => this.pollLogged(channel, created), HEALTH_EVERY_MS);
      created.timer.unref();
      this.polls.set(channel.id, created);
      poll = created;
      this.pollLogged(channel, created);
    }
    const joined = poll;
    return () => {
      joined.followers.delete(send);
      if (joined.followers.size > 0) return;
      clearInterval(joined.timer);
      joined.unsubscribe();
      if (this.polls.get(channel.id) === joined) this.polls.delete(channel.id);
    };
  }

  /** poll() catches what the media server throws; anything else is logged, not left unhandled. */
  private pollLogged(channel: Channel, poll: HealthPoll): void {
    this.poll(channel, poll).catch((err: unknown) => this.log.error(`health of ${channel.slug}: ${(err as Error).message}`));
  }

  private async poll(channel: Channel, poll: HealthPoll): Promise<void> {
    const b = this.live.broadcastOnChannel(channel.id);
    if (!b?.playable || !b.publisher || poll.busy) return;
    poll.busy = true;
    try {
      const { tracks } = await this.media.publisherStats(b.publisher);
      poll.latest = streamHealth(tracks, poll.previous, this.probes.snapshot(channel.id));
      poll.previous = tracks;
      for (const send of poll.followers) send('health', poll.latest);
    } catch (err) {
      this.log.debug(`health of ${channel.slug}: ${(err as Error).message}`);
    } finally {
      poll.busy = false;
    }
  }
}
