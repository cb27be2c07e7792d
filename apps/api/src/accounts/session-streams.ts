import { Injectable } from '@nestjs/common';

/**
 * The event streams (the studio's live view) each studio session holds open, so that ending
 * a session ends them too: signing out, a password change (the other sessions end) or the
 * oldest session going past ONAIR_MAX_SESSIONS_PER_ACCOUNT. Without this a stream opened
 * before the session ended kept streaming to whoever held it.
 */
@Injectable()
export class SessionStreams {
  private readonly bySession = new Map<string, Set<() => void>>();

  /** Registers a stream of the session (by token hash); `close` ends it. Returns the release. */
  hold(sessionTokenHash: string, close: () => void): () => void {
    let set = this.bySession.get(sessionTokenHash);
    if (!set) this.bySession.set(sessionTokenHash, (set = new Set()));
    set.add(close);
    return () => {
      set.delete(close);
      if (set.size === 0 && this.bySession.get(sessionTokenHash) === set) this.bySession.delete(sessionTokenHash);
    };
  }

  /** Closes every stream of these sessions. */
  endSessions(tokenHashes: Iterable<string>): void {
    for (const hash of tokenHashes) {
      const set = this.bySession.get(hash);
      this.bySession.delete(hash);
      for (const close of set ?? []) close();
    }
  }

  /** How many streams are held (for specs). */
  get size(): number {
    let n = 0;
    for (const set of this.bySession.values()) n += set.size;
    return n;
  }
}
