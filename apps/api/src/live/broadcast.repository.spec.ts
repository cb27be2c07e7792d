import { PrismaService } from '../database/prisma.service';
import { BroadcastRepository } from './broadcast.repository';

/** The error shape Prisma's pg adapter gives while Postgres is stopped (see database-errors.spec). */
const unreachable = () => Object.assign(new Error("Can't reach database server"), { name: 'PrismaClientKnownRequestError', code: 'P1001' });

/** A stand-in for the two broadcast-table calls the retry path uses; `down` makes them fail like a stopped Postgres. */
function fakeDb() {
  const db = {
    down: false,
    rows: new Map<string, { id: string; channelId: string; startedAt: Date; endedAt: Date | null; endReason?: string; peakViewers?: number }>(),
    broadcast: {
      updateMany: async ({ where, data }: { where: { id: string; endedAt: null }; data: { endedAt: Date; endReason: string; peakViewers: number } }) => {
        if (db.down) throw unreachable();
        const row = db.rows.get(where.id);
        if (!row || row.endedAt) return { count: 0 };
        Object.assign(row, data);
        return { count: 1 };
      },
      findMany: async () => {
        if (db.down) throw unreachable();
        return [...db.rows.values()].filter((r) => r.endedAt === null);
      },
      create: async ({ data }: { data: { id: string; startedAt: Date; channelId: string } }) => {
        if (db.down) throw unreachable();
        if ([...db.rows.values()].some((r) => r.channelId === data.channelId && r.endedAt === null)) {
          throw Object.assign(new Error('unique'), { name: 'PrismaClientKnownRequestError', code: 'P2002' });
        }
        const row = { id: data.id, channelId: data.channelId, startedAt: data.startedAt, endedAt: null };
        db.rows.set(row.id, row);
        return row;
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
    expect(db.rows.get('b1')!.endReason).toBe('MEDIA_TIMEOUT');
  });

  it('lets other errors through', async () => {
    db.broadcast.updateMany = async () => {
      throw new TypeError('a bug');
    };
    await expect(repo.end('b1', 'publisher-left', 0)).rejects.toThrow('a bug');
  });
});
