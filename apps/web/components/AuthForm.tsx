'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { errorText, studioFetch } from '@/lib/studio';
import { FormError } from './FormError';

/**
 * Sign-in and sign-up: one form, posting to /auth/signin or /auth/signup. `setupToken` comes
 * from the setup link (`/signup?setup=…`) the first account of an installation needs.
 */
export function AuthForm({ mode, setupToken }: { mode: 'signin' | 'signup'; setupToken?: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, string> = { email: String(form.get('email')), password: String(form.get('password')) };
      if (mode === 'signup' && form.get('displayName')) body.displayName = String(form.get('displayName'));
      if (mode === 'signup' && setupToken) body.setupToken = setupToken;
      await studioFetch('POST', `/auth/${mode}`, body);
      router.push('/studio');
      router.refresh();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <div className="auth">
      <h1 className="page-title">{mode === 'signin' ? 'Sign in to the studio' : 'Create your onair account'}</h1>
      {mode === 'signup' && (
        <p className="page-subtitle" data-testid="signup-subtitle">
          {setupToken
            ? 'You opened the setup link: the account you create now is the admin of this onair.'
            : 'The first account on a new onair is its admin and needs the setup link that npm run up printed.'}
        </p>
      )}
      <form className="form card" onSubmit={submit}>
        {mode === 'signup' && (
          <label className="field">
            <span>Display name</span>
            <input name="displayName" autoComplete="nickname" maxLength={80} placeholder="How viewers see you" />
          </label>
        )}
        <label className="field">
          <span>Email</span>
          <input name="email" type="email" required autoComplete="email" />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" required minLength={mode === 'signup' ? 10 : undefined} autoComplete={mode === 'signin' ? 'current-password' : 'new-password'} />
          {mode === 'signup' && <small className="hint">At least 10 characters.</small>}
        </label>
        <FormError text={error} />
        <button className="button" type="submit" disabled={busy}>
          {mode === 'signin' ? 'Sign in' : 'Create account'}
        </button>
        <p className="hint">
          {mode === 'signin' ? (
            <>
              New here? <Link href="/signup">Create an account</Link>
            </>
          ) : (
            <>
              Have an account? <Link href="/signin">Sign in</Link>
            </>
          )}
        </p>
      </form>
    </div>
  );
}
