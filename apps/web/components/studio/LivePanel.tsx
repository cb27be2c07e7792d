'use client';

import type { ShareLink, StreamHealth, StudioChannel, StudioLiveEvents, StudioLiveState } from '@onair/api-types';
import { WhepPlayer, channelWhepEndpoint } from '@onair/whep-client';
import { useEffect, useRef, useState } from 'react';
import { studioFetch } from '@/lib/studio';
import { HealthFigures } from './HealthFigures';

/** One event of the studio's live view, with the data the API declares for its name. */
function listen<E extends keyof StudioLiveEvents>(source: EventSource, event: E, handle: (data: StudioLiveEvents[E]) => void): void {
  source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as StudioLiveEvents[E]));
}

/** Live state pushed by the API (SSE), a muted WHEP preview and the stream's health. */
export function LivePanel({ channel, apiBase, onChange }: { channel: StudioChannel; apiBase: string; onChange: () => void }) {
  const [state, setState] = useState<StudioLiveState | null>(null);
  const [health, setHealth] = useState<StreamHealth | null>(null);
  const wasLive = useRef<boolean | null>(null);

  useEffect(() => {
    const source = new EventSource(`/api/studio/channels/${channel.id}/live`);
    listen(source, 'state', (next) => {
      setState(next);
      if (!next.live) setHealth(null);
      if (wasLive.current !== null && wasLive.current !== next.live) onChange();
      wasLive.current = next.live;
    });
    listen(source, 'health', setHealth);
    return () => source.close();
  }, [channel.id, onChange]);

  const live = state?.live === true;
  return (
    <section className="card live-panel" data-testid="live-panel" data-live={live ? 'true' : 'false'}>
      <div className="card-head">
        <h2 className="card-title">Live</h2>
        {live ? (
          <span className="badge badge-live" data-testid="studio-live-badge">
            LIVE
          </span>
        ) : (
          <span className="hint">offline</span>
        )}
        <span className="viewer-count" data-testid="studio-viewers">
          {state?.viewers ?? 0} watching
        </span>
      </div>
      <div className="live-grid">
        <div className="preview">{live && apiBase ? <Preview channel={channel} apiBase={apiBase} /> : <div className="preview-slate">{state ? 'Waiting for your stream…' : 'Connecting…'}</div>}</div>
        <div className="health" data-testid="health">
          {!live && (
            <p className="hint">
              Start streaming in OBS with the settings below. This panel turns live by itself as soon as onair receives your stream: that is your connection test.
            </p>
          )}
          {live && !health && <p className="hint">Reading the stream…</p>}
          {live && health && <HealthFigures health={health} />}
        </div>
      </div>
    </section>
  );
}

/** The streamer's own stream, muted, through the same WHEP player viewers use. */
function Preview({ channel, apiBase }: { channel: StudioChannel; apiBase: string }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let player: WhepPlayer | null = null;
    let cancelled = false;
    void (async () => {
      // A private channel needs a playback token, even for its owner's preview.
      const token =
        channel.visibility === 'private'
          ? (await studioFetch<ShareLink>('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 3600 }).catch(() => null))?.token
          : undefined;
      if (cancelled) return;
      player = new WhepPlayer({ video, endpoint: channelWhepEndpoint(apiBase, channel.slug), channelName: channel.slug, token });
      player.start();
    })();
    return () => {
      cancelled = true;
      void player?.stop();
    };
  }, [channel.id, channel.slug, channel.visibility, apiBase]);
  return <video ref={videoRef} className="preview-video" muted playsInline autoPlay data-testid="studio-preview" />;
}
