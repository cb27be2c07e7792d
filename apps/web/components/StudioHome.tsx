'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Account, AccountList, AccountListing, AccountResponse, ChannelVisibility, CreatedChannel, StudioChannel, StudioChannelList } from '@onair/api-types';
import { errorText, StudioError, studioFetch } from '@/lib/studio';
import { FormError } from './FormError';
import { TableHead } from './TableHead';

/** Where a freshly minted key waits to be shown once on the channel's page. */
export const newKeyStorageKey = (channelId: string) => `onair:new-key:${channelId}`;

/** The studio's front page: your channels, a new-channel form, sign out. */
export function StudioHome() {
  const router = useRouter();
  const [user, setUser] = useState<Account | null>(null);
  const [channels, setChannels] = useState<StudioChannel[] | null>(null);
  const [accounts, setAccounts] = useState<AccountListing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const me = await studioFetch<AccountResponse>('GET', '/auth/me');
      setUser(me.user);
      setChannels((await studioFetch<StudioChannelList>('GET', '/studio/channels')).channels);
      if (me.user.role === 'admin') setAccounts((await studioFetch<AccountList>('GET', '/auth/users')).users);
    } catch (err) {
      if (err instanceof StudioError && err.status === 401) router.replace('/signin');
      else setError(errorText(err));
    }
  }, [router]);

  useEffect(() => {
    void load();
  }, [load]);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { title: String(form.get('title')), visibility: String(form.get('visibility')) as ChannelVisibility };
      const created = await studioFetch<CreatedChannel>('POST', '/studio/channels', body);
      sessionStorage.setItem(newKeyStorageKey(created.channel.id), JSON.stringify(created.streamKey));
      router.push(`/studio/${created.channel.id}`);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  async function signOut() {
    await studioFetch('POST', '/auth/signout').catch(() => undefined);
    router.replace('/signin');
  }

  if (!user || !channels) {
    return error ? <FormError text={error} /> : <p className="hint">Loading your studio…</p>;
  }
  return (
    <div className="studio">
      <div className="page-head studio-head">
        <div>
          <h1 className="page-title">Studio</h1>
          <p className="page-subtitle">
            Signed in as {user.displayName} ({user.email}){user.role === 'admin' ? ' · admin: you see every channel' : ''}
          </p>
        </div>
        <button className="button button-ghost" onClick={signOut}>
          Sign out
        </button>
      </div>

      <section className="card">
        <h2 className="card-title">New channel</h2>
        <form className="form-inline" onSubmit={create}>
          <label className="field grow">
            <span>Title</span>
            <input name="title" required maxLength={100} placeholder="Friday Night Jams" data-testid="new-channel-title" />
          </label>
          <label className="field">
            <span>Who can watch</span>
            <select name="visibility" defaultValue="public">
              <option value="public">Public: listed on the home page</option>
              <option value="unlisted">Unlisted: anyone with the link</option>
              <option value="private">Private: share links only</option>
            </select>
          </label>
          <button className="button" type="submit" disabled={busy} data-testid="create-channel">
            Create channel
          </button>
        </form>
        <FormError text={error} />
      </section>

      <section>
        <h2 className="section-title">Your channels</h2>
        {channels.length === 0 ? (
          <p className="hint">No channels yet: create one above, then connect OBS to it.</p>
        ) : (
          <ul className="studio-list">
            {channels.map((c) => (
              <li key={c.id}>
                <Link href={`/studio/${c.id}`} className="studio-row">
                  <span className="studio-row-title">{c.title}</span>
                  <span className="channel-slug">/{c.slug}</span>
                  <span className={`visibility visibility-${c.visibility}`}>{c.visibility}</span>
                  {c.live ? <span className="badge badge-live">LIVE · {c.live.viewers} watching</span> : <span className="hint">offline</span>}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>

      <PasswordForm />

      {accounts && (
        <section>
          <h2 className="section-title">Accounts</h2>
          <table className="table">
            <TableHead columns={['Name', 'Email', 'Role', 'Channels']} />
            <tbody>
              {accounts.map((a) => (
                <tr key={a.id}>
                  <td>{a.displayName}</td>
                  <td>{a.email}</td>
                  <td>{a.role}</td>
                  <td>{a.channels}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}

/** Change your password; your other browsers are signed out. */
function PasswordForm() {
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    try {
      await studioFetch('POST', '/auth/password', { currentPassword: String(f.get('currentPassword')), newPassword: String(f.get('newPassword')) });
      form.reset();
      setMessage({ error: false, text: 'Password changed. Your other browsers are signed out.' });
    } catch (err) {
      setMessage({ error: true, text: errorText(err) });
    }
  }
  return (
    <section className="card">
      <h2 className="card-title">Password</h2>
      <form className="form-inline" onSubmit={submit}>
        <label className="field grow">
          <span>Current password</span>
          <input name="currentPassword" type="password" required autoComplete="current-password" />
        </label>
        <label className="field grow">
          <span>New password (10+ characters)</span>
          <input name="newPassword" type="password" required minLength={10} autoComplete="new-password" />
        </label>
        <button className="button button-ghost" type="submit">
          Change password
        </button>
      </form>
      {message && (message.error ? <FormError text={message.text} /> : <p className="ok">{message.text}</p>)}
    </section>
  );
}
