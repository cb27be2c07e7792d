'use client';

import { WhepPlayer, channelWhepEndpoint } from '@onair/whep-client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { resolvePublicApiBaseUrl } from '@/lib/public-api-url';
import {
  type MintedKey,
  type PastBroadcast,
  type StreamHealth,
  type StreamKey,
  errorText,
  StudioError,
  studioFetch,
  type StudioChannel,
  whipUrl,
} from '@/lib/studio';
import { CopyField } from './CopyButton';
import { FormError } from './FormError';
import { newKeyStorageKey } from './StudioHome';

interface LiveState {
  live: boolean;
  since?: string;
  viewers: number;
  layers?: string[];
}

/** One channel in the studio: live view and health, Connect OBS, keys, settings, share links, history. */
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
        studioFetch<{ keys: StreamKey[] }>('GET', `/studio/channels/${id}/keys`),
        studioFetch<{ broadcasts: PastBroadcast[] }>('GET', `/studio/channels/${id}/broadcasts`),
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
      {channel.visibility === 'private' && <ShareLinks channel={channel} />}
      <SettingsPanel channel={channel} onSaved={setChannel} />
      <History broadcasts={broadcasts} />
    </div>
  );
}

/** Live state pushed by the API (SSE), a muted WHEP preview and the stream's health. */
function LivePanel({ channel, apiBase, onChange }: { channel: StudioChannel; apiBase: string; onChange: () => void }) {
  const [state, setState] = useState<LiveState | null>(null);
  const [health, setHealth] = useState<StreamHealth | null>(null);
  const wasLive = useRef<boolean | null>(null);

  useEffect(() => {
    const source = new EventSource(`/api/studio/channels/${channel.id}/live`);
    source.addEventListener('state', (e) => {
      const next = JSON.parse((e as MessageEvent<string>).data) as LiveState;
      setState(next);
      if (!next.live) setHealth(null);
      if (wasLive.current !== null && wasLive.current !== next.live) onChange();
      wasLive.current = next.live;
    });
    source.addEventListener('health', (e) => setHealth(JSON.parse((e as MessageEvent<string>).data) as StreamHealth));
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

function HealthFigures({ health }: { health: StreamHealth }) {
  const v = health.video;
  const rows: [string, string][] = [];
  if (v) {
    rows.push(['Video', `${v.codec.toUpperCase()}${v.layers > 1 ? ` · ${v.layers} simulcast layers` : ''}`]);
    if (v.width && v.height) rows.push(['Resolution', `${v.width}×${v.height}`]);
    if (v.fps !== undefined) rows.push(['Frame rate', `${v.fps} fps`]);
    rows.push(['Video bitrate', `${v.bitrateKbps} kbps`]);
    if (v.keyframeIntervalS !== undefined) rows.push(['Keyframe interval', `${v.keyframeIntervalS} s`]);
    rows.push(['Packet loss', `${v.packetLossPct}% · ${v.nacks} NACKs`]);
  }
  if (health.audio) rows.push(['Audio', `${health.audio.codec} · ${health.audio.bitrateKbps} kbps`]);
  return (
    <>
      <dl className="figures">
        {rows.map(([k, val]) => (
          <div key={k} data-testid={`health-${k.toLowerCase().replace(/\s+/g, '-')}`}>
            <dt>{k}</dt>
            <dd>{val}</dd>
          </div>
        ))}
      </dl>
      {health.warnings.length > 0 ? (
        <ul className="warnings" data-testid="health-warnings">
          {health.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : (
        <p className="ok">Your stream looks healthy.</p>
      )}
    </>
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
          ? (await studioFetch<{ token: string }>('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS: 3600 }).catch(() => null))?.token
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

function ConnectObs({ apiBase, newKey, keys }: { apiBase: string; newKey: MintedKey | null; keys: StreamKey[] }) {
  return (
    <section className="card" data-testid="connect-obs">
      <h2 className="card-title">Connect OBS</h2>
      <ol className="steps">
        <li>
          In OBS: <b>Settings → Stream</b>, Service <b>WHIP</b>.
        </li>
        <li>
          <CopyField label="Server" value={apiBase ? whipUrl(apiBase) : ''} testId="whip-url" />
        </li>
        <li>
          {newKey ? (
            <>
              <CopyField label="Bearer Token (your stream key: shown only now, copy it)" value={newKey.key} secret testId="stream-key" />
            </>
          ) : (
            <p className="hint">
              Bearer Token: your stream key. onair stores keys only hashed, so it can&apos;t show {keys.length > 0 ? `“${keys[0].hint}…”` : 'it'} again: make a new key below if you don&apos;t have it.
            </p>
          )}
        </li>
        <li>
          <b>Settings → Output</b> (Advanced): encoder x264 or your GPU&apos;s H.264/AV1, rate control CBR, bitrate 2500–6000 kbps, <b>keyframe interval 2 s</b> (1–2 s: new viewers start at a keyframe), profile main or high, <b>no B-frames</b> (bframes=0; WebRTC players can&apos;t reorder them), preset veryfast or quality.
        </li>
        <li>
          <b>Start Streaming</b>. The Live panel above turns live when onair receives your stream.
        </li>
      </ol>
    </section>
  );
}

function KeysPanel({ channel, keys, onMinted, onChange }: { channel: StudioChannel; keys: StreamKey[]; onMinted: (k: MintedKey) => void; onChange: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [endLive, setEndLive] = useState(false);
  const run = async (what: () => Promise<void>) => {
    setError(null);
    try {
      await what();
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  async function mint(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const label = String(new FormData(e.currentTarget).get('label') ?? '');
    await run(async () => onMinted(await studioFetch<MintedKey>('POST', `/studio/channels/${channel.id}/keys`, { label })));
  }
  return (
    <section className="card">
      <h2 className="card-title">Stream keys</h2>
      <table className="table">
        <thead>
          <tr>
            <th>Label</th>
            <th>Key</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.id}>
              <td>{k.label}</td>
              <td className="mono">{k.hint}…</td>
              <td>{new Date(k.createdAt).toLocaleString()}</td>
              <td>{k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}</td>
              <td className="actions">
                <button
                  className="button button-ghost button-small"
                  onClick={() => run(async () => onMinted((await studioFetch<{ streamKey: MintedKey }>('POST', `/studio/channels/${channel.id}/keys/${k.id}/rotate`, { endBroadcast: endLive })).streamKey))}
                >
                  Rotate
                </button>
                <button className="button button-ghost button-small" onClick={() => run(() => studioFetch('DELETE', `/studio/channels/${channel.id}/keys/${k.id}?endBroadcast=${endLive}`))}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <label className="check">
        <input type="checkbox" checked={endLive} onChange={(e) => setEndLive(e.target.checked)} /> Rotating or revoking a key also ends a live broadcast that uses it
      </label>
      <form className="form-inline" onSubmit={mint}>
        <label className="field grow">
          <span>New key label</span>
          <input name="label" maxLength={60} placeholder="e.g. Laptop, Backup encoder" />
        </label>
        <button className="button button-ghost" type="submit">
          New key
        </button>
      </form>
      <FormError text={error} />
    </section>
  );
}

function ShareLinks({ channel }: { channel: StudioChannel }) {
  const [link, setLink] = useState<{ url: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function make(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      const expiresInS = Number(new FormData(e.currentTarget).get('expires'));
      const res = await studioFetch<{ path: string; expiresAt: string }>('POST', `/studio/channels/${channel.id}/share-links`, { expiresInS });
      setLink({ url: `${window.location.origin}${res.path}`, expiresAt: res.expiresAt });
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <section className="card">
      <h2 className="card-title">Share links</h2>
      <p className="hint">
        This channel is private: viewers need a link with a signed token. Links stop working when they expire, when you revoke them, or when
        the channel&apos;s visibility changes.
      </p>
      <form className="form-inline" onSubmit={make}>
        <label className="field">
          <span>Valid for</span>
          <select name="expires" defaultValue="86400">
            <option value="3600">1 hour</option>
            <option value="86400">1 day</option>
            <option value="604800">7 days</option>
            <option value="2592000">30 days</option>
          </select>
        </label>
        <button className="button button-ghost" type="submit" data-testid="make-share-link">
          Make link
        </button>
      </form>
      {link && <CopyField label={`Link (expires ${new Date(link.expiresAt).toLocaleString()})`} value={link.url} testId="share-link" />}
      <button
        type="button"
        className="button button-ghost button-small"
        onClick={async () => {
          if (!window.confirm('Revoke every share link of this channel? People watching now keep watching; the links stop opening.')) return;
          try {
            await studioFetch('POST', `/studio/channels/${channel.id}/share-links/revoke`);
            setLink(null);
            setError(null);
          } catch (err) {
            setError(errorText(err));
          }
        }}
      >
        Revoke all links
      </button>
      <FormError text={error} />
    </section>
  );
}

function SettingsPanel({ channel, onSaved }: { channel: StudioChannel; onSaved: (c: StudioChannel) => void }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const changes: Record<string, string> = {};
    for (const name of ['title', 'slug', 'description', 'visibility'] as const) {
      const value = String(f.get(name) ?? '');
      if (value !== channel[name]) changes[name] = value;
    }
    if (Object.keys(changes).length === 0) return setMessage({ error: false, text: 'Nothing changed.' });
    try {
      onSaved(await studioFetch<StudioChannel>('PATCH', `/studio/channels/${channel.id}`, changes));
      setMessage({ error: false, text: 'Saved.' });
    } catch (err) {
      setMessage({ error: true, text: errorText(err) });
    }
  }
  async function remove() {
    if (!window.confirm(`Delete “${channel.title}”? Its keys and history go with it.`)) return;
    try {
      await studioFetch('DELETE', `/studio/channels/${channel.id}`);
      router.replace('/studio');
    } catch (err) {
      setMessage({ error: true, text: errorText(err) });
    }
  }
  return (
    <section className="card">
      <h2 className="card-title">Settings</h2>
      <form className="form" onSubmit={save} key={`${channel.slug}-${channel.title}-${channel.visibility}`}>
        <label className="field">
          <span>Title</span>
          <input name="title" defaultValue={channel.title} required maxLength={100} />
        </label>
        <label className="field">
          <span>Address (slug)</span>
          <input name="slug" defaultValue={channel.slug} required maxLength={63} pattern="[a-z0-9][a-z0-9-]*" />
          <small className="hint">Lower-case letters, digits and dashes: /watch/{channel.slug}</small>
        </label>
        <label className="field">
          <span>Description</span>
          <textarea name="description" defaultValue={channel.description} maxLength={2000} rows={3} />
        </label>
        <label className="field">
          <span>Who can watch</span>
          <select name="visibility" defaultValue={channel.visibility}>
            <option value="public">Public: listed on the home page</option>
            <option value="unlisted">Unlisted: anyone with the link</option>
            <option value="private">Private: share links only</option>
          </select>
        </label>
        {message && (message.error ? <FormError text={message.text} /> : <p className="ok">{message.text}</p>)}
        <div className="form-actions">
          <button className="button" type="submit">
            Save
          </button>
          <button className="button button-danger" type="button" onClick={remove}>
            Delete channel
          </button>
        </div>
      </form>
    </section>
  );
}

function duration(b: PastBroadcast): string {
  const ms = (b.endedAt ? new Date(b.endedAt).getTime() : Date.now()) - new Date(b.startedAt).getTime();
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function History({ broadcasts }: { broadcasts: PastBroadcast[] }) {
  return (
    <section className="card">
      <h2 className="card-title">Past broadcasts</h2>
      {broadcasts.length === 0 ? (
        <p className="hint">Nothing yet.</p>
      ) : (
        <table className="table" data-testid="past-broadcasts">
          <thead>
            <tr>
              <th>Started</th>
              <th>Ended</th>
              <th>Duration</th>
              <th>Peak viewers</th>
              <th>Media</th>
            </tr>
          </thead>
          <tbody>
            {broadcasts.map((b) => (
              <tr key={b.id}>
                <td>{new Date(b.startedAt).toLocaleString()}</td>
                <td>{b.endedAt ? new Date(b.endedAt).toLocaleString() : <span className="badge badge-live">LIVE</span>}</td>
                <td>{duration(b)}</td>
                <td>{b.peakViewers}</td>
                <td>{[b.videoCodec, b.audioCodec].filter(Boolean).join(' + ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
