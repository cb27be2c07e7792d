import type { StreamHealth } from '@onair/api-types';
import type { VideoProbeSnapshot } from '@onair/protocol';
import { TrackStats } from '../media/media-server';

/** Loss worth telling a streamer about: above this, viewers see artefacts or stalls. */
const LOSS_WARN_PCT = 2;
/** New viewers start at a keyframe: beyond this they wait noticeably (onair's cache helps, but only so much). */
const KEYFRAME_WARN_S = 4;
const FPS_WARN = 20;

/**
 * Turns what the media server counts into the stream's health as the studio shows it:
 * figures and advice. `previous` is the sample from the last tick, so loss is measured over
 * the interval rather than since the start.
 */
export function streamHealth(tracks: TrackStats[], previous?: TrackStats[], probe?: VideoProbeSnapshot): StreamHealth {
  const warnings: string[] = [];
  const lossPct = (t: TrackStats) => {
    const before = previous?.find((p) => p.mid === t.mid);
    const lost = t.packetsLost - (before?.packetsLost ?? 0);
    const received = t.packets - (before?.packets ?? 0);
    return lost + received > 0 ? Math.round((1000 * Math.max(0, lost)) / (lost + received)) / 10 : 0;
  };
  const v = tracks.find((t) => t.kind === 'video');
  const a = tracks.find((t) => t.kind === 'audio');
  const health: StreamHealth = { warnings };
  if (v) {
    health.video = { codec: v.codec, bitrateKbps: v.bitrateKbps, packetLossPct: lossPct(v), nacks: v.nacks, layers: v.layers };
    if (probe && probe.idleMs < 3000) {
      if (probe.fps > 0) health.video.fps = probe.fps;
      if (probe.width && probe.height) Object.assign(health.video, { width: probe.width, height: probe.height });
      if (probe.keyframeIntervalS !== undefined) health.video.keyframeIntervalS = probe.keyframeIntervalS;
    }
    const k = health.video.keyframeIntervalS;
    if (k !== undefined && k > KEYFRAME_WARN_S) {
      warnings.push(`Keyframe every ${k} s: new viewers may wait that long for a sharp picture. Set the keyframe interval to 2 s in OBS (Settings → Output).`);
    }
    const fps = health.video.fps;
    if (fps !== undefined && fps < FPS_WARN) warnings.push(`Only ${fps} frames per second arrive: motion will stutter. Check OBS's FPS setting and its encoder load (Stats dock).`);
    if (v.bitrateKbps === 0) warnings.push('No video is arriving: check that OBS is still streaming and its network is up.');
    else if (v.bitrateKbps < 300) warnings.push(`Video bitrate is only ${v.bitrateKbps} kbps: the picture will be blurry. Set 2500–6000 kbps in OBS (Settings → Output).`);
    if (health.video.packetLossPct >= LOSS_WARN_PCT) {
      warnings.push(`${health.video.packetLossPct}% of video packets are lost on the way in: lower the bitrate in OBS or use a wired connection.`);
    }
  } else {
    warnings.push('The stream has no video.');
  }
  if (a) {
    health.audio = { codec: a.codec, bitrateKbps: a.bitrateKbps, packetLossPct: lossPct(a) };
  } else {
    warnings.push('The stream has no audio: check the audio track in OBS.');
  }
  return health;
}
