import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { IntakeService } from '../../src/intake/intake.service.js';
import { ItemAssessor, type IntakeDraft } from '../../src/intake/intake.types.js';
import { HotSpotsService } from '../../src/repeats/hot-spots.service.js';
import { AssignedUnitAssessor } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 16 on a real PostgreSQL: one matter, one case; many people, one hot spot; people decide; figures. */
describe('repeats and hot spots', () => {
  let ctx: TestContext;
  let intake: IntakeService;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    ctx.clock.set('2026-11-03T09:00:00+08:00');
    intake = ctx.app.get(IntakeService);
  });
  afterAll(async () => ctx.close());

  const draft = (over: Partial<IntakeDraft>): IntakeDraft => ({ channel: 'phone', externalId: randomUUID(), receivedAt: ctx.clock.now(), text: '', raw: {}, ...over });
  const viaIntake = async (over: Partial<IntakeDraft>): Promise<number> => (await intake.intake(draft(over), SYSTEM_ACTOR)).id;
  /** the hotline's write path: storeBatch inside the import's transaction */
  const viaBatch = async (over: Partial<IntakeDraft>): Promise<number> => {
    const p = await intake.prepare(draft({ channel: 'hotline', ...over }));
    const [r] = await ctx.ds.transaction((m) => intake.storeBatch(m, [{ p, hash: null }], SYSTEM_ACTOR));
    return r.id;
  };
  const row = async (id: number) =>
    (await ctx.ds.query(`SELECT id, lead_id, status, accept_due_at, answer_due_at, answer_text, repeat_evidence FROM item WHERE id = $1`, [id]))[0];
  const api = (token: string) => ({
    get: (url: string) => ctx.http().get(url).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object = {}) => ctx.http().post(url).set('Authorization', `Bearer ${token}`).send(body),
    del: (url: string) => ctx.http().delete(url).set('Authorization', `Bearer ${token}`),
  });

  /** a fresh sign-in (the tests move the hub's clock by weeks; a token from before would have expired) */
  let n = 0;
  const login = async (role: 'supervisor' | 'unit_staff', unit?: string): Promise<string> => {
    const { username, password } = await ctx.newUser({ role, unit, username: `r${++n}${role}` });
    return (await ctx.http().post('/api/auth/login').send({ username, password })).body.token as string;
  };

  const PHONE = '13811112222';
  let lead = 0;
  let hotline = 0;
  let mail = 0;

  it("a person's QR rating, 12345 call and mail on one matter make one case with three sources", async () => {
    lead = await viaIntake({ channel: 'qr', window: 'W-B01', rating: 1, assignedUnit: 'BDC', contact: { phone: PHONE }, text: '不动产登记窗口让我补交材料，跑了三趟，每次要的材料都不一样' });
    ctx.clock.set('2026-11-03T19:30:00+08:00');
    hotline = await viaBatch({ assignedUnit: 'BDC', appealType: '投诉', contact: { name: '王先生', phone: '138-1111-2222' }, text: '来电人反映在不动产登记窗口办理过户，窗口多次要求补交材料，跑了三趟每次要求的材料都不一样，要求给个说法' });
    ctx.clock.set('2026-11-10T10:00:00+08:00');
    mail = await viaIntake({
      channel: 'email',
      externalId: `<${randomUUID()}@example.com>`,
      assignedUnit: 'BDC',
      subject: '不动产过户补交材料的问题',
      contact: { email: 'wang@example.com' },
      text: '你好，我手机13811112222。上周在不动产登记窗口办过户，一次次让我补交材料，跑了三趟材料要求都不一样，到现在还没办成。',
    });
    const [l, h, m] = [await row(lead), await row(hotline), await row(mail)];
    expect(l.lead_id).toBeNull();
    expect(h.lead_id).toBe(String(lead));
    expect(m.lead_id).toBe(String(lead));
    // a repeat is no second job: no deadlines, not in the unit's queue
    expect([h.accept_due_at, h.answer_due_at, m.accept_due_at, m.answer_due_at]).toEqual([null, null, null, null]);
    expect(h.repeat_evidence).toMatchObject({ lead, by: 'check', afterClose: false });
    expect(h.repeat_evidence.similarity).toBeGreaterThan(0.2);
    expect(h.repeat_evidence.words).toEqual(expect.arrayContaining(['补交']));
    const staff = await login('unit_staff', 'BDC');
    const queue = await api(staff).get('/api/items?repeats=exclude&pageSize=500');
    const ids = queue.body.items.map((i: { id: number }) => i.id);
    expect(ids).toContain(lead);
    expect(ids).not.toContain(hotline);
    expect(ids).not.toContain(mail);
    // both timelines show the link and its evidence
    const links = await api(staff).get(`/api/items/${lead}/links`);
    expect(links.status).toBe(200);
    expect(links.body.repeats.map((r: { channel: string }) => r.channel).sort()).toEqual(['email', 'hotline']);
    const sup = await login('supervisor');
    const item = await api(sup).get(`/api/items/${hotline}`);
    expect(item.body.leadId).toBe(lead);
    expect(item.body.timeline.map((e: { kind: string }) => e.kind)).toContain('repeat_of');
    const leadItem = await api(sup).get(`/api/items/${lead}`);
    expect(leadItem.body.timeline.filter((e: { kind: string }) => e.kind === 'repeat_linked')).toHaveLength(2);
  });

  it('answering the lead answers the person on every channel they used', async () => {
    const staff = await login('unit_staff', 'BDC');
    expect((await api(staff).post(`/api/items/${lead}/accept`)).status).toBe(200);
    const r = await api(staff).post(`/api/items/${lead}/answer`, { text: '已核实，材料清单已统一并一次性告知，过户已于今日办结。' });
    expect(r.status).toBe(200);
    for (const id of [hotline, mail]) {
      const x = await row(id);
      expect(x.status).toBe('answered');
      expect(x.answer_text).toContain('材料清单已统一');
    }
    const mails = await ctx.ds.query(`SELECT to_addr, subject, body_text FROM outbox WHERE item_id = $1 AND kind = 'answer'`, [mail]);
    expect(mails).toHaveLength(1);
    expect(mails[0].to_addr).toBe('wang@example.com');
    expect(mails[0].body_text).toContain('材料清单已统一');
    // the unit got one "new work" mail for the case, not three
    const assigned = await ctx.ds.query(`SELECT item_id FROM outbox WHERE kind = 'assigned' AND item_id = ANY($1::bigint[])`, [[hotline, mail]]);
    expect(assigned).toHaveLength(0);
  });

  it('a different matter of the same person stays separate', async () => {
    const other = await viaIntake({ channel: 'phone', assignedUnit: 'SW', contact: { phone: PHONE }, text: '办税服务厅的发票领用自助机坏了一个星期，没人修' });
    expect((await row(other)).lead_id).toBeNull();
    expect((await row(other)).accept_due_at).not.toBeNull();
  });

  it('a repeat after the lead was closed is linked and counted as "did the answer hold"', async () => {
    const sup = await login('supervisor');
    expect((await api(sup).post(`/api/items/${lead}/callback`, { satisfied: true, note: '满意' })).status).toBe(200);
    // a satisfied callback closes the lead, and its answered repeats with it
    expect((await row(lead)).status).toBe('closed');
    expect((await row(hotline)).status).toBe('closed');
    ctx.clock.set('2026-11-20T10:00:00+08:00');
    const again = await viaIntake({ channel: 'phone', assignedUnit: 'BDC', contact: { phone: PHONE }, text: '不动产登记窗口又让我补交材料，还是跑了好几趟' });
    const a = await row(again);
    expect(a.lead_id).toBe(String(lead));
    expect(a.repeat_evidence.afterClose).toBe(true);
    const figures = await api(await login('supervisor')).get('/api/reports/repeats');
    expect(figures.status).toBe(200);
    expect(figures.body.repeats.afterClose).toBe(1);
    expect(figures.body.repeats.repeats).toBe(3);
    expect(figures.body.repeats.rate).toBeGreaterThan(0);
  });

  it('two channels delivering the same person at once link, never double', async () => {
    for (let k = 0; k < 4; k++) {
      const phone = `1390000${String(1000 + k)}`;
      const text = `公积金提取窗口第${k}次说我的材料不全，让我回去开证明再来`;
      const ids = await Promise.all([
        viaIntake({ channel: 'qr', window: 'W-B05', rating: 2, assignedUnit: 'GJJ', contact: { phone }, text }),
        viaBatch({ assignedUnit: 'GJJ', contact: { phone }, text: `来电反映：${text}` }),
        viaIntake({ channel: 'phone', assignedUnit: 'GJJ', contact: { phone }, text: `${text}，很生气` }),
      ]);
      const rows = await Promise.all(ids.map(row));
      const leads = rows.filter((r) => r.lead_id === null);
      expect(leads).toHaveLength(1);
      for (const r of rows) if (r.lead_id !== null) expect(r.lead_id).toBe(leads[0].id);
    }
  });

  it('the office links, unlinks and re-leads; a unit sees the links of its own items only', async () => {
    ctx.clock.set('2026-11-21T10:00:00+08:00');
    const a = await viaIntake({ channel: 'phone', assignedUnit: 'RS', contact: { phone: '13700007777' }, text: '社保卡补办要等一个月太慢' });
    const b = await viaIntake({ channel: 'walkthrough', assignedUnit: 'RS', text: '体验员发现：社保卡补办周期长，群众反映等一个月' });
    expect((await row(b)).lead_id).toBeNull(); // no person known: never linked by the check
    const sup = await login('supervisor');
    const staff = await login('unit_staff', 'RS');
    expect((await api(staff).post(`/api/items/${b}/links`, { lead: a })).status).toBe(403);
    const linked = await api(sup).post(`/api/items/${b}/links`, { lead: a });
    expect(linked.status).toBe(200);
    expect(linked.body.lead).toMatchObject({ id: a });
    expect((await row(b)).answer_due_at).toBeNull();
    const releaded = await api(sup).post(`/api/items/${b}/lead`);
    expect(releaded.status).toBe(200);
    expect((await row(a)).lead_id).toBe(String(b));
    expect((await row(b)).lead_id).toBeNull();
    expect((await row(b)).answer_due_at).not.toBeNull();
    const unlinked = await api(sup).del(`/api/items/${a}/links`);
    expect(unlinked.status).toBe(200);
    expect((await row(a)).lead_id).toBeNull();
    expect((await row(a)).accept_due_at).not.toBeNull();
    // scope: the unit sees its links; another unit gets not-found
    expect((await api(staff).get(`/api/items/${lead}/links`)).status).toBe(404);
    const other = await login('unit_staff', 'SW');
    expect((await api(other).get(`/api/items/${a}/links`)).status).toBe(404);
    expect((await api(staff).get(`/api/items/${a}/links`)).status).toBe(200);
  });

  it('twenty people on one matter make one hot spot, which becomes one problem in one call', async () => {
    ctx.clock.set('2026-11-24T09:00:00+08:00');
    const voices = [
      '办税服务窗口的叫号机坏了，排队排了两个小时',
      '叫号机坏了，办税窗口排队两个小时都没轮到',
      '办税大厅叫号机又坏了，排队太久',
      '办税窗口叫号机坏了没人修，排队两个多小时',
    ];
    const ids: number[] = [];
    for (let k = 0; k < 20; k++) {
      ids.push(await viaIntake({ channel: k % 2 ? 'qr' : 'phone', window: 'W-A05', rating: 1, assignedUnit: 'SW', contact: { phone: `1350000${String(2000 + k)}` }, text: voices[k % 4]! }));
    }
    await ctx.app.get(HotSpotsService).clusterPending();
    const sup = await login('supervisor');
    const spots = await api(sup).get('/api/hot-spots');
    const mine = spots.body.filter((s: { window: string }) => s.window === 'W-A05');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ items: 20, people: 20, units: ['SW'], last7Days: 20, before: 0 });
    expect(mine[0].samples).toHaveLength(3);
    const p = await api(sup).post(`/api/hot-spots/${mine[0].id}/problem`, { kind: 'immediate' });
    expect(p.status).toBe(201);
    const linkedItems = await ctx.ds.query(`SELECT item_id FROM problem_item WHERE problem_id = $1`, [p.body.id]);
    expect(linkedItems.map((r: { item_id: string }) => Number(r.item_id)).sort((x: number, y: number) => x - y)).toEqual(ids);
    expect((await api(sup).post(`/api/hot-spots/${mine[0].id}/problem`, {})).status).toBe(409);
    const figures = await api(sup).get('/api/reports/repeats');
    expect(figures.body.hotSpots.withProblem).toBeGreaterThanOrEqual(1);
    expect(figures.body.hotSpots.itemsPerHotSpot).toBeGreaterThan(2);
    const staff = await login('unit_staff', 'SW');
    expect((await api(staff).get('/api/hot-spots')).status).toBe(403);
  });
});
