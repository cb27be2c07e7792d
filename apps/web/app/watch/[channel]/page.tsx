import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { ArrowLeftIcon } from '@/components/icons';
import { WatchPlayer } from '@/components/WatchPlayer';
import { getChannel } from '@/lib/api';
import { isValidChannelSlug } from '@/lib/channel';
import { configuredPublicApiUrl } from '@/lib/public-api-url';

// Per request: channel state is live data, and ONAIR_PUBLIC_API_URL must be read at runtime.
export const dynamic = 'force-dynamic';

interface WatchPageProps {
  params: Promise<{ channel: string }>;
}

export async function generateMetadata({ params }: WatchPageProps): Promise<Metadata> {
  const { channel: slug } = await params;
  if (!isValidChannelSlug(slug)) return { title: 'Channel not found' };
  const result = await getChannel(slug);
  if (result.status === 'not-found') return { title: 'Channel not found' };
  const title = result.status === 'found' ? result.channel.title : slug;
  return {
    title,
    description: result.status === 'found' && result.channel.description ? result.channel.description : `Watch ${title} live on onair.`,
  };
}

export default async function WatchPage({ params }: WatchPageProps) {
  const { channel: slug } = await params;
  if (!isValidChannelSlug(slug)) notFound();

  const result = await getChannel(slug);
  if (result.status === 'not-found') notFound();
  const channel = result.status === 'found' ? result.channel : null;
  const title = channel?.title ?? slug;

  return (
    <div className="watch">
      <Link href="/" className="back-link">
        <ArrowLeftIcon width={16} height={16} /> All channels
      </Link>

      <WatchPlayer channel={slug} title={title} publicApiUrl={configuredPublicApiUrl()} expectLive={channel ? channel.live : null} />

      <section className="watch-info">
        <div className="watch-avatar" aria-hidden="true">
          {title.trim().charAt(0).toUpperCase() || '#'}
        </div>
        <div className="watch-text">
          <h1 className="watch-title">{title}</h1>
          <p className="watch-meta">
            <span className="channel-slug">onair/{slug}</span>
          </p>
          {channel?.description && <p className="watch-description">{channel.description}</p>}
          {!channel && (
            <p className="watch-note">Channel details are unavailable right now (we can&apos;t reach the onair API).</p>
          )}
        </div>
      </section>
    </div>
  );
}
