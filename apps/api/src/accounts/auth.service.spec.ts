import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { AuthService } from './auth.service';
import { User } from './user';
import { UserRepository } from './user.repository';

/** Our own repository, in memory (the real one is covered against Postgres in studio.e2e-spec). */
class MemoryUsers {
  readonly users: (User & { passwordHash: string })[] = [];
  readonly sessions = new Map<string, string>();
  async create(input: { email: string; displayName: string; passwordHash: string }, onlyFirst = false) {
    if (this.users.some((u) => u.email === input.email)) return 'taken' as const;
    if (onlyFirst && this.users.length > 0) return 'closed' as const;
    const user = { ...input, id: `u${this.users.length + 1}`, role: this.users.length === 0 ? ('admin' as const) : ('streamer' as const), createdAt: new Date() };
    this.users.push(user);
    const { passwordHash: _, ...out } = user;
    return out;
  }
  async findByEmail(email: string) {
    return this.users.find((u) => u.email === email) ?? null;
  }
  async findById(id: string) {
    return this.users.find((u) => u.id === id) ?? null;
  }
  async setPassword(userId: string, passwordHash: string) {
    this.users.find((u) => u.id === userId)!.passwordHash = passwordHash;
  }
  async createSession(input: { userId: string; tokenHash: string }) {
    this.sessions.set(input.tokenHash, input.userId);
  }
  async deleteExpiredSessions() {
    return 0;
  }
}

const config = (env: Record<string, string> = {}) => loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x', ONAIR_AUTH_FAILURES_PER_MIN: '3', ...env });
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: DomainError) => e.code);
const PASSWORD = 'a long enough password';

describe('AuthService', () => {
  it('with ONAIR_SIGNUP=closed only the first (admin) account signs up; the admin makes the others', async () => {
    const users = new MemoryUsers();
    const auth = new AuthService(users as unknown as UserRepository, config({ ONAIR_SIGNUP: 'closed' }));
    const { user: admin } = await auth.signUp({ email: 'admin@onair.test', password: PASSWORD });
    expect(admin.role).toBe('admin');
    const refused = await auth.signUp({ email: 'eve@onair.test', password: PASSWORD }).catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/sign-up is closed.*ask its admin/) });
    const made = await auth.createUser(admin, { email: 'bob@onair.test', password: PASSWORD });
    expect(made.role).toBe('streamer');
    expect(await code(auth.createUser(made, { email: 'carol@onair.test', password: PASSWORD }))).toBe('forbidden');
    expect(await code(auth.signIn({ email: 'bob@onair.test', password: PASSWORD }))).toBe('ok');
  });

  it('counts wrong passwords per account: past the allowance even the right one waits', async () => {
    const users = new MemoryUsers();
    const auth = new AuthService(users as unknown as UserRepository, config());
    await auth.signUp({ email: 'alice@onair.test', password: PASSWORD });
    await auth.signUp({ email: 'bob@onair.test', password: PASSWORD });
    const wrong = () => code(auth.signIn({ email: 'alice@onair.test', password: 'not it at all' }));
    expect([await wrong(), await wrong(), await wrong()]).toEqual(['sign-in-required', 'sign-in-required', 'sign-in-required']);
    expect(await code(auth.signIn({ email: 'alice@onair.test', password: PASSWORD }))).toBe('rate-limited');
    expect(await code(auth.signIn({ email: 'bob@onair.test', password: PASSWORD }))).toBe('ok');
  });

  it('an unknown email and a wrong password read the same', async () => {
    const users = new MemoryUsers();
    const auth = new AuthService(users as unknown as UserRepository, config());
    await auth.signUp({ email: 'alice@onair.test', password: PASSWORD });
    const a = await auth.signIn({ email: 'alice@onair.test', password: 'wrong wrong wrong' }).catch((e: Error) => e.message);
    const b = await auth.signIn({ email: 'nobody@onair.test', password: 'wrong wrong wrong' }).catch((e: Error) => e.message);
    expect(a).toBe(b);
  });
});
