/** onair's own channel type: what the rest of the API sees instead of Prisma models. */
export type ChannelVisibility = 'public' | 'unlisted' | 'private';

export interface Channel {
  id: string;
  /** The studio account that manages it; null for channels made before any account existed. */
  ownerId: string | null;
  slug: string;
  title: string;
  description: string;
  visibility: ChannelVisibility;
  /** Signed into share links; bumping it revokes them (see playback-token.ts). */
  playbackTokenVersion: number;
}

/** Lower-case letters, digits and dashes; starts with a letter or digit; at most 63 chars. */
export const CHANNEL_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Slugs that would shadow onair's own routes. */
export const RESERVED_SLUGS = new Set(['sessions', 'studio', 'embed', 'watch', 'api', 'health']);
