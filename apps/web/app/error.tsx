'use client';

import Link from 'next/link';
import { useEffect } from 'react';

export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);

  return (
    <div className="error-page">
      <p className="error-code">Oops</p>
      <h1 className="error-title">Something went wrong</h1>
      <p className="error-text">This page failed to load. Please try again.</p>
      <div className="error-actions">
        <button type="button" className="button" onClick={() => retry()}>
          Try again
        </button>
        <Link href="/" className="button button-ghost">
          Home
        </Link>
      </div>
    </div>
  );
}
