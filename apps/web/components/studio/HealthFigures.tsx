import type { StreamHealth } from '@onair/api-types';

/** The stream's figures (what the media server and onair's probe see) and plain-language warnings. */
export function HealthFigures({ health }: { health: StreamHealth }) {
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
