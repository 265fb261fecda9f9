import { PassThrough } from 'node:stream';
import type { Response } from 'supertest';
import { createTestContext, type TestContext } from '../support/test-app.js';

const METRICS_TOKEN = 'scraper-token-fast-path-0001';

/**
 * `POST /q/{token}` is answered in front of the framework (src/intake/qr/qr-submit.fast-path.ts); `POST /q/{token}/`
 * (a trailing slash) still goes through Express and the controller. Every kind of post — good, refused, malformed —
 * must get the same answer both ways, and the short path must really be the one that answered (the framework's
 * request log has a line for its post and none for the short path's successful one).
 */
describe('QR rating submit in front of the framework', () => {
  let ctx: TestContext;
  let token: string;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    ctx = await createTestContext({ env: { LOG_LEVEL: 'info', HUB_METRICS_TOKEN: METRICS_TOKEN }, logStream: stream });
    const admin = await ctx.adminToken();
    token = (await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`)).body.token;
  });
  afterAll(async () => ctx.close());

  const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] as string;
  const freshNonce = async () => nonceOf((await ctx.http().get(`/q/${token}`)).text);
  let ip = 0;
  const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

  /** the parts of an answer that must not depend on the path taken (one-time values masked) */
  const answer = (r: Response) => ({
    status: r.status,
    type: r.headers['content-type'],
    csp: String(r.headers['content-security-policy'] ?? '').replace(/'nonce-[^']+'/g, "'nonce-…'"),
    nosniff: r.headers['x-content-type-options'],
    cache: r.headers['cache-control'],
    retryAfter: r.headers['retry-after'],
    length: r.headers['content-length'] === undefined ? 'none' : 'given',
    body: r.text
      .replace(/name="nonce" value="[^"]+"/g, 'name="nonce" value="…"')
      .replace(/nonce="[^"]+"/g, 'nonce="…"')
      .replace(/"requestId":"[^"]+"/g, '"requestId":"…"')
      .replace(/[A-Z0-9]{4}-[A-Z0-9]{4}(-[A-Z0-9]{4})?/g, 'CODE')
      .replace(/\/t\/[^"<\s]+/g, '/t/CODE'),
  });

  /** the same request sent to both paths; `build` makes the request given the path */
  const both = async (build: (path: string) => Promise<Response>) => {
    const fast = await build(`/q/${token}`);
    const framework = await build(`/q/${token}/`);
    return { fast, framework };
  };

  it('answers a good rating the same way, and the framework never sees the short path', async () => {
    const { fast, framework } = await both(async (path) =>
      ctx.http().post(path).set('X-Forwarded-For', nextIp()).type('form').send({ nonce: await freshNonce(), rating: '2', tags: 'wait_long', comment: '排队一个多小时' }),
    );
    expect(fast.status).toBe(201);
    expect(answer(fast)).toEqual(answer(framework));
    const fastId = fast.headers['x-request-id'] as string;
    const frameworkId = framework.headers['x-request-id'] as string;
    expect(fastId).toBeTruthy();
    expect(frameworkId).toBeTruthy();
    // one item each, both through intake
    const codes = [fast, framework].map((r) => /id="tracking-code">([^<]+)</.exec(r.text)?.[1]);
    const stored = await ctx.ds.query(`SELECT channel, dimension, unit_id IS NOT NULL AS routed FROM item WHERE tracking_code = ANY($1)`, [codes]);
    expect(stored).toHaveLength(2);
    expect(stored.every((s: { channel: string; routed: boolean }) => s.channel === 'qr' && s.routed)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const log = lines.join('\n');
    expect(log).toContain(frameworkId);
    expect(log).not.toContain(fastId);
    // both timed under the controller's route pattern
    const metrics = (await ctx.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).text;
    const count = /hub_http_request_duration_seconds_count\{[^}]*method="POST"[^}]*route="\/q\/:token"[^}]*status="201"[^}]*\} (\d+)/.exec(metrics);
    expect(Number(count?.[1])).toBeGreaterThanOrEqual(2);
  });

  it('refuses the same posts with the same pages and errors', async () => {
    const cases: Array<[string, (path: string) => Promise<Response>]> = [
      ['no nonce', (p) => ctx.http().post(p).set('X-Forwarded-For', nextIp()).type('form').send({ rating: '2' })],
      ['a forged nonce', (p) => ctx.http().post(p).set('X-Forwarded-For', nextIp()).type('form').send({ nonce: 'x.y.z', rating: '2' })],
      ['no rating', async (p) => ctx.http().post(p).set('X-Forwarded-For', nextIp()).type('form').send({ nonce: await freshNonce(), comment: '<script>alert(1)</script>' })],
      ['another site', async (p) => ctx.http().post(p).set('Origin', 'https://evil.example').type('form').send({ nonce: await freshNonce(), rating: '1' })],
      ['a body that is not a form', async (p) => ctx.http().post(p).set('Content-Type', 'text/plain').send(`nonce=${await freshNonce()}&rating=1`)],
      ['a charset the parser refuses', (p) => ctx.http().post(p).set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r').send('rating=1')],
      ['too many fields', (p) => ctx.http().post(p).type('form').send(Array.from({ length: 60 }, (_, i) => `f${i}=1`).join('&'))],
      ['a body over the limit', (p) => ctx.http().post(p).type('form').send(`comment=${'好'.repeat(30000)}`)],
      ['a compressed body it cannot read', (p) => ctx.http().post(p).set('Content-Type', 'application/x-www-form-urlencoded').set('Content-Encoding', 'br-unknown').send('rating=1')],
    ];
    for (const [what, build] of cases) {
      const { fast, framework } = await both(build);
      expect({ what, ...answer(fast) }).toEqual({ what, ...answer(framework) });
      expect(fast.status).toBeGreaterThanOrEqual(400);
    }
    // a forged token: the same "invalid code" page both ways
    const forged = token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const a = await ctx.http().post(`/q/${forged}`).type('form').send({ rating: '1' });
    const b = await ctx.http().post(`/q/${forged}/`).type('form').send({ rating: '1' });
    expect(a.status).toBe(404);
    expect(answer(a)).toEqual(answer(b));
  });

  it('leaves every other request to the framework', async () => {
    expect((await ctx.http().get(`/q/${token}`)).status).toBe(200);
    // a malformed escape in the token: the router's own answer
    const bad = await ctx.http().post('/q/%E0%A4%A').type('form').send({ rating: '1' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect((await ctx.http().put(`/q/${token}`).type('form').send({ rating: '1' })).status).toBe(404);
  });
});
