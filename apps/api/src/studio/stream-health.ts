import { TrackStats } from '../media/media-server';

/** The stream's health as the studio shows it: figures plus plain-language warnings. */
export interface StreamHealth {
  video?: { codec: string; bitrateKbps: number; packetLossPct: number; nacks: number; layers: number };
  audio?: { codec: string; bitrateKbps: number; packetLossPct: number };
  warnings: string[];
}

/** Loss worth telling a streamer about: above this, viewers see artefacts or stalls. */
const LOSS_WARN_PCT = 2;

/**
 * Turns what the media server counts into figures and advice. `previous` is the sample from
 * the last tick, so loss is measured over the interval rather than since the start.
 */
export function streamHealth(tracks: TrackStats[], previous?: TrackStats[]): StreamHealth {
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
