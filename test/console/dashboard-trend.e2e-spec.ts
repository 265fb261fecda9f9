import { ItemAssessor } from '../../src/intake/intake.types.js';
import { parseBound, ReportsService } from '../../src/reports/reports.service.js';
import { parseChinaDate, weekdayOf } from '../../src/workflow/calendar.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** The dashboard's trend (ReportsService.trend): weeks from Monday or days, gaps as zeros, roll-up equal to a live count. */
describe('dashboard trend', () => {
  let ctx: TestContext;
  let reports: ReportsService;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    reports = ctx.app.get(ReportsService);
    // China time: 2026-10-05 is a Monday; 10-11 a Sunday; nothing in the week of 10-12; one item on 10-19
    const at = (s: string) => new Date(`${s}+08:00`);
    await newItem(ctx, { assignedUnit: 'GJJ', channel: 'qr', rating: 5, receivedAt: at('2026-10-05T00:10:00') });
    await newItem(ctx, { assignedUnit: 'GJJ', channel: 'qr', rating: 1, receivedAt: at('2026-10-11T23:50:00') });
    await newItem(ctx, { assignedUnit: 'BDC', channel: 'hotline', receivedAt: at('2026-10-19T09:00:00') });
    await newItem(ctx, { assignedUnit: 'BDC', channel: 'hotline', receivedAt: at('2026-10-31T23:59:00') });
  });
  afterAll(async () => ctx.close());

  const period = (from: string, to: string, unit: string | null = null) => ({ from: parseBound(from, 'from'), to: parseBound(to, 'to'), unit });

  it('counts by China week from Monday, with empty weeks as zeros, summing to the summary', async () => {
    const p = period('2026-10-01', '2026-10-31');
    const weeks = await reports.trend(p, 'week');
    expect(weeks.map((w) => w.start)).toEqual(['2026-09-28', '2026-10-05', '2026-10-12', '2026-10-19', '2026-10-26']);
    expect(weeks.every((w) => weekdayOf(parseChinaDate(w.start) as number) === 1)).toBe(true);
    expect(weeks.map((w) => w.items)).toEqual([0, 2, 0, 1, 1]);
    expect(weeks.map((w) => [w.good, w.bad])).toEqual([[0, 0], [1, 1], [0, 0], [0, 0], [0, 0]]);
    const s = await reports.summary(p);
    expect(weeks.reduce((n, w) => n + w.items, 0)).toBe(s.items.total);
  });

  it('counts by day, for a unit and its subtree, and the same with times of day (counted live)', async () => {
    const days = await reports.trend(period('2026-10-10', '2026-10-12'), 'day');
    expect(days).toEqual([
      { start: '2026-10-10', items: 0, good: 0, bad: 0 },
      { start: '2026-10-11', items: 1, good: 0, bad: 1 },
      { start: '2026-10-12', items: 0, good: 0, bad: 0 },
    ]);
    const bdc = await reports.trend(period('2026-10-01', '2026-10-31', 'BDC'), 'week');
    expect(bdc.map((w) => w.items)).toEqual([0, 0, 0, 1, 1]);
    const live = await reports.trend(
      { from: new Date('2026-09-30T16:00:00.000Z'), to: new Date('2026-10-31T15:59:59.000Z'), unit: null },
      'week',
    );
    expect(live).toEqual(await reports.trend(period('2026-10-01', '2026-10-31'), 'week'));
  });

  it('needs both ends of the period', async () => {
    await expect(reports.trend({ from: null, to: parseBound('2026-10-31', 'to'), unit: null }, 'week')).rejects.toThrow(/needs both/);
  });
});
