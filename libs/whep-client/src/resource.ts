/** The WHEP session resource on the server: the bearer token it takes, and its release. */

export function authHeaders(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Best-effort DELETE of a WHEP session; never throws. */
export async function deleteResource(url: string, token: string | undefined, keepalive = false): Promise<void> {
  try {
    const response = await fetch(url, { method: 'DELETE', headers: authHeaders(token), cache: 'no-store', keepalive });
    // Drain the body so the connection can be reused; the status does not matter.
    await response.body?.cancel().catch(() => undefined);
  } catch {
    // The server may be gone or the page unloading: nothing useful to do.
  }
}
