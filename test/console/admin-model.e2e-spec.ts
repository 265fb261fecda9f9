import { newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** 系统管理 › 自动分类模型: staff corrections counted, retraining from the console, for administrators only. */
describe('console: retraining the classifier', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  const signIn = async (role: 'admin' | 'supervisor'): Promise<string> => {
    const u = await ctx.newUser({ role });
    const r = await ctx.http().post('/console/login').type('form').send(u);
    return String(([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]).split(';')[0];
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;
  const models = async (): Promise<number> => (await ctx.ds.query(`SELECT count(*)::int AS n FROM classifier_model`))[0].n;

  it('shows the shipped model and the corrections since, and retrains on request', async () => {
    const admin = await signIn('admin');
    const before = await ctx.http().get('/console/admin').set('Cookie', admin);
    expect(before.status).toBe(200);
    expect(before.text).toContain('当前使用随系统发布的初始模型');
    expect(before.text).toContain('此后新增更正 0 条');

    // a supervisor corrects an item's dimension through the API: one label
    const { id } = await newItem(ctx, { text: '办事指南写得太复杂，看不懂要带哪些材料' });
    const sup = await ctx.login('supervisor');
    const fix = await ctx.http().post(`/api/items/${id}/reclassify`).set('Authorization', `Bearer ${sup}`).send({ dimension: 'D2', note: '材料问题' });
    expect(fix.status).toBe(200);
    const page = await ctx.http().get('/console/admin').set('Cookie', admin);
    expect(page.text).toContain('此后新增更正 1 条');

    // without the form token: refused, nothing trained
    const bare = await ctx.http().post('/console/admin/retrain').set('Cookie', admin).type('form').send({});
    expect(bare.status).toBe(403);
    expect(await models()).toBe(0);

    const done = await ctx.http().post('/console/admin/retrain').set('Cookie', admin).type('form').send({ _csrf: csrfOf(page.text) });
    expect(done.status).toBe(200);
    expect(done.text).toMatch(/训练完成：分类样本 \d+ 条（其中采用更正 1 条）/);
    expect(await models()).toBe(2); // the classifier and the router
    expect(done.text).toMatch(/当前模型于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 由 [^ ]+ 训练/);
    expect(done.text).toContain('此后新增更正 0 条');
  });

  it('is for administrators only', async () => {
    const sup = await signIn('supervisor');
    const q = await ctx.http().get('/console/queue').set('Cookie', sup);
    const r = await ctx.http().post('/console/admin/retrain').set('Cookie', sup).type('form').send({ _csrf: csrfOf(q.text) });
    expect(r.status).toBe(403);
    expect(r.text).toContain('无权访问');
  });
});
