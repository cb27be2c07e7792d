'use client';

import type { StudioChannel } from '@onair/api-types';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { errorText, studioFetch } from '@/lib/studio';
import { FormError } from '../FormError';

/** Title, slug, description and visibility (only what changed is sent), and deleting the channel. */
export function SettingsPanel({ channel, onSaved }: { channel: StudioChannel; onSaved: (c: StudioChannel) => void }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const changes: Record<string, string> = {};
    for (const name of ['title', 'slug', 'description', 'visibility'] as const) {
      const value = String(f.get(name) ?? '');
      if (value !== channel[name]) changes[name] = value;
    }
    if (Object.keys(changes).length === 0) return setMessage({ error: false, text: 'Nothing changed.' });
    try {
      onSaved(await studioFetch<StudioChannel>('PATCH', `/studio/channels/${channel.id}`, changes));
      setMessage({ error: false, text: 'Saved.' });
    } catch (err) {
      setMessage({ error: true, text: errorText(err) });
    }
  }
  async function remove() {
    if (!window.confirm(`Delete “${channel.title}”? Its keys and history go with it.`)) return;
    try {
      await studioFetch('DELETE', `/studio/channels/${channel.id}`);
      router.replace('/studio');
    } catch (err) {
      setMessage({ error: true, text: errorText(err) });
    }
  }
  return (
    <section className="card">
      <h2 className="card-title">Settings</h2>
      <form className="form" onSubmit={save} key={`${channel.slug}-${channel.title}-${channel.visibility}`}>
        <label className="field">
          <span>Title</span>
          <input name="title" defaultValue={channel.title} required maxLength={100} />
        </label>
        <label className="field">
          <span>Address (slug)</span>
          <input name="slug" defaultValue={channel.slug} required maxLength={63} pattern="[a-z0-9][a-z0-9-]*" />
          <small className="hint">Lower-case letters, digits and dashes: /watch/{channel.slug}</small>
        </label>
        <label className="field">
          <span>Description</span>
          <textarea name="description" defaultValue={channel.description} maxLength={2000} rows={3} />
        </label>
        <label className="field">
          <span>Who can watch</span>
          <select name="visibility" defaultValue={channel.visibility}>
            <option value="public">Public: listed on the home page</option>
            <option value="unlisted">Unlisted: anyone with the link</option>
            <option value="private">Private: share links only</option>
          </select>
        </label>
        {message && (message.error ? <FormError text={message.text} /> : <p className="ok">{message.text}</p>)}
        <div className="form-actions">
          <button className="button" type="submit">
            Save
          </button>
          <button className="button button-danger" type="button" onClick={remove}>
            Delete channel
          </button>
        </div>
      </form>
    </section>
  );
}
