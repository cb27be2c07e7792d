import { parseRetryAfter, readProblem, type ProblemDetails, type ResponseLike } from './http';

/**
 * What went wrong:
 * - `'http'`: the server answered with a non-success status (see {@link WhepError.status}).
 * - `'network'`: the request did not complete (server unreachable, CORS, DNS...).
 * - `'invalid-answer'`: the server accepted the offer but its SDP answer was unusable.
 * - `'unsupported'`: this environment has no WebRTC (`RTCPeerConnection` missing).
 */
export type WhepErrorCode = 'http' | 'network' | 'invalid-answer' | 'unsupported';

/** Constructor fields of {@link WhepError}. */
export interface WhepErrorInit {
  code: WhepErrorCode;
  /** HTTP status, `0` when there was no HTTP response. */
  status?: number;
  retryAfterSeconds?: number;
  problem?: ProblemDetails;
  cause?: unknown;
}

/** Error thrown by {@link whepConnect}. */
export class WhepError extends Error {
  override readonly name = 'WhepError';
  readonly code: WhepErrorCode;
  /** HTTP status of the failed request; `0` when no response was received. */
  readonly status: number;
  /**
   * Seconds the server asked us to wait before retrying (`Retry-After`, sent with
   * 409 "channel offline" and 503), or `undefined` when not given.
   */
  readonly retryAfterSeconds: number | undefined;
  /** Human-readable explanation from a problem+json body, when present. */
  readonly detail: string | undefined;
  /** The full problem+json body, when present. */
  readonly problem: ProblemDetails | undefined;

  constructor(message: string, init: WhepErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status ?? 0;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.problem = init.problem;
    this.detail = init.problem?.detail;
  }

  /**
   * Builds an error from a failed HTTP response, reading `Retry-After` and a
   * problem+json body (the body is consumed).
   */
  static async fromResponse(response: ResponseLike & Pick<Response, 'status' | 'statusText'>, now?: number): Promise<WhepError> {
    const problem = await readProblem(response);
    const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'), now);
    const reason = problem?.detail ?? problem?.title ?? response.statusText ?? '';
    const message = `WHEP request failed with HTTP ${response.status}${reason ? `: ${reason}` : ''}`;
    return new WhepError(message, { code: 'http', status: response.status, retryAfterSeconds, problem });
  }
}

/** Type guard for {@link WhepError} (also works across bundle copies of this library). */
export function isWhepError(error: unknown): error is WhepError {
  return error instanceof WhepError || (error instanceof Error && error.name === 'WhepError' && 'code' in error);
}
