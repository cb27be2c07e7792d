import { Injectable } from '@nestjs/common';
import type { WatchGrant } from '../domain/watch-grant';
import { KeyedSets } from '../limits/keyed-sets';

interface HeldStream {
  grant?: WatchGrant;
  close: () => void;
  release: () => void;
}

/**
 * The open channel event streams and the access each came in with (a share link's grant, or
 * none for public and unlisted channels): the channel feed holds them here, and
 * whep/watch-revocation.ts closes those whose access no longer holds.
 */
@Injectable()
export class GrantedStreams {
  private readonly streams = new KeyedSets<string, HeldStream>();

  /** A channel event stream, opened with `grant`. Returns the release. */
  hold(channelId: string, grant: WatchGrant | undefined, close: () => void): () => void {
    const held: HeldStream = { grant, close, release: () => undefined };
    held.release = this.streams.add(channelId, held);
    return held.release;
  }

  /** Closes (and forgets) the channel's streams whose grant matches; returns how many. */
  closeWhere(channelId: string, match: (grant?: WatchGrant) => boolean): number {
    const closing = [...this.streams.get(channelId)].filter((s) => match(s.grant));
    for (const s of closing) {
      s.release();
      s.close();
    }
    return closing.length;
  }

  /** Whether anyone watches the channel's feed with a share link. */
  anyGranted(channelId: string): boolean {
    return [...this.streams.get(channelId)].some((s) => s.grant !== undefined);
  }

  get size(): number {
    return this.streams.size;
  }
}
