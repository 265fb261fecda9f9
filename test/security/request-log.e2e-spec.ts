import { PassThrough } from 'node:stream';
import { newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 5: the request log must hold no session token and no tracking code. */
describe('the request log keeps secrets out (security)', () => {
  let ctx: TestContext;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    ctx = await createTestContext({ env: { LOG_LEVEL: 'info' }, logStream: stream });
  });
  afterAll(async () => ctx.close());

  const logged = async (): Promise<string> => {
    await new Promise((r) => setTimeout(r, 50));
    return lines.join('\n');
  };

  it('does not log the console session cookie a sign-in sets', async () => {
    const u = await ctx.newUser({ role: 'supervisor' });
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0];
    const token = decodeURIComponent(cookie.split(';')[0].split('=')[1]);
    expect(token.length).toBeGreaterThan(20);
    const log = await logged();
    expect(log).toContain('/console/login');
    expect(log).not.toContain(token);
    expect(log).not.toContain(cookie.split(';')[0].split('=')[1]);
  });

  it('does not log tracking codes from /t/<code> paths, their parameters or a Referer', async () => {
    const { trackingCode } = await newItem(ctx);
    const r = await ctx.http().get(`/t/${trackingCode}`).set('Referer', `https://hub.example.gov.cn/t/${trackingCode}?x=1`);
    expect(r.status).toBe(200);
    const log = await logged();
    expect(log).toContain('/t/[redacted]');
    expect(log).not.toContain(trackingCode);
  });
});
