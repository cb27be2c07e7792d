/**
 * Polls `probe` until `ok` says yes, at most `timeoutMs` (bounded, like every wait in the
 * tests). A probe that throws (a service restarting, a page navigating) is tried again; its
 * error is what `ok` sees and what the timeout reports, so `ok` can also wait for a failure.
 */
export async function until<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch((err: unknown) => err as T);
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${v instanceof Error ? v.message : JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
