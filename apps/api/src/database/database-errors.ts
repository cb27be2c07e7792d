import { DomainError } from '../errors/domain-error';

/** Seconds a client is asked to wait while Postgres is unreachable (a restart takes a few). */
export const DATABASE_RETRY_AFTER_S = 5;

/**
 * Driver-adapter error kinds (Prisma's pg adapter) that mean "no connection", not "bad query".
 * TooManyConnections is included: the query never ran, and it passes.
 */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** Prisma's codes for the same (P1001 can't reach, P1002 timed out, P1008 socket timeout, P1017 server closed). */
const UNREACHABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
/**
 * Postgres SQLSTATEs: class 08 (connection exception), 57P01 admin shutdown (a stop kills
 * every open connection with it), 57P02 crash shutdown, 57P03 cannot connect now (starting up).
 */
const UNREACHABLE_SQLSTATE = /^(08...|57P0[123])$/;
/** node-postgres errors that carry no code: the socket died or the pool waited in vain. */
const UNREACHABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/**
 * True when `err` says Postgres could not be reached, in any of the shapes it arrives in:
 * a PrismaClientKnownRequestError (P1001...), a bare DriverAdapterError (the first query on
 * a pooled connection that the server closed), Prisma's initialization error, or the pg
 * driver's own error. Duck-typed on purpose: these shapes cross Prisma, its adapter and pg,
 * and a wrong guess costs only a 500 instead of a 503.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift() as ErrorShape | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    if (e.name === 'PrismaClientInitializationError') return true;
    if (typeof e.kind === 'string' && UNREACHABLE_KINDS.has(e.kind)) return true;
    if (typeof e.code === 'string' && (UNREACHABLE_PRISMA_CODES.has(e.code) || UNREACHABLE_SQLSTATE.test(e.code))) return true;
    if (typeof e.originalCode === 'string' && UNREACHABLE_SQLSTATE.test(e.originalCode)) return true;
    if (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)) return true;
    queue.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

/**
 * The one translation of "Postgres is unreachable" into onair's error (503 + Retry-After);
 * undefined for every other error.
 */
export function databaseUnavailable(err: unknown): DomainError | undefined {
  if (err instanceof DomainError || !isDatabaseUnreachable(err)) return undefined;
  return new DomainError(
    'database-unavailable',
    `onair's database is not reachable right now; live streams keep playing, try again in ${DATABASE_RETRY_AFTER_S} s`,
    DATABASE_RETRY_AFTER_S,
  );
}
