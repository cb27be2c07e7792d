'use client';

import type { ShareLink, StudioChannel } from '@onair/api-types';
import { useState, type FormEvent } from 'react';
import { errorText, studioFetch } from '@/lib/studio';
import { CopyField } from '../CopyButton';
import { FormError } from '../FormError';

/** A private channel's share links: make one (signed, expiring), revoke them all. */
export function ShareLinksPanel({ channel }: { channel: StudioChannel }) {
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function make(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      const expiresInS = Number(new FormData(e.currentTarget).get('expires'));
      const res = await studioFetch<ShareLink>('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS });
      setLink({ url: `${window.location.origin}${res.path}`, expiresAt: res.expiresAt });
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <section className="card">
      <h2 className="card-title">Share links</h2>
      <p className="hint">
        This channel is private: viewers need a link with a signed token. Links stop working when they expire, when you revoke them, or when
        the channel&apos;s visibility changes.
      </p>
      <form className="form-inline" onSubmit={make}>
        <label className="field">
          <span>Valid for</span>
          <select name="expires" defaultValue="86400">
            <option value="3600">1 hour</option>
            <option value="86400">1 day</option>
            <option value="604800">7 days</option>
            <option value="2592000">30 days</option>
          </select>
        </label>
        <button className="button button-ghost" type="submit" data-testid="make-share-link">
          Make link
        </button>
      </form>
      {link && <CopyField label={`Link (expires ${new Date(link.expiresAt).toLocaleString()})`} value={link.url} testId="share-link" />}
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={async () => {
          if (!window.confirm('Revoke every share link of this channel? People watching now keep watching; the links stop opening.')) return;
          try {
            await studioFetch('POST', `/studio/channels/${channel.id}/share-links/revoke`);
            setLink(null);
            setError(null);
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        Revoke all links
      </button>
      <FormError text={error} />
    </section>
  );
}
