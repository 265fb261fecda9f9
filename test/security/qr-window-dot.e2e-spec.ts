import { createTestContext, SAMPLE_CATALOG_TEXT, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 11: a window whose code has a dot (the catalogue allows it) must scan. */
describe('a window code with a dot scans (security/availability)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    const catalog = SAMPLE_CATALOG_TEXT().replace(
      '  - {code: W-A01, unit: SCJG,',
      '  - {code: W.A.09, unit: SCJG, name: 点号测试窗口, location: 一楼A区9号}\n  - {code: W-A01, unit: SCJG,',
    );
    expect(catalog).toContain('W.A.09');
    ctx = await createTestContext({ catalog });
  });
  afterAll(async () => ctx.close());

  it('serves the rating page of W.A.09 from its printed URL', async () => {
    const admin = await ctx.adminToken();
    const qr = await ctx.http().get('/api/windows/W.A.09/qr').set('Authorization', `Bearer ${admin}`);
    expect(qr.status).toBe(200);
    const page = await ctx.http().get(new URL(qr.body.url as string).pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('点号测试窗口');
  });
});
