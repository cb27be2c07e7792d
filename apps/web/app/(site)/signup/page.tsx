import type { Metadata } from 'next';
import { AuthForm } from '@/components/AuthForm';

export const metadata: Metadata = { title: 'Create account' };

/**
 * `?setup=` carries the one-time setup token that `npm run up` prints while the installation
 * has no account: the first account (the admin) can only be made with it.
 */
export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ setup?: string | string[] }> }) {
  const setup = (await searchParams).setup;
  return <AuthForm mode="signup" setupToken={typeof setup === 'string' && setup !== '' ? setup : undefined} />;
}
