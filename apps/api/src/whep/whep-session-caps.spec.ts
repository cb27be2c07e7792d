import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { LiveRegistry, LiveViewer } from '../live/live-registry';
import { WhepSessionCaps } from './whep-session-caps';

const base = { DATABASE_URL: 'postgresql://onair@127.0.0.1:5433/onair' };

describe('WhepSessionCaps', () => {
  const live = new LiveRegistry();
  const caps = new WhepSessionCaps(loadConfig({ ...base, ONAIR_WHEP_SESSIONS_PER_CLIENT: '2', ONAIR_WHEP_SESSIONS_MAX: '3' }), live);
  afterAll(() => caps.onModuleDestroy());
  let n = 0;
  const join = (client: string) =>
    caps.admit(client, async () => {
      const sessionId = `s${++n}`;
      live.addViewer({ sessionId, channelId: 'c' } as LiveViewer);
      return { sessionId };
    });

  it('answers 429 at the per-address cap and 503 + Retry-After at the overall one, and frees a slot when a session ends', async () => {
    await join('10.0.0.1');
    await join('10.0.0.1');
    await expect(join('10.0.0.1')).rejects.toMatchObject({ code: 'rate-limited' });
    const third = await join('10.0.0.2');
    const over = await join('10.0.0.3').catch((e: unknown) => e);
    expect(over).toBeInstanceOf(DomainError);
    expect(over).toMatchObject({ code: 'over-capacity', message: expect.stringMatching(/as many WHEP sessions as it is set to \(3\)/) });
    expect((over as DomainError).retryAfterSeconds).toBeGreaterThan(0);
    live.removeViewer(third.sessionId); // it ended: its slot is given back on the next admit at a cap
    await expect(join('10.0.0.3')).resolves.toMatchObject({ sessionId: expect.any(String) });
  });
});
