/**
 * `@onair/whep-client`: a small, framework-free WHEP (WebRTC-HTTP Egress Protocol)
 * player client for browsers.
 *
 * - {@link whepConnect} / {@link WhepConnection}: one receive-only session.
 * - {@link WhepPlayer}: keeps a `<video>` playing a channel through offline periods.
 *
 * @packageDocumentation
 */
export { whepConnect } from './connect';
export type { WhepConnectOptions } from './connect';
export { WhepConnection } from './connection';
export type { WhepEndReason, WhepConnectionInit } from './connection';
export { WhepPlayer, channelWhepEndpoint } from './player';
export type { WhepPlayerOptions, WhepPlayerState } from './player';
export { WhepError, isWhepError } from './errors';
export type { WhepErrorCode, WhepErrorInit } from './errors';
export {
  iceServersFromLinkHeader,
  parseRetryAfter,
  resolveLocation,
  absoluteUrl,
  readProblem,
} from './http';
export type { ProblemDetails, ResponseLike } from './http';
