import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AlertIcon, ArrowLeftIcon } from '@/components/icons';
import { WatchPlayer } from '@/components/WatchPlayer';
import { getChannel } from '@/lib/api';
import { isValidChannelSlug } from '@/lib/channel';
import { configuredPublicApiUrl } from '@/lib/public-api-url';

// Per request: channel state is live data, and ONAIR_PUBLIC_API_URL must be read at runtime.
export const dynamic = 'force-dynamic';

interface WatchPageProps {
  params: Promise<{ channel: string }>;
  searchParams: Promise<{ token?: string | string[] }>;
}

const tokenOf = (token: string | string[] | undefined) => (typeof token === 'string' && token !== '' ? token : undefined);

export async function generateMetadata({ params, searchParams }: WatchPageProps): Promise<Metadata> {
  const { channel: slug } = await params;
  if (!isValidChannelSlug(slug)) return { title: 'Channel not found' };
  const result = await getChannel(slug, tokenOf((await searchParams).token));
  if (result.status === 'not-found') return { title: 'Channel not found' };
  if (result.status === 'private') return { title: 'Private channel', robots: { index: false } };
  const title = result.status === 'found' ? result.channel.title : slug;
  return {
    title,
    description: result.status === 'found' && result.channel.description ? result.channel.description : `Watch ${title} live on onair.`,
    robots: result.status === 'found' && result.channel.visibility !== 'public' ? { index: false } : undefined,
  };
}

export default async function WatchPage({ params, searchParams }: WatchPageProps) {
  const { channel: slug } = await params;
  if (!isValidChannelSlug(slug)) notFound();
  const token = tokenOf((await searchParams).token);

  const result = await getChannel(slug, token);
  if (result.status === 'not-found') notFound();
  if (result.status === 'private') {
    return (
      <div className="watch">
        <div className="player player-error" data-testid="player" data-state="private">
          <div className="player-overlay">
            <div className="slate slate-error" role="alert">
              <div className="slate-icon">
                <AlertIcon width={28} height={28} />
              </div>
              <p className="slate-text" data-testid="private-notice">
                <strong>This channel is private.</strong> {result.detail.charAt(0).toUpperCase() + result.detail.slice(1)}.
              </p>
            </div>
          </div>
        </div>
      </div>
    );
  }
  const channel = result.status === 'found' ? result.channel : null;
  const title = channel?.title ?? slug;

  return (
    <div className="watch">
      <Link href="/" className="back-link">
        <ArrowLeftIcon width={16} height={16} /> All channels
      </Link>

      <WatchPlayer channel={slug} title={title} publicApiUrl={configuredPublicApiUrl()} expectLive={channel ? channel.live : null} token={token} />

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
