import { Inject, Injectable } from '@nestjs/common';
import { withH264ProfileLevelId } from '@onair/protocol';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { LiveBroadcast } from '../live/live-registry';
import { StreamProbes } from '../probes/stream-probes';

/**
 * Tells viewers the H.264 profile the publisher really sends. The media server answers a
 * viewer with the profile the publisher negotiated, and OBS always negotiates Constrained
 * Baseline 42e01f whatever x264 encodes (High by default): strict decoders (Safari, hardware
 * ones) set themselves up from the answer and then fail on the stream. The stream's own SPS,
 * which the stream probe reads, is the truth. With simulcast the probe reads the full-size
 * layer, whose level is the highest, so it covers the smaller ones too.
 */
@Injectable()
export class PublisherProfiles {
  private readonly waitMs: number;

  constructor(
    private readonly probes: StreamProbes,
    @Inject(ONAIR_CONFIG) config: Pick<OnairConfig, 'media'>,
  ) {
    this.waitMs = config.media.viewerProfileWaitMs;
  }

  /**
   * The profile-level-id of the broadcast's H.264 as sent. In a broadcast's first moments
   * (up to `viewerProfileWaitMs` after it started) the first SPS may still be on its way:
   * this waits for it until then; later, or for other codecs, it answers at once, with
   * undefined when there is nothing to go by. Never rejects.
   */
  h264ProfileLevelId(b: LiveBroadcast, now = Date.now()): Promise<string | undefined> {
    if (b.tracks.find((t) => t.kind === 'video')?.codec !== 'h264') return Promise.resolve(undefined);
    const left = b.startedAt.getTime() + this.waitMs - now;
    return this.probes.waitForH264ProfileLevelId(b.channel.id, b.sessionId, left);
  }

  /** The viewer's answer carrying `profileLevelId` (from h264ProfileLevelId()) when there is one. */
  answerWith(answerSdp: string, profileLevelId: string | undefined): string {
    return profileLevelId === undefined ? answerSdp : withH264ProfileLevelId(answerSdp, profileLevelId);
  }
}
