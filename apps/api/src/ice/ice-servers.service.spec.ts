import { createHmac } from 'node:crypto';
import { loadConfig } from '../config/onair-config';
import { DomainError } from '../errors/domain-error';
import { IceServersService, turnRestCredential } from './ice-servers.service';

const base = { DATABASE_URL: 'postgresql://onair@127.0.0.1:5433/onair' };
const NOW_MS = 1_800_000_000_000;

describe('turnRestCredential', () => {
  it('is "<expiry>:<user>" and base64(HMAC-SHA1(secret, username)), as coturn checks it', () => {
    const c = turnRestCredential('north', 'alice', 1_800_086_400.7);
    expect(c.username).toBe('1800086400:alice');
    // Independent computation of the same value (RFC 2104 HMAC with SHA-1).
    expect(c.credential).toBe(createHmac('sha1', 'north').update('1800086400:alice').digest('base64'));
    expect(c.credential).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  it('changes with the secret, the user and the expiry', () => {
    const a = turnRestCredential('s', 'u', 100).credential;
    expect(turnRestCredential('t', 'u', 100).credential).not.toBe(a);
    expect(turnRestCredential('s', 'v', 100).credential).not.toBe(a);
    expect(turnRestCredential('s', 'u', 101).credential).not.toBe(a);
  });
});

describe('IceServersService.forClient', () => {
  it.each([
    ['nothing configured', {}, []],
    ['STUN only', { ONAIR_STUN_SERVER: 'stun.example.org:3478' }, [{ urls: ['stun:stun.example.org:3478'] }]],
    [
      'STUN and TURN',
      { ONAIR_STUN_SERVER: 'stun.example.org:3478', ONAIR_TURN_URLS: 'turn:t.example.org:3478,turns:t.example.org:5349', ONAIR_TURN_SECRET: 'k', ONAIR_TURN_TTL_S: '3600' },
      [
        { urls: ['stun:stun.example.org:3478'] },
        { urls: ['turn:t.example.org:3478', 'turns:t.example.org:5349'], ...turnRestCredential('k', 'sess1', NOW_MS / 1000 + 3600) },
      ],
    ],
  ])('%s', (_name, env, expected) => {
    const service = Object.assign(new IceServersService(loadConfig({ ...base, ...env })), { now: () => NOW_MS });
    expect(service.forClient('sess1')).toEqual(expected);
  });

  it('mints credentials that expire TTL seconds from now', () => {
    const service = Object.assign(
      new IceServersService(loadConfig({ ...base, ONAIR_TURN_URLS: 'turn:t.example.org', ONAIR_TURN_SECRET: 'k', ONAIR_TURN_TTL_S: '600' })),
      { now: () => NOW_MS },
    );
    const [turn] = service.forClient('x');
    expect(turn.username).toBe(`${NOW_MS / 1000 + 600}:x`);
  });
});

describe('IceServersService.unauthenticated', () => {
  it('gives STUN only, never TURN credentials', () => {
    const service = new IceServersService(
      loadConfig({ ...base, ONAIR_STUN_SERVER: 'stun.example.org:3478', ONAIR_TURN_URLS: 'turn:t.example.org', ONAIR_TURN_SECRET: 'k' }),
    );
    expect(service.unauthenticated()).toEqual([{ urls: ['stun:stun.example.org:3478'] }]);
    expect(new IceServersService(loadConfig({ ...base, ONAIR_TURN_URLS: 'turn:t.example.org', ONAIR_TURN_SECRET: 'k' })).unauthenticated()).toEqual([]);
  });
});

describe('IceServersService.forDiscovery (RFC 9725 §4.4: ICE servers on OPTIONS only to authorized clients)', () => {
  const service = new IceServersService(
    loadConfig({ ...base, ONAIR_STUN_SERVER: 'stun.example.org:3478', ONAIR_TURN_URLS: 'turn:t.example.org', ONAIR_TURN_SECRET: 'k' }),
  );
  const stunOnly = [{ urls: ['stun:stun.example.org:3478'] }];

  it.each<[string, (() => Promise<unknown>) | undefined, boolean, boolean]>([
    ['no check (no bearer)', undefined, false, false],
    ['a passing check', async () => 'ok', true, false],
    ['a wrong bearer', async () => { throw new DomainError('unauthorized', 'wrong key'); }, false, true],
    ['a check that passes but answers false (an offline channel)', async () => false, false, false],
    ['an unknown channel', async () => { throw new DomainError('not-found', 'no channel'); }, false, false],
    ['a check that throws before awaiting', () => { throw new DomainError('unauthorized', 'malformed header'); }, false, true],
  ])('%s', async (_name, check, turn, rejected) => {
    const got = await service.forDiscovery('u', check);
    expect(got.rejected).toBe(rejected);
    if (turn) expect(got.servers[1]).toMatchObject({ urls: ['turn:t.example.org'], username: expect.stringMatching(/:u$/) });
    else expect(got.servers).toEqual(stunOnly);
  });

  it('lets other failures through (a database outage is not a wrong key)', async () => {
    await expect(service.forDiscovery('u', async () => { throw new Error('db down'); })).rejects.toThrow('db down');
  });
});
