import type { PastBroadcast } from '@onair/api-types';
import { TableHead } from '../TableHead';

function duration(b: PastBroadcast): string {
  const ms = (b.endedAt ? new Date(b.endedAt).getTime() : Date.now()) - new Date(b.startedAt).getTime();
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

/** The channel's past broadcasts (and the one live now), newest first. */
export function BroadcastHistory({ broadcasts }: { broadcasts: PastBroadcast[] }) {
  return (
    <section className="card">
      <h2 className="card-title">Past broadcasts</h2>
      {broadcasts.length === 0 ? (
        <p className="hint">Nothing yet.</p>
      ) : (
        <table className="table" data-testid="past-broadcasts">
          <TableHead columns={['Started', 'Ended', 'Duration', 'Peak viewers', 'Media']} />
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
