import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { WatchPlayer } from '@/components/WatchPlayer';
import { getChannel } from '@/lib/api';
import { isValidChannelSlug } from '@/lib/channel';
import { configuredPublicApiUrl } from '@/lib/public-api-url';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { robots: { index: false } };

/**
 * The embeddable player: `<iframe src="https://onair.example/embed/<channel>" allow="autoplay; fullscreen" allowfullscreen>`.
 * Only the player, filling the frame; the same WHEP client as the watch page.
 */
export default async function EmbedPage({ params, searchParams }: { params: Promise<{ channel: string }>; searchParams: Promise<{ token?: string }> }) {
  const { channel: slug } = await params;
  if (!isValidChannelSlug(slug)) notFound();
  const token = (await searchParams).token || undefined;
  const result = await getChannel(slug, token);
  if (result.status === 'not-found') notFound();
  const title = result.status === 'found' ? result.channel.title : slug;
  return (
    <div className="embed">
      {result.status === 'private' ? (
        <div className="slate slate-error" role="alert">
          <p className="slate-text">This channel is private: the embed needs a share link&apos;s token.</p>
        </div>
      ) : (
        <WatchPlayer channel={slug} title={title} publicApiUrl={configuredPublicApiUrl()} expectLive={result.status === 'found' ? result.channel.live : null} token={token} />
      )}
    </div>
  );
}
