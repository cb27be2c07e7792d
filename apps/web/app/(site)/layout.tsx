import Link from 'next/link';
import type { ReactNode } from 'react';

/** Every page but the embeddable player: header, main column, footer. */
export default function SiteLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="site-header">
        <div className="container site-header-inner">
          <Link href="/" className="brand" aria-label="onair home">
            <span className="brand-mark" aria-hidden="true" />
            <span className="brand-name">onair</span>
          </Link>
          <nav className="site-nav">
            <Link href="/">Live now</Link>
            <Link href="/studio">Studio</Link>
          </nav>
        </div>
      </header>
      <main className="container site-main">{children}</main>
      <footer className="site-footer">
        <div className="container">Self-hosted live streaming · WebRTC (WHEP), sub-second latency</div>
      </footer>
    </>
  );
}
