import { DomainError } from '../errors/domain-error';
import { MediaServerUnavailableError } from '../media/media-server';
import { toProblem } from '../http/problem.filter';
import { databaseUnavailable, isDatabaseUnreachable } from './database-errors';

/** Shapes seen from Prisma 6.19 + @prisma/adapter-pg when Postgres was stopped under a running API. */
const named = (name: string, props: object) => Object.assign(new Error(String((props as { message?: string }).message ?? name)), { name }, props);

describe('isDatabaseUnreachable', () => {
  it.each<[string, unknown]>([
    [
      'the first query on a pooled connection the stop killed (bare DriverAdapterError, 57P01)',
      named('DriverAdapterError', { message: 'terminating connection due to administrator command', cause: { kind: 'postgres', code: '57P01', originalCode: '57P01' } }),
    ],
    [
      'a model query while it is down (P1001)',
      named('PrismaClientKnownRequestError', {
        code: 'P1001',
        meta: { modelName: 'Channel', driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 } } },
      }),
    ],
    [
      'a raw query while it is down (P2010 around DatabaseNotReachable)',
      named('PrismaClientKnownRequestError', { code: 'P2010', meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } }),
    ],
    ['the server closing the socket (P1017)', named('PrismaClientKnownRequestError', { code: 'P1017' })],
    ['starting up (57P03)', named('DriverAdapterError', { cause: { kind: 'postgres', originalCode: '57P03' } })],
    ['a connection exception class 08', named('DriverAdapterError', { cause: { kind: 'postgres', code: '08006' } })],
    ['pg losing the socket', new Error('Connection terminated unexpectedly')],
    ['the pool giving up', new Error('timeout exceeded when trying to connect')],
    ['Prisma failing to start', named('PrismaClientInitializationError', { message: 'x' })],
  ])('yes: %s', (_, err) => {
    expect(isDatabaseUnreachable(err)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['a unique violation (P2002)', named('PrismaClientKnownRequestError', { code: 'P2002', meta: { driverAdapterError: { cause: { kind: 'UniqueConstraintViolation' } } } })],
    ['a syntax error', named('DriverAdapterError', { cause: { kind: 'postgres', code: '42601' } })],
    ['Janus being down', new MediaServerUnavailableError('connect ECONNREFUSED 127.0.0.1:8188')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'Connection terminated'],
    ['a cycle', (() => { const e: { cause?: unknown } = {}; e.cause = e; return e; })()],
  ])('no: %s', (_, err) => {
    expect(isDatabaseUnreachable(err)).toBe(false);
  });
});

describe('databaseUnavailable: one translation to a 503', () => {
  it('is a domain error with Retry-After and a message a person can act on', () => {
    const err = databaseUnavailable(named('PrismaClientKnownRequestError', { code: 'P1001' }));
    expect(err).toBeInstanceOf(DomainError);
    const p = toProblem(named('PrismaClientKnownRequestError', { code: 'P1001' }));
    expect(p).toMatchObject({ status: 503, code: 'database-unavailable', retryAfter: 5 });
    expect(p.detail).toMatch(/database is not reachable.*live streams keep playing.*try again/);
  });

  it('leaves other errors alone', () => {
    expect(databaseUnavailable(new Error('boom'))).toBeUndefined();
    expect(toProblem(new Error('boom')).status).toBe(500);
    expect(toProblem(new MediaServerUnavailableError('down')).code).toBe('media-unavailable');
  });
});
