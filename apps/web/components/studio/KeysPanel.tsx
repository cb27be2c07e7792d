'use client';

import type { KeyRotation, MintedKey, StreamKey, StudioChannel } from '@onair/api-types';
import { useState, type FormEvent } from 'react';
import { errorText, studioFetch } from '@/lib/studio';
import { FormError } from '../FormError';
import { TableHead } from '../TableHead';

/** The channel's stream keys: list, new key, rotate, revoke (optionally ending a broadcast live on the key). */
export function KeysPanel({ channel, keys, onMinted, onChange }: { channel: StudioChannel; keys: StreamKey[]; onMinted: (k: MintedKey) => void; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [endLive, setEndLive] = useState(false);
  const run = async (what: () => Promise<void>) => {
    setError(null);
    try {
      await what();
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  async function mint(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const label = String(new FormData(e.currentTarget).get('label') ?? '');
    await run(async () => onMinted(await studioFetch<MintedKey>('POST', `/studio/channels/${channel.id}/keys`, { label })));
  }
  return (
    <section className="card">
      <h2 className="card-title">Stream keys</h2>
      <table className="table">
        <TableHead columns={['Label', 'Key', 'Created', 'Last used', '']} />
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.label}</td>
              <td className="mono">{k.hint}…</td>
              <td>{new Date(k.createdAt).toLocaleString()}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
              <td className="actions">
                <button
                  className="button button-ghost button-small"
                  onClick={() => run(async () => onMinted((await studioFetch<KeyRotation>('POST', `/studio/channels/${channel.id}/keys/${k.id}/rotate`, { endBroadcast: endLive })).streamKey))}
                >
                  Rotate
                </button>
                <button className="button button-ghost button-small" onClick={() => run(() => studioFetch('DELETE', `/studio/channels/${channel.id}/keys/${k.id}?endBroadcast=${endLive}`))}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="check">
        <input type="checkbox" checked={endLive} onChange={(e) => setEndLive(e.target.checked)} /> Rotating or revoking a key also ends a live broadcast that uses it
      </label>
      <form className="form-inline" onSubmit={mint}>
        <label className="field grow">
          <span>New key label</span>
          <input name="label" maxLength={60} placeholder="e.g. Laptop, Backup encoder" />
        </label>
        <button className="button button-ghost" type="submit">
          New key
        </button>
      </form>
      <FormError text={error} />
    </section>
  );
}
