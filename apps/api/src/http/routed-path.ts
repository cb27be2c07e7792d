/**
 * A request path the way the router matches it, for middleware that must pick out routes
 * before routing (rate limits, body parsers, CORS): Express routes case-insensitively and
 * ignores a trailing slash, so `/WHIP/` is `/whip`. Percent-encoded characters are decoded
 * and repeated slashes folded, so an encoded or padded spelling is never a way around a
 * limit (reading more paths as a route than the router does only limits a few 404s).
 */
export function routedPath(path: string): string {
  let p = path;
  // A few rounds: %2577 decodes to %77, then to "w".
  for (let i = 0; i < 3 && p.includes('%'); i++) {
    try {
      p = decodeURIComponent(p);
    } catch {
      break;
    }
  }
  return p.replace(/[\\/]+/g, '/').replace(/(.)\/$/, '$1').toLowerCase();
}

/** Matches `routedPath(path)` against a pattern written for lower-case paths. */
export function routes(pattern: RegExp, path: string): boolean {
  return pattern.test(routedPath(path));
}
