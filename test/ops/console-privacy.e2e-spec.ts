import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { ADMIN_PASSWORD, createTestContext, type TestContext } from '../support/test-app.js';

/** 系统管理 · 个人信息保护 through HTTP: find a person, download, erase with confirmation, retention, the access log. */
describe('console: personal data page', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false', HUB_PERSONAL_DATA_MONTHS: '24' }, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
  });
  afterAll(async () => ctx.close());

  const signIn = async (username: string, password: string): Promise<string> => {
    const r = await ctx.http().post('/console/login').type('form').send({ username, password });
    expect(r.status).toBe(303);
    return ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] as string;

  it('finds a person unmasked, downloads, erases only after confirmation, and shows the access log', async () => {
    const { id } = await newItem(ctx, { text: '社保窗口排队太久，请回电13500000001', contact: { name: '孙七', phone: '13500000001' }, assignedUnit: 'RS' } as never);
    const cookie = await signIn('admin', ADMIN_PASSWORD);
    const admin = await ctx.http().get('/console/admin').set('Cookie', cookie);
    expect(admin.text).toContain('href="/console/admin/privacy"');

    const found = await ctx.http().get('/console/admin/privacy?person=135%200000%200001').set('Cookie', cookie);
    expect(found.status).toBe(200);
    expect(found.text).toContain('找到 1 件事项、0 封邮件含有此人的信息。');
    expect(found.text).toContain('孙七 13500000001');
    expect(found.text).toContain(`href="/console/items/${id}"`);
    expect(found.text).toContain('已办结超过 24 个月的事项');

    const json = await ctx.http().get('/console/admin/privacy/export.json?person=13500000001').set('Cookie', cookie);
    expect(json.headers['content-disposition']).toMatch(/attachment/);
    expect(JSON.parse(json.text).items[0]).toMatchObject({ id, contact: { name: '孙七', phone: '13500000001' } });

    const csrf = csrfOf(found.text);
    const unconfirmed = await ctx.http().post('/console/admin/privacy/erase').set('Cookie', cookie).type('form').send({ _csrf: csrf, person: '13500000001' });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('请先勾选确认');
    expect((await ctx.ds.query(`SELECT contact_phone FROM item WHERE id = $1`, [id]))[0].contact_phone).toBe('13500000001');
    const forged = await ctx.http().post('/console/admin/privacy/erase').set('Cookie', cookie).type('form').send({ _csrf: 'forged', person: '13500000001', confirm: 'yes' });
    expect(forged.status).toBe(403);

    const erased = await ctx.http().post('/console/admin/privacy/erase').set('Cookie', cookie).type('form').send({ _csrf: csrf, person: '13500000001', confirm: 'yes' });
    expect(erased.status).toBe(200);
    expect(erased.text).toContain('已删除：1 件事项、0 封其他邮件中的个人信息。');
    const [row] = await ctx.ds.query(`SELECT contact_name, contact_phone, text FROM item WHERE id = $1`, [id]);
    expect(row).toEqual({ contact_name: null, contact_phone: null, text: '社保窗口排队太久，请回电〔已删除〕' });
    // the access log on the page: two look-ups (page and download) and the erasure, newest first
    expect(erased.text).toMatch(/删除个人信息<\/td>\s*<td>\d+<\/td><td>135\*\*\*\*0001/);
    expect((erased.text.match(/查询\/导出个人信息/g) ?? []).length).toBe(2);

    const ret = await ctx.http().post('/console/admin/privacy/retention').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(ret.status).toBe(200);
    expect(ret.text).toMatch(/已删除 0 件于 .* 之前办结的事项中的个人信息/);
  });

  it('is for administrators only', async () => {
    const sup = await ctx.newUser({ role: 'supervisor' });
    const cookie = await signIn(sup.username, sup.password);
    expect((await ctx.http().get('/console/admin/privacy').set('Cookie', cookie)).status).toBe(403);
    expect((await ctx.http().get('/console/admin/privacy/export.json?person=13500000001').set('Cookie', cookie)).status).toBe(403);
  });
});
