import { Injectable } from '@nestjs/common';
import { KeyedSets } from '../limits/keyed-sets';

/**
 * The event streams (the studio's live view) each studio session holds open, so that ending
 * a session ends them too: signing out, a password change (the other sessions end) or the
 * oldest session going past ONAIR_MAX_SESSIONS_PER_ACCOUNT. Without this a stream opened
 * before the session ended kept streaming to whoever held it.
 */
@Injectable()
export class SessionStreams {
  private readonly bySession = new KeyedSets<string, () => void>();

  /** Registers a stream of the session (by token hash); `close` ends it. Returns the release. */
  hold(sessionTokenHash: string, close: () => void): () => void {
    return this.bySession.add(sessionTokenHash, close);
  }

  /** Closes every stream of these sessions. */
  endSessions(tokenHashes: Iterable<string>): void {
    for (const hash of tokenHashes) for (const close of this.bySession.take(hash)) close();
  }

  /** How many streams are held (for specs). */
  get size(): number {
    return this.bySession.size;
  }
}
