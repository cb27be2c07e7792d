import type { MintedKey, StreamKey } from '@onair/api-types';
import { whipUrl } from '@/lib/studio';
import { CopyField } from '../CopyButton';

/** OBS's WHIP settings: the server URL, the stream key (once, when just minted) and encoder advice. */
export function ConnectObs({ apiBase, newKey, keys }: { apiBase: string; newKey: MintedKey | null; keys: StreamKey[] }) {
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
