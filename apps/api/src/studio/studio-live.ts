import { Inject, Injectable, Logger } from '@nestjs/common';
import { Channel } from '../channels/channel';
import { ChannelEvents } from '../live/channel-events';
import { LiveRegistry } from '../live/live-registry';
import { StreamProbes } from '../live/stream-probes';
import { MEDIA_SERVER, MediaServer, TrackStats } from '../media/media-server';
import { streamHealth } from './stream-health';

const HEALTH_EVERY_MS = 2000;

export type StudioLiveSend = (event: 'state' | 'health', data: unknown) => void;

/**
 * The studio's live view of one channel: `state` (live since, viewers, layers) at once and on
 * every change, and `health` every two seconds while live. Returns the unsubscribe function.
 */
@Injectable()
export class StudioLive {
  private readonly log = new Logger('StudioLive');

  constructor(
    @Inject(MEDIA_SERVER) private readonly media: MediaServer,
    private readonly live: LiveRegistry,
    private readonly events: ChannelEvents,
    private readonly probes: StreamProbes,
  ) {}

  follow(channel: Channel, send: StudioLiveSend): () => void {
    let previous: TrackStats[] | undefined;
    let busy = false;
    const state = () => {
      const b = this.live.broadcastOnChannel(channel.id);
      send('state', b?.playable ? { live: true, since: b.startedAt.toISOString(), viewers: b.viewers.size, layers: b.layers } : { live: false, viewers: 0 });
    };
    const health = async () => {
      const b = this.live.broadcastOnChannel(channel.id);
      if (!b?.playable || !b.publisher || busy) return;
      busy = true;
      try {
        const { tracks } = await this.media.publisherStats(b.publisher);
        send('health', streamHealth(tracks, previous, this.probes.snapshot(channel.id)));
        previous = tracks;
      } catch (err) {
        this.log.debug(`health of ${channel.slug}: ${(err as Error).message}`);
      } finally {
        busy = false;
      }
    };
    state();
    void health();
    const unsubscribe = this.events.subscribe(channel.id, (e) => {
      if (e.type === 'inactive') previous = undefined;
      if (e.type !== 'layers') state();
    });
    const timer = setInterval(() => void health(), HEALTH_EVERY_MS);
    timer.unref();
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }
}
