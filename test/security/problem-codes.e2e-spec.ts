import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 10: a unit's problem page must not hand out other units' tracking codes (they open /t/<code>). */
describe('problem pages show only the tracking codes the viewer may open (security)', () => {
  let ctx: TestContext;
  let problemId: number;
  let gjjItem: { id: number; trackingCode: string };
  let bdcItem: { id: number; trackingCode: string };
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    gjjItem = await newItem(ctx, { assignedUnit: 'GJJ', text: '公积金提取材料太多' });
    bdcItem = await newItem(ctx, { assignedUnit: 'BDC', text: '不动产登记要求重复材料' });
    const sup = await ctx.login('supervisor');
    const r = await ctx
      .http()
      .post('/api/problems')
      .set('Authorization', `Bearer ${sup}`)
      .send({ title: '重复提交材料', rootCause: '两个单位各要一份', dimension: 'D2', units: ['GJJ', 'BDC'], kind: 'ledger', items: [gjjItem.id, bdcItem.id] });
    expect(r.status).toBe(201);
    problemId = r.body.id;
  });
  afterAll(async () => ctx.close());

  it('API: unit staff get their own item code and not the other unit\'s', async () => {
    const gjj = await ctx.login('unit_staff', 'GJJ');
    const r = await ctx.http().get(`/api/problems/${problemId}`).set('Authorization', `Bearer ${gjj}`);
    expect(r.status).toBe(200);
    const byId = new Map(r.body.items.map((i: { id: number; trackingCode: string | null }) => [i.id, i.trackingCode]));
    expect(byId.get(gjjItem.id)).toBe(gjjItem.trackingCode);
    expect(byId.get(bdcItem.id)).toBeNull();
    expect(JSON.stringify(r.body)).not.toContain(bdcItem.trackingCode);
    // the office sees both
    const sup = await ctx.login('supervisor');
    const office = await ctx.http().get(`/api/problems/${problemId}`).set('Authorization', `Bearer ${sup}`);
    expect(JSON.stringify(office.body)).toContain(bdcItem.trackingCode);
  });

  it('console: the unit\'s problem page does not show the other unit\'s code', async () => {
    const u = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ' });
    const login = await ctx.http().post('/console/login').type('form').send(u);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0].split(';')[0];
    const page = await ctx.http().get(`/console/problems/${problemId}`).set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(gjjItem.trackingCode);
    expect(page.text).not.toContain(bdcItem.trackingCode);
    expect(page.text).toContain('其他单位的事项');
  });
});
