import { MediaServerUnavailableError } from '../media-server';

/**
 * Waits for a Janus request at most `ms`. A request that gives up here is not cancelled in
 * Janus: an `attach` or a mountpoint `create` may still succeed a moment later, and what it
 * made would then belong to nobody (a handle left open, a mountpoint whose id the next
 * broadcast of that channel collides with). `releaseLate` is called with such a late result
 * so the caller can undo it (detach the handle, destroy the mountpoint). A late failure is
 * ignored: there is nothing to release, and nobody is waiting for it any more.
 */
export async function withDeadline<T>(
  request: Promise<T>,
  what: string,
  ms: number,
  releaseLate?: (late: T) => Promise<unknown> | void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new MediaServerUnavailableError(`Janus did not answer '${what}' within ${ms} ms`));
    }, ms);
  });
  // Attached before the race, so a late result or failure always has a handler; errors of
  // the release itself are the releaser's to report, never an unhandled rejection.
  void request
    .then(async (value) => {
      if (timedOut && releaseLate) await releaseLate(value);
    })
    .catch(() => undefined);
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long the adapter waits for a Janus request unless it says otherwise. */
export const REQUEST_TIMEOUT_MS = 5000;

/** withDeadline with the adapter's usual deadline. */
export function withTimeout<T>(p: Promise<T>, what: string, ms = REQUEST_TIMEOUT_MS, releaseLate?: (late: T) => Promise<unknown> | void): Promise<T> {
  return withDeadline(p, what, ms, releaseLate);
}
