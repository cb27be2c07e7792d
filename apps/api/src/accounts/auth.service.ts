import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { RateLimiter } from '../limits/rate-limiter';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error';
import { hashPassword, verifyPassword } from './password';
import { SessionStreams } from './session-streams';
import { User } from './user';
import { UserRepository } from './user.repository';

/** How long a studio sign-in lasts. */
export const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

const email = z
  .string({ error: 'email is required' })
  .trim()
  .toLowerCase()
  .max(254, 'email is too long (254 characters at most)')
  .regex(/^[^\s@]+@[^\s@]+$/, 'email must look like name@example.org');
const password = z
  .string({ error: 'password is required' })
  .min(10, 'password must be at least 10 characters')
  .max(256, 'password must be at most 256 characters');

export const SignUpInput = z.object({
  email,
  password,
  displayName: z.string().trim().min(1, 'displayName must not be empty').max(80, 'displayName is too long (80 characters at most)').optional(),
  /** The one-time token of the setup link (`/signup?setup=…`), for the first account. */
  setupToken: z.string().trim().max(200, 'setupToken is too long').optional(),
});
export const SignInInput = z.object({ email, password: z.string({ error: 'password is required' }).max(256) });
export const ChangePasswordInput = z.object({
  currentPassword: z.string({ error: 'currentPassword is required' }).max(256),
  newPassword: password,
});

/** Emails have no spaces (see `email` above): the key can't be forged from another pair. */
const accountAtAddress = (email: string, address: string) => `${email} ${address}`;

export const sessionTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const setupTokenHash = sessionTokenHash;

/** How an operator gets a new setup link (README: first run). */
export const SETUP_LINK_COMMAND = 'node apps/api/dist/cli/main.js setup-link';

/**
 * A new one-time setup token (replacing any earlier one) while the installation has no
 * account; null once it has one. Only its hash is stored: it can't be shown again.
 */
export async function mintSetupToken(users: Pick<UserRepository, 'replaceSetupToken'>): Promise<string | null> {
  const token = randomBytes(24).toString('base64url');
  return (await users.replaceSetupToken(setupTokenHash(token))) ? token : null;
}

/** Who is asking: the client address the HTTP layer saw (req.ip) and its user agent. */
export interface Client {
  address: string;
  userAgent?: string;
}

/** One address may get this many times the per-account allowance wrong, over all accounts. */
const ADDRESS_FAILURES_FACTOR = 5;

/** A scrypt hash of nothing in particular: unknown emails cost as much as wrong passwords. */
const DUMMY_HASH = hashPassword('onair timing equaliser');

@Injectable()
export class AuthService {
  /**
   * Wrong passwords per account (lower-cased email) and client address. Counting per account
   * alone let anyone lock the owner out with ten wrong guesses: now the guesses cost the
   * guesser's address, and the owner signing in from their own address is not slowed.
   */
  private readonly failures: RateLimiter;
  /** Wrong passwords per client address over all accounts: one address trying many accounts. */
  private readonly addressFailures: RateLimiter;

  constructor(
    private readonly users: UserRepository,
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
    private readonly streams: SessionStreams,
  ) {
    const perMin = config.rateLimit.authFailuresPerMinute;
    this.failures = new RateLimiter(perMin, perMin / 60);
    this.addressFailures = new RateLimiter(perMin * ADDRESS_FAILURES_FACTOR, (perMin * ADDRESS_FAILURES_FACTOR) / 60);
  }

  /**
   * A new account. The installation's first account (its admin) needs the one-time setup
   * token that `npm run up` prints as a setup link: on a freshly exposed install a stranger
   * could otherwise claim the admin account.
   */
  async signUp(input: z.infer<typeof SignUpInput>, client: Client): Promise<{ user: User; token: string }> {
    const setupToken = input.setupToken || undefined;
    const user = await this.users.create(
      { email: input.email, displayName: input.displayName ?? input.email.split('@')[0], passwordHash: await hashPassword(input.password) },
      { onlyFirst: this.config.signup === 'closed', setupTokenHash: setupToken ? setupTokenHash(setupToken) : undefined },
    );
    switch (user) {
      case 'taken':
        throw new DomainError('conflict', `an account for ${input.email} already exists: sign in instead`);
      case 'closed':
        throw new DomainError('forbidden', 'sign-up is closed on this onair (ONAIR_SIGNUP=closed): ask its admin for an account');
      case 'setup-required':
        throw new DomainError('forbidden', `this onair has no account yet: the first one (its admin) needs the one-time setup link that \`npm run up\` printed (or print a new one: ${SETUP_LINK_COMMAND})`);
      case 'setup-invalid':
        throw new DomainError('forbidden', `this setup link is not valid (it was used, or a newer one replaced it): use the link \`npm run up\` printed last, or print a new one: ${SETUP_LINK_COMMAND}`);
      default:
        return { user, token: await this.openSession(user, client.userAgent) };
    }
  }

  async signIn(input: z.infer<typeof SignInInput>, client: Client): Promise<{ user: User; token: string }> {
    this.checkFailures(input.email, client.address);
    const found = await this.users.findByEmail(input.email);
    const ok = await verifyPassword(input.password, found?.passwordHash ?? (await DUMMY_HASH));
    if (!found || !ok) {
      this.countFailure(input.email, client.address);
      throw new DomainError('sign-in-required', 'wrong email or password');
    }
    const { passwordHash: _, ...user } = found;
    return { user, token: await this.openSession(user, client.userAgent) };
  }

  /** Ends the session, and the event streams opened with it. */
  async signOut(token: string | undefined): Promise<void> {
    if (!token) return;
    const hash = sessionTokenHash(token);
    await this.users.deleteSession(hash);
    this.streams.endSessions([hash]);
  }

  /**
   * Changes the signed-in user's password (the current one is required) and signs out every
   * other browser of theirs. Wrong current passwords count like wrong sign-ins (per account
   * and address).
   */
  async changePassword(user: User, sessionToken: string | undefined, input: z.infer<typeof ChangePasswordInput>, client: Client): Promise<void> {
    this.checkFailures(user.email, client.address);
    const found = await this.users.findById(user.id);
    if (!found || !(await verifyPassword(input.currentPassword, found.passwordHash))) {
      this.countFailure(user.email, client.address);
      throw new DomainError('forbidden', 'the current password is not right');
    }
    const ended = await this.users.setPassword(user.id, await hashPassword(input.newPassword), sessionToken ? sessionTokenHash(sessionToken) : undefined);
    this.streams.endSessions(ended);
  }

  /** An admin makes an account for someone (the way in when sign-up is closed). */
  async createUser(by: User, input: z.infer<typeof SignUpInput>): Promise<User> {
    if (by.role !== 'admin') throw new DomainError('forbidden', 'only an admin can create accounts for others');
    const user = await this.users.create({
      email: input.email,
      displayName: input.displayName ?? input.email.split('@')[0],
      passwordHash: await hashPassword(input.password),
    });
    if (user === 'taken') throw new DomainError('conflict', `an account for ${input.email} already exists`);
    if (typeof user === 'string') throw new Error(`unreachable: an admin exists, so accounts they make are not the first (${user})`);
    return user;
  }

  /** Every account, for the admin (with how many channels each owns). */
  async listUsers(by: User): Promise<(User & { channels: number })[]> {
    if (by.role !== 'admin') throw new DomainError('forbidden', 'only an admin can list the accounts of this onair');
    return this.users.list();
  }

  /**
   * Ties an event stream to the session `token` opened it with (`close` ends it when the
   * session ends). Returns the release. A sign-out landing after the guard found the session
   * but before the stream was registered would miss it: the session is looked up again once
   * registered, and the stream closed at once if it is gone.
   */
  async holdStream(token: string, close: () => void): Promise<() => void> {
    const release = this.streams.hold(sessionTokenHash(token), close);
    // A failed lookup (the database down) must not leave the stream registered: the caller
    // never gets the release to call.
    const user = await this.userFor(token).catch((err: unknown) => {
      release();
      throw err;
    });
    if (!user) {
      release();
      close();
    }
    return release;
  }

  /** The signed-in user for a session cookie value, or null. */
  async userFor(token: string | undefined): Promise<User | null> {
    if (!token || token.length > 100) return null;
    return this.users.findBySession(sessionTokenHash(token), new Date());
  }

  /** 429 while this address has used up its wrong passwords for the account, or for all accounts. */
  private checkFailures(email: string, address: string): void {
    const mine = this.failures.waitFor(accountAtAddress(email, address));
    if (mine > 0) {
      throw new DomainError('rate-limited', `too many wrong passwords for ${email} from this address; wait ${mine} s before trying again`, mine);
    }
    const any = this.addressFailures.waitFor(address);
    if (any > 0) throw new DomainError('rate-limited', `too many wrong passwords from this address; wait ${any} s before trying again`, any);
  }

  private countFailure(email: string, address: string): void {
    this.failures.take(accountAtAddress(email, address));
    this.addressFailures.take(address);
  }

  private async openSession(user: User, userAgent?: string): Promise<string> {
    // Housekeeping on the way: sessions past their expiry are never used again.
    void this.users.deleteExpiredSessions(new Date()).catch(() => undefined);
    const token = randomBytes(32).toString('base64url');
    const evicted = await this.users.createSession(
      { userId: user.id, tokenHash: sessionTokenHash(token), expiresAt: new Date(Date.now() + SESSION_TTL_MS), userAgent },
      this.config.quotas.sessionsPerAccount,
    );
    // Past ONAIR_MAX_SESSIONS_PER_ACCOUNT the oldest browsers are signed out.
    this.streams.endSessions(evicted);
    return token;
  }
}
