import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { IceServer } from '@onair/protocol';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';

/**
 * TURN REST credentials (draft-uberti-behave-turn-rest-00 §2.2), the scheme coturn checks
 * with `use-auth-secret` + `static-auth-secret`: the username is "<expiry unix time>:<user>"
 * and the password is base64(HMAC-SHA1(secret, username)). The TURN server recomputes the
 * HMAC, so nothing is shared per session and an expired username stops working by itself.
 */
export function turnRestCredential(secret: string, user: string, expiresAtS: number): { username: string; credential: string } {
  const username = `${Math.floor(expiresAtS)}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** STUN and TURN servers handed to WHIP/WHEP clients (RFC 9725 §4.4) and to the web player. */
@Injectable()
export class IceServersService {
  /** The clock, replaceable in specs. */
  now: () => number = Date.now;

  constructor(@Inject(ONAIR_CONFIG) private readonly config: OnairConfig) {}

  /**
   * Servers for one client that passed the key or token check. `user` names the session (or
   * client) in TURN logs. TURN credentials are minted on each call: only call this after the
   * stream key (WHIP) or the channel and its playback token (WHEP) were checked, never for a
   * CORS preflight or an anonymous OPTIONS (RFC 9725 §4.4: ICE servers on OPTIONS only to
   * authorized clients), or TURN becomes an open relay.
   */
  forClient(user: string): IceServer[] {
    const servers: IceServer[] = [];
    const { stunServer, turn } = this.config.ice;
    if (stunServer) servers.push({ urls: [`stun:${stunServer.host}:${stunServer.port}`] });
    if (turn) {
      const expires = this.now() / 1000 + turn.ttlS;
      servers.push({ urls: turn.urls, ...turnRestCredential(turn.secret, user, expires) });
    }
    return servers;
  }

  /**
   * Servers for OPTIONS discovery: TURN only when `check` (the stream key, or the channel and
   * its playback token) passes; STUN only without a check, when it resolves to `false` (e.g.
   * the channel is offline) or when it fails with 401/404/400. `rejected` says a bearer was
   * wrong, so the caller can count it like a 401.
   */
  async forDiscovery(user: string, check?: () => Promise<unknown>): Promise<{ servers: IceServer[]; rejected: boolean }> {
    if (!check) return { servers: this.unauthenticated(), rejected: false };
    try {
      if ((await check()) === false) return { servers: this.unauthenticated(), rejected: false };
    } catch (err) {
      if (!(err instanceof DomainError) || !['unauthorized', 'not-found', 'bad-request'].includes(err.code)) throw err;
      return { servers: this.unauthenticated(), rejected: err.code === 'unauthorized' };
    }
    return { servers: this.forClient(user), rejected: false };
  }

  /** What a client that has not (yet) shown a valid key or token may know: STUN only. */
  unauthenticated(): IceServer[] {
    const { stunServer } = this.config.ice;
    return stunServer ? [{ urls: [`stun:${stunServer.host}:${stunServer.port}`] }] : [];
  }
}
