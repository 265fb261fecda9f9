import { ItemAssessor } from '../../src/intake/intake.types.js';
import { DeadlineJobsService } from '../../src/workflow/deadline-jobs.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * 催办, 督办 and 通报 fire once per deadline: the handlers are called directly, twice and concurrently, as two copies of
 * the service would run them, and the outbox holds one mail per cause.
 */
describe('deadline jobs (real PostgreSQL)', () => {
  let ctx: TestContext;
  let jobs: DeadlineJobsService;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    jobs = ctx.app.get(DeadlineJobsService);
  });
  afterAll(async () => ctx.close());

  const at = (s: string) => new Date(s);
  async function itemDue(unit: string, acceptDue: string, answerDue: string): Promise<number> {
    const { id } = await newItem(ctx, { assignedUnit: unit, text: `${unit} 办事慢` });
    await ctx.ds.query(`UPDATE item SET accept_due_at = $2, answer_due_at = $3 WHERE id = $1`, [id, at(acceptDue), at(answerDue)]);
    return id;
  }
  const mails = (id: number, kind: string) =>
    ctx.ds.query(`SELECT to_addr, subject FROM outbox WHERE item_id = $1 AND kind = $2 ORDER BY to_addr`, [id, kind]);
  const events = async (id: number, kind: string) =>
    (await ctx.ds.query(`SELECT count(*)::int AS n FROM item_event WHERE item_id = $1 AND kind = $2`, [id, kind]))[0].n;

  it('reminds the unit once, one working day before the deadline, on the China calendar', async () => {
    // due at the end of Tuesday 2026-10-13: reminded from Monday 10-12 09:00 China time
    const id = await itemDue('RS', '2026-10-13T23:59:59.999+08:00', '2026-10-23T23:59:59.999+08:00');
    // Friday 10-09 and Saturday 10-10 (调休, a working day) are too early; so is Monday 08:00
    expect(await jobs.remind(at('2026-10-10T12:00:00+08:00'))).toBe(0);
    expect(await jobs.remind(at('2026-10-12T08:00:00+08:00'))).toBe(0);
    const now = at('2026-10-12T10:00:00+08:00');
    const [a, b] = await Promise.all([jobs.remind(now), jobs.remind(now)]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    await jobs.remind(now);
    const m = await mails(id, 'reminder');
    expect(m).toEqual([{ to_addr: 'rs@anping.example.gov.cn', subject: expect.stringContaining('【催办】') }]);
    expect(await events(id, 'reminded')).toBe(1);
  });

  it('marks an overdue item once and tells the office and the unit once each (督办)', async () => {
    const id = await itemDue('GJJ', '2026-10-09T23:59:59.999+08:00', '2026-10-23T23:59:59.999+08:00');
    const now = at('2026-10-12T10:00:00+08:00');
    await Promise.all([jobs.overdue(now), jobs.overdue(now)]);
    await jobs.overdue(now);
    expect(await mails(id, 'overdue')).toEqual([
      { to_addr: 'gjj@anping.example.gov.cn', subject: expect.stringContaining('【督办】') },
      { to_addr: 'zwb@anping.example.gov.cn', subject: expect.stringContaining('【督办】') },
    ]);
    expect(await events(id, 'overdue')).toBe(1);
    const [row] = await ctx.ds.query(`SELECT overdue_notified_at FROM item WHERE id = $1`, [id]);
    expect(row.overdue_notified_at.toISOString()).toBe(now.toISOString());
  });

  it('puts an item on the 通报 list at five working days overdue, once', async () => {
    // due Friday 10-09; working days after it: 10-10 (调休), 10-12, 13, 14, 15 → the fifth is Thursday 10-15
    const id = await itemDue('YB', '2026-10-09T23:59:59.999+08:00', '2026-10-30T23:59:59.999+08:00');
    expect(await jobs.report(at('2026-10-14T12:00:00+08:00'))).toBe(0);
    const now = at('2026-10-15T12:00:00+08:00');
    await Promise.all([jobs.report(now), jobs.report(now)]);
    await jobs.report(now);
    expect(await events(id, 'reported')).toBe(1);
    const [row] = await ctx.ds.query(`SELECT reported_at FROM item WHERE id = $1`, [id]);
    expect(row.reported_at.toISOString()).toBe(now.toISOString());
  });

  it('starts afresh when the item moves on to its next deadline', async () => {
    const id = await itemDue('SW', '2026-10-09T23:59:59.999+08:00', '2026-10-23T23:59:59.999+08:00');
    await jobs.overdue(at('2026-10-12T10:00:00+08:00'));
    expect(await mails(id, 'overdue')).toHaveLength(2);
    // accepted late: now held to the answer deadline, not yet overdue, so no new notice until it passes
    const sw = await ctx.login('unit_staff', 'SW');
    expect((await ctx.http().post(`/api/items/${id}/accept`).set('Authorization', `Bearer ${sw}`).send({})).status).toBe(200);
    const [row] = await ctx.ds.query(`SELECT due_at, overdue_notified_at, reminded_at FROM item WHERE id = $1`, [id]);
    expect(row).toEqual({ due_at: at('2026-10-23T23:59:59.999+08:00'), overdue_notified_at: null, reminded_at: null });
    await jobs.overdue(at('2026-10-26T10:00:00+08:00'));
    await jobs.overdue(at('2026-10-26T10:05:00+08:00'));
    expect(await mails(id, 'overdue')).toHaveLength(4);
  });

  it('scans the deadlines through the partial indexes', async () => {
    // one connection: the setting is per session (a table this small would otherwise be read whole)
    const q = ctx.ds.createQueryRunner();
    await q.connect();
    await q.query(`SET enable_seqscan = off`);
    const plan = async (sql: string) =>
      (await q.query(`EXPLAIN ${sql}`)).map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN']).join('\n');
    expect(await plan(`SELECT id FROM item WHERE overdue_notified_at IS NULL AND due_at IS NOT NULL AND due_at < now()`)).toContain('item_overdue_idx');
    expect(await plan(`SELECT id FROM item WHERE reported_at IS NULL AND due_at IS NOT NULL AND due_at < now()`)).toContain('item_report_idx');
    expect(await plan(`SELECT id FROM item WHERE reminded_at IS NULL AND due_at IS NOT NULL AND due_at > now() AND due_at < now() + interval '13 days'`)).toMatch(/Index Scan using item_due_idx/);
    await q.query(`RESET enable_seqscan`);
    await q.release();
  });
});
