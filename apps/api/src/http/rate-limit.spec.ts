import { Controller, Delete, HttpCode, INestApplication, Options, Post, Res, UnauthorizedException } from '@nestjs/common';
import type { Response } from 'express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { markBearerRejected, RateLimiter, rateLimitMiddleware } from './rate-limit';

describe('RateLimiter', () => {
  it('allows a burst, then asks to wait until a token refills', () => {
    let now = 0;
    const limiter = new RateLimiter(3, 0.5, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(2); // one token per 2 s
    expect(limiter.take('b')).toBe(0); // other addresses are unaffected
    now += 1000;
    expect(limiter.take('a')).toBe(1);
    now += 1000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(2);
  });

  it('never refills past the burst', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 10, () => now);
    now += 60_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
  });

  it('waitFor looks without spending', () => {
    const limiter = new RateLimiter(1, 1, () => 0);
    expect(limiter.waitFor('a')).toBe(0);
    expect(limiter.waitFor('a')).toBe(0);
    limiter.take('a');
    expect(limiter.waitFor('a')).toBe(1);
  });

  it('keeps at most maxKeys addresses, forgetting the stalest', () => {
    const limiter = new RateLimiter(1, 0.001, () => 0, 2);
    limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    expect(limiter.size).toBe(2);
    expect(limiter.take('a')).toBe(0); // forgotten: a full bucket again
    expect(limiter.take('c')).toBeGreaterThan(0);
  });
});

@Controller()
class Probe {
  @Post('whip') @HttpCode(201) publish() { return 'ok'; }
  @Options('whip/options-bad') @HttpCode(204) optionsBad(@Res({ passthrough: true }) res: Response) { markBearerRejected(res); }
  @Options('whep/open') @HttpCode(204) discover() { return; }
  @Post('whip/bad') bad(): never { throw new UnauthorizedException('wrong key'); }
  @Delete('whep/sessions/x') stop() { return 'ok'; }
  @Post('channels') other() { return 'ok'; }
}

describe('rateLimitMiddleware through HTTP', () => {
  let app: INestApplication;
  let now = 0;

  beforeEach(async () => {
    now = 0;
    const moduleRef = await Test.createTestingModule({ controllers: [Probe] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(rateLimitMiddleware({ burst: 3, perSecond: 1, authFailuresPerMinute: 2 }, () => now));
    await app.init();
  });
  afterEach(() => app.close());

  it('answers 429 with Retry-After and a problem once the burst is spent', async () => {
    for (let i = 0; i < 3; i++) await request(app.getHttpServer()).post('/whip').expect(201);
    const res = await request(app.getHttpServer()).post('/whip').expect(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/too many requests from this address; wait 1 s/);
    // DELETE spends from the same bucket.
    await request(app.getHttpServer()).delete('/whep/sessions/x').expect(429);
    now += 1000;
    await request(app.getHttpServer()).delete('/whep/sessions/x').expect(200);
  });

  it('limits every spelling the router routes: case, trailing slash, percent-encoding', async () => {
    await request(app.getHttpServer()).post('/WHIP').expect(201);
    await request(app.getHttpServer()).post('/Whip/').expect(201);
    await request(app.getHttpServer()).post('/wHiP').expect(201);
    await request(app.getHttpServer()).post('/%77hip').expect(429);
  });

  it('counts wrong keys under any spelling, and OPTIONS with a rejected bearer', async () => {
    await request(app.getHttpServer()).post('/WHIP/BAD').expect(401);
    await request(app.getHttpServer()).options('/whip/options-bad').set('Authorization', 'Bearer x').expect(204);
    now += 3000;
    const res = await request(app.getHttpServer()).post('/whip').expect(429);
    expect(res.body.detail).toMatch(/wrong stream key or token/);
  });

  it('spends the general bucket on every plain OPTIONS, and counts a rejected ?token= without Authorization', async () => {
    for (let i = 0; i < 3; i++) await request(app.getHttpServer()).options('/whep/open').expect(204);
    await request(app.getHttpServer()).options('/whep/open').expect(429);
    now += 3000; // the general bucket refilled
    await request(app.getHttpServer()).options('/whip/options-bad?token=guess').expect(204);
    await request(app.getHttpServer()).options('/whip/options-bad?token=guess').expect(204);
    const res = await request(app.getHttpServer()).options('/whep/open').expect(429);
    expect(res.body.detail).toMatch(/wrong stream key or token/);
  });

  it('leaves other routes and reads alone', async () => {
    for (let i = 0; i < 10; i++) await request(app.getHttpServer()).post('/channels').expect(201);
  });

  it('blocks an address after repeated 401s, for longer than the general limit', async () => {
    await request(app.getHttpServer()).post('/whip/bad').expect(401);
    await request(app.getHttpServer()).post('/whip/bad').expect(401);
    now += 2000; // the general bucket refilled
    const res = await request(app.getHttpServer()).post('/whip').expect(429);
    expect(res.body.detail).toMatch(/wrong stream key or token/);
    expect(Number(res.headers['retry-after'])).toBe(28); // 2 per minute: one every 30 s, 2 s of which have passed
    now += 28_000;
    await request(app.getHttpServer()).post('/whip').expect(201);
  });
});
