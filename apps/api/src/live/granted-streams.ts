import { Injectable } from '@nestjs/common';
import type { WatchGrant } from '../domain/watch-grant';

interface HeldStream {
  channelId: string;
  grant?: WatchGrant;
  close: () => void;
}

/**
 * The open channel event streams and the access each came in with (a share link's grant, or
 * none for public and unlisted channels): the channel feed holds them here, and
 * whep/watch-revocation.ts closes those whose access no longer holds.
 */
@Injectable()
export class GrantedStreams {
  private readonly streams = new Set<HeldStream>();

  /** A channel event stream, opened with `grant`. Returns the release. */
  hold(channelId: string, grant: WatchGrant | undefined, close: () => void): () => void {
    const held: HeldStream = { channelId, grant, close };
    this.streams.add(held);
    return () => this.streams.delete(held);
  }

  /** Closes (and forgets) the channel's streams whose grant matches; returns how many. */
  closeWhere(channelId: string, match: (grant?: WatchGrant) => boolean): number {
    let closed = 0;
    for (const s of [...this.streams]) {
      if (s.channelId !== channelId || !match(s.grant)) continue;
      this.streams.delete(s);
      s.close();
      closed += 1;
    }
    return closed;
  }

  /** Whether anyone watches the channel's feed with a share link. */
  anyGranted(channelId: string): boolean {
    return [...this.streams].some((s) => s.channelId === channelId && s.grant !== undefined);
  }

  get size(): number {
    return this.streams.size;
  }
}
