/**
 * Just enough RTP and video bitstream parsing to describe a live stream the way a streamer
 * needs it (frame rate, resolution, keyframe interval, bitrate) and to pull out the latest
 * keyframe for a thumbnail. Pure functions and one stateful `VideoProbe`; no I/O.
 */

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

/** H.264 NAL units carried by one RTP payload (RFC 6184): whole ones, and FU-A fragments. */
export interface H264Units {
  /** Complete NAL units (single NAL unit packets, STAP-A aggregates). */
  nals: Buffer[];
  /** An FU-A fragment: the reconstructed NAL header and this fragment's bytes. */
  fragment?: { start: boolean; end: boolean; header: number; data: Buffer };
}

export function h264Units(payload: Buffer): H264Units {
  if (payload.length < 1) return { nals: [] };
  const type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) return { nals: [payload] };
  if (type === 24) {
    const nals: Buffer[] = [];
    for (let i = 1; i + 2 <= payload.length; ) {
      const size = payload.readUInt16BE(i);
      if (size === 0 || i + 2 + size > payload.length) break;
      nals.push(payload.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
    return { nals };
  }
  if (type === 28 && payload.length >= 2) {
    const fu = payload[1];
    return { nals: [], fragment: { start: (fu & 0x80) !== 0, end: (fu & 0x40) !== 0, header: (payload[0] & 0xe0) | (fu & 0x1f), data: payload.subarray(2) } };
  }
  return { nals: [] };
}

/** Drops emulation-prevention bytes (00 00 03 → 00 00) from a NAL unit's payload. */
function rbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    out.push(byte);
    zeros = byte === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

class Bits {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.buf[this.pos >> 3];
      if (byte === undefined) throw new RangeError('SPS ends early');
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.u(zeros);
  }
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -k / 2;
  }
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Width and height (after cropping) from an H.264 sequence parameter set NAL unit; null if unreadable. */
export function h264SpsDimensions(sps: Buffer): { width: number; height: number; profile: number } | null {
  if (sps.length < 4 || (sps[0] & 0x1f) !== 7) return null;
  try {
    const b = new Bits(rbsp(sps.subarray(1)));
    const profile = b.u(8);
    b.u(16); // constraint flags, level
    b.ue(); // seq_parameter_set_id
    let chroma = 1;
    if (HIGH_PROFILES.has(profile)) {
      chroma = b.ue();
      if (chroma === 3) b.u(1);
      b.ue();
      b.ue();
      b.u(1);
      if (b.u(1)) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
          if (!b.u(1)) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + b.se() + 256) % 256;
            last = next === 0 ? last : next;
          }
        }
      }
    }
    b.ue(); // log2_max_frame_num_minus4
    const pocType = b.ue();
    if (pocType === 0) b.ue();
    else if (pocType === 1) {
      b.u(1);
      b.se();
      b.se();
      const cycle = b.ue();
      for (let i = 0; i < cycle; i++) b.se();
    }
    b.ue(); // max_num_ref_frames
    b.u(1);
    const widthMbs = b.ue() + 1;
    const heightMapUnits = b.ue() + 1;
    const frameMbsOnly = b.u(1);
    if (!frameMbsOnly) b.u(1);
    b.u(1);
    let [left, right, top, bottom] = [0, 0, 0, 0];
    if (b.u(1)) [left, right, top, bottom] = [b.ue(), b.ue(), b.ue(), b.ue()];
    const subWidth = chroma === 1 || chroma === 2 ? 2 : 1;
    const subHeight = chroma === 1 ? 2 : 1;
    const cropX = chroma === 0 ? 1 : subWidth;
    const cropY = (chroma === 0 ? 1 : subHeight) * (2 - frameMbsOnly);
    return {
      profile,
      width: widthMbs * 16 - (left + right) * cropX,
      height: (2 - frameMbsOnly) * heightMapUnits * 16 - (top + bottom) * cropY,
    };
  } catch {
    return null;
  }
}

/**
 * The RFC 6184 §8.1 profile-level-id of an H.264 sequence parameter set NAL unit: its first
 * three bytes after the NAL header (profile_idc, the constraint_set flags with the two
 * reserved bits, level_idc) in lower-case hex, e.g. "64001f" for High 3.1. The fmtp
 * parameter is defined as exactly these bytes, so no table is needed; level 1b, which
 * Baseline/Main signal as level_idc 11 with constraint_set3_flag, comes through as is.
 * Null for anything that is not an SPS long enough to hold them.
 */
export function h264ProfileLevelId(sps: Buffer): string | null {
  if (sps.length < 4 || (sps[0] & 0x1f) !== 7) return null;
  // An emulation-prevention byte can't fall in these bytes in a valid SPS (profile_idc and
  // level_idc are never 0), but reading the RBSP costs nothing and is what the spec says.
  const head = rbsp(sps.subarray(1, 8)).subarray(0, 3);
  if (head.length < 3 || head[0] === 0) return null;
  return head.toString('hex');
}

/** `next`, with the level of `previous` when that is higher and the profile bytes agree. */
function highestLevel(previous: string | undefined, next: string | null): string | undefined {
  if (next === null) return previous;
  if (previous === undefined || previous.slice(0, 4) !== next.slice(0, 4)) return next;
  return parseInt(previous.slice(4), 16) > parseInt(next.slice(4), 16) ? previous : next;
}

/** VP8 (RFC 7741): whether the packet starts a keyframe, and its size when it does. */
export function vp8Keyframe(payload: Buffer): { keyframe: boolean; width?: number; height?: number } {
  if (payload.length < 1) return { keyframe: false };
  let i = 1;
  const x = payload[0] & 0x80;
  const start = (payload[0] & 0x10) !== 0 && (payload[0] & 0x07) === 0;
  if (x) {
    const ext = payload[i++];
    if (ext & 0x80) i += payload[i] & 0x80 ? 2 : 1; // PictureID
    if (ext & 0x40) i++; // TL0PICIDX
    if (ext & 0x30) i++; // TID/KEYIDX
  }
  if (!start || payload.length < i + 10) return { keyframe: false };
  const frame = payload.subarray(i);
  if ((frame[0] & 0x01) !== 0) return { keyframe: false };
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return { keyframe: true };
  return { keyframe: true, width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
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
