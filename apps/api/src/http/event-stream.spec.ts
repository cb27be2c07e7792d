import { Controller, Get, INestApplication, Req, Res } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request, Response } from 'express';
import request from 'supertest';
import { DomainError } from '../errors/domain-error';
import { clientAddressMiddleware } from './client-address';
import { eventStreamCaps, HeldCounter, openEventStream } from './event-stream';

describe('HeldCounter', () => {
  it('admits up to the per-client cap (429), then up to the overall cap (503), and releases once', () => {
    const c = new HeldCounter('streams', 2, 3, 'close one');
    const a1 = c.admit('a');
    c.admit('a');
    expect(() => c.admit('a')).toThrow(expect.objectContaining({ code: 'rate-limited', retryAfterSeconds: 10 }));
    expect(() => c.admit('a')).toThrow(/this address already holds 2 streams \(onair allows 2 per address\): close one/);
    c.admit('b');
    let err: unknown;
    try {
      c.admit('c');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'over-capacity', retryAfterSeconds: 30 });
    a1();
    a1(); // idempotent: one slot back, not two
    expect(c.count('a')).toBe(1);
    expect(c.count()).toBe(2);
    c.admit('c');
    expect(() => c.admit('d')).toThrow(/as many streams as it is set to \(3\)/);
  });

  it('forgets an address that holds nothing', () => {
    const c = new HeldCounter('x', 1);
    c.admit('a')();
    expect(c.count('a')).toBe(0);
    expect(c.count()).toBe(0);
  });
});

@Controller()
class Streams {
  @Get('channels/:slug/events')
  feed(@Req() req: Request, @Res() res: Response): void {
    openEventStream(req, res, () => undefined);
  }
}

describe('eventStreamCaps through HTTP', () => {
  let app: INestApplication;
  let caps: ReturnType<typeof eventStreamCaps>;
  beforeEach(async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [Streams] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    caps = eventStreamCaps({ streamsPerClient: 1, streams: 10, streamMaxAgeS: 1, whepSessionsPerClient: 1, whepSessions: 10, eventStreamsPerSession: 1 });
    app.use(clientAddressMiddleware(undefined));
    app.use(caps);
    await app.init();
    await app.listen(0, '127.0.0.1');
  });
  afterEach(() => app.close());

  it('refuses a second stream from one address with 429 + Retry-After, and ends streams at their maximum age', async () => {
    const url = `${await app.getUrl()}/channels/demo/events`;
    const started = Date.now();
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const second = await fetch(url.replace('/channels/', '/CHANNELS/'));
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('10');
    expect(((await second.json()) as { detail: string }).detail).toMatch(/already holds 1 event streams/);
    // The server ends the first stream after 1 s; its slot is free again.
    await first.text();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 50));
    expect(caps.counter.count()).toBe(0);
  });

  it('leaves other routes alone', async () => {
    await request(app.getHttpServer()).get('/channels/demo').expect(404);
    expect(caps.counter.count()).toBe(0);
  });
});
