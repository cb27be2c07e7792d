import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed playback tokens for private channels: `<channel id>.<expiry, unix s>.<HMAC-SHA256>`
 * (base64url), minted by the studio as share links. Stateless: anyone holding an unexpired
 * token for a channel can watch it; rotating ONAIR_SECRET revokes every link.
 */
export function signPlaybackToken(secret: string, channelId: string, expiresAt: Date): string {
  const payload = `${channelId}.${Math.floor(expiresAt.getTime() / 1000)}`;
  return `${payload}.${mac(secret, payload)}`;
}

export type PlaybackTokenCheck = 'valid' | 'expired' | 'invalid';

export function checkPlaybackToken(secret: string, token: string, channelId: string, now: Date): PlaybackTokenCheck {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== channelId || !/^\d{1,12}$/.test(parts[1])) return 'invalid';
  const expected = Buffer.from(mac(secret, `${parts[0]}.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  return Number(parts[1]) * 1000 > now.getTime() ? 'valid' : 'expired';
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
