import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed playback tokens for private channels, minted by the studio as share links:
 * `<channel id>.<version>.<expiry, unix s>.<HMAC-SHA256>` (base64url MAC). Stateless but
 * revocable: the channel's playback token version is signed in, and bumping it (the studio's
 * "revoke share links", any visibility change) voids every earlier link of that channel.
 * Rotating ONAIR_SECRET voids every link of every channel.
 */
export function signPlaybackToken(secret: string, channelId: string, version: number, expiresAt: Date): string {
  const payload = `${channelId}.${version}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${mac(secret, payload)}`;
}

export type PlaybackTokenCheck = 'valid' | 'expired' | 'revoked' | 'invalid';

export function checkPlaybackToken(secret: string, token: string, channelId: string, version: number, now: Date): PlaybackTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== channelId || !/^\d{1,9}$/.test(parts[1]) || !/^\d{1,12}$/.test(parts[2])) return 'invalid';
  const expected = Buffer.from(mac(secret, parts.slice(0, 3).join('.')));
  const given = Buffer.from(parts[3]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  if (Number(parts[1]) !== version) return 'revoked';
  return Number(parts[2]) * 1000 > now.getTime() ? 'valid' : 'expired';
}

/** Version and expiry of a token `checkPlaybackToken` found valid. */
export function playbackTokenTerms(token: string): { version: number; expiresAt: Date } {
  const parts = token.split('.');
  return { version: Number(parts[1]), expiresAt: new Date(Number(parts[2]) * 1000) };
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
