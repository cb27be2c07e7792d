import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="error-page">
      <p className="error-code">404</p>
      <h1 className="error-title">Channel not found</h1>
      <p className="error-text">There&apos;s no channel at this address. It may have been renamed or removed.</p>
      <Link href="/" className="button">
        See what&apos;s live
      </Link>
    </div>
  );
}
