import { parseServerSentEvents, ServerSentEvent } from '@onair/protocol';

/**
 * Reads a text/event-stream until `done` says so or `timeoutMs` passes (then returns what
 * arrived), and closes it. Bounded: never waits longer than the timeout.
 */
export async function readEvents(
  url: string,
  done: (events: ServerSentEvent[]) => boolean,
  timeoutMs = 5000,
  onOpen?: () => Promise<void> | void,
  headers: Record<string, string> = {},
): Promise<{ status: number; contentType: string | null; events: ServerSentEvent[]; ended: boolean }> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: ServerSentEvent[] = [];
  let ended = false;
  let status = 0;
  let contentType: string | null = null;
  try {
    const res = await fetch(url, { signal: abort.signal, headers: { Accept: 'text/event-stream', ...headers } });
    status = res.status;
    contentType = res.headers.get('content-type');
    if (res.status !== 200 || !res.body) return { status, contentType, events, ended };
    await onOpen?.();
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: eof } = await reader.read();
      if (eof) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      const cut = buffer.lastIndexOf('\n\n');
      if (cut >= 0) {
        events.push(...parseServerSentEvents(buffer.slice(0, cut + 2)));
        buffer = buffer.slice(cut + 2);
      }
      if (done(events)) break;
    }
    await reader.cancel().catch(() => undefined);
    return { status, contentType, events, ended };
  } catch (err) {
    // The timeout: return what arrived.
    if ((err as Error).name === 'AbortError') return { status, contentType, events, ended };
    throw err;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}
