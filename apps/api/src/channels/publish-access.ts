import { Inject, Injectable } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError, unauthorized } from '../errors/domain-error';
import { LiveRegistry } from '../live/live-registry';
import { Channel } from '../domain/channel';
import { StreamKeyRepository } from './stream-key.repository';
import { StreamKeyService } from './stream-key.service';

/** A broadcast as far as the publish rules care: which channel, which key, when it started. */
export interface PublishAttempt {
  sessionId: string;
  channel: Channel;
  streamKeyId: string;
  startedAt: Date;
}

/** How long a publisher over the live quota should wait before trying again. */
const LIVE_QUOTA_RETRY_AFTER_S = 10;

/**
 * Who may go live (WHIP POST): a valid stream key, and an owner with fewer than
 * ONAIR_MAX_LIVE_PER_ACCOUNT broadcasts live. Checked twice: when the POST arrives (`admit`)
 * and again once the media server has answered (`confirm`), because the POST waits for Janus
 * meanwhile: a key revoked in that window (the studio could not end a broadcast whose
 * publisher did not exist yet) or another channel of the owner going live at the same moment
 * must not leave a broadcast on air.
 */
@Injectable()
export class PublishAccess {
  constructor(
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly keys: StreamKeyService,
    private readonly keyRecords: StreamKeyRepository,
    private readonly live: LiveRegistry,
  ) {}

  /** The channel a bearer key publishes to (401 otherwise; 409 over the owner's live quota). */
  async admit(key: string | undefined): Promise<{ channel: Channel; keyId: string }> {
    const admitted = await this.keys.authenticate(key);
    this.checkLiveQuota(admitted.channel);
    return admitted;
  }

  /** Throws when the broadcast must not stay live after all; the caller ends it. */
  async confirm(attempt: PublishAttempt): Promise<void> {
    if (!(await this.keyRecords.isActive(attempt.streamKeyId))) {
      throw unauthorized('this stream key was revoked while the stream was starting: copy the current key from the studio');
    }
    this.checkLiveQuota(attempt.channel, attempt);
  }

  /**
   * Counts the owner's other live (or starting) broadcasts. With `self`, only those that came
   * first count, so two simultaneous POSTs at the edge of the quota don't both give up.
   */
  private checkLiveQuota(channel: Channel, self?: PublishAttempt): void {
    if (!channel.ownerId) return; // a channel made on the command line
    const max = this.config.quotas.liveBroadcastsPerAccount;
    const others = this.live
      .allBroadcasts()
      .filter((b) => b.channel.ownerId === channel.ownerId && b.channel.id !== channel.id && (!self || earlier(b, self)));
    if (others.length >= max) {
      const names = others.map((b) => `"${b.channel.slug}"`).join(', ');
      throw new DomainError(
        'conflict',
        `the owner of "${channel.slug}" already has ${others.length} broadcast${others.length === 1 ? '' : 's'} live (${names}), the most this onair allows at once (ONAIR_MAX_LIVE_PER_ACCOUNT=${max}): end one first`,
        LIVE_QUOTA_RETRY_AFTER_S,
      );
    }
  }
}

function earlier(a: PublishAttempt, b: PublishAttempt): boolean {
  const t = a.startedAt.getTime() - b.startedAt.getTime();
  return t < 0 || (t === 0 && a.sessionId < b.sessionId);
}
