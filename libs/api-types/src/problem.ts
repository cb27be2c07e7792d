/**
 * Every error body of the API: RFC 9457 problem details (`application/problem+json`).
 * `detail` is written for people and is safe to show; `code` names the error for programs.
 */
export interface ProblemDocument {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  /** One of the API's error codes (apps/api/src/errors/domain-error.ts), when it has one. */
  code?: string;
}
