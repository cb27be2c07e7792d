/** Channel slugs: lower-case letters, digits and dashes, 1–63 chars, not starting with a dash. */
export const CHANNEL_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function isValidChannelSlug(slug: string): boolean {
  return CHANNEL_SLUG_PATTERN.test(slug);
}
