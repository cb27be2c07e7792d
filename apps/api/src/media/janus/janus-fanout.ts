import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { FanoutRequest, FanoutResult, MediaNegotiationError, MediaNotFoundError, NegotiatedTrack, PublisherRef } from '../media-server';
import { REQUEST_TIMEOUT_MS, withTimeout } from './deadline';
import { JANUS_ERR, janusErrorCode } from './janode';
import { JanusConnection } from './janus-connection';
import { JanusControl, OWNER_TAG } from './janus-control';
import { errMsg, readForwarderIds, readMountpointPorts, translateError } from './janus-messages';
import { JanusPublishers, PublisherEntry } from './janus-publishers';

/** SRTP on the forwarder -> mountpoint leg: AES_CM_128_HMAC_SHA1_80, a 30-byte master key+salt. */
const FORWARD_SRTP_SUITE = 80;
const SRTP_MASTER_LENGTH = 30;
/** Janus drops a PLI to a WebRTC publisher sent within a second of the previous one. */
const KEYFRAME_REQUEST_SPACING_MS = 1100;
/**
 * Each keyframe request is sent again this many times, a spacing apart: Janus's second counts
 * from any PLI it sent (its own included) and it drops ours silently, while a WebRTC
 * publisher sends keyframes only when asked, so one lost request left a viewer waiting for good.
 */
const KEYFRAME_REQUEST_REPEATS = 2;

/** Fixed payload types for the forward -> mountpoint leg, whatever the publisher negotiated. */
const MOUNTPOINT_FORMATS: Record<string, { pt: number; fmtp?: string }> = {
  opus: { pt: 111, fmtp: 'minptime=10;useinbandfec=1' },
  // The profile-level-id is the publisher's (see mountpointFmtp()); this is the fallback.
  h264: { pt: 96, fmtp: 'profile-level-id=42e01f;packetization-mode=1' },
  vp8: { pt: 96 },
  vp9: { pt: 96 },
  av1: { pt: 96 },
  h265: { pt: 96 },
};

/**
 * A channel's feed: a Streaming mountpoint fed over loopback by VideoRoom RTP forwarders
 * of its publisher's tracks, plus the probe tap and the keyframe requests viewers cause.
 */
export class JanusFanout {
  constructor(
    private readonly connection: JanusConnection,
    private readonly control: JanusControl,
    private readonly publishers: JanusPublishers,
    private readonly log: Logger,
  ) {}

  /**
   * A mountpoint per channel, fed over loopback by RTP forwarders of the publisher's tracks.
   * A simulcast video track gets a simulcast mountpoint: one port per layer (Janus forwards
   * substream 0, the smallest, to `port`, then `port_2`, `port_3`), and each viewer follows
   * the layer it asks for, switching on the next keyframe of that layer. Video mountpoints
   * take RTCP, so a viewer's keyframe request (on join, on a layer switch) reaches the
   * publisher through the forwarder; the keyframe cache covers publishers that ignore it.
   *
   * The forwarder -> mountpoint leg is SRTP with a fresh key per mountpoint: the mountpoint's
   * ports listen on loopback, where any local user could otherwise inject RTP into a live
   * channel. (RTCP on that leg stays plain: Janus has no SRTCP there; it carries only
   * keyframe requests and receiver reports.)
   */
  async start(req: FanoutRequest): Promise<FanoutResult> {
    const { rooms, streaming } = this.connection.requireConnected();
    const entry = this.publishers.get(req.publisher);
    if (!entry) throw new MediaNotFoundError('the publisher is gone');
    const mountpointId = req.feedId;
    const layered = req.tracks.find((t) => t.kind === 'video' && (t.rids?.length ?? 0) > 1);
    const media = req.tracks.map((t) => {
      const format = MOUNTPOINT_FORMATS[t.codec];
      if (!format) throw new MediaNegotiationError(`onair cannot relay ${t.kind} codec ${t.codec}`);
      // The mountpoint only listens on loopback: nothing but this node's forwarders feeds it.
      const item: Record<string, unknown> = { type: t.kind, mid: t.mid, port: 0, iface: '127.0.0.1', codec: t.codec, pt: format.pt, fmtp: mountpointFmtp(t) };
      if (t.kind === 'video') item.rtcpport = 0;
      if (t === layered) Object.assign(item, { simulcast: true, port2: 0 }, t.rids!.length > 2 ? { port3: 0 } : {});
      return item;
    });
    const srtp = { suite: FORWARD_SRTP_SUITE, crypto: randomBytes(SRTP_MASTER_LENGTH).toString('base64') };
    const create = {
      request: 'create',
      type: 'rtp',
      id: mountpointId,
      name: `onair-${req.name}`,
      description: `${OWNER_TAG}${req.name}`,
      is_private: false,
      permanent: false,
      // Mountpoint-level keyframe cache (the per-stream videobufferkf is a dead option). On a
      // simulcast mountpoint Janus keeps the smallest layer's GOP: a new viewer's first
      // frame comes from it, then the viewer moves up on the next keyframe.
      ...(req.keyframeBufferMs > 0 ? { bufferkf_ms: req.keyframeBufferMs } : {}),
      srtpsuite: srtp.suite,
      srtpcrypto: srtp.crypto,
      media,
    };
    // A create that answers after the deadline made a mountpoint nobody owns: remove it.
    const createMountpoint = () =>
      withTimeout(streaming.message(create), 'create mountpoint', REQUEST_TIMEOUT_MS, () => this.control.destroyMountpoint(mountpointId));
    try {
      const created = await createMountpoint().catch(async (err: unknown) => {
        // A mountpoint of this channel left behind (a late create, another process's): it
        // holds no viewers of this broadcast, so replace it.
        if (janusErrorCode(err) !== JANUS_ERR.STREAMING_CANT_CREATE || !/already exists/i.test(errMsg(err))) throw err;
        this.log.warn(`mountpoint ${mountpointId} was left behind; replacing it`);
        await this.control.destroyMountpoint(mountpointId);
        return createMountpoint();
      });
      // The fan-out follows the WHIP POST's 201, so its publisher may have been closed (a
      // DELETE, a hang-up) while Janus made the mountpoint: the close did not know of it.
      if (!this.publishers.isCurrent(entry)) {
        await this.control.destroyMountpoint(mountpointId);
        throw new MediaNotFoundError('the publisher left while its fan-out was starting');
      }
      entry.mountpointId = mountpointId;
      const ports = readMountpointPorts(created);
      const streams = req.tracks.map((t) => {
        const p = ports.find((x) => x.mid === t.mid);
        if (!p?.port) throw new Error(`mountpoint did not report a port for mid ${t.mid}`);
        const pt = MOUNTPOINT_FORMATS[t.codec].pt;
        return {
          mid: t.mid,
          port: p.port,
          pt,
          ...(p.rtcp_port ? { rtcp_port: p.rtcp_port } : {}),
          ...(t === layered ? { port_2: p.port_2, pt_2: pt, ...(p.port_3 ? { port_3: p.port_3, pt_3: pt } : {}) } : {}),
        };
      });
      const fwd = await withTimeout(
        rooms.message({
          request: 'rtp_forward',
          room: entry.room,
          publisher_id: entry.feed,
          host: '127.0.0.1',
          srtp_suite: srtp.suite,
          srtp_crypto: srtp.crypto,
          streams,
        }),
        'rtp_forward',
        REQUEST_TIMEOUT_MS,
        (late) => this.control.stopForwarders(entry.room, entry.feed, readForwarderIds(late)),
      );
      entry.forwarders = readForwarderIds(fwd);
      if (!this.publishers.isCurrent(entry)) {
        // Closed while the forwarders were made: its close removed the mountpoint already.
        await this.control.stopForwarders(entry.room, entry.feed, entry.forwarders);
        throw new MediaNotFoundError('the publisher left while its fan-out was starting');
      }
      const video = req.tracks.find((t) => t.kind === 'video');
      if (video) entry.video = { mid: video.mid, codec: video.codec, layers: video === layered ? layered.rids!.length : 1 };
      return { selectableLayers: layered ? [...layered.rids!] : [] };
    } catch (err) {
      throw translateError(err, 'start the live fan-out');
    }
  }

  /** Stops a closed publisher's forwarders and removes its mountpoint; the mountpoint's id, if it had one. */
  async stop(entry: PublisherEntry): Promise<string | undefined> {
    await this.control.stopForwarders(entry.room, entry.feed, entry.forwarders);
    if (entry.mountpointId) await this.control.destroyMountpoint(entry.mountpointId);
    return entry.mountpointId;
  }

  /**
   * An extra forwarder of the video to 127.0.0.1:port (the largest layer of a simulcast).
   * Plain RTP on purpose, unlike the mountpoint leg: it only feeds onair's own stream probe
   * (a readout and thumbnails), never viewers, so injected packets could at worst skew the
   * readout of that channel.
   */
  async tapVideo(ref: PublisherRef, port: number): Promise<void> {
    const { rooms } = this.connection.requireConnected();
    const entry = this.publishers.get(ref);
    if (!entry?.video) throw new MediaNotFoundError('the publisher is gone or sends no video');
    try {
      const stream = { mid: entry.video.mid, port, pt: MOUNTPOINT_FORMATS[entry.video.codec]?.pt ?? 96, ...(entry.video.layers > 1 ? { simulcast: true } : {}) };
      const res = await withTimeout(rooms.message({ request: 'rtp_forward', room: entry.room, publisher_id: entry.feed, host: '127.0.0.1', streams: [stream] }), 'rtp_forward (probe)');
      entry.forwarders.push(...readForwarderIds(res));
    } catch (err) {
      throw translateError(err, 'tap the video');
    }
  }

  /**
   * Asks the publisher feeding a mountpoint for a keyframe on every layer. Janus sends a
   * WebRTC publisher at most one PLI a second and silently drops the rest, so requests
   * closer than that are held back and sent once the second has passed (a burst of joins or
   * switches costs one), and each is repeated KEYFRAME_REQUEST_REPEATS times. Publishers that
   * ignore keyframe requests (OBS) switch on their next scheduled keyframe.
   */
  requestKeyframe(publisher: PublisherEntry): void {
    if (!publisher.video) return;
    publisher.keyframeRepeats = KEYFRAME_REQUEST_REPEATS;
    this.scheduleKeyframe(publisher);
  }

  private scheduleKeyframe(publisher: PublisherEntry): void {
    if (publisher.keyframeTimer) return;
    const send = () => {
      publisher.keyframeTimer = undefined;
      publisher.keyframeRequestedAt = performance.now();
      // The request-level `keyframe`: Janus 1.4 ignores a `keyframe` inside `streams`.
      publisher.handle
        .message({ request: 'configure', keyframe: true })
        .catch((err) => this.log.warn(`keyframe request: ${errMsg(err)}`));
      if (publisher.keyframeRepeats) {
        publisher.keyframeRepeats -= 1;
        this.scheduleKeyframe(publisher);
      }
    };
    const wait = (publisher.keyframeRequestedAt ?? -Infinity) + KEYFRAME_REQUEST_SPACING_MS - performance.now();
    if (wait <= 0) return send();
    // Cleared with the publisher's other timers when it closes (stopTimers in janus-publishers.ts).
    publisher.keyframeTimer = setTimeout(send, wait);
    publisher.keyframeTimer.unref();
  }
}

/**
 * The mountpoint's format parameters, which Janus writes into every viewer's answer. For
 * H.264 that carries the profile-level-id the publisher negotiated: strict decoders (Safari,
 * hardware ones) refuse a stream whose profile is higher than the one they were told. OBS
 * negotiates 42e01f whatever x264 sends, so the playback side replaces it in each viewer's
 * answer with the profile of the stream's own SPS once the stream probe has read one
 * (whep/publisher-profiles.ts); this is what a viewer gets before that.
 */
export function mountpointFmtp(track: NegotiatedTrack): string | undefined {
  const fallback = MOUNTPOINT_FORMATS[track.codec]?.fmtp;
  if (track.codec !== 'h264') return fallback;
  const profile = /(?:^|;)\s*profile-level-id=([0-9a-f]{6})\s*(?:;|$)/i.exec(track.fmtp ?? '')?.[1];
  return profile ? `profile-level-id=${profile.toLowerCase()};packetization-mode=1` : fallback;
}
