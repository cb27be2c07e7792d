'use client';

import { useState } from 'react';

/**
 * A live channel's still (taken by the API every 15 s). `version` changes with each page
 * refresh so the browser fetches the new one; until there is a still, nothing covers the
 * card's placeholder.
 */
export function Thumbnail({ slug, version }: { slug: string; version: number }) {
  const [failed, setFailed] = useState<number | null>(null);
  if (failed === version) return null;
  return (
    // eslint-disable-next-line @next/next/no-img-element -- a live still, not a static asset to optimise
    <img
      className="channel-thumb-img"
      src={`/api/channels/${encodeURIComponent(slug)}/thumbnail?v=${version}`}
      alt=""
      loading="lazy"
      data-testid="thumbnail"
      onError={() => setFailed(version)}
    />
  );
}
