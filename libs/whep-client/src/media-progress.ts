/**
 * Is media still arriving? Read from the PeerConnection's inbound-rtp stats, so that a
 * connection that looks fine (ICE connected) but carries nothing is noticed. Pure: the
 * stats report goes in, counters come out; {@link WhepConnection} decides what to do.
 */

/** What the receiver has counted so far, summed over its inbound-rtp streams. */
export interface InboundCounters {
  videoSeen: boolean;
  videoFrames: number;
  videoPackets: number;
  audioPackets: number;
}

/** Before the first report: any count at all is progress. */
export const NO_COUNTERS: InboundCounters = { videoSeen: false, videoFrames: -1, videoPackets: -1, audioPackets: -1 };

/** The fields of an `RTCStats` entry read here (older browsers name the kind `mediaType`). */
interface InboundRtpStat {
  type?: string;
  kind?: string;
  mediaType?: string;
  framesDecoded?: number;
  packetsReceived?: number;
}

/** Sums the inbound-rtp entries of a stats report (anything with `forEach`, as `RTCStatsReport` has). */
export function inboundCounters(report: { forEach(fn: (stat: InboundRtpStat) => void): void }): InboundCounters {
  const counters: InboundCounters = { videoSeen: false, videoFrames: 0, videoPackets: 0, audioPackets: 0 };
  report.forEach((stat) => {
    if (stat.type !== 'inbound-rtp') return;
    const kind = stat.kind ?? stat.mediaType;
    if (kind === 'video') {
      counters.videoSeen = true;
      counters.videoFrames += stat.framesDecoded ?? 0;
      counters.videoPackets += stat.packetsReceived ?? 0;
    } else if (kind === 'audio') {
      counters.audioPackets += stat.packetsReceived ?? 0;
    }
  });
  return counters;
}

/**
 * Whether media moved on since `last` (and has moved at all). Video decides once it exists;
 * audio only matters for audio-only streams.
 */
export function mediaProgressed(now: InboundCounters, last: InboundCounters): boolean {
  if (now.videoSeen) {
    return (now.videoFrames > last.videoFrames || now.videoPackets > last.videoPackets) && now.videoFrames + now.videoPackets > 0;
  }
  return now.audioPackets > last.audioPackets && now.audioPackets > 0;
}
