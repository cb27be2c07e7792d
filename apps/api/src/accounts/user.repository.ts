import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { Prisma, UserRole } from '../generated/prisma/client';
import { Role, User } from './user';

type UserRow = { id: string; email: string; displayName: string; role: UserRole; createdAt: Date };
const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  displayName: row.displayName,
  role: row.role.toLowerCase() as Role,
  createdAt: row.createdAt,
});

/** Any fixed number: serialises account creation so exactly one first account is admin. */
const FIRST_ACCOUNT_LOCK = 0x6f6e6169;

@Injectable()
export class UserRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Creates an account: the installation's first one is its admin, and only with the setup
   * token (`setupTokenHash`), which it uses up. 'taken' when the email is; 'closed' when
   * `onlyFirst` and accounts exist; 'setup-required' / 'setup-invalid' for a first account
   * without the setup token / with another one. The advisory lock makes two simultaneous
   * first sign-ups agree on who came first (and the token serve once).
   */
  async create(
    input: { email: string; displayName: string; passwordHash: string },
    opts: { onlyFirst?: boolean; setupTokenHash?: string } = {},
  ): Promise<User | 'taken' | 'closed' | 'setup-required' | 'setup-invalid'> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
        const first = (await tx.user.count()) === 0;
        if (!first && opts.onlyFirst) return 'closed' as const;
        if (first) {
          if (!opts.setupTokenHash) return 'setup-required' as const;
          if ((await tx.setupToken.deleteMany({ where: { tokenHash: opts.setupTokenHash } })).count !== 1) return 'setup-invalid' as const;
          await tx.setupToken.deleteMany();
        }
        const row = await tx.user.create({ data: { ...input, role: first ? 'ADMIN' : 'STREAMER' } });
        return toUser(row);
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return 'taken';
      throw err;
    }
  }

  /**
   * Stores a new setup token hash in place of any earlier one, while the installation has no
   * account; false (nothing stored) once it has one.
   */
  async replaceSetupToken(tokenHash: string): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
      if ((await tx.user.count()) > 0) return false;
      await tx.setupToken.deleteMany();
      await tx.setupToken.create({ data: { tokenHash } });
      return true;
    });
  }

  async findByEmail(email: string): Promise<(User & { passwordHash: string }) | null> {
    const row = await this.prisma.user.findUnique({ where: { email } });
    return row && { ...toUser(row), passwordHash: row.passwordHash };
  }

  async list(): Promise<(User & { channels: number })[]> {
    const rows = await this.prisma.user.findMany({ orderBy: { createdAt: 'asc' }, include: { _count: { select: { channels: true } } } });
    return rows.map((r) => ({ ...toUser(r), channels: r._count.channels }));
  }

  async findById(id: string): Promise<(User & { passwordHash: string }) | null> {
    const row = await this.prisma.user.findUnique({ where: { id } });
    return row && { ...toUser(row), passwordHash: row.passwordHash };
  }

  /** New password hash; every session of the user but `keepTokenHash` ends (their token hashes are returned). */
  async setPassword(userId: string, passwordHash: string, keepTokenHash?: string): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      await tx.user.update({ where: { id: userId }, data: { passwordHash } });
      const ended = await tx.userSession.findMany({ where: { userId, ...(keepTokenHash ? { tokenHash: { not: keepTokenHash } } : {}) }, select: { tokenHash: true } });
      await tx.userSession.deleteMany({ where: { tokenHash: { in: ended.map((e) => e.tokenHash) } } });
      return ended.map((e) => e.tokenHash);
    });
  }

  /**
   * A new session; the user's oldest sessions go so that at most `max` remain. Returns the
   * token hashes of the sessions that went.
   */
  async createSession(input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string }, max: number): Promise<string[]> {
    return this.prisma.$transaction(async (tx) => {
      await tx.userSession.create({ data: { ...input, userAgent: input.userAgent?.slice(0, 300) } });
      const older = await tx.userSession.findMany({
        where: { userId: input.userId, tokenHash: { not: input.tokenHash } },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        skip: max - 1,
        select: { tokenHash: true },
      });
      if (older.length > 0) await tx.userSession.deleteMany({ where: { tokenHash: { in: older.map((o) => o.tokenHash) } } });
      return older.map((o) => o.tokenHash);
    });
  }

  /** The user behind an unexpired session token hash. */
  async findBySession(tokenHash: string, now: Date): Promise<User | null> {
    const row = await this.prisma.userSession.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!row || row.expiresAt <= now) return null;
    return toUser(row.user);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.prisma.userSession.deleteMany({ where: { tokenHash } });
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    return (await this.prisma.userSession.deleteMany({ where: { expiresAt: { lte: now } } })).count;
  }
}
