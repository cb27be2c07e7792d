/** onair's own account types: what the rest of the API sees instead of Prisma models. */
export type Role = 'admin' | 'streamer';

export interface User {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  createdAt: Date;
}

/** Name of the httpOnly session cookie. */
export const SESSION_COOKIE = 'onair_session';
/**
 * Header every cookie-authenticated mutation must carry. A cross-site page can send a
 * custom header only after a CORS preflight, which onair never grants with credentials.
 */
export const CSRF_HEADER = 'x-onair-studio';
