import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { RETENTION_JOB } from '../../src/privacy/personal-data.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * PIPL: retention erases the personal data of items closed more than N months ago and nothing else; a person's
 * data is exported and erased on request; unmasked views and exports are audited; numbers typed into texts are
 * masked for the roles that see masked data.
 */
describe('personal data: retention, a person\'s export and erasure, audit, masking', () => {
  let ctx: TestContext;
  let admin: string;
  let sup: string;
  const NOW = '2026-12-04T10:00:00+08:00';
  const monthsAgo = (n: number): Date => {
    const d = new Date(Date.parse(NOW));
    d.setUTCMonth(d.getUTCMonth() - n);
    return d;
  };
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_PERSONAL_DATA_MONTHS: '6', HUB_JOBS: 'false' }, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    ctx.clock.freeze(NOW);
    admin = await ctx.adminToken();
    sup = await ctx.login('supervisor');
  });
  afterAll(async () => ctx.close());

  const get = (token: string, url: string) => ctx.http().get(url).set('Authorization', `Bearer ${token}`);
  const post = (token: string, url: string, body: object = {}) => ctx.http().post(url).set('Authorization', `Bearer ${token}`).send(body);
  const row = async (id: number) =>
    (await ctx.ds.query(
      `SELECT contact_name, contact_phone, contact_email, raw, text, subject, status, dimension, unit_id, rating, received_at, accept_due_at, personal_data_erased_at
       FROM item WHERE id = $1`,
      [id],
    ))[0];
  const events = async (id: number) => ctx.ds.query(`SELECT kind, data FROM item_event WHERE item_id = $1 ORDER BY id`, [id]);
  /** closes the item through the workflow, then dates the closing (the workflow stamps its own now) */
  const closeAt = async (id: number, at: Date) => {
    expect((await post(sup, `/api/items/${id}/close`, {})).status).toBe(200);
    await ctx.ds.query(`UPDATE item SET closed_at = $2 WHERE id = $1`, [id, at]);
  };

  it('retention erases names, phones, addresses and numbers in texts of items closed over N months ago, and nothing else', async () => {
    const personal = { name: '张三', phone: '13800000001', email: 'zhangsan@example.com' };
    const oldClosed = await newItem(ctx, {
      receivedAt: monthsAgo(9),
      text: '我的电话13800000001，身份证110105199003071234，社保窗口排队太久',
      contact: personal,
      raw: { caller: '张三', phone: '13800000001' },
      assignedUnit: 'RS',
    } as never);
    const oldClosed2 = await newItem(ctx, { receivedAt: monthsAgo(8), contact: { name: '王五', phone: '13800000005' }, assignedUnit: 'RS' } as never);
    const recentClosed = await newItem(ctx, { receivedAt: monthsAgo(2), text: '回电13800000002', contact: { name: '李四', phone: '13800000002' }, assignedUnit: 'RS' } as never);
    const openOld = await newItem(ctx, { receivedAt: monthsAgo(10), text: '回电13800000003', contact: { name: '赵六', phone: '13800000003' }, assignedUnit: 'RS' } as never);
    await closeAt(oldClosed.id, monthsAgo(7));
    await closeAt(oldClosed2.id, new Date(monthsAgo(6).getTime() - 60_000)); // just past the cut-off
    await closeAt(recentClosed.id, new Date(monthsAgo(6).getTime() + 60_000)); // just inside it
    const keptBefore = { recent: await row(recentClosed.id), open: await row(openOld.id) };
    const erasedBefore = await row(oldClosed.id);
    const timelineBefore = await events(oldClosed.id);
    const figures = async () => {
      const summary = await get(sup, `/api/reports/summary?from=${monthsAgo(12).toISOString()}&to=${new Date(Date.parse(NOW)).toISOString()}`);
      expect(summary.status).toBe(200);
      return {
        summary: summary.body,
        counts: await ctx.ds.query(`SELECT status, dimension, unit_id, channel, count(*)::int AS n FROM item GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`),
      };
    };
    const figuresBefore = await figures();
    expect(figuresBefore.summary.items.total).toBeGreaterThanOrEqual(4);

    const run = await post(admin, '/api/admin/personal-data/retention');
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ months: 6, erased: 2, cutoff: monthsAgo(6).toISOString() });

    const erased = await row(oldClosed.id);
    expect(erased).toMatchObject({ contact_name: null, contact_phone: null, contact_email: null, raw: { erased: 'retention' } });
    expect(erased.text).toBe('我的电话〔已删除〕，身份证〔已删除〕，社保窗口排队太久');
    expect(erased.personal_data_erased_at.toISOString()).toBe(new Date(Date.parse(NOW)).toISOString());
    // what the figures and the follow-up need stays
    for (const k of ['status', 'dimension', 'unit_id', 'rating', 'received_at', 'accept_due_at'] as const) expect(erased[k]).toEqual(erasedBefore[k]);
    const timeline = await events(oldClosed.id);
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual([...timelineBefore.map((e: { kind: string }) => e.kind), 'personal_data_erased']);
    expect(JSON.stringify(timeline)).not.toContain('13800000001');
    expect((await row(oldClosed2.id)).contact_phone).toBeNull();

    // closed recently, or still open however old: untouched
    expect(await row(recentClosed.id)).toEqual(keptBefore.recent);
    expect(await row(openOld.id)).toEqual(keptBefore.open);
    expect(await figures()).toEqual(figuresBefore);

    // once only: a second run finds nothing
    expect((await post(admin, '/api/admin/personal-data/retention')).body.erased).toBe(0);
    const audit = await get(admin, '/api/admin/personal-data/audit?action=retention_erase');
    expect(audit.body.total).toBe(1);
    expect(audit.body.entries[0]).toMatchObject({ actor: 'admin', role: 'admin', action: 'retention_erase' });
    expect(audit.body.entries[0].itemIds.sort()).toEqual([oldClosed.id, oldClosed2.id].sort());
  });

  it('masks ID-card and phone numbers typed into texts for unit staff; a supervisor sees them, and that is audited', async () => {
    const { id } = await newItem(ctx, {
      text: '请联系我 139 0000 0007，身份证号 11010519900307123X，邮箱 wang@example.com',
      contact: { name: '王小明', phone: '13900000007' },
      assignedUnit: 'RS',
    } as never);
    const staff = await ctx.login('unit_staff', 'RS');
    const masked = await get(staff, `/api/items/${id}`);
    expect(masked.status).toBe(200);
    expect(masked.body.text).toBe('请联系我 139****0007，身份证号 1****************X，邮箱 w***@example.com');
    expect(masked.body.contact).toEqual({ name: '王**', phone: '139****0007', email: null });
    expect(JSON.stringify(masked.body)).not.toMatch(/0000 0007|13900000007|11010519900307123X/);
    const list = await get(staff, '/api/items?pageSize=500');
    expect(JSON.stringify(list.body)).not.toContain('11010519900307123X');

    const full = await get(sup, `/api/items/${id}`);
    expect(full.body.text).toContain('139 0000 0007');
    expect(full.body.contact.phone).toBe('13900000007');
    const audit = await get(admin, '/api/admin/personal-data/audit?action=item_view');
    const views = audit.body.entries.filter((e: { itemIds: number[] }) => e.itemIds.includes(id));
    expect(views).toHaveLength(1); // the supervisor's, not the unit staff's masked view
    expect(views[0].role).toBe('supervisor');
    expect(views[0].at).toBe(new Date(Date.parse(NOW)).toISOString());
    // the audit is for admins only
    expect((await get(sup, '/api/admin/personal-data/audit')).status).toBe(403);
  });

  it("exports and erases one person's data by mail address or phone number, for admins only, audited", async () => {
    const byMail = await newItem(ctx, { text: '办证材料反复被退回', contact: { name: '刘一', email: 'Liu.Yi@example.com' }, assignedUnit: 'BDC' } as never);
    const byText = await newItem(ctx, { text: '我是刘一，电话13700000011，上次反映的问题还没答复', contact: undefined, assignedUnit: 'BDC' } as never);
    const other = await newItem(ctx, { text: '别人的事', contact: { name: '陈二', phone: '13700000022', email: 'chen@example.com' }, assignedUnit: 'BDC' } as never);
    expect((await get(sup, '/api/admin/personal-data?person=13700000011')).status).toBe(403);

    const exp = await get(admin, '/api/admin/personal-data?person=137 0000 0011');
    expect(exp.status).toBe(200);
    expect(exp.body.items.map((i: { id: number }) => i.id)).toEqual([byText.id]);
    expect(exp.body.items[0].text).toContain('13700000011');
    expect(exp.body.items[0].timeline.length).toBeGreaterThan(0);
    expect((await get(admin, '/api/admin/personal-data?person=nobody')).status).toBe(400);

    const erase = await post(admin, '/api/admin/personal-data/erase', { person: 'liu.yi@example.com' });
    expect(erase.status).toBe(200);
    expect(erase.body).toEqual({ items: 1, mails: 0 });
    const r = await row(byMail.id);
    expect(r).toMatchObject({ contact_name: null, contact_email: null, raw: { erased: 'request' }, text: '办证材料反复被退回' });
    expect(r.status).not.toBe('closed'); // erasure does not change the work
    expect((await row(other.id)).contact_email).toBe('chen@example.com');
    const audit = await get(admin, '/api/admin/personal-data/audit');
    const [last, prev] = audit.body.entries;
    expect(last).toMatchObject({ action: 'person_erase', subject: 'l***@example.com', itemIds: [byMail.id] });
    expect(prev).toMatchObject({ action: 'person_export', subject: '137****0011', itemIds: [byText.id] });
  });
});

describe('personal data from the command line', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' }, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
  });
  afterAll(async () => ctx.close());

  const cli = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.resolve('dist/cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: (ctx.ds.options as { url: string }).url, HUB_DATA_DIR: ctx.config.dataDir, HUB_SECRET: ctx.config.secret, ...extra },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('retention:run, personal:export and personal:erase work and are audited as the command line', async () => {
    const old = await newItem(ctx, { receivedAt: new Date('2020-01-06T09:00:00+08:00'), contact: { name: '周九', phone: '13600000009' }, assignedUnit: 'RS' } as never);
    await ctx.ds.query(`UPDATE item SET status = 'closed', closed_at = '2020-01-10T09:00:00+08:00' WHERE id = $1`, [old.id]);
    const open = await newItem(ctx, { text: '请回电 13600000010', contact: { name: '吴十', phone: '13600000010' }, assignedUnit: 'RS' } as never);

    // no period set and none given: says so
    const none = cli(['retention:run']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/HUB_PERSONAL_DATA_MONTHS/);
    const run = cli(['retention:run'], { HUB_PERSONAL_DATA_MONTHS: '12' });
    expect(run.stdout).toMatch(/erased the personal data of 1 items closed before/);
    expect((await ctx.ds.query(`SELECT contact_phone FROM item WHERE id = $1`, [old.id]))[0].contact_phone).toBeNull();

    const exp = cli(['personal:export', '13600000010']);
    expect(exp.status).toBe(0);
    const data = JSON.parse(exp.stdout);
    expect(data.items.map((i: { id: number }) => i.id)).toEqual([open.id]);
    expect(data.items[0].contact.phone).toBe('13600000010');

    const erase = cli(['personal:erase', '136-0000-0010']);
    expect(erase.stdout).toMatch(/erased from 1 items/);
    const [row] = await ctx.ds.query(`SELECT contact_name, contact_phone, text, status FROM item WHERE id = $1`, [open.id]);
    expect(row).toEqual({ contact_name: null, contact_phone: null, text: '请回电 〔已删除〕', status: expect.any(String) });
    const audit = await ctx.ds.query(`SELECT actor, role, action FROM personal_data_access ORDER BY id`);
    expect(audit).toEqual([
      { actor: 'cli', role: 'admin', action: 'retention_erase' },
      { actor: 'cli', role: 'admin', action: 'person_export' },
      { actor: 'cli', role: 'admin', action: 'person_erase' },
    ]);
  }, 120_000);
});

describe('the retention job on the queue', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'true', HUB_PERSONAL_DATA_MONTHS: '3' }, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
  });
  afterAll(async () => ctx.close());

  it('is scheduled daily (China time) and, when run by a worker, erases what is past the period', async () => {
    const [schedule] = await ctx.ds.query(`SELECT cron, timezone FROM pgboss.schedule WHERE name = $1`, [RETENTION_JOB]);
    expect(schedule).toEqual({ cron: '20 3 * * *', timezone: 'Asia/Shanghai' });
    const { id } = await newItem(ctx, { contact: { name: '郑八', phone: '13300000008' }, assignedUnit: 'RS' } as never);
    await ctx.ds.query(`UPDATE item SET status = 'closed', closed_at = $2 WHERE id = $1`, [id, new Date(ctx.clock.nowMs() - 120 * 24 * 3600_000)]);
    expect(await ctx.app.get(JobsService).send(RETENTION_JOB)).toBeTruthy();
    let phone: string | null = '13300000008';
    for (let i = 0; i < 60 && phone !== null; i++) {
      await new Promise((r) => setTimeout(r, 500));
      phone = (await ctx.ds.query(`SELECT contact_phone FROM item WHERE id = $1`, [id]))[0].contact_phone;
    }
    expect(phone).toBeNull();
    const [entry] = await ctx.ds.query(`SELECT actor, action FROM personal_data_access`);
    expect(entry).toEqual({ actor: 'system', action: 'retention_erase' });
  }, 60_000);
});
