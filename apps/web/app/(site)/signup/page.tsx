import type { Metadata } from 'next';
import { AuthForm } from '@/components/AuthForm';

export const metadata: Metadata = { title: 'Create account' };

export default function SignUpPage() {
  return <AuthForm mode="signup" />;
}
