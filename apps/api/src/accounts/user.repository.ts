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
   * Creates an account: the installation's first one is its admin. 'taken' when the email
   * is; 'closed' when `onlyFirst` and accounts exist. The advisory lock makes two
   * simultaneous first sign-ups agree on who came first.
   */
  async create(input: { email: string; displayName: string; passwordHash: string }, onlyFirst = false): Promise<User | 'taken' | 'closed'> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${FIRST_ACCOUNT_LOCK})`;
        const first = (await tx.user.count()) === 0;
        if (!first && onlyFirst) return 'closed' as const;
        const row = await tx.user.create({ data: { ...input, role: first ? 'ADMIN' : 'STREAMER' } });
        return toUser(row);
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return 'taken';
      throw err;
    }
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

  /** New password hash; every session of the user but `keepTokenHash` ends. */
  async setPassword(userId: string, passwordHash: string, keepTokenHash?: string): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id: userId }, data: { passwordHash } }),
      this.prisma.userSession.deleteMany({ where: { userId, ...(keepTokenHash ? { tokenHash: { not: keepTokenHash } } : {}) } }),
    ]);
  }

  async createSession(input: { userId: string; tokenHash: string; expiresAt: Date; userAgent?: string }): Promise<void> {
    await this.prisma.userSession.create({ data: { ...input, userAgent: input.userAgent?.slice(0, 300) } });
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
