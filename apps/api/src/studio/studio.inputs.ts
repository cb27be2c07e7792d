import { z } from 'zod';
import { CHANNEL_SLUG, RESERVED_SLUGS } from '../domain/channel';

const slug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(CHANNEL_SLUG, 'slug must be 1-63 lower-case letters, digits or dashes, starting with a letter or digit')
  .refine((s) => !RESERVED_SLUGS.has(s), { message: `slug can't be one of ${[...RESERVED_SLUGS].join(', ')} (onair uses those paths)` });
const title = z.string().trim().min(1, 'title must not be empty').max(100, 'title is too long (100 characters at most)');
const description = z.string().trim().max(2000, 'description is too long (2000 characters at most)');
const visibility = z.enum(['public', 'unlisted', 'private'], { error: 'visibility must be "public", "unlisted" or "private"' });
const label = z.string().trim().max(60, 'label is too long (60 characters at most)');

export const CreateChannelInput = z.object({ title, slug: slug.optional(), description: description.optional(), visibility: visibility.optional() }).strict();
export const UpdateChannelInput = z
  .object({ title: title.optional(), slug: slug.optional(), description: description.optional(), visibility: visibility.optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'send at least one of title, slug, description, visibility');
export const CreateKeyInput = z.object({ label: label.optional() }).strict();
/** Rotation replaces a key; the live broadcast using it ends only when asked to. */
export const RotateKeyInput = z.object({ label: label.optional(), endBroadcast: z.boolean().optional() }).strict();
export const RevokeKeyInput = z.object({ endBroadcast: z.boolean().optional() }).strict();
export const ShareLinkInput = z
  .object({ expiresInS: z.number().int().min(60, 'expiresInS must be at least 60 (one minute)').max(30 * 86400, 'expiresInS must be at most 2592000 (30 days)') })
  .strict();

export type CreateChannel = z.infer<typeof CreateChannelInput>;
export type UpdateChannel = z.infer<typeof UpdateChannelInput>;

/** A URL-safe slug from a title ("Friday Night Jams!" → "friday-night-jams"). */
export function slugFromTitle(title: string): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s === '' || RESERVED_SLUGS.has(s) ? `channel${s ? `-${s}` : ''}` : s;
}
