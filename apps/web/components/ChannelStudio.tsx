'use client';

import type { MintedKey, PastBroadcast, PastBroadcastList, StreamKey, StreamKeyList, StudioChannel } from '@onair/api-types';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState } from 'react';
import { resolvePublicApiBaseUrl } from '@/lib/public-api-url';
import { errorText, StudioError, studioFetch } from '@/lib/studio';
import { FormError } from './FormError';
import { newKeyStorageKey } from './StudioHome';
import { BroadcastHistory } from './studio/BroadcastHistory';
import { ConnectObs } from './studio/ConnectObs';
import { KeysPanel } from './studio/KeysPanel';
import { LivePanel } from './studio/LivePanel';
import { SettingsPanel } from './studio/SettingsPanel';
import { ShareLinksPanel } from './studio/ShareLinksPanel';

/**
 * One channel in the studio: live view and health, Connect OBS, keys, share links, settings,
 * history. This component loads the channel, its keys and its history and hands them to one
 * panel each (components/studio/); a panel that changes something asks for a reload.
 */
export function ChannelStudio({ id, publicApiUrl }: { id: string; publicApiUrl: string | null }) {
  const router = useRouter();
  const [channel, setChannel] = useState<StudioChannel | null>(null);
  const [keys, setKeys] = useState<StreamKey[]>([]);
  const [broadcasts, setBroadcasts] = useState<PastBroadcast[]>([]);
  const [newKey, setNewKey] = useState<MintedKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [apiBase, setApiBase] = useState('');

  const load = useCallback(async () => {
    try {
      const [c, k, b] = await Promise.all([
        studioFetch<StudioChannel>('GET', `/studio/channels/${id}`),
        studioFetch<StreamKeyList>('GET', `/studio/channels/${id}/keys`),
        studioFetch<PastBroadcastList>('GET', `/studio/channels/${id}/broadcasts`),
      ]);
      setChannel(c);
      setKeys(k.keys);
      setBroadcasts(b.broadcasts);
    } catch (err) {
      if (err instanceof StudioError && err.status === 401) router.replace('/signin');
      else setError(errorText(err));
    }
  }, [id, router]);

  useEffect(() => {
    setApiBase(resolvePublicApiBaseUrl(publicApiUrl, window.location));
    // A key minted on the previous page is shown here once, then forgotten.
    const stored = sessionStorage.getItem(newKeyStorageKey(id));
    if (stored) {
      setNewKey(JSON.parse(stored) as MintedKey);
      sessionStorage.removeItem(newKeyStorageKey(id));
    }
    void load();
  }, [id, load, publicApiUrl]);

  if (!channel) return error ? <FormError text={error} /> : <p className="hint">Loading…</p>;
  return (
    <div className="studio">
      <Link href="/studio" className="back-link">
        ← All your channels
      </Link>
      <div className="page-head studio-head">
        <div>
          <h1 className="page-title">{channel.title}</h1>
          <p className="page-subtitle">
            <Link href={`/watch/${channel.slug}`} className="channel-slug">
              /watch/{channel.slug}
            </Link>{' '}
            · <span className={`visibility visibility-${channel.visibility}`}>{channel.visibility}</span>
          </p>
        </div>
      </div>
      <LivePanel channel={channel} apiBase={apiBase} onChange={() => void load()} />
      <ConnectObs apiBase={apiBase} newKey={newKey} keys={keys} />
      <KeysPanel channel={channel} keys={keys} onMinted={(k) => setNewKey(k)} onChange={() => void load()} />
      {channel.visibility === 'private' && <ShareLinksPanel channel={channel} />}
      <SettingsPanel channel={channel} onSaved={setChannel} />
      <BroadcastHistory broadcasts={broadcasts} />
    </div>
  );
}
