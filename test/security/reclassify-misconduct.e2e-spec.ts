import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 1: a unit must not clear a misconduct flag raised against itself, nor touch a closed item. */
describe('reclassify through the API is decided by the workflow (security)', () => {
  let ctx: TestContext;
  let op: string;
  let sup: string;
  let bdc: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    op = await ctx.login('operator');
    sup = await ctx.login('supervisor');
    bdc = await ctx.login('unit_staff', 'BDC');
  });
  afterAll(async () => ctx.close());

  const post = (url: string, body: object, token: string) => ctx.http().post(url).set('Authorization', `Bearer ${token}`).send(body);
  const get = (id: number) => ctx.http().get(`/api/items/${id}`).set('Authorization', `Bearer ${sup}`);
  const labels = async (id: number): Promise<number> =>
    Number((await ctx.ds.query(`SELECT count(*)::int AS n FROM item_label WHERE item_id = $1`, [id]))[0].n);
  const misconductItem = async (): Promise<number> => {
    const r = await post('/api/intake/entries', { channel: 'phone', text: '反映不动产登记窗口工作人员暗示要给红包才能加快办理过户。' }, op);
    expect(r.body).toMatchObject({ misconduct: true, unit: 'BDC', supervisionUnit: 'DCK' });
    return r.body.id as number;
  };

  it('refuses unit staff clearing (or setting) misconduct, keeps the supervision copy and writes no label', async () => {
    const id = await misconductItem();
    const clear = await post(`/api/items/${id}/reclassify`, { misconduct: false }, bdc);
    expect(clear.status).toBe(403);
    const both = await post(`/api/items/${id}/reclassify`, { dimension: 'D1', misconduct: false }, bdc);
    expect(both.status).toBe(403);
    expect((await get(id)).body).toMatchObject({ misconduct: true, supervisionUnit: 'DCK', dimension: 'D5' });
    expect(await labels(id)).toBe(0);
    // the supervision unit still sees it
    const dck = await ctx.login('unit_staff', 'DCK');
    expect((await ctx.http().get(`/api/items/${id}`).set('Authorization', `Bearer ${dck}`)).status).toBe(200);
  });

  it('keeps the supervision copy when the unit corrects only the dimension', async () => {
    const id = await misconductItem();
    const dim = await post(`/api/items/${id}/reclassify`, { dimension: 'D4' }, bdc);
    expect(dim.status).toBe(200);
    expect((await get(id)).body).toMatchObject({ misconduct: true, supervisionUnit: 'DCK', dimension: 'D4' });
  });

  it('refuses unit staff on a closed item, without a label', async () => {
    const id = await misconductItem();
    expect((await post(`/api/items/${id}/close`, { note: '已处理' }, sup)).status).toBe(200);
    const r = await post(`/api/items/${id}/reclassify`, { dimension: 'D1' }, bdc);
    expect(r.status).toBe(409);
    expect((await get(id)).body).toMatchObject({ dimension: 'D5', misconduct: true, status: 'closed' });
    expect(await labels(id)).toBe(0);
  });

  it('lets the office clear misconduct (its decision, with a label)', async () => {
    const id = await misconductItem();
    const r = await post(`/api/items/${id}/reclassify`, { misconduct: false, note: '核实无违纪' }, sup);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ misconduct: false, supervisionUnit: null });
    expect(await labels(id)).toBe(1);
  });
});
