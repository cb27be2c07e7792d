import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'onair', template: '%s · onair' },
  description: 'Live streams with sub-second latency.',
};

export const viewport: Viewport = {
  themeColor: '#0a0b10',
  colorScheme: 'dark',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <div className="container site-header-inner">
            <Link href="/" className="brand" aria-label="onair home">
              <span className="brand-mark" aria-hidden="true" />
              <span className="brand-name">onair</span>
            </Link>
            <nav className="site-nav">
              <Link href="/">Live now</Link>
            </nav>
          </div>
        </header>
        <main className="container site-main">{children}</main>
        <footer className="site-footer">
          <div className="container">Self-hosted live streaming · WebRTC (WHEP), sub-second latency</div>
        </footer>
      </body>
    </html>
  );
}
