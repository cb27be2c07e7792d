import Link from 'next/link';
import { AutoRefresh } from '@/components/AutoRefresh';
import { LiveSince } from '@/components/LiveSince';
import { Thumbnail } from '@/components/Thumbnail';
import { AlertIcon, BroadcastIcon } from '@/components/icons';
import { listLiveChannels, type LiveChannel } from '@/lib/api';

// Rendered per request: the channel list is live data and the API URL comes from the runtime env.
export const dynamic = 'force-dynamic';

/** A stable hue per channel for its placeholder thumbnail. */
function hue(slug: string): number {
  let h = 0;
  for (const ch of slug) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

function ChannelCard({ channel, now }: { channel: LiveChannel; now: number }) {
  const h = hue(channel.slug);
  return (
    <li>
      <Link href={`/watch/${channel.slug}`} className="channel-card">
        <div
          className="channel-thumb"
          style={{
            background: `radial-gradient(120% 120% at 0% 0%, hsl(${h} 70% 32%), transparent 60%), radial-gradient(120% 120% at 100% 100%, hsl(${(h + 60) % 360} 70% 22%), #11131a 70%)`,
          }}
        >
          <Thumbnail slug={channel.slug} version={Math.floor(now / 15000)} />
          <span className="channel-initial" aria-hidden="true">
            {channel.title.trim().charAt(0).toUpperCase() || '#'}
          </span>
          <span className="badge badge-live channel-thumb-badge">LIVE · {channel.viewers} watching</span>
        </div>
        <div className="channel-body">
          <h2 className="channel-title">{channel.title}</h2>
          <p className="channel-meta">
            {channel.liveSince ? <LiveSince since={channel.liveSince} serverNow={now} /> : <span>Live now</span>}
            <span className="dot-sep" aria-hidden="true">
              ·
            </span>
            <span className="channel-slug">/{channel.slug}</span>
          </p>
        </div>
      </Link>
    </li>
  );
}

export default async function HomePage() {
  const result = await listLiveChannels();
  const now = Date.now();

  return (
    <>
      <AutoRefresh seconds={15} />
      <section className="page-head">
        <h1 className="page-title">
          Live now
          {result.ok && result.channels.length > 0 && <span className="count-pill">{result.channels.length}</span>}
        </h1>
        <p className="page-subtitle">Watch in real time, with sub-second latency.</p>
      </section>

      {!result.ok ? (
        <div className="notice notice-warning" role="status">
          <AlertIcon className="notice-icon" />
          <div>
            <p className="notice-title">We can&apos;t reach the onair API right now.</p>
            <p className="notice-text">
              Live channels will show up here as soon as it is back. This page refreshes by itself.
            </p>
          </div>
        </div>
      ) : result.channels.length === 0 ? (
        <div className="empty-state">
          <div className="empty-icon">
            <BroadcastIcon width={28} height={28} />
          </div>
          <p className="empty-title">Nothing is live right now</p>
          <p className="empty-text">Channels appear here the moment they go live. This page refreshes by itself.</p>
        </div>
      ) : (
        <ul className="channel-grid">
          {result.channels.map((channel) => (
            <ChannelCard key={channel.slug} channel={channel} now={now} />
          ))}
        </ul>
      )}
    </>
  );
}
