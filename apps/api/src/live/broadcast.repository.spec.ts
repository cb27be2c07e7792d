import { PrismaService } from '../database/prisma.service';
import { BroadcastRepository } from './broadcast.repository';

/** The error shape Prisma's pg adapter gives while Postgres is stopped (see database-errors.spec). */
const unreachable = () => Object.assign(new Error("Can't reach database server"), { name: 'PrismaClientKnownRequestError', code: 'P1001' });

type Row = { id: string; channelId: string; startedAt: Date; endedAt: Date | null; endReason?: string; peakViewers?: number };

/**
 * A stand-in for the broadcast-table statements the retry path uses, told apart by their SQL;
 * `down` makes them fail like a stopped Postgres. (The statements themselves run against the
 * real schema in the HTTP and e2e tests.)
 */
function fakeDb() {
  const db = {
    down: false,
    rows: new Map<string, Row>(),
    /** UPDATE ... SET ended_at (writeEnd): values are endedAt, endReason, peakViewers, id. */
    endRow: async (endedAt: Date, endReason: string, peakViewers: number, id: string) => {
      const row = db.rows.get(id);
      if (!row || row.endedAt) return 0;
      Object.assign(row, { endedAt, endReason, peakViewers });
      return 1;
    },
    $executeRaw: async (sql: TemplateStringsArray, ...values: unknown[]) => {
      if (db.down) throw unreachable();
      if (!/UPDATE broadcasts SET ended_at/.test(sql.join('?'))) throw new Error(`unexpected statement: ${sql.join('?')}`);
      const [endedAt, endReason, peakViewers, id] = values as [Date, string, number, string];
      return db.endRow(endedAt, endReason, peakViewers, id);
    },
    $queryRaw: async (sql: TemplateStringsArray, ...values: unknown[]) => {
      if (db.down) throw unreachable();
      if (!/INSERT INTO broadcasts/.test(sql.join('?'))) throw new Error(`unexpected statement: ${sql.join('?')}`);
      const [id, channelId, , , startedAt] = values as [string, string, string, string, Date];
      if ([...db.rows.values()].some((r) => r.channelId === channelId && r.endedAt === null)) return [];
      db.rows.set(id, { id, channelId, startedAt, endedAt: null });
      return [{ id }];
    },
    broadcast: {
      findMany: async () => {
        if (db.down) throw unreachable();
        return [...db.rows.values()].filter((r) => r.endedAt === null);
      },
    },
  };
  return db;
}

describe('BroadcastRepository: ends written during a Postgres outage', () => {
  let repo: BroadcastRepository;
  let db: ReturnType<typeof fakeDb>;

  beforeEach(() => {
    db = fakeDb();
    db.rows.set('b1', { id: 'b1', channelId: 'c1', startedAt: new Date(0), endedAt: null });
    repo = new BroadcastRepository(db as unknown as PrismaService);
  });

  afterEach(() => repo.onApplicationShutdown());

  it('keeps an end it could not write, reports the broadcast as not open, and writes it with its real time later', async () => {
    db.down = true;
    const before = Date.now();
    await expect(repo.end('b1', 'publisher-left', 7)).resolves.toBeUndefined();
    db.down = false;
    expect(await repo.findOpen(['c1'])).toEqual([]);
    expect(db.rows.get('b1')!.endedAt).toBeNull();
    for (let i = 0; i < 40 && db.rows.get('b1')!.endedAt === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(db.rows.get('b1')).toMatchObject({ endReason: 'PUBLISHER_LEFT', peakViewers: 7 });
    expect(db.rows.get('b1')!.endedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(db.rows.get('b1')!.endedAt!.getTime()).toBeLessThan(before + 1000);
  });

  it('writes a pending end before opening the next broadcast on the channel', async () => {
    db.down = true;
    await repo.end('b1', 'media-timeout', 0);
    db.down = false;
    // Straight away, before the retry timer: the one-open-per-channel rule must not refuse it.
    const startedAt = new Date();
    const opened = await repo.open({ id: 'b2', startedAt, channelId: 'c1', streamKeyId: 'k', mediaNode: 'n' });
    expect(opened).toEqual({ id: 'b2', channelId: 'c1', startedAt });
    // And the rule still holds: a second open on the channel is refused.
    expect(await repo.open({ id: 'b3', startedAt, channelId: 'c1', streamKeyId: 'k', mediaNode: 'n' })).toBeNull();
    expect(db.rows.get('b1')!.endReason).toBe('MEDIA_TIMEOUT');
  });

  it('lets other errors through', async () => {
    db.endRow = async () => {
      throw new TypeError('a bug');
    };
    await expect(repo.end('b1', 'publisher-left', 0)).rejects.toThrow('a bug');
  });
});
