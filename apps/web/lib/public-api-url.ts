/** Port the onair API listens on when no public URL is configured. */
export const DEFAULT_API_PORT = 8080;

/**
 * The API base URL the *browser* talks to (WHEP lives there).
 *
 * `configured` comes from the server's `ONAIR_PUBLIC_API_URL`, read at request time and
 * passed down to client components. When it is unset/empty, the API is assumed to be on
 * the same host as the page, port 8080 (`${protocol}//${hostname}:8080`).
 */
export function resolvePublicApiBaseUrl(
  configured: string | null | undefined,
  location: Pick<Location, 'protocol' | 'hostname'>,
): string {
  const value = configured?.trim();
  if (value) return value.replace(/\/+$/, '');
  return `${location.protocol}//${location.hostname}:${DEFAULT_API_PORT}`;
}

/** `ONAIR_PUBLIC_API_URL` as configured on the server (call from Server Components only). */
export function configuredPublicApiUrl(): string | null {
  return process.env.ONAIR_PUBLIC_API_URL?.trim() || null;
}
