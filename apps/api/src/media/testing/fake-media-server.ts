import {
  FanoutRequest,
  FanoutResult,
  LayerChoice,
  MediaEvent,
  MediaHealth,
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

/**
 * An in-memory MediaServer for service specs: records every call, answers with canned SDP
 * and lets a spec make any verb fail or fire media events. Only onair's own port is faked.
 */
export class FakeMediaServer implements MediaServer {
  readonly nodeId = 'fake-node';
  connected = true;
  readonly calls: { verb: string; args: unknown[] }[] = [];
  /** Set to make the next call of that verb reject with this error. */
  readonly failNext = new Map<string, Error>();
  answerSdp = 'v=0\r\n';
  private next = 0;
  private readonly listeners = new Set<(e: MediaEvent) => void>();

  private record(verb: string, ...args: unknown[]): void {
    this.calls.push({ verb, args });
    const err = this.failNext.get(verb);
    if (err) {
      this.failNext.delete(verb);
      throw err;
    }
  }

  callsOf(verb: string): unknown[][] {
    return this.calls.filter((c) => c.verb === verb).map((c) => c.args);
  }

  emit(event: MediaEvent): void {
    for (const l of this.listeners) l(event);
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    this.record('publish', req);
    return { publisher: { kind: 'publisher', id: `p${++this.next}` }, answerSdp: this.answerSdp, tracks: [] };
  }
  /** What startFanout reports as selectable layers. */
  selectableLayers: string[] = [];
  async startFanout(req: FanoutRequest): Promise<FanoutResult> {
    this.record('startFanout', req);
    return { selectableLayers: this.selectableLayers };
  }
  /** Set to hold every call of that verb until the promise settles (a slow media server). */
  readonly holds = new Map<string, Promise<void>>();
  async watch(req: WatchRequest): Promise<WatchResult> {
    this.record('watch', req);
    await this.holds.get('watch');
    return { viewer: { kind: 'viewer', id: `v${++this.next}` }, answerSdp: this.answerSdp };
  }
  async closePublisher(publisher: PublisherRef): Promise<void> {
    this.record('closePublisher', publisher);
  }
  async closeViewer(viewer: ViewerRef): Promise<void> {
    this.record('closeViewer', viewer);
  }
  async trickle(peer: PeerRef, candidates: RemoteCandidate[], endOfCandidates: boolean): Promise<void> {
    this.record('trickle', peer, candidates, endOfCandidates);
  }
  async restartIce(peer: PeerRef, offerSdp: string): Promise<RestartIceResult> {
    this.record('restartIce', peer, offerSdp);
    return { answerSdp: this.answerSdp };
  }
  async selectLayer(viewer: ViewerRef, choice: LayerChoice): Promise<void> {
    this.record('selectLayer', viewer, choice);
  }
  async tapVideo(publisher: PublisherRef, port: number): Promise<void> {
    this.record('tapVideo', publisher, port);
  }
  /** How long each publisher (by id) has been silent (default 0: sending). */
  readonly silenceMs = new Map<string, number>();
  async isPublisherSilent(publisher: PublisherRef, ms: number): Promise<boolean> {
    this.record('isPublisherSilent', publisher, ms);
    return (this.silenceMs.get(publisher.id) ?? 0) >= ms;
  }
  /** What publisherStats reports. */
  stats: PublisherStats = { tracks: [] };
  async publisherStats(publisher: PublisherRef): Promise<PublisherStats> {
    this.record('publisherStats', publisher);
    return this.stats;
  }
  onEvent(listener: (event: MediaEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async health(): Promise<MediaHealth> {
    return { ok: this.connected };
  }
}
