import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** The console's session and CSRF rules, through HTTP (the browser tests walk the pages). */
describe('console sessions and forms (HTTP)', () => {
  let ctx: TestContext;
  let staff: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    staff = await ctx.newUser({ role: 'unit_staff', unit: 'RS', username: 'rs_http' });
  });
  afterAll(async () => ctx.close());

  const signIn = async (u: { username: string; password: string }): Promise<string> => {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/console/queue');
    const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    expect(set[0]).toMatch(/^hub_console=[^;]+; Path=\/console; Max-Age=43200; HttpOnly; SameSite=Strict/);
    return set[0].split(';')[0];
  };

  it('sends a visitor without a session to the sign-in page', async () => {
    for (const url of ['/console/queue', '/console/items/1', '/console/triage', '/console']) {
      const r = await ctx.http().get(url);
      expect(r.status).toBe(303);
      expect(r.headers.location).toBe('/console/login');
    }
    const login = await ctx.http().get('/console/login');
    expect(login.status).toBe(200);
    expect(login.headers['content-security-policy']).toContain("default-src 'none'");
    expect(login.text).toContain('<label for="password">密码</label>');
  });

  it('says a wrong password in Chinese and keeps the name typed', async () => {
    const r = await ctx.http().post('/console/login').type('form').send({ username: 'rs_http', password: 'not-it' });
    expect(r.status).toBe(401);
    expect(r.text).toContain('用户名或密码错误');
    expect(r.text).toContain('value="rs_http"');
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a step posted without the form token, and takes it with the token', async () => {
    const { id } = await newItem(ctx, { assignedUnit: 'RS', text: '社保卡补办要跑两趟' });
    const cookie = await signIn(staff);
    const bare = await ctx.http().post(`/console/items/${id}/accept`).set('Cookie', cookie).type('form').send({ note: 'x' });
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('页面已过期');
    const forged = await ctx.http().post(`/console/items/${id}/accept`).set('Cookie', cookie).type('form').send({ _csrf: 'forged' });
    expect(forged.status).toBe(403);
    const [{ status }] = await ctx.ds.query(`SELECT status FROM item WHERE id = $1`, [id]);
    expect(status).toBe('assigned');

    const page = await ctx.http().get(`/console/items/${id}`).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('138****5678');
    expect(page.text).not.toContain('13812345678');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    // from another site: refused even with the token (SameSite=Strict would not send the cookie anyway)
    const cross = await ctx.http().post(`/console/items/${id}/accept`).set('Cookie', cookie).set('Origin', 'http://evil.example').type('form').send({ _csrf: csrf });
    expect(cross.status).toBe(403);
    const ok = await ctx.http().post(`/console/items/${id}/accept`).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/console/items/${id}?done=accept`);
    expect((await ctx.ds.query(`SELECT status FROM item WHERE id = $1`, [id]))[0].status).toBe('accepted');

    // a step the state no longer allows: a message on the page with 409, not JSON
    const again = await ctx.http().post(`/console/items/${id}/accept`).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/text\/html/);
    expect(again.text).toContain('事项当前状态为“办理中”，不能进行这一步');
    // an empty answer: 400 with the reason in Chinese
    const empty = await ctx.http().post(`/console/items/${id}/answer`).set('Cookie', cookie).type('form').send({ _csrf: csrf, text: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('答复内容不能为空');
  });

  it('signs out: the cookie is cleared and the queue asks for sign-in again', async () => {
    const cookie = await signIn(staff);
    const q = await ctx.http().get('/console/queue').set('Cookie', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(q.text)?.[1] as string;
    const out = await ctx.http().post('/console/logout').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/console/login?out=1');
    expect(String(out.headers['set-cookie'])).toMatch(/^hub_console=; Path=\/console; Max-Age=0/);
  });

  it('unit staff get no triage page', async () => {
    const cookie = await signIn(staff);
    const r = await ctx.http().get('/console/triage').set('Cookie', cookie);
    expect(r.status).toBe(403);
    expect(r.text).toContain('分派页面仅供管理办公室使用');
  });

  // last: it locks sign-in from this address for a moment
  it('answers 429 with a Chinese message when sign-ins are throttled', async () => {
    let last = await ctx.http().post('/console/login').type('form').send({ username: 'rs_http', password: 'wrong' });
    for (let n = 0; n < 8 && last.status !== 429; n++) {
      last = await ctx.http().post('/console/login').type('form').send({ username: 'rs_http', password: 'wrong' });
    }
    expect(last.status).toBe(429);
    expect(last.text).toMatch(/登录失败次数过多，请在\d+秒后再试/);
    expect(last.headers['retry-after']).toMatch(/^\d+$/);
  });
});
