/**
 * Just enough RTP parsing to describe a live stream the way a streamer needs it (frame rate,
 * resolution, keyframe interval, bitrate) and to pull out the latest keyframe for a
 * thumbnail. Pure functions and one stateful `VideoProbe`; no I/O. The H.264 and VP8
 * bitstream reading it relies on is in video-bitstream.ts.
 */

import { h264ProfileLevelId, h264SpsDimensions, h264Units, vp8Keyframe } from './video-bitstream';

export interface RtpPacket {
  payloadType: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
}

/** RFC 3550 fixed header, CSRCs, header extension and padding; null when not RTP. */
export function parseRtp(buf: Buffer): RtpPacket | null {
  if (buf.length < 12 || buf[0] >> 6 !== 2) return null;
  const csrcs = buf[0] & 0x0f;
  let offset = 12 + csrcs * 4;
  if (buf[0] & 0x10) {
    if (buf.length < offset + 4) return null;
    offset += 4 + buf.readUInt16BE(offset + 2) * 4;
  }
  let end = buf.length;
  if (buf[0] & 0x20) end -= buf[buf.length - 1];
  if (offset > end) return null;
  return {
    payloadType: buf[1] & 0x7f,
    marker: (buf[1] & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(offset, end),
  };
}

/** `next`, with the level of `previous` when that is higher and the profile bytes agree. */
function highestLevel(previous: string | undefined, next: string | null): string | undefined {
  if (next === null) return previous;
  if (previous === undefined || previous.slice(0, 4) !== next.slice(0, 4)) return next;
  return parseInt(previous.slice(4), 16) > parseInt(next.slice(4), 16) ? previous : next;
}

export type ProbeCodec = 'h264' | 'vp8' | 'other';

/** RTP timestamp `a` is later than `b` (modulo 2^32, RFC 3550 wraparound). */
function newer(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

export interface VideoProbeSnapshot {
  fps: number;
  bitrateKbps: number;
  width?: number;
  height?: number;
  /** Mean of the recent intervals between keyframes; absent until two keyframes were seen. */
  keyframeIntervalS?: number;
  /** ms since the last packet; Infinity before the first. */
  idleMs: number;
}

const WINDOW_MS = 2000;
const KEYFRAMES_KEPT = 6;
/** A keyframe bigger than this is not kept for thumbnails. */
const MAX_KEYFRAME_BYTES = 4 * 1024 * 1024;

/**
 * Follows one RTP video stream: frames per second and bitrate over the last two seconds,
 * keyframe interval over the last few keyframes, resolution from the last keyframe, and
 * (H.264) the last keyframe as an Annex B access unit for a decoder.
 */
export class VideoProbe {
  private readonly frames: { ts: number; at: number }[] = [];
  private readonly bytes: { n: number; at: number }[] = [];
  private readonly keyframesAt: number[] = [];
  private lastTs?: number;
  private lastAt = -Infinity;
  private size?: { width: number; height: number };
  // H.264 access unit under construction (one RTP timestamp) and the last complete keyframe.
  private auTs?: number;
  private auNals: Buffer[] = [];
  private fuParts: Buffer[] | null = null;
  private auBytes = 0;
  private auHasIdr = false;
  private auComplete = true;
  private lastSeq?: number;
  private keyframeAu?: Buffer;
  private profileLevel?: string;

  constructor(readonly codec: ProbeCodec) {}

  feed(packet: RtpPacket, nowMs: number): void {
    this.lastAt = nowMs;
    this.bytes.push({ n: packet.payload.length + 12, at: nowMs });
    // A retransmitted or reordered packet of an earlier frame is not a new frame.
    if (this.lastTs === undefined || newer(packet.timestamp, this.lastTs)) {
      this.lastTs = packet.timestamp;
      this.frames.push({ ts: packet.timestamp, at: nowMs });
    }
    this.trim(nowMs);
    if (this.codec === 'h264') this.feedH264(packet, nowMs);
    else if (this.codec === 'vp8') {
      const k = vp8Keyframe(packet.payload);
      if (k.keyframe) {
        this.keyframe(nowMs);
        if (k.width && k.height) this.size = { width: k.width, height: k.height };
      }
    }
  }

  snapshot(nowMs: number): VideoProbeSnapshot {
    this.trim(nowMs);
    const span = Math.min(WINDOW_MS, Math.max(1, nowMs - (this.bytes[0]?.at ?? nowMs))) / 1000;
    const intervals = this.keyframesAt.slice(1).map((t, i) => t - this.keyframesAt[i]);
    return {
      fps: this.frames.length > 1 ? Math.round((this.frames.length - 1) / ((this.frames[this.frames.length - 1].at - this.frames[0].at) / 1000 || 1)) : 0,
      bitrateKbps: Math.round((this.bytes.reduce((n, b) => n + b.n, 0) * 8) / 1000 / span),
      ...this.size,
      ...(intervals.length > 0 ? { keyframeIntervalS: Math.round(intervals.reduce((a, b) => a + b, 0) / intervals.length / 100) / 10 } : {}),
      idleMs: nowMs - this.lastAt,
    };
  }

  /**
   * The profile-level-id (RFC 6184 §8.1) the stream's H.264 SPSes state: what the encoder
   * really produces, whatever its SDP offer said. Profile and constraints are the latest
   * SPS's; the level is the highest one seen with that profile, since a level is a ceiling
   * and an encoder that adapts its resolution (a browser) starts small and grows.
   */
  profileLevelId(): string | undefined {
    return this.profileLevel;
  }

  /** The last H.264 keyframe as Annex B (SPS, PPS, IDR with start codes), if any. */
  latestKeyframe(): Buffer | undefined {
    return this.keyframeAu;
  }

  private keyframe(nowMs: number): void {
    this.keyframesAt.push(nowMs);
    if (this.keyframesAt.length > KEYFRAMES_KEPT) this.keyframesAt.shift();
  }

  private trim(nowMs: number): void {
    while (this.frames.length > 0 && nowMs - this.frames[0].at > WINDOW_MS) this.frames.shift();
    while (this.bytes.length > 0 && nowMs - this.bytes[0].at > WINDOW_MS) this.bytes.shift();
  }

  private feedH264(packet: RtpPacket, nowMs: number): void {
    if (this.auTs !== undefined && packet.timestamp !== this.auTs) {
      // Late packets of an earlier frame (retransmissions, reordering) are left out.
      if (!newer(packet.timestamp, this.auTs)) return;
      this.finishAccessUnit(nowMs);
    }
    if (this.auTs === undefined) this.auComplete = true;
    else if (this.lastSeq !== undefined && packet.sequence !== ((this.lastSeq + 1) & 0xffff)) {
      // A packet of this frame went missing: it can't be decoded, only recognised.
      this.auComplete = false;
      this.fuParts = null;
    }
    this.auTs = packet.timestamp;
    this.lastSeq = packet.sequence;
    const units = h264Units(packet.payload);
    for (const nal of units.nals) this.addNal(nal);
    const f = units.fragment;
    if (f) {
      if ((f.header & 0x1f) === 5) this.auHasIdr = true;
      if (f.start) this.fuParts = [Buffer.from([f.header]), f.data];
      else if (this.fuParts) this.fuParts.push(f.data);
      this.auBytes += f.data.length;
      if (this.auBytes > MAX_KEYFRAME_BYTES) this.fuParts = null;
      if (f.end && this.fuParts) {
        this.addNal(Buffer.concat(this.fuParts));
        this.fuParts = null;
      }
    }
    if (packet.marker) this.finishAccessUnit(nowMs);
  }

  private addNal(nal: Buffer): void {
    if ((nal[0] & 0x1f) === 5) this.auHasIdr = true;
    // Read from any complete SPS, not only a keyframe's: it is the same wherever it comes.
    if ((nal[0] & 0x1f) === 7) this.profileLevel = highestLevel(this.profileLevel, h264ProfileLevelId(nal));
    this.auBytes += nal.length;
    if (this.auBytes <= MAX_KEYFRAME_BYTES) this.auNals.push(Buffer.from(nal));
    else this.auComplete = false;
  }

  private finishAccessUnit(nowMs: number): void {
    const nals = this.auNals;
    const { auHasIdr: idr, auComplete: complete } = this;
    this.auNals = [];
    this.fuParts = null;
    this.auBytes = 0;
    this.auTs = undefined;
    this.auHasIdr = false;
    if (!idr) return;
    this.keyframe(nowMs);
    const sps = nals.find((n) => (n[0] & 0x1f) === 7);
    const dims = sps && h264SpsDimensions(sps);
    if (dims) this.size = { width: dims.width, height: dims.height };
    // A decodable keyframe needs every packet and its parameter sets (OBS and browsers send
    // them with each IDR).
    if (complete && sps && nals.some((n) => (n[0] & 0x1f) === 8)) {
      const start = Buffer.from([0, 0, 0, 1]);
      this.keyframeAu = Buffer.concat(nals.flatMap((n) => [start, n]));
    }
  }
}
