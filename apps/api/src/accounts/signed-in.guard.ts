import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { AuthService } from './auth.service';
import { CSRF_HEADER, SESSION_COOKIE, User } from './user';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request (no cookie-parser: this is the only cookie onair reads). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Mutations authenticated by a cookie must carry the studio header: a form or script on
 * another site can't add it without a CORS preflight, which onair never grants with
 * credentials. Sign-in and sign-up check it too (no login CSRF).
 */
export function requireCsrfHeader(req: Request): void {
  if (SAFE_METHODS.has(req.method)) return;
  if (req.headers[CSRF_HEADER] !== '1') {
    throw new DomainError('forbidden', `studio requests that change something must send the header "${CSRF_HEADER}: 1" (cross-site request protection)`);
  }
}

/** Studio routes: a signed-in user (401 otherwise), CSRF-checked; sets `req.user`. */
@Injectable()
export class SignedInGuard implements CanActivate {
  constructor(private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<Request & { user?: User }>();
    const user = await this.auth.userFor(readCookie(req, SESSION_COOKIE));
    if (!user) throw new DomainError('sign-in-required', 'sign in to the studio first (POST /auth/signin), or your session has expired');
    requireCsrfHeader(req);
    req.user = user;
    return true;
  }
}

/** The user SignedInGuard found. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): User => {
  return ctx.switchToHttp().getRequest<Request & { user: User }>().user;
});
