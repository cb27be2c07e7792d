'use client';

import { useEffect, useState } from 'react';
import { liveSinceLabel } from '@/lib/format';

/**
 * "Live for 12 min", kept up to date. The server renders it with its own clock; the
 * browser takes over after hydration (and adds the local start time as a tooltip).
 */
export function LiveSince({ since, serverNow }: { since: string; serverNow: number }) {
  const [now, setNow] = useState(serverNow);
  const [absolute, setAbsolute] = useState<string>();

  useEffect(() => {
    setNow(Date.now());
    const date = new Date(since);
    if (!Number.isNaN(date.getTime())) {
      setAbsolute(`Live since ${date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`);
    }
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [since]);

  const label = liveSinceLabel(since, now);
  if (!label) return null;
  return (
    <time className="live-since" dateTime={since} title={absolute}>
      {label}
    </time>
  );
}
