import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="container site-main">
      <div className="error-page">
        <p className="error-code">404</p>
        <h1 className="error-title">Not found</h1>
        <p className="error-text">There&apos;s nothing at this address. A channel may have been renamed or removed.</p>
        <Link href="/" className="button">
          See what&apos;s live
        </Link>
      </div>
    </main>
  );
}
