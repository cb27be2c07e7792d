import { parseOffer, Role, SdpOffer } from '@onair/protocol';
import { DomainError, readClientSdp } from '../errors/domain-error';

/**
 * A WHIP or WHEP POST's SDP offer, parsed and checked once by the HTTP edge
 * (http/sdp-request.ts). An offer that can't be used keeps its 400 until the service asks
 * for it: who is asking is checked first, so a wrong stream key is a 401 and an unknown
 * channel a 404 whatever the body holds.
 */
export class ClientOffer {
  private constructor(private readonly read: SdpOffer | DomainError) {}

  static parse(sdp: string, role: Role): ClientOffer {
    try {
      return new ClientOffer(readClientSdp(() => parseOffer(sdp, role)));
    } catch (err) {
      if (err instanceof DomainError) return new ClientOffer(err);
      throw err;
    }
  }

  /** The typed offer; throws its 400 if it could not be used. */
  accept(): SdpOffer {
    if (this.read instanceof DomainError) throw this.read;
    return this.read;
  }
}
