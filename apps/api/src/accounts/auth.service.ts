import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ONAIR_CONFIG, OnairConfig } from '../config/onair-config';
import { RateLimiter } from '../http/rate-limit';
import { z } from 'zod';
import { DomainError } from '../errors/domain-error';
import { hashPassword, verifyPassword } from './password';
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
});
export const SignInInput = z.object({ email, password: z.string({ error: 'password is required' }).max(256) });
export const ChangePasswordInput = z.object({
  currentPassword: z.string({ error: 'currentPassword is required' }).max(256),
  newPassword: password,
});

export const sessionTokenHash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A scrypt hash of nothing in particular: unknown emails cost as much as wrong passwords. */
const DUMMY_HASH = hashPassword('onair timing equaliser');

@Injectable()
export class AuthService {
  /** Wrong passwords per account (lower-cased email), whatever address they come from. */
  private readonly failures: RateLimiter;

  constructor(
    private readonly users: UserRepository,
    @Inject(ONAIR_CONFIG) private readonly config: OnairConfig,
  ) {
    const perMin = config.rateLimit.authFailuresPerMinute;
    this.failures = new RateLimiter(perMin, perMin / 60);
  }

  async signUp(input: z.infer<typeof SignUpInput>, userAgent?: string): Promise<{ user: User; token: string }> {
    const user = await this.users.create(
      { email: input.email, displayName: input.displayName ?? input.email.split('@')[0], passwordHash: await hashPassword(input.password) },
      this.config.signup === 'closed',
    );
    if (user === 'taken') throw new DomainError('conflict', `an account for ${input.email} already exists: sign in instead`);
    if (user === 'closed') throw new DomainError('forbidden', 'sign-up is closed on this onair (ONAIR_SIGNUP=closed): ask its admin for an account');
    return { user, token: await this.openSession(user, userAgent) };
  }

  async signIn(input: z.infer<typeof SignInInput>, userAgent?: string): Promise<{ user: User; token: string }> {
    const wait = this.failures.waitFor(input.email);
    if (wait > 0) {
      throw new DomainError('rate-limited', `too many wrong passwords for ${input.email}; wait ${wait} s before trying again`, wait);
    }
    const found = await this.users.findByEmail(input.email);
    const ok = await verifyPassword(input.password, found?.passwordHash ?? (await DUMMY_HASH));
    if (!found || !ok) {
      this.failures.take(input.email);
      throw new DomainError('sign-in-required', 'wrong email or password');
    }
    const { passwordHash: _, ...user } = found;
    return { user, token: await this.openSession(user, userAgent) };
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await this.users.deleteSession(sessionTokenHash(token));
  }

  /**
   * Changes the signed-in user's password (the current one is required) and signs out every
   * other browser of theirs. Wrong current passwords count against the account like sign-ins.
   */
  async changePassword(user: User, sessionToken: string | undefined, input: z.infer<typeof ChangePasswordInput>): Promise<void> {
    const wait = this.failures.waitFor(user.email);
    if (wait > 0) throw new DomainError('rate-limited', `too many wrong passwords for ${user.email}; wait ${wait} s before trying again`, wait);
    const found = await this.users.findById(user.id);
    if (!found || !(await verifyPassword(input.currentPassword, found.passwordHash))) {
      this.failures.take(user.email);
      throw new DomainError('forbidden', 'the current password is not right');
    }
    await this.users.setPassword(user.id, await hashPassword(input.newPassword), sessionToken ? sessionTokenHash(sessionToken) : undefined);
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
    if (user === 'closed') throw new Error('unreachable: admins create accounts whatever ONAIR_SIGNUP says');
    return user;
  }

  /** Every account, for the admin (with how many channels each owns). */
  async listUsers(by: User): Promise<(User & { channels: number })[]> {
    if (by.role !== 'admin') throw new DomainError('forbidden', 'only an admin can list the accounts of this onair');
    return this.users.list();
  }

  /** The signed-in user for a session cookie value, or null. */
  async userFor(token: string | undefined): Promise<User | null> {
    if (!token || token.length > 100) return null;
    return this.users.findBySession(sessionTokenHash(token), new Date());
  }

  private async openSession(user: User, userAgent?: string): Promise<string> {
    // Housekeeping on the way: sessions past their expiry are never used again.
    void this.users.deleteExpiredSessions(new Date()).catch(() => undefined);
    const token = randomBytes(32).toString('base64url');
    await this.users.createSession({ userId: user.id, tokenHash: sessionTokenHash(token), expiresAt: new Date(Date.now() + SESSION_TTL_MS), userAgent });
    return token;
  }
}
