import { Controller, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { Account, AccountList, AccountResponse } from '@onair/api-types';
import type { CookieOptions, Request, Response } from 'express';
import { clientAddress } from '../http/client-address';
import { readJsonBody } from '../http/sdp-request';
import { parseWith } from '../http/validation';
import { AuthService, ChangePasswordInput, Client, SESSION_TTL_MS, SignInInput, SignUpInput } from './auth.service';
import { CurrentUser, readCookie, requireCsrfHeader, SignedInGuard } from './signed-in.guard';
import { SESSION_COOKIE, User } from './user';

const publicUser = (u: User): Account => ({ id: u.id, email: u.email, displayName: u.displayName, role: u.role });

/** Studio accounts: sign up, sign in, sign out, who am I. Sessions live in an httpOnly cookie. */
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('signup')
  async signUp(@Req() req: Request, @Res() res: Response): Promise<void> {
    requireCsrfHeader(req);
    const input = parseWith(SignUpInput, readJsonBody(req, 'sign-up form'), 'sign-up');
    const { user, token } = await this.auth.signUp(input, client(req));
    res.cookie(SESSION_COOKIE, token, cookieOptions(req, SESSION_TTL_MS));
    res.status(201).json({ user: publicUser(user) } satisfies AccountResponse);
  }

  @Post('signin')
  async signIn(@Req() req: Request, @Res() res: Response): Promise<void> {
    requireCsrfHeader(req);
    const input = parseWith(SignInInput, readJsonBody(req, 'sign-in form'), 'sign-in');
    const { user, token } = await this.auth.signIn(input, client(req));
    res.cookie(SESSION_COOKIE, token, cookieOptions(req, SESSION_TTL_MS));
    res.status(200).json({ user: publicUser(user) } satisfies AccountResponse);
  }

  @Post('signout')
  @HttpCode(204)
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    requireCsrfHeader(req);
    await this.auth.signOut(readCookie(req, SESSION_COOKIE));
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
  }

  @Get('me')
  @UseGuards(SignedInGuard)
  me(@CurrentUser() user: User): AccountResponse {
    return { user: publicUser(user) };
  }

  /** Change your password (`{currentPassword, newPassword}`); your other sessions end. 204. */
  @Post('password')
  @HttpCode(204)
  @UseGuards(SignedInGuard)
  async changePassword(@CurrentUser() user: User, @Req() req: Request): Promise<void> {
    const input = parseWith(ChangePasswordInput, readJsonBody(req, 'password change'), 'password change');
    await this.auth.changePassword(user, readCookie(req, SESSION_COOKIE), input, client(req));
  }

  /** Admin only: make an account for someone (JSON as for sign-up); 201 with the account. */
  @Post('users')
  @HttpCode(201)
  @UseGuards(SignedInGuard)
  async createUser(@CurrentUser() user: User, @Req() req: Request): Promise<AccountResponse> {
    const input = parseWith(SignUpInput, readJsonBody(req, 'account'), 'account');
    return { user: publicUser(await this.auth.createUser(user, input)) };
  }

  /** Admin only: every account on this onair (403 for streamers). */
  @Get('users')
  @UseGuards(SignedInGuard)
  async users(@CurrentUser() user: User): Promise<AccountList> {
    return { users: (await this.auth.listUsers(user)).map((u) => ({ ...publicUser(u), createdAt: u.createdAt.toISOString(), channels: u.channels })) };
  }
}

/** Who is asking: the address clientAddressMiddleware decided (gateway-aware), and the user agent. */
function client(req: Request): Client {
  return { address: clientAddress(req), userAgent: req.headers['user-agent'] };
}

/** httpOnly, SameSite=Lax, Secure behind HTTPS (req.secure: the web gateway's statement, or ONAIR_TRUST_PROXY; see http/client-address.ts). */
function cookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}
