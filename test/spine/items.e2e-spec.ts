import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';

describe('intake and items by unit (HTTP, real PostgreSQL)', () => {
  let ctx: TestContext;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    // a street centre, its community station below it, a sibling street, and a district bureau
    for (const unit of ['JD-DC', 'SQ-HP', 'JD-XC', 'SQ-YH', 'SCJG', 'DBZ', 'DB-KFQ']) {
      ids[unit] = (await newItem(ctx, { assignedUnit: unit, text: `关于${unit}的意见` })).id;
    }
  });
  afterAll(async () => ctx.close());

  const get = (token: string, url: string) => ctx.http().get(url).set('Authorization', `Bearer ${token}`);

  it('staff entry lands at triage as assigned, with a tracking code and a timeline', async () => {
    const op = await ctx.login('operator');
    const r = await ctx
      .http()
      .post('/api/intake/entries')
      .set('Authorization', `Bearer ${op}`)
      .send({ channel: 'suggestion_box', text: '二楼不动产窗口中午不办公，希望错时延时服务', source: '一楼大厅意见箱', contact: { name: '李四', phone: '13900001111' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ channel: 'suggestion_box', status: 'assigned', source: '一楼大厅意见箱' });
    expect(r.body.trackingCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(r.body.contact.phone).toBe('139****1111'); // an operator does not need the full number
    expect(r.body.timeline.map((e: { kind: string }) => e.kind)).toEqual(['received', 'classified', 'routed']);
    expect(r.body.timeline[0].actor).toMatch(/^operator/);
    const sup = await ctx.login('supervisor');
    const full = await get(sup, `/api/items/${r.body.id}`);
    expect(full.body.contact.phone).toBe('13900001111');
    expect(full.body.raw).toMatchObject({ channel: 'suggestion_box', text: '二楼不动产窗口中午不办公，希望错时延时服务' });
  });

  it('never makes a second item for the same slip or a retried submit', async () => {
    const op = await ctx.login('operator');
    const send = (body: object, key?: string) => {
      const req = ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`);
      if (key) req.set('Idempotency-Key', key);
      return req.send(body);
    };
    const a = await send({ channel: 'phone', text: '投诉电话：窗口人员态度差', externalId: 'CALL-2026-0001' });
    const b = await send({ channel: 'phone', text: '投诉电话：窗口人员态度差', externalId: 'CALL-2026-0001' });
    expect([a.status, b.status]).toEqual([201, 200]);
    expect(b.body.id).toBe(a.body.id);
    const c = await send({ channel: 'walkthrough', text: '走流程发现：自助终端故障' }, 'retry-123');
    const d = await send({ channel: 'walkthrough', text: '走流程发现：自助终端故障' }, 'retry-123');
    expect(d.body.id).toBe(c.body.id);
    // concurrent double tap
    const [e, f] = await Promise.all([
      send({ channel: 'phone', text: '同时提交', externalId: 'CALL-RACE' }),
      send({ channel: 'phone', text: '同时提交', externalId: 'CALL-RACE' }),
    ]);
    expect(e.body.id).toBe(f.body.id);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE external_id = 'CALL-RACE'`);
    expect(n).toBe(1);
  });

  it('refuses bad entries, naming what is wrong', async () => {
    const op = await ctx.login('operator');
    const send = (body: object) => ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send(body);
    let r = await send({ channel: 'pigeon', text: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/channel/);
    r = await send({ channel: 'phone', text: '' });
    expect(r.body.message).toMatch(/text/);
    r = await send({ channel: 'phone', text: 'x', window: 'W-NOPE' });
    expect(r.body.message).toBe('window: unknown window "W-NOPE"');
    r = await send({ channel: 'phone', text: 'x', contact: { phone: 'call me maybe' } });
    expect(r.body.message).toMatch(/contact\.phone/);
    r = await send({ channel: 'phone', text: 'x', priority: 'urgent' });
    expect(r.body.details.problems).toContain('priority: unknown field');
    r = await send({ channel: 'phone', text: 'x'.repeat(1_200_000) });
    expect(r.status).toBe(413);
    const unit = await ctx.login('unit_staff', 'SCJG');
    r = await ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${unit}`).send({ channel: 'phone', text: 'x' });
    expect(r.status).toBe(403);
  });

  it('unit staff see exactly their unit and the units below it', async () => {
    const street = await ctx.login('unit_staff', 'JD-DC');
    const r = await get(street, '/api/items?pageSize=500');
    expect(r.status).toBe(200);
    expect(r.body.items.map((i: { unit: string }) => i.unit).sort()).toEqual(['JD-DC', 'SQ-HP']);
    expect(r.body.total).toBe(2);
    expect(r.body.items[0].contact.phone).toBe('138****5678');
    expect(r.body.items[0].raw).toBeUndefined();
    expect(r.body.items[0].timeline).toBeUndefined();

    const community = await ctx.login('unit_staff', 'SQ-HP');
    const c = await get(community, '/api/items');
    expect(c.body.items.map((i: { unit: string }) => i.unit)).toEqual(['SQ-HP']);

    // the parent of a proxy outlet sees the outlet's items
    const dbz = await ctx.login('unit_staff', 'DBZ');
    expect((await get(dbz, '/api/items')).body.items.map((i: { unit: string }) => i.unit).sort()).toEqual(['DB-KFQ', 'DBZ']);

    // another unit's item: not found, as if it did not exist
    const other = await get(street, `/api/items/${ids['JD-XC']}`);
    expect(other.status).toBe(404);
    expect((await get(street, '/api/items/99999999')).body).toEqual(expect.objectContaining({ error: 'not_found' }));
    expect((await get(street, `/api/items/${ids['SQ-HP']}`)).status).toBe(200);
    // filtering by a unit outside the scope finds nothing rather than leaking
    expect((await get(street, '/api/items?unit=JD-XC')).body).toEqual({ items: [], total: 0 });
  });

  it('filters, pages and orders newest first for the office', async () => {
    const sup = await ctx.login('supervisor');
    const old = await newItem(ctx, { assignedUnit: 'SCJG', receivedAt: new Date('2026-01-05T09:00:00+08:00'), channel: 'email' });
    const all = await get(sup, '/api/items?pageSize=500');
    expect(all.body.total).toBeGreaterThanOrEqual(8);
    const times = all.body.items.map((i: { receivedAt: string }) => Date.parse(i.receivedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.body.items.at(-1).id).toBe(old.id);
    const scjg = await get(sup, '/api/items?unit=SCJG&channel=email');
    expect(scjg.body.items.map((i: { id: number }) => i.id)).toEqual([old.id]);
    const page2 = await get(sup, '/api/items?pageSize=3&page=2');
    expect(page2.body.items).toHaveLength(3);
    expect(page2.body.items[0].id).toBe(all.body.items[3].id);
    expect((await get(sup, '/api/items?pageSize=501')).status).toBe(400);
    expect((await get(sup, '/api/items?status=lost')).status).toBe(400);
    // the item received in January is long past its deadlines; the rest are not
    const overdue = await get(sup, '/api/items?overdue=true');
    expect(overdue.body.items.map((i: { id: number }) => i.id)).toEqual([old.id]);
  });
});
