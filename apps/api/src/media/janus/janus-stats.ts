import { Logger } from '@nestjs/common';
import { MediaNotFoundError, PublisherRef, PublisherStats } from '../media-server';
import { withTimeout } from './deadline';
import { JanusConnection } from './janus-connection';
import { JanusControl } from './janus-control';
import { errMsg, readTrackStats, translateError } from './janus-messages';
import type { JanusPublishers, PublisherEntry } from './janus-publishers';

/**
 * Janus's no_media_timer (infra/janus/janus.jcfg.template): it reports `receiving: false`
 * once a track has been silent this long, so a track is silent at least this much longer
 * than the time since that report.
 */
const NO_MEDIA_TIMER_MS = 1000;

/** What Janus itself reports holding for onair (not the adapter's bookkeeping): for tests. */
export interface JanusInventory {
  rooms: string[];
  mountpoints: string[];
  /** Forwarders per room. */
  forwarders: Record<string, number>;
  /** WebRTC handles open in onair's session, control handles excluded. */
  peerHandles: number;
}

/** What Janus sees of publishers' incoming media (Admin API handle_info), and of onair's holdings. */
export class JanusStats {
  constructor(
    private readonly connection: JanusConnection,
    private readonly control: JanusControl,
    private readonly publishers: JanusPublishers,
    private readonly log: Logger,
  ) {}

  /**
   * Whether the publisher has sent nothing for `ms`. Janus's own `receiving: false` reports
   * come 2-3 s after the last packet (its per-second counters lag its no_media_timer), so
   * without one the publisher's packet counters (Admin API handle_info) are read twice, `ms`
   * apart: unchanged means nothing arrived on any track or layer in between. A publisher
   * whose PeerConnection never came up has been silent since it was published.
   */
  async isPublisherSilent(ref: PublisherRef, ms: number): Promise<boolean> {
    const entry = this.publishers.get(ref);
    if (!entry) return true;
    if (reportedSilence(entry.media, performance.now()) >= ms) return true;
    if (entry.connectedAt === undefined) {
      const waited = performance.now() - entry.publishedAt;
      if (waited >= ms) return true;
    }
    const before = await this.packetsIn(entry);
    if (before === undefined) return false;
    await new Promise((r) => setTimeout(r, ms));
    if (!this.publishers.isCurrent(entry)) return true;
    const after = await this.packetsIn(entry);
    return after === before;
  }

  /** Packets received from the publisher so far, all tracks and layers (undefined: unknown). */
  private async packetsIn(entry: PublisherEntry): Promise<number | undefined> {
    const sessionId = this.connection.sessionId;
    if (sessionId === undefined) return undefined;
    try {
      const { info } = await withTimeout((await this.connection.admin()).handleInfo(sessionId, entry.handle.id), 'handle_info', 2000);
      return readTrackStats(info).reduce((n, t) => n + t.packets, 0);
    } catch (err) {
      this.log.warn(`cannot read the publisher's packet counters: ${errMsg(err)}`);
      return undefined;
    }
  }

  /**
   * Janus's view of a publisher's incoming media (Admin API handle_info): bitrate over the
   * last second, packets, losses from RTCP, NACKs sent, simulcast layers arriving.
   */
  async publisherStats(ref: PublisherRef): Promise<PublisherStats> {
    const entry = this.publishers.get(ref);
    const sessionId = this.connection.sessionId;
    if (!entry || sessionId === undefined) throw new MediaNotFoundError('the publisher is gone from the media server');
    try {
      const { info } = await withTimeout((await this.connection.admin()).handleInfo(sessionId, entry.handle.id), 'handle_info');
      return { tracks: readTrackStats(info) };
    } catch (err) {
      throw translateError(err, 'read the publisher\'s statistics');
    }
  }

  async inventory(): Promise<JanusInventory> {
    const control = this.connection.requireConnected();
    const rooms = await this.control.listOwnedRooms(control);
    const forwarders: Record<string, number> = {};
    for (const room of rooms) forwarders[room] = await this.control.countForwarders(control, room);
    return {
      rooms,
      mountpoints: await this.control.listOwnedMountpoints(control),
      forwarders,
      peerHandles: await this.countPeerHandles(),
    };
  }

  /** Handles Janus holds in onair's session, minus the two control handles (Admin API). */
  private async countPeerHandles(): Promise<number> {
    const sessionId = this.connection.sessionId;
    if (sessionId === undefined) return 0;
    const { handles } = await (await this.connection.admin()).listHandles(sessionId);
    return handles.length - 2;
  }
}

/**
 * How long (ms) the publisher has been silent by Janus's `media` reports, `media` holding each
 * reported track/layer ("mid/substream") with the moment it went silent (`receiving: false`),
 * or null while it receives. Only reported streams count: Janus reports `receiving: true` on a
 * stream's first packet, so a simulcast layer the encoder offered but never sent is not waited
 * for (it kept the media timeout from ever starting). 0 while any reported stream receives,
 * or before any report.
 */
export function reportedSilence(media: ReadonlyMap<string, number | null>, now: number): number {
  let latest = -Infinity;
  for (const since of media.values()) {
    if (since === null) return 0;
    latest = Math.max(latest, since);
  }
  return latest === -Infinity ? 0 : now - latest + NO_MEDIA_TIMER_MS;
}
