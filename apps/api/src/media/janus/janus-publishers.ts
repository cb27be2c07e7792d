import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { codecNames, parseAnswer, rejectedSections, SdpOffer, SdpSummary } from '@onair/protocol';
import { OnairConfig } from '../../config/onair-config';
import {
  MediaEvent,
  MediaNegotiationError,
  MediaNotFoundError,
  NegotiatedTrack,
  PublisherRef,
  PublishRequest,
  PublishResult,
  RestartIceResult,
} from '../media-server';
import { REQUEST_TIMEOUT_MS, withTimeout } from './deadline';
import { Janode, VideoRoomHandle, VideoRoomPlugin } from './janode';
import { JanusConnection } from './janus-connection';
import { JanusControl, ROOM_CODECS } from './janus-control';
import { readMediaReport, translateError } from './janus-messages';
import { reportedSilence } from './janus-stats';

export type RidOrder = 'hml' | 'lmh';

/** A publisher on a channel's stage: its VideoRoom handle, and its fan-out once started. */
export interface PublisherEntry {
  ref: PublisherRef;
  handle: VideoRoomHandle;
  room: string;
  roomCreated: boolean;
  feed: string | number;
  /** Janus's rid_order for this publisher's offers (see ridOrder()). */
  ridOrder: RidOrder;
  mountpointId?: string;
  forwarders: number[];
  mediaTimer?: NodeJS.Timeout;
  /** The video track, once the fan-out started; `layers` > 1 for a simulcast mountpoint. */
  video?: { mid: string; codec: string; layers: number };
  /** When onair last asked this publisher for a keyframe (performance.now()). */
  keyframeRequestedAt?: number;
  keyframeTimer?: NodeJS.Timeout;
  /** How many more times the pending keyframe request is sent (see requestKeyframe()). */
  keyframeRepeats?: number;
  /** What the publisher sends (mids, simulcast layers), as negotiated. */
  tracks: NegotiatedTrack[];
  /** performance.now() of the publish, and of the PeerConnection coming up (webrtcup). */
  publishedAt: number;
  connectedAt?: number;
  /** Each `${mid}/${substream}` Janus reported on -> performance.now() of its `receiving: false`, or null while receiving. */
  media: Map<string, number | null>;
}

/**
 * Publishers: one VideoRoom handle each, joined to the room that is its channel's stage.
 * Watches each for hang-ups and media timeouts; releasing the fan-out is JanusFanout's.
 */
export class JanusPublishers {
  private readonly entries = new Map<string, PublisherEntry>();

  constructor(
    private readonly config: OnairConfig,
    private readonly connection: JanusConnection,
    private readonly control: JanusControl,
    private readonly emit: (event: MediaEvent) => void,
    private readonly log: Logger,
  ) {}

  get(ref: PublisherRef): PublisherEntry | undefined {
    return this.entries.get(ref.id);
  }

  all(): PublisherEntry[] {
    return [...this.entries.values()];
  }

  /** Still the live entry of its publisher (not closed or replaced meanwhile). */
  isCurrent(entry: PublisherEntry): boolean {
    return this.entries.get(entry.ref.id) === entry;
  }

  /** The publisher whose fan-out feeds this mountpoint. */
  feeding(mountpointId: string): PublisherEntry | undefined {
    return this.all().find((p) => p.mountpointId === mountpointId);
  }

  async publish(req: PublishRequest): Promise<PublishResult> {
    const { session, rooms } = this.connection.requireConnected();
    // The room and the publisher's handle are asked for at once: two Janus round trips in one.
    const [room, attached] = await Promise.allSettled([
      this.control.ensureRoom(rooms, req.stageId, req.stageName),
      withTimeout(session.attach<VideoRoomHandle>(VideoRoomPlugin), 'attach', REQUEST_TIMEOUT_MS, (late) => late.detach()),
    ]);
    const roomCreated = room.status === 'fulfilled' && room.value;
    const handle = attached.status === 'fulfilled' ? attached.value : undefined;
    let entry: PublisherEntry;
    let answerSdp: string;
    let answer: SdpSummary;
    try {
      if (room.status === 'rejected') throw room.reason;
      if (!handle) throw (attached as PromiseRejectedResult).reason;
      const order = ridOrder(req.offer);
      const joined = await withTimeout(
        handle.joinConfigurePublisher({
          room: req.stageId,
          display: req.displayName,
          jsep: { type: 'offer', sdp: this.connection.screenCandidates(req.offer.sdp), rid_order: order },
        }),
        'joinandconfigure',
      );
      if (!joined.jsep?.sdp) throw new MediaNegotiationError('Janus returned no SDP answer for the publisher');
      answerSdp = joined.jsep.sdp;
      answer = parseAnswer(answerSdp);
      entry = {
        ref: { kind: 'publisher', id: randomUUID() },
        handle,
        room: req.stageId,
        roomCreated,
        feed: joined.feed,
        ridOrder: order,
        forwarders: [],
        tracks: negotiatedTracks(answer, req.offer, order),
        publishedAt: performance.now(),
        media: new Map(),
      };
      this.entries.set(entry.ref.id, entry);
      this.watch(entry);
    } catch (err) {
      await handle?.detach().catch(() => undefined);
      if (roomCreated) await this.control.destroyRoom(req.stageId);
      throw translateError(err, 'publish');
    }
    const dropped = droppedMedia(answer, entry.tracks, req.offer);
    if (dropped) {
      // Released the way a closed publisher is (it has no fan-out yet).
      const taken = this.take(entry.ref);
      if (taken) await this.release(taken);
      throw new MediaNegotiationError(dropped);
    }
    return { publisher: entry.ref, answerSdp, tracks: entry.tracks };
  }

  private watch(entry: PublisherEntry): void {
    const gone = (reason: 'hangup' | 'media-timeout') => () => {
      if (!this.isCurrent(entry)) return;
      this.emit({ type: 'publisher-gone', publisher: entry.ref, reason });
    };
    entry.handle.once(Janode.EVENT.HANDLE_HANGUP, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_DETACHED, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_ICE_FAILED, gone('hangup'));
    entry.handle.once(Janode.EVENT.HANDLE_WEBRTCUP, () => (entry.connectedAt = performance.now()));
    // Janus reports `receiving: false` after its no_media_timer; a publisher that stays
    // silent for mediaTimeoutS (network gone, OBS frozen) is ended.
    entry.handle.on(Janode.EVENT.HANDLE_MEDIA, (data: unknown) => {
      const report = readMediaReport(data);
      if (!report) return;
      entry.media.set(report.stream, report.receiving ? null : performance.now());
      // The media timeout runs while every track (and layer) is silent, not just the one
      // that reported last: a publisher still sending video keeps its broadcast.
      if (reportedSilence(entry.media, performance.now()) === 0) {
        clearTimeout(entry.mediaTimer);
        entry.mediaTimer = undefined;
      } else if (!entry.mediaTimer) {
        entry.mediaTimer = setTimeout(gone('media-timeout'), this.config.media.mediaTimeoutS * 1000);
        entry.mediaTimer.unref();
      }
    });
  }

  /** Removes the publisher from the adapter's books (and its timers); undefined if gone. */
  take(ref: PublisherRef): PublisherEntry | undefined {
    const entry = this.entries.get(ref.id);
    if (!entry) return undefined;
    this.entries.delete(ref.id);
    stopTimers(entry);
    return entry;
  }

  /** Releases a taken publisher's PeerConnection and its room (when it made it, or it is left empty). */
  async release(entry: PublisherEntry): Promise<void> {
    entry.handle.removeAllListeners();
    await entry.handle.detach().catch(() => undefined);
    if (entry.roomCreated || (await this.control.roomIsEmpty(entry.room))) await this.control.destroyRoom(entry.room);
  }

  /** The connection dropped: every handle died with the session. */
  forgetAll(): void {
    for (const p of this.entries.values()) stopTimers(p);
    this.entries.clear();
  }

  /**
   * A publisher re-offers through `configure`: Janus sees the new ufrag/pwd and restarts ICE;
   * the answer carries its new credentials and candidates.
   */
  async restartIce(ref: PublisherRef, offerSdp: string): Promise<RestartIceResult> {
    try {
      const entry = this.get(ref);
      if (!entry) throw new MediaNotFoundError('the publisher is gone from the media server');
      const jsep = { type: 'offer', sdp: this.connection.screenCandidates(offerSdp), rid_order: entry.ridOrder };
      const res = await withTimeout(entry.handle.message({ request: 'configure' }, jsep), 'configure (ICE restart)');
      if (!res.jsep?.sdp) throw new MediaNegotiationError('Janus returned no answer to the ICE restart offer');
      return { answerSdp: res.jsep.sdp };
    } catch (err) {
      throw translateError(err, 'restart ICE');
    }
  }
}

function stopTimers(entry: PublisherEntry): void {
  clearTimeout(entry.mediaTimer);
  clearTimeout(entry.keyframeTimer);
}

/**
 * Janus maps rids to substreams by their order in the offer, highest quality first unless
 * the jsep says `rid_order: "lmh"`. OBS ("0;1;2", 0 = full size) and browsers following
 * the usual sendEncodings order list the largest first; rid sets named low-first
 * (q/h/f, l/m/h) are the exception.
 */
export function ridOrder(offer: SdpOffer): RidOrder {
  const video = offer.media.find((m) => m.kind === 'video' && m.rids.length > 1);
  const rids = video?.rids.filter((r) => r.direction === 'send').map((r) => r.id.toLowerCase()) ?? [];
  const lowFirst = [['q', 'h', 'f'], ['l', 'm', 'h'], ['q', 'h'], ['h', 'f'], ['l', 'h']];
  return lowFirst.some((names) => names.length === rids.length && names.every((n, i) => n === rids[i])) ? 'lmh' : 'hml';
}

/**
 * The tracks Janus accepted, read from its answer (a rejected m-line has port 0). Janus keeps
 * every accepted rid in offer order; they are reported largest first. The format parameters
 * are the answer's, else the offer's for the same payload type (Janus answers with the
 * offer's payload type).
 */
export function negotiatedTracks(answer: SdpSummary, offer: SdpOffer, order: RidOrder): NegotiatedTrack[] {
  return answer.media
    .filter((m) => m.port !== 0 && m.codecs.length > 0)
    .map((m) => {
      const rids = m.rids.filter((r) => r.direction === 'recv').map((r) => r.id);
      const codec = m.codecs[0];
      const track: NegotiatedTrack = { mid: m.mid, kind: m.kind, codec: codec.name.toLowerCase() };
      const fmtp = codec.fmtp ?? offer.media.find((o) => o.mid === m.mid)?.codecs.find((c) => c.pt === codec.pt)?.fmtp;
      if (fmtp) track.fmtp = fmtp;
      if (m.kind === 'video' && rids.length > 1) track.rids = order === 'lmh' ? rids.reverse() : rids;
      return track;
    });
}

/**
 * RFC 9725 §4.2: the server must not silently drop media the client sends. Janus may also
 * "accept" a section with a codec the room doesn't relay (seen with PCMU audio in an Opus
 * room): that is as lost as a rejected one. The refusal, naming what a channel accepts, or
 * undefined when nothing is dropped.
 */
export function droppedMedia(answer: SdpSummary, tracks: NegotiatedTrack[], offer: SdpOffer): string | undefined {
  const accepted: Record<string, readonly string[]> = ROOM_CODECS;
  const rejected = [
    ...rejectedSections(answer).map((r) => r.mid),
    ...tracks.filter((t) => !accepted[t.kind].includes(t.codec)).map((t) => t.mid),
  ];
  const lost = offer.media.filter((m) => rejected.includes(m.mid));
  if (lost.length === 0) return undefined;
  const had = lost.map((m) => `${m.kind} ${codecNames(m).join('/') || 'with no codec'}`).join(', ');
  return `this channel accepts video ${ROOM_CODECS.video.join(', ')} and audio ${ROOM_CODECS.audio.join(', ')}; the offer had ${had}`;
}
