import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { unauthorized } from '../errors/domain-error';
import { Channel } from '../domain/channel';
import { StreamKeyRecord, StreamKeyRepository } from './stream-key.repository';

const KEY_PREFIX = 'onair_';
/** How long after a key check its "last used" time is written. */
const TOUCH_AFTER_MS = 1000;

/**
 * Stream keys are 256-bit random bearer tokens. Only their SHA-256 is stored: unlike a
 * password a key has full entropy, so a fast digest can't be brute-forced and lets the
 * key be looked up by its hash in one indexed query.
 */
export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

@Injectable()
export class StreamKeyService {
  constructor(private readonly keys: StreamKeyRepository) {}

  /**
   * Mints a key; the plain key is returned once and never stored. With `maxActive`, 'full'
   * when the channel has that many active keys already.
   */
  async mint(channelId: string, label: string): Promise<{ key: string; record: StreamKeyRecord }>;
  async mint(channelId: string, label: string, maxActive: number): Promise<{ key: string; record: StreamKeyRecord } | 'full'>;
  async mint(channelId: string, label: string, maxActive?: number): Promise<{ key: string; record: StreamKeyRecord } | 'full'> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.keys.create({ channelId, label, keyHash: hashStreamKey(key), hint: key.slice(0, KEY_PREFIX.length + 4) }, maxActive);
    if (record === 'full') return 'full';
    return { key, record };
  }

  /** The channel a bearer key publishes to, or `unauthorized`. */
  async authenticate(key: string | undefined): Promise<{ channel: Channel; keyId: string }> {
    if (!key) throw unauthorized('a stream key is required: send it as "Authorization: Bearer <stream key>"');
    const found = await this.keys.findActiveByHash(hashStreamKey(key));
    if (!found) throw unauthorized('this stream key is not valid (it may have been revoked): copy the key from the studio');
    // "Last used" in the studio: never worth failing a publish over, and written a moment
    // later so its query doesn't share the event loop with the POST's own Janus and database work.
    setTimeout(() => void this.keys.touch(found.key.id).catch(() => undefined), TOUCH_AFTER_MS).unref();
    return { channel: found.channel, keyId: found.key.id };
  }
}
