export type AccountRole = 'admin' | 'streamer';

/** A studio account as the browser sees it (never its password hash or sessions). */
export interface Account {
  id: string;
  email: string;
  displayName: string;
  role: AccountRole;
}

/** `GET /auth/me`, and the answer to sign-up, sign-in and an admin's `POST /auth/users`. */
export interface AccountResponse {
  user: Account;
}

/** One row of `GET /auth/users` (admins only). */
export interface AccountListing extends Account {
  /** ISO 8601. */
  createdAt: string;
  /** How many channels the account owns. */
  channels: number;
}

export interface AccountList {
  users: AccountListing[];
}
