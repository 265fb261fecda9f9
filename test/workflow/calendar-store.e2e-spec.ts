import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { openDatabase } from '../../src/database/data-source.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { DeadlinesService } from '../../src/workflow/deadlines.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';
import { CalendarStore1763800010000 } from '../../src/database/migrations/1763800010000-calendar-store.js';

/**
 * Next year's calendar without a release: entered by the office in the console (and by API), in the store, read by
 * every copy; open items' deadlines that cross the new year counted again on request, each change on the timeline.
 * The 2027 calendar here is test data, not the State Council's notice.
 */
const TEST_2027 = `year: 2027
source: 测试用日历（非国务院通知）
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
workdays: []
`;

describe('working-day calendar in the store', () => {
  let ctx: TestContext;
  let sup: string;
  let other: { app: INestApplication; ds: DataSource } | null = null;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    // the last working day of 2026 (a Thursday); 2027 has no calendar file
    ctx.clock.set('2026-12-31T10:00:00+08:00');
    sup = await ctx.login('supervisor');
  });
  afterAll(async () => {
    await other?.app.close();
    if (other?.ds.isInitialized) await other.ds.destroy();
    await ctx.close();
  });

  const api = (method: 'get' | 'put' | 'post', url: string, token = sup) => ctx.http()[method](url).set('Authorization', `Bearer ${token}`);
  const dues = async (id: number) =>
    (await ctx.ds.query(`SELECT accept_due_at, answer_due_at FROM item WHERE id = $1`, [id]))[0] as { accept_due_at: Date; answer_due_at: Date };
  const consoleCookie = async (): Promise<string> => {
    const u = await ctx.newUser({ role: 'supervisor' });
    const r = await ctx.http().post('/console/login').type('form').send(u);
    return ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  };
  const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)![1]!;

  it('enters 2027 in the console, counts deadlines that cross the new year again, and every copy uses it', async () => {
    // seeded from the shipped files; 2027 missing and said so
    const years = (await api('get', '/api/calendar')).body as { year: number; origin: string }[];
    expect(years.map((y) => [y.year, y.origin])).toEqual(expect.arrayContaining([[2026, 'file'], [2025, 'file']]));
    expect(years.some((y) => y.year === 2027)).toBe(false);

    // a phone complaint today: accept by the end of the next working day, answer in 10, counted on plain weekends
    const early = await newItem(ctx, { assignedUnit: 'RS', text: '社保卡补办', receivedAt: ctx.clock.now() });
    expect((await dues(early.id)).accept_due_at.toISOString()).toBe('2027-01-01T15:59:59.999Z');
    expect((await dues(early.id)).answer_due_at.toISOString()).toBe('2027-01-14T15:59:59.999Z');
    // and one whose answer deadline is extended by 5 working days
    const ext = await newItem(ctx, { assignedUnit: 'RS', text: '档案转递', receivedAt: ctx.clock.now() });
    const rs = await ctx.login('unit_staff', 'RS');
    expect((await api('post', `/api/items/${ext.id}/accept`, rs)).status).toBe(200);
    expect((await api('post', `/api/items/${ext.id}/extension`, rs).send({ days: 5, reason: '需外省协查' })).status).toBe(200);
    expect((await api('post', `/api/items/${ext.id}/extension/decision`).send({ approve: true })).status).toBe(200);
    expect((await dues(ext.id)).answer_due_at.toISOString()).toBe('2027-01-21T15:59:59.999Z'); // 15 on plain weekends

    const warning = (await api('get', '/api/calendar/warning')).body;
    expect(warning.missingYears).toEqual([2027]);
    expect(warning.items.map((i: { id: number }) => i.id)).toEqual(expect.arrayContaining([early.id]));

    // a second copy of the hub on the same database
    const ds2 = await openDatabase(ctx.config.databaseUrl!);
    const app2 = await createApp({ config: ctx.config, dataSource: ds2, quiet: true, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    await app2.init();
    other = { app: app2, ds: ds2 };
    expect(app2.get(DeadlinesService).calendar.hasYear(2027)).toBe(false);

    // the office sees the warning on its pages, and the calendar page offers next year's template
    const cookie = await consoleCookie();
    const queue = await ctx.http().get('/console/queue').set('Cookie', cookie);
    expect(queue.text).toContain('2027年工作日历尚未录入');
    expect(queue.text).toContain(early.trackingCode);
    const page = await ctx.http().get('/console/calendar').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('year: 2027');
    const csrf = csrfOf(page.text);

    // a wrong entry: every problem named with its path, nothing stored
    const bad = await ctx.http().post('/console/calendar').set('Cookie', cookie).type('form')
      .send({ _csrf: csrf, year: '2027', document: 'year: 2027\nholidays:\n  - {name: 元旦, from: 2027-01-03, to: 2027-01-01}\nworkdays:\n  - {name: 调休, date: 2027-01-06}\n' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('holidays[0].to');
    expect(bad.text).toContain('workdays[0].date');
    expect(bad.text).toContain('only a Saturday or Sunday');
    expect((await api('get', '/api/calendar/2027')).status).toBe(404);

    const good = await ctx.http().post('/console/calendar').set('Cookie', cookie).type('form').send({ _csrf: csrf, year: '2027', document: TEST_2027 });
    expect(good.status).toBe(200);
    expect(good.text).toContain('2027年工作日历已保存：放假3天，调休上班0天');
    expect(ctx.app.get(DeadlinesService).calendar.hasYear(2027)).toBe(true);

    // new items count on it at once; items already open keep their deadlines until counted again
    const late = await newItem(ctx, { assignedUnit: 'RS', text: '医保转移', receivedAt: ctx.clock.now() });
    expect((await dues(late.id)).accept_due_at.toISOString()).toBe('2027-01-04T15:59:59.999Z');
    expect((await dues(early.id)).accept_due_at.toISOString()).toBe('2027-01-01T15:59:59.999Z');

    const recount = await ctx.http().post('/console/calendar/2027/recount').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(recount.status).toBe(200);
    expect(recount.text).toMatch(/期限变化 2 件/);
    expect((await dues(early.id)).accept_due_at.toISOString()).toBe('2027-01-04T15:59:59.999Z');
    expect((await dues(early.id)).answer_due_at.toISOString()).toBe('2027-01-15T15:59:59.999Z');
    expect((await dues(ext.id)).answer_due_at.toISOString()).toBe('2027-01-22T15:59:59.999Z'); // still 15, on the new calendar
    const [ev] = await ctx.ds.query(`SELECT actor, data FROM item_event WHERE item_id = $1 AND kind = 'deadlines_recounted'`, [early.id]);
    expect(ev.data).toMatchObject({
      year: 2027,
      before: { accept: '2027-01-01T15:59:59.999Z', answer: '2027-01-14T15:59:59.999Z' },
      after: { accept: '2027-01-04T15:59:59.999Z', answer: '2027-01-15T15:59:59.999Z' },
    });
    // counting again changes nothing more
    expect((await api('post', '/api/calendar/2027/recount')).body).toMatchObject({ changed: 0 });
    expect((await api('get', '/api/calendar/warning')).body.missingYears).toEqual([]);

    // the other copy reads the new year within seconds
    const until = performance.now() + 10_000;
    while (!app2.get(DeadlinesService).calendar.hasYear(2027) && performance.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(app2.get(DeadlinesService).calendar.isWorkingDay('2027-01-01')).toBe(false);
  });

  it('takes a year by API as YAML or JSON, for the office only, and refuses one that contradicts a neighbour', async () => {
    const y2028 = 'year: 2028\nsource: 测试\nholidays:\n  - {name: 元旦, date: 2028-01-01}\nworkdays: []\n';
    const r = await api('put', '/api/calendar/2028').set('Content-Type', 'text/yaml').send(y2028);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ year: 2028, origin: 'entered', holidays: 1, workdays: 0 });
    const j = await api('put', '/api/calendar/2028').send({ document: y2028.replace('测试', '测试二') });
    expect(j.status).toBe(200);
    expect((await api('get', '/api/calendar/2028')).body).toMatchObject({ source: '测试二', days: [{ date: '2028-01-01', kind: 'holiday', name: '元旦' }] });
    // a year whose text names another year is refused
    const wrongYear = await api('put', '/api/calendar/2029').set('Content-Type', 'text/yaml').send(y2028);
    expect(wrongYear.status).toBe(400);
    expect(wrongYear.body.details.problems).toEqual([{ path: 'year', message: 'says 2028 but the file is for 2029' }]);
    // two years must not disagree about a day: 2029's 元旦 make-up Saturday cannot be a day off in 2028
    expect((await api('put', '/api/calendar/2029').send({ document: 'year: 2029\nholidays: []\nworkdays:\n  - {name: 元旦调休, date: 2028-12-30}\n' })).status).toBe(200);
    const clash = await api('put', '/api/calendar/2028').send({ document: 'year: 2028\nholidays:\n  - {name: 元旦, from: 2028-12-30, to: 2028-12-31}\n' });
    expect(clash.status).toBe(400);
    expect(clash.body.details.problems).toEqual([{ path: 'holidays', message: '2028-12-30 is a working day in 2029' }]);
    expect((await api('get', '/api/calendar/2028')).body.source).toBe('测试二'); // unchanged
    const staff = await ctx.login('unit_staff', 'RS');
    expect((await api('put', '/api/calendar/2028', staff).send({ document: y2028 })).status).toBe(403);
    expect((await api('get', '/api/calendar', await ctx.login('operator'))).status).toBe(403);
    expect((await api('put', '/api/calendar/2028').send({})).status).toBe(400);
  });

  it('the migration goes down and up again', async () => {
    const migration = new CalendarStore1763800010000();
    const q = ctx.ds.createQueryRunner();
    const shape = async () =>
      (
        await q.query(
          `SELECT (SELECT count(*) FROM pg_tables WHERE tablename = 'calendar_year')::int AS tables,
             (SELECT count(*) FROM information_schema.columns WHERE table_name = 'item' AND column_name = 'deadline_basis')::int AS columns`,
        )
      )[0] as { tables: number; columns: number };
    try {
      await migration.down(q);
      expect(await shape()).toEqual({ tables: 0, columns: 0 });
      await migration.up(q);
      expect(await shape()).toEqual({ tables: 1, columns: 1 });
    } finally {
      await q.release();
    }
  });
});
