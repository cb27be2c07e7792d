import { Controller, Get, INestApplication, Req } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Request } from 'express';
import request from 'supertest';
import { clientAddressMiddleware, sameSecret } from './client-address';

@Controller()
class Probe {
  @Get('who')
  who(@Req() req: Request) {
    return { ip: req.ip, secure: req.secure, protocol: req.protocol, leaked: Object.keys(req.headers).filter((h) => h.startsWith('x-onair-')) };
  }
}

const SECRET = 'a-gateway-secret-of-at-least-32-chars!';

describe('clientAddressMiddleware', () => {
  let app: INestApplication;
  const start = async (secret: string | undefined) => {
    const moduleRef = await Test.createTestingModule({ controllers: [Probe] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    app.use(clientAddressMiddleware(secret));
    await app.init();
  };
  afterEach(() => app.close());

  it('believes the address and scheme the gateway states with the secret', async () => {
    await start(SECRET);
    const res = await request(app.getHttpServer())
      .get('/who')
      .set({ 'X-Onair-Gateway-Secret': SECRET, 'X-Onair-Client-Address': '203.0.113.9', 'X-Onair-Client-Proto': 'https' })
      .expect(200);
    expect(res.body).toEqual({ ip: '203.0.113.9', secure: true, protocol: 'https', leaked: [] });
  });

  it.each([
    ['a wrong secret', SECRET, 'not-the-secret'],
    ['no secret configured', undefined, SECRET],
  ])('ignores the statement with %s (the socket address stands)', async (_name, configured, sent) => {
    await start(configured);
    const res = await request(app.getHttpServer())
      .get('/who')
      .set({ 'X-Onair-Gateway-Secret': sent, 'X-Onair-Client-Address': '203.0.113.9', 'X-Onair-Client-Proto': 'https' })
      .expect(200);
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(res.body.secure).toBe(false);
    expect(res.body.leaked).toEqual([]);
  });

  it('refuses a stated address that is not an IP address', async () => {
    await start(SECRET);
    const res = await request(app.getHttpServer()).get('/who').set({ 'X-Onair-Gateway-Secret': SECRET, 'X-Onair-Client-Address': 'evil, 1.2.3.4' }).expect(200);
    expect(res.body.ip).toMatch(/127\.0\.0\.1|::1/);
  });
});

describe('sameSecret', () => {
  it('compares any lengths in constant time', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});
