import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** POSTs a sign-in from a chosen local address (127.0.0.x stand in for PCs and proxies on the intranet). */
function loginFrom(port: number, localAddress: string, forwardedFor: string, username: string): Promise<number> {
  const body = JSON.stringify({ username, password: 'wrong-password' });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/api/auth/login',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': forwardedFor },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Issue 13, finding 6: only configured proxies may say who the client is; IPv6 clients count by /64. */
describe('X-Forwarded-For is believed only from trusted proxies (security)', () => {
  describe('default: loopback only', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext({ catalog: null });
    });
    afterAll(async () => ctx.close());

    it('does not trust intranet (private, link-local) clients as proxies', () => {
      const trust = ctx.app.getHttpAdapter().getInstance().get('trust proxy fn') as (addr: string, i: number) => boolean;
      expect(trust('127.0.0.1', 0)).toBe(true);
      for (const pc of ['10.1.2.3', '192.168.1.20', '172.16.0.9', '169.254.1.1', 'fd12:3456::1', 'fe80::1']) expect(trust(pc, 0)).toBe(false);
    });

    it('counts sign-in failures from one IPv6 /64 together, whatever the address', async () => {
      const codes: number[] = [];
      for (let i = 1; i <= 25; i++) {
        const r = await ctx.http().post('/api/auth/login').set('X-Forwarded-For', `2001:db8:1:2::${i.toString(16)}`).send({ username: `spray${i}`, password: 'wrong-password' });
        codes.push(r.status);
      }
      expect(codes).toContain(429);
      expect(codes[codes.length - 1]).toBe(429);
    });
  });

  describe('HUB_TRUSTED_PROXIES names the load balancer', () => {
    let ctx: TestContext;
    let port: number;
    beforeAll(async () => {
      ctx = await createTestContext({ catalog: null, env: { HUB_TRUSTED_PROXIES: '127.0.0.2' } });
      const server = ctx.app.getHttpServer() as http.Server;
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => ctx.close());

    it('throttles a client that forges X-Forwarded-For by its own address', async () => {
      const codes: number[] = [];
      for (let i = 1; i <= 25; i++) codes.push(await loginFrom(port, '127.0.0.3', `10.9.${i}.1`, `pc-spray${i}`));
      expect(codes[0]).toBe(401);
      expect(codes[codes.length - 1]).toBe(429);
    });

    it('believes the configured proxy', async () => {
      const codes: number[] = [];
      for (let i = 1; i <= 8; i++) codes.push(await loginFrom(port, '127.0.0.2', `10.8.${i}.1`, `lb-user${i}`));
      expect(codes.every((c) => c === 401)).toBe(true);
    });
  });

  describe('QR flood limits', () => {
    let ctx: TestContext;
    beforeAll(async () => {
      ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    });
    afterAll(async () => ctx.close());

    it('count every address of one IPv6 /64 as one client', async () => {
      const admin = await ctx.adminToken();
      const token = (await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`)).body.token as string;
      const statuses: number[] = [];
      for (let i = 1; i <= 7; i++) {
        const nonce = /name="nonce" value="([^"]+)"/.exec((await ctx.http().get(`/q/${token}`)).text)?.[1] as string;
        const r = await ctx.http().post(`/q/${token}`).set('X-Forwarded-For', `2001:db8:77:1::${i}`).type('form').send({ nonce, rating: '4' });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    });
  });
});
