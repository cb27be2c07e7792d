import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../../config/onair-config';
import {
  FanoutRequest,
  FanoutResult,
  LayerChoice,
  MediaEvent,
  MediaHealth,
  MediaNegotiationError,
  MediaNotFoundError,
  MediaServer,
  PeerRef,
  PublisherRef,
  PublisherStats,
  PublishRequest,
  PublishResult,
  RemoteCandidate,
  RestartIceResult,
  ViewerRef,
  WatchRequest,
  WatchResult,
} from '../media-server';
import { withTimeout } from './deadline';
import { Janode, JanodeHandle } from './janode';
import { JanusConnection } from './janus-connection';
import { JanusControl } from './janus-control';
import { JanusFanout } from './janus-fanout';
import { errMsg, translateError } from './janus-messages';
import { JanusPublishers } from './janus-publishers';
import { JanusInventory, JanusStats } from './janus-stats';
import { JanusViewers } from './janus-viewers';

/**
 * MediaServer on the Janus WebRTC Server, through janode over Janus's WebSocket API, split
 * the way janode is (connection -> session -> handles): this facade wires the parts.
 *   janus-connection.ts  the connection, session, reconnects, Admin API
 *   janus-control.ts     rooms (a channel's stage) and mountpoints (its feed) on the control handles
 *   janus-publishers.ts  a VideoRoom handle per publisher
 *   janus-fanout.ts      RTP forwarders into a channel's mountpoint, the probe tap, keyframes
 *   janus-viewers.ts     a Streaming handle per viewer
 *   janus-stats.ts       what Janus sees of a publisher's media
 *   janus-messages.ts    the Janus message shapes, parsed once; Janus's errors as the port's
 * One Janus session holds two control handles (VideoRoom, Streaming) and one handle per
 * publisher or viewer PeerConnection. If the connection drops, Janus destroys the session
 * and every handle in it, so the adapter reports 'disconnected' (all media is gone),
 * reconnects with backoff and removes the rooms and mountpoints left behind.
 */
@Injectable()
export class JanusMediaServer implements MediaServer, OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Janus');
  private readonly listeners = new Set<(e: MediaEvent) => void>();
  private readonly connection: JanusConnection;
  private readonly control: JanusControl;
  private readonly publishers: JanusPublishers;
  private readonly fanout: JanusFanout;
  private readonly viewers: JanusViewers;
  private readonly stats: JanusStats;

  readonly nodeId: string;

  constructor(@Inject(ONAIR_CONFIG) config: OnairConfig) {
    this.nodeId = config.nodeId;
    // janode's own log is noise at normal levels (e.g. "transaction not found" for replies to
    // requests it already settled); the adapter logs what matters.
    Janode.Logger.setLevel(config.logLevel === 'debug' || config.logLevel === 'verbose' ? 'info' : 'none');
    const emit = (e: MediaEvent) => this.emit(e);
    this.connection = new JanusConnection(config, this.log, {
      reconcile: (control) => this.control.reconcile(control),
      dropped: () => {
        this.publishers.forgetAll();
        this.viewers.forgetAll();
      },
      connected: () => emit({ type: 'connected' }),
      disconnected: () => emit({ type: 'disconnected' }),
    });
    this.control = new JanusControl(this.connection, this.log);
    this.publishers = new JanusPublishers(config, this.connection, this.control, emit, this.log);
    this.fanout = new JanusFanout(this.connection, this.control, this.publishers, this.log);
    this.viewers = new JanusViewers(this.connection, this.publishers, this.fanout, emit, this.log);
    this.stats = new JanusStats(this.connection, this.control, this.publishers, this.log);
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  onModuleInit(): Promise<void> {
    return this.connection.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.connection.beginShutdown();
    for (const p of this.publishers.all()) await this.closePublisher(p.ref);
    for (const v of this.viewers.all()) await this.closeViewer(v.ref);
    await this.connection.close();
  }

  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: MediaEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.error(`media event listener failed: ${errMsg(err)}`);
      }
    }
  }

  publish(req: PublishRequest): Promise<PublishResult> {
    return this.publishers.publish(req);
  }

  startFanout(req: FanoutRequest): Promise<FanoutResult> {
    return this.fanout.start(req);
  }

  tapVideo(publisher: PublisherRef, port: number): Promise<void> {
    return this.fanout.tapVideo(publisher, port);
  }

  async closePublisher(ref: PublisherRef): Promise<void> {
    const entry = this.publishers.take(ref);
    if (!entry) return;
    const mountpointId = await this.fanout.stop(entry);
    if (mountpointId) {
      for (const v of this.viewers.watching(mountpointId)) {
        await this.closeViewer(v.ref);
        this.emit({ type: 'viewer-gone', viewer: v.ref, reason: 'closed' });
      }
    }
    await this.publishers.release(entry);
  }

  watch(req: WatchRequest): Promise<WatchResult> {
    return this.viewers.watch(req);
  }

  selectLayer(viewer: ViewerRef, choice: LayerChoice): Promise<void> {
    return this.viewers.selectLayer(viewer, choice);
  }

  closeViewer(ref: ViewerRef): Promise<void> {
    return this.viewers.close(ref);
  }

  async trickle(peer: PeerRef, candidates: RemoteCandidate[], endOfCandidates: boolean): Promise<void> {
    const handle = this.handleOf(peer);
    const usable = candidates.filter((c) => this.connection.usableCandidate(c.candidate));
    try {
      if (usable.length > 0) {
        await withTimeout(handle.trickle(usable.map((c) => ({ sdpMid: c.mid, candidate: c.candidate }))), 'trickle');
      }
      if (endOfCandidates) await withTimeout(handle.trickleComplete(), 'trickle');
    } catch (err) {
      throw translateError(err, 'trickle');
    }
  }

  /**
   * A Streaming viewer cannot re-offer on Janus 1.4 (460 "Already watching", and Janus has
   * restarted ICE by then); a publisher re-offers through its VideoRoom handle.
   */
  async restartIce(peer: PeerRef, offerSdp: string): Promise<RestartIceResult> {
    if (peer.kind === 'viewer') throw new MediaNegotiationError('Janus cannot restart ICE for a viewer from the viewer\'s offer');
    return this.publishers.restartIce(peer, offerSdp);
  }

  private handleOf(peer: PeerRef): JanodeHandle {
    const handle = peer.kind === 'publisher' ? this.publishers.get(peer)?.handle : this.viewers.get(peer)?.handle;
    if (!handle) throw new MediaNotFoundError(`the ${peer.kind} is gone from the media server`);
    return handle;
  }

  isPublisherSilent(publisher: PublisherRef, ms: number): Promise<boolean> {
    return this.stats.isPublisherSilent(publisher, ms);
  }

  publisherStats(publisher: PublisherRef): Promise<PublisherStats> {
    return this.stats.publisherStats(publisher);
  }

  health(): Promise<MediaHealth> {
    return this.connection.health();
  }

  /**
   * What Janus itself holds for onair: rooms, mountpoints, forwarders, peer handles. Not part
   * of the port: the end-to-end tests read it to prove that everything taken was released.
   */
  inventory(): Promise<JanusInventory> {
    return this.stats.inventory();
  }
}
