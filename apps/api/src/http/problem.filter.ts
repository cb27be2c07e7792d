import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { SdpError } from '@onair/protocol';
import type { ProblemDocument } from '@onair/api-types';
import type { Response } from 'express';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { databaseUnavailable } from '../database/database-errors';
import { MediaNegotiationError, MediaNotFoundError, MediaServerUnavailableError } from '../media/media-server';

/** The one mapping from onair's errors to HTTP (RFC 9457 problem details). */
const STATUS: Record<DomainErrorCode, { status: number; title: string }> = {
  'bad-request': { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  'sign-in-required': { status: 401, title: 'Sign in required' },
  forbidden: { status: 403, title: 'Forbidden' },
  conflict: { status: 409, title: 'Conflict' },
  'not-found': { status: 404, title: 'Not found' },
  'already-live': { status: 409, title: 'Channel already live' },
  offline: { status: 409, title: 'Channel offline' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'payload-too-large': { status: 413, title: 'Payload too large' },
  unprocessable: { status: 422, title: 'Cannot use this request' },
  'precondition-failed': { status: 412, title: 'Precondition failed' },
  'precondition-required': { status: 428, title: 'Precondition required' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  'over-capacity': { status: 503, title: 'Server busy' },
  'media-unavailable': { status: 503, title: 'Media server unavailable' },
  'database-unavailable': { status: 503, title: 'Database unavailable' },
};

export interface Problem {
  status: number;
  title: string;
  detail: string;
  code?: string;
  retryAfter?: number;
  headers?: Record<string, string>;
}

export function toProblem(err: unknown): Problem {
  if (err instanceof DomainError) {
    const s = STATUS[err.code];
    const headers: Record<string, string> = {};
    // RFC 6750 §3: a 401 for bearer auth names the scheme.
    if (err.code === 'unauthorized') headers['WWW-Authenticate'] = 'Bearer realm="onair"';
    return { ...s, detail: err.message, code: err.code, retryAfter: err.retryAfterSeconds, headers };
  }
  if (err instanceof SdpError) return { status: 400, title: 'Bad SDP', detail: err.message, code: 'bad-request' };
  if (err instanceof MediaNegotiationError) return { status: 422, title: 'Cannot use this offer', detail: err.message, code: 'unprocessable' };
  if (err instanceof MediaNotFoundError) return { status: 409, title: 'Gone from the media server', detail: err.message, code: 'offline', retryAfter: 2 };
  if (err instanceof MediaServerUnavailableError) return toProblem(new DomainError('media-unavailable', err.message, 5));
  const dbDown = databaseUnavailable(err);
  if (dbDown) return toProblem(dbDown);
  // body-parser errors carry `type` and `status`.
  const bodyErr = err as { type?: string; status?: number; limit?: number };
  if (bodyErr?.type === 'entity.too.large') {
    return { status: 413, title: 'Payload too large', detail: `the body is larger than the ${bodyErr.limit} bytes onair accepts`, code: 'payload-too-large' };
  }
  if (typeof bodyErr?.type === 'string' && bodyErr.type.startsWith('entity.') && bodyErr.status) {
    return { status: bodyErr.status, title: 'Bad request body', detail: (err as Error).message, code: 'bad-request' };
  }
  // The body parsers' other refusals (http-errors with `expose`: a corrupt gzip body, an
  // unknown Content-Encoding or charset, a body shorter than its Content-Length, an upload
  // the client aborted) are the client's doing: their own 4xx, not a 500.
  const httpErr = err as { status?: unknown; expose?: unknown };
  if (err instanceof Error && httpErr.expose === true && typeof httpErr.status === 'number' && httpErr.status >= 400 && httpErr.status < 500) {
    return {
      status: httpErr.status,
      title: 'Bad request body',
      detail: `the request body could not be read: ${err.message}`,
      code: httpErr.status === 415 ? 'unsupported-media-type' : 'bad-request',
    };
  }
  if (err instanceof HttpException) {
    const res = err.getResponse();
    const detail = typeof res === 'string' ? res : ((res as { message?: string | string[] }).message ?? err.message);
    return { status: err.getStatus(), title: err.name.replace(/Exception$/, ''), detail: Array.isArray(detail) ? detail.join('; ') : String(detail) };
  }
  return { status: 500, title: 'Internal error', detail: 'onair hit an unexpected error; it has been logged' };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly log = new Logger('HTTP');

  catch(err: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const problem = toProblem(err);
    if (problem.status >= 500 && problem.status !== 503) this.log.error(err instanceof Error ? err.stack : String(err));
    if (res.headersSent) {
      // An event stream that already started can only be ended.
      res.end();
      return;
    }
    writeProblem(res, problem);
  }
}

/** Writes an RFC 9457 problem+json response. */
export function writeProblem(res: Response, problem: Problem): void {
  for (const [k, v] of Object.entries(problem.headers ?? {})) res.setHeader(k, v);
  if (problem.retryAfter !== undefined) res.setHeader('Retry-After', String(problem.retryAfter));
  const body: ProblemDocument = { type: 'about:blank', title: problem.title, status: problem.status, detail: problem.detail, ...(problem.code ? { code: problem.code } : {}) };
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(body));
}
