import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { AuthService, mintSetupToken, sessionTokenHash } from './auth.service';
import { SessionStreams } from './session-streams';
import { User } from './user';
import { UserRepository } from './user.repository';

/** Our own repository, in memory (the real one is covered against Postgres in studio.e2e-spec). */
class MemoryUsers {
  readonly users: (User & { passwordHash: string })[] = [];
  /** token hash → user id, oldest first */
  readonly sessions = new Map<string, string>();
  setupTokenHash?: string;
  async create(input: { email: string; displayName: string; passwordHash: string }, opts: { onlyFirst?: boolean; setupTokenHash?: string } = {}) {
    if (this.users.some((u) => u.email === input.email)) return 'taken' as const;
    const first = this.users.length === 0;
    if (opts.onlyFirst && !first) return 'closed' as const;
    if (first) {
      if (!opts.setupTokenHash) return 'setup-required' as const;
      if (opts.setupTokenHash !== this.setupTokenHash) return 'setup-invalid' as const;
      this.setupTokenHash = undefined;
    }
    const user = { ...input, id: `u${this.users.length + 1}`, role: first ? ('admin' as const) : ('streamer' as const), createdAt: new Date() };
    this.users.push(user);
    const { passwordHash: _, ...out } = user;
    return out;
  }
  async replaceSetupToken(tokenHash: string) {
    if (this.users.length > 0) return false;
    this.setupTokenHash = tokenHash;
    return true;
  }
  async findByEmail(email: string) {
    return this.users.find((u) => u.email === email) ?? null;
  }
  async findById(id: string) {
    return this.users.find((u) => u.id === id) ?? null;
  }
  async setPassword(userId: string, passwordHash: string, keep?: string) {
    this.users.find((u) => u.id === userId)!.passwordHash = passwordHash;
    const ended = [...this.sessions].filter(([hash, uid]) => uid === userId && hash !== keep).map(([hash]) => hash);
    for (const hash of ended) this.sessions.delete(hash);
    return ended;
  }
  async createSession(input: { userId: string; tokenHash: string }, max: number) {
    this.sessions.set(input.tokenHash, input.userId);
    const mine = [...this.sessions].filter(([, uid]) => uid === input.userId).map(([hash]) => hash);
    const evicted = mine.slice(0, Math.max(0, mine.length - max));
    for (const hash of evicted) this.sessions.delete(hash);
    return evicted;
  }
  async findBySession(tokenHash: string) {
    const id = this.sessions.get(tokenHash);
    const found = this.users.find((u) => u.id === id);
    if (!found) return null;
    const { passwordHash: _, ...user } = found;
    return user;
  }
  async deleteSession(tokenHash: string) {
    this.sessions.delete(tokenHash);
  }
  async deleteExpiredSessions() {
    return 0;
  }
}

const config = (env: Record<string, string> = {}) => loadConfig({ DATABASE_URL: 'postgresql://x@localhost/x', ONAIR_AUTH_FAILURES_PER_MIN: '3', ...env });
const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: DomainError) => e.code);
const PASSWORD = 'a long enough password';

const HOME = { address: '198.51.100.7' };
const ATTACKER = { address: '203.0.113.66' };

/** An AuthService over the memory store, with its first (admin) account made through a setup token. */
async function setup(env: Record<string, string> = {}) {
  const users = new MemoryUsers();
  const streams = new SessionStreams();
  const auth = new AuthService(users as unknown as UserRepository, config(env), streams);
  const token = (await mintSetupToken(users as unknown as UserRepository))!;
  const { user: admin } = await auth.signUp({ email: 'admin@onair.test', password: PASSWORD, setupToken: token }, HOME);
  return { users, streams, auth, admin };
}

describe('AuthService', () => {
  // The clock stands still (scrypt takes a while on a busy machine: allowances must not refill
  // mid-test); everything else runs for real.
  beforeEach(() => {
    jest.useFakeTimers({
      now: new Date('2026-11-25T10:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'hrtime', 'performance'],
    });
  });
  afterEach(() => jest.useRealTimers());

  it('the first account needs the one-time setup token; it serves once and is gone once an admin exists', async () => {
    const users = new MemoryUsers();
    const auth = new AuthService(users as unknown as UserRepository, config(), new SessionStreams());
    const token = (await mintSetupToken(users as unknown as UserRepository))!;
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(users.setupTokenHash).not.toContain(token); // stored hashed
    const without = await auth.signUp({ email: 'eve@onair.test', password: PASSWORD }, ATTACKER).catch((e: DomainError) => e);
    expect(without).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/no account yet.*setup link.*npm run up.*setup-link/) });
    const wrong = await auth.signUp({ email: 'eve@onair.test', password: PASSWORD, setupToken: 'guessed' }, ATTACKER).catch((e: DomainError) => e);
    expect(wrong).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/setup link is not valid/) });
    const { user } = await auth.signUp({ email: 'owner@onair.test', password: PASSWORD, setupToken: token }, HOME);
    expect(user.role).toBe('admin');
    expect(users.setupTokenHash).toBeUndefined();
    expect(await mintSetupToken(users as unknown as UserRepository)).toBeNull();
    // Later sign-ups are streamers and need no token (a stale one is ignored).
    expect((await auth.signUp({ email: 'bob@onair.test', password: PASSWORD, setupToken: token }, HOME)).user.role).toBe('streamer');
  });

  it('with ONAIR_SIGNUP=closed only the first (admin) account signs up; the admin makes the others', async () => {
    const { auth, admin } = await setup({ ONAIR_SIGNUP: 'closed' });
    expect(admin.role).toBe('admin');
    const refused = await auth.signUp({ email: 'eve@onair.test', password: PASSWORD }, HOME).catch((e: DomainError) => e);
    expect(refused).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/sign-up is closed.*ask its admin/) });
    const made = await auth.createUser(admin, { email: 'bob@onair.test', password: PASSWORD });
    expect(made.role).toBe('streamer');
    expect(await code(auth.createUser(made, { email: 'carol@onair.test', password: PASSWORD }))).toBe('forbidden');
    expect(await code(auth.signIn({ email: 'bob@onair.test', password: PASSWORD }, HOME))).toBe('ok');
  });

  it('an attacker guessing from one address is throttled; the owner signs in from another at once', async () => {
    const { auth } = await setup();
    await auth.signUp({ email: 'alice@onair.test', password: PASSWORD }, HOME);
    const guesses: string[] = [];
    for (let i = 0; i < 50; i++) guesses.push(await code(auth.signIn({ email: 'alice@onair.test', password: `guess ${i}` }, ATTACKER)));
    expect(guesses.slice(0, 3)).toEqual(['sign-in-required', 'sign-in-required', 'sign-in-required']);
    expect(new Set(guesses.slice(3))).toEqual(new Set(['rate-limited']));
    // Past the allowance the attacker's address waits even with the right password...
    expect(await code(auth.signIn({ email: 'alice@onair.test', password: PASSWORD }, ATTACKER))).toBe('rate-limited');
    // ...while the owner, from their own address, gets in, and can change the password.
    const { user: alice, token } = await auth.signIn({ email: 'alice@onair.test', password: PASSWORD }, HOME);
    expect(await code(auth.changePassword(alice, token, { currentPassword: PASSWORD, newPassword: 'a new long password' }, HOME))).toBe('ok');
  });

  it('one address guessing many accounts runs out too (five times the per-account allowance)', async () => {
    const { auth } = await setup();
    const results: string[] = [];
    for (let i = 0; i < 20; i++) results.push(await code(auth.signIn({ email: `user${i}@onair.test`, password: 'wrong wrong' }, ATTACKER)));
    expect(results.slice(0, 15).every((r) => r === 'sign-in-required')).toBe(true);
    expect(results.slice(15)).toEqual(Array(5).fill('rate-limited'));
    expect(await code(auth.signIn({ email: 'admin@onair.test', password: PASSWORD }, HOME))).toBe('ok');
  });

  it('wrong current passwords on a password change count per account and address', async () => {
    const { auth, admin } = await setup();
    const change = (from: { address: string }) => code(auth.changePassword(admin, undefined, { currentPassword: 'not it', newPassword: 'a new long password' }, from));
    expect([await change(ATTACKER), await change(ATTACKER), await change(ATTACKER), await change(ATTACKER)]).toEqual(['forbidden', 'forbidden', 'forbidden', 'rate-limited']);
    expect(await change(HOME)).toBe('forbidden');
  });

  it('an unknown email and a wrong password read the same', async () => {
    const { auth } = await setup();
    const a = await auth.signIn({ email: 'admin@onair.test', password: 'wrong wrong wrong' }, HOME).catch((e: Error) => e.message);
    const b = await auth.signIn({ email: 'nobody@onair.test', password: 'wrong wrong wrong' }, HOME).catch((e: Error) => e.message);
    expect(a).toBe(b);
  });

  it('sign-out, a password change and the oldest session going past the quota close the streams those sessions opened', async () => {
    const { auth, admin, streams } = await setup({ ONAIR_MAX_SESSIONS_PER_ACCOUNT: '3' });
    const closed: string[] = [];
    const sessions: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { token } = await auth.signIn({ email: 'admin@onair.test', password: PASSWORD }, HOME);
      sessions.push(token);
      streams.hold(sessionTokenHash(token), () => closed.push(`s${i}`));
    }
    // The sign-up's session was the oldest: the third sign-in pushed it out.
    expect(await auth.userFor(sessions[0])).not.toBeNull();
    await auth.signIn({ email: 'admin@onair.test', password: PASSWORD }, HOME);
    expect(closed).toEqual(['s0']);
    expect(await auth.userFor(sessions[0])).toBeNull();
    await auth.signOut(sessions[1]);
    expect(closed).toEqual(['s0', 's1']);
    streams.hold(sessionTokenHash(sessions[2]), () => closed.push('s2 again'));
    await auth.changePassword(admin, sessions[2], { currentPassword: PASSWORD, newPassword: 'a new long password' }, HOME);
    expect(closed).toEqual(['s0', 's1']); // the session that changed it keeps its streams
    const other = (await auth.signIn({ email: 'admin@onair.test', password: 'a new long password' }, HOME)).token;
    streams.hold(sessionTokenHash(other), () => closed.push('other'));
    await auth.changePassword(admin, sessions[2], { currentPassword: 'a new long password', newPassword: 'a third long password' }, HOME);
    expect(closed).toEqual(['s0', 's1', 'other']);
    expect(streams.size).toBe(2);
  });

  it('a stream registered after its session ended (a sign-out between the guard and the hold) is closed at once', async () => {
    const { auth, streams } = await setup();
    const { token } = await auth.signIn({ email: 'admin@onair.test', password: PASSWORD }, HOME);
    let closed = 0;
    const release = await auth.holdStream(token, () => (closed += 1));
    expect([closed, streams.size]).toEqual([0, 1]);
    release();
    await auth.signOut(token); // the guard had already let the request through
    await auth.holdStream(token, () => (closed += 1));
    expect([closed, streams.size]).toEqual([1, 0]);
  });

  it('a stream whose session lookup fails (the database down) is not left registered', async () => {
    const { auth, streams, users } = await setup();
    const { token } = await auth.signIn({ email: 'admin@onair.test', password: PASSWORD }, HOME);
    users.findBySession = () => Promise.reject(new Error('database unreachable'));
    await expect(auth.holdStream(token, () => undefined)).rejects.toThrow('database unreachable');
    expect(streams.size).toBe(0);
  });
});
