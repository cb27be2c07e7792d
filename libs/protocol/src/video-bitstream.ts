/**
 * H.264 (RFC 6184 payloads, ITU-T H.264 sequence parameter sets) and VP8 (RFC 7741) bitstream
 * reading: just enough to find keyframes, resolutions and the profile-level-id in what an
 * encoder sends. Pure functions, no I/O; VideoProbe (rtp-video.ts) puts them to use.
 */

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
