import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  answerFragment,
  formatSdpFragment,
  isIceRestart,
  offerWithNewIce,
  parseSdpFragment,
} from '@onair/protocol';
import { DomainError, readClientSdp } from '../errors/domain-error';
import { MEDIA_SERVER, MediaServer, PeerRef, RemoteCandidate } from '../media/media-server';

/**
 * The ICE side of a WHIP or WHEP session (RFC 9725 §4.3): the entity-tag naming the current
 * ICE session, the last offer the media server accepted (the base of an ICE restart), and
 * the client's current ufrag (a PATCH with another one is a restart).
 */
export interface IceState {
  etag: string;
  offerSdp: string;
  clientUfrag: string;
  /** PATCHes of one session run one after another (a restart swaps the whole state). */
  queue: Promise<unknown>;
}

export interface PatchInput {
  /** The raw If-Match header. */
  ifMatch?: string;
  body: string;
  /** Set when this kind of session can't restart ICE: the reason, for the 422. */
  cannotRestart?: string;
}

export type PatchResult =
  | { kind: 'trickled' }
  | { kind: 'restarted'; etag: string; fragment: string };

/** A strong entity-tag (RFC 9110 §8.8.3), fresh for each ICE session. */
export function newEtag(): string {
  return `"${randomBytes(12).toString('base64url')}"`;
}

export function newIceState(offerSdp: string, clientUfrag: string): IceState {
  return { etag: newEtag(), offerSdp, clientUfrag, queue: Promise.resolve() };
}

/** Trickle and ICE restart for a peer on the media server, from PATCH bodies. */
@Injectable()
export class IceSessionService {
  constructor(@Inject(MEDIA_SERVER) private readonly media: MediaServer) {}

  /**
   * Applies a PATCH body. `ifMatch` is the raw If-Match header. Trickle (same ufrag) → the
   * candidates go to the media server. New ufrag/pwd → ICE restart: requires `If-Match: "*"`
   * or the current ETag, and yields the server's new credentials and candidates plus a new
   * ETag. A failed restart leaves the session as it was.
   */
  patch(peer: PeerRef, ice: IceState, input: PatchInput): Promise<PatchResult> {
    const run = ice.queue.then(() => this.apply(peer, ice, input));
    ice.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(peer: PeerRef, ice: IceState, input: PatchInput): Promise<PatchResult> {
    const frag = readClientSdp(() => parseSdpFragment(input.body));
    const restart = isIceRestart(frag, ice.clientUfrag);
    checkIfMatch(input.ifMatch, ice.etag, restart);
    // RFC 9725 §4.3.1: a PATCH the session doesn't support is 422.
    if (restart && input.cannotRestart) throw new DomainError('unprocessable', input.cannotRestart);
    const candidates = (ufrag: string): RemoteCandidate[] =>
      frag.media.flatMap((m) =>
        // A candidate of another ICE generation (its "ufrag" extension names another
        // ufrag) can't be used: drop it silently (RFC 8838 §11).
        m.candidates.filter((c) => sameGeneration(c, ufrag)).map((candidate) => ({ mid: m.mid, candidate })),
      );
    const end = frag.endOfCandidates === true || frag.media.some((m) => m.endOfCandidates);
    if (!restart) {
      const usable = candidates(ice.clientUfrag);
      if (usable.length > 0 || end) await this.media.trickle(peer, usable, end);
      return { kind: 'trickled' };
    }
    const offerSdp = readClientSdp(() => offerWithNewIce(ice.offerSdp, frag), 'cannot restart ICE');
    const { answerSdp } = await this.media.restartIce(peer, offerSdp);
    let fragment: string;
    try {
      fragment = formatSdpFragment(answerFragment(answerSdp));
    } catch (err) {
      throw new DomainError('media-unavailable', `the media server's ICE restart answer was unusable: ${(err as Error).message}`, 2);
    }
    ice.etag = newEtag();
    ice.offerSdp = offerSdp;
    ice.clientUfrag = frag.iceUfrag!;
    // A media server may ignore candidates inside a restart offer once ICE has run (Janus
    // does): trickle them as well.
    const usable = candidates(ice.clientUfrag);
    if (usable.length > 0 || end) await this.media.trickle(peer, usable, end);
    return { kind: 'restarted', etag: ice.etag, fragment };
  }
}

/**
 * RFC 9725 §4.3.1: a trickle PATCH carries the current ETag in If-Match, an ICE restart
 * carries `If-Match: "*"` (the client can't know the next one). A missing tag is 428
 * (RFC 6585 §3), a stale one 412.
 */
function checkIfMatch(ifMatch: string | undefined, etag: string, restart: boolean): void {
  const tags = (ifMatch ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length === 0) {
    throw new DomainError(
      'precondition-required',
      restart
        ? 'an ICE restart PATCH must carry If-Match: "*"'
        : `a trickle PATCH must carry If-Match with the session's ETag (${etag})`,
    );
  }
  // "*" is the HTTP wildcard; RFC 9725 §4.3.2 writes it quoted, and clients send both.
  if (tags.includes('*') || tags.includes('"*"')) return;
  // If-Match uses the strong comparison (RFC 9110 §13.1.1): a weak tag never matches.
  if (!tags.includes(etag)) {
    throw new DomainError('precondition-failed', `If-Match ${tags.join(', ')} does not name this session's current ICE session (ETag ${etag}); it was restarted since`);
  }
}

function sameGeneration(candidate: string, ufrag: string): boolean {
  const m = / ufrag (\S+)/.exec(candidate);
  return !m || m[1] === ufrag;
}
