import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { preferH264PacketizationMode1 } from '@onair/protocol';
import { LayerChoice, MediaEvent, MediaNegotiationError, MediaNotFoundError, ViewerRef, WatchRequest, WatchResult } from '../media-server';
import { REQUEST_TIMEOUT_MS, withTimeout } from './deadline';
import { Janode, StreamingHandle, StreamingPlugin } from './janode';
import { JanusConnection } from './janus-connection';
import { JanusFanout } from './janus-fanout';
import { errMsg, translateError } from './janus-messages';
import { JanusPublishers } from './janus-publishers';

export interface ViewerEntry {
  ref: ViewerRef;
  handle: StreamingHandle;
  mountpointId: string;
}

/** Viewers: one Streaming handle each, watching the mountpoint that is a channel's feed. */
export class JanusViewers {
  private readonly entries = new Map<string, ViewerEntry>();

  constructor(
    private readonly connection: JanusConnection,
    private readonly publishers: JanusPublishers,
    private readonly fanout: JanusFanout,
    private readonly emit: (event: MediaEvent) => void,
    private readonly log: Logger,
  ) {}

  get(ref: ViewerRef): ViewerEntry | undefined {
    return this.entries.get(ref.id);
  }

  all(): ViewerEntry[] {
    return [...this.entries.values()];
  }

  /** Viewers of a mountpoint. */
  watching(mountpointId: string): ViewerEntry[] {
    return this.all().filter((v) => v.mountpointId === mountpointId);
  }

  async watch(req: WatchRequest): Promise<WatchResult> {
    const { session } = this.connection.requireConnected();
    let handle: StreamingHandle | undefined;
    try {
      handle = await withTimeout(session.attach<StreamingHandle>(StreamingPlugin), 'attach', REQUEST_TIMEOUT_MS, (late) => late.detach());
      // The Streaming plugin takes the first H.264 payload type of the offer whatever its
      // packetization-mode: put a packetization-mode=1 entry first.
      const offer = preferH264PacketizationMode1(this.connection.screenCandidates(req.offer.sdp), req.offer);
      const res = await withTimeout(handle.watch({ id: req.feedId, jsep: { type: 'offer', sdp: offer } }), 'watch');
      const answerSdp = res.jsep?.sdp;
      if (!answerSdp) throw new MediaNegotiationError('Janus returned no SDP answer for the viewer');
      const ref: ViewerRef = { kind: 'viewer', id: randomUUID() };
      const entry: ViewerEntry = { ref, handle, mountpointId: req.feedId };
      this.entries.set(ref.id, entry);
      const gone = () => {
        if (this.entries.get(ref.id) !== entry) return;
        this.emit({ type: 'viewer-gone', viewer: ref, reason: 'hangup' });
      };
      handle.once(Janode.EVENT.HANDLE_HANGUP, gone);
      handle.once(Janode.EVENT.HANDLE_DETACHED, gone);
      handle.once(Janode.EVENT.HANDLE_ICE_FAILED, gone);
      const feed = this.publishers.feeding(req.feedId);
      if (feed && (feed.video?.layers ?? 1) > 1) {
        // The keyframe cache holds the smallest layer; the viewer moves to its layer on the
        // next keyframe, asked for here. Best effort: Janus aims for the largest layer anyway.
        if (req.layer) await this.selectLayer(ref, req.layer).catch((err) => this.log.warn(`initial layer: ${errMsg(err)}`));
        else this.fanout.requestKeyframe(feed);
      }
      return { viewer: ref, answerSdp };
    } catch (err) {
      await handle?.detach().catch(() => undefined);
      throw translateError(err, 'watch');
    }
  }

  /**
   * Points the viewer at another layer of a simulcast mountpoint. Janus switches on the next
   * keyframe of that layer (the mountpoint asks the publisher for one) and keeps relaying the
   * current layer until then. Encoding 0 is the largest: Janus's substream 2 with three layers.
   */
  async selectLayer(viewer: ViewerRef, choice: LayerChoice): Promise<void> {
    const entry = this.entries.get(viewer.id);
    if (!entry) throw new MediaNotFoundError('the viewer is gone from the media server');
    const feed = this.publishers.feeding(entry.mountpointId);
    const video = feed?.video;
    if (!feed || !video || video.layers < 2) throw new MediaNegotiationError('this stream has no simulcast layers to choose from');
    if (!Number.isInteger(choice.encoding) || choice.encoding < 0 || choice.encoding >= video.layers) {
      throw new MediaNegotiationError(`layer ${choice.encoding} does not exist; the stream has ${video.layers}`);
    }
    const substream = video.layers - 1 - choice.encoding;
    try {
      // janode's configure() has no per-mid form; Janus wants the stream's mid here.
      await withTimeout(entry.handle.message({ request: 'configure', streams: [{ mid: video.mid, substream }] }), 'configure (layer)');
    } catch (err) {
      throw translateError(err, 'switch the layer');
    }
    this.fanout.requestKeyframe(feed);
  }

  async close(ref: ViewerRef): Promise<void> {
    const entry = this.entries.get(ref.id);
    if (!entry) return;
    this.entries.delete(ref.id);
    entry.handle.removeAllListeners();
    await entry.handle.detach().catch(() => undefined);
  }

  /** The connection dropped: every handle died with the session. */
  forgetAll(): void {
    this.entries.clear();
  }
}
