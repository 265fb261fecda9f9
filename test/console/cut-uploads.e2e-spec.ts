import { createTestContext, type TestContext } from '../support/test-app.js';

/** A multipart upload cut off mid-way (a dropped connection, a proxy limit) is the sender's problem: 400, never 500. */
describe('console: cut-off uploads', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  const signIn = async (role: 'admin' | 'supervisor'): Promise<{ cookie: string; csrf: string }> => {
    const u = await ctx.newUser({ role });
    const r = await ctx.http().post('/console/login').type('form').send(u);
    const cookie = String(([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]).split(';')[0];
    const page = await ctx.http().get('/console/queue').set('Cookie', cookie);
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string };
  };
  const cutBody = (csrf: string, field: string) =>
    `--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--xyz\r\nContent-Disposition: form-data; name="${field}"; filename="x.yaml"\r\n\r\nunits:\n  - code: A`;

  it('the catalogue import answers 400 and changes nothing', async () => {
    const { cookie, csrf } = await signIn('admin');
    const before = (await ctx.ds.query(`SELECT count(*)::int AS n FROM unit`))[0].n;
    const r = await ctx.http().post('/console/admin/catalog').set('Cookie', cookie).set('Content-Type', 'multipart/form-data; boundary=xyz').send(cutBody(csrf, 'file'));
    expect(r.status).toBe(400);
    expect(r.text).toContain('系统管理');
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM unit`))[0].n).toBe(before);
  });

  it('the case-log import answers 400 (not 413) and stores nothing', async () => {
    const { cookie, csrf } = await signIn('supervisor');
    const r = await ctx.http().post('/console/problems/cases').set('Cookie', cookie).set('Content-Type', 'multipart/form-data; boundary=xyz').send(cutBody(csrf, 'file'));
    expect(r.status).toBe(400);
    expect(r.text).toContain('上传未完成');
  });
});
