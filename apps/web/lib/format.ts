/** "12 min", "1 h 5 min", "2 d 3 h" for how long a channel has been live. */
export function formatLiveDuration(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** "Live for 12 min" / "Just went live". */
export function liveSinceLabel(sinceIso: string, now: number): string | null {
  const since = Date.parse(sinceIso);
  if (Number.isNaN(since)) return null;
  const ms = now - since;
  return ms < 60_000 ? 'Just went live' : `Live for ${formatLiveDuration(ms)}`;
}
