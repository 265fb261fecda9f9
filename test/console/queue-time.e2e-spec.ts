import { timeLeft } from '../../src/console/format.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { DeadlinesService } from '../../src/workflow/deadlines.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * The unit's queue reads "time left" and 逾期 from the hub's clock, not the machine's or the database's: moving the
 * clock moves an item into the overdue tab. Runs at today's date and again under the shifted clocks (jest.config.js),
 * so a year without a calendar file and the last seconds of a year are covered too.
 */
describe('console queue: time left and 逾期 on the hub’s clock', () => {
  let ctx: TestContext;
  let staff: { username: string; password: string };
  let office: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    staff = await ctx.newUser({ role: 'unit_staff', unit: 'RS', username: 'queue_rs' });
    office = await ctx.newUser({ role: 'supervisor', username: 'queue_sup' });
  });
  afterAll(async () => ctx.close());

  // signed in afresh at each instant: a session lasts 12 hours of the hub's clock, and the clock jumps days here
  const queue = async (show?: string): Promise<string> => {
    const login = await ctx.http().post('/console/login').type('form').send(staff);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const r = await ctx.http().get(`/console/queue${show ? `?show=${show}` : ''}`).set('Cookie', cookie);
    expect(r.status).toBe(200);
    return r.text;
  };
  /** the queue row of one item: from its tracking code to the end of its row */
  const rowOf = (html: string, code: string): string | null => {
    const at = html.indexOf(`>${code}</a>`);
    return at < 0 ? null : html.slice(at, html.indexOf('</tr>', at));
  };

  it('shows the time left to each deadline and lists only items past it under 逾期, as the clock moves', async () => {
    const start = ctx.clock.now();
    ctx.clock.freeze(start);
    const deadlines = ctx.app.get(DeadlinesService);
    // one received now, one received twelve calendar days ago (its 1-working-day acceptance long past)
    const fresh = await newItem(ctx, { assignedUnit: 'RS', text: '刚收到的投诉', receivedAt: start });
    const oldAt = new Date(start.getTime() - 12 * 86_400_000);
    ctx.clock.freeze(oldAt);
    const old = await newItem(ctx, { assignedUnit: 'RS', text: '十二天前的投诉', receivedAt: oldAt });
    ctx.clock.freeze(start);

    const [f] = await ctx.ds.query(`SELECT accept_due_at FROM item WHERE id = $1`, [fresh.id]);
    const [o] = await ctx.ds.query(`SELECT accept_due_at FROM item WHERE id = $1`, [old.id]);
    expect((f.accept_due_at as Date).getTime()).toBe(deadlines.addWorkingDays(start, deadlines.acceptDays).getTime());
    expect((o.accept_due_at as Date).getTime()).toBeLessThan(start.getTime());

    let all = await queue();
    expect(rowOf(all, fresh.trackingCode)).toContain(timeLeft(f.accept_due_at, start)!.text);
    expect(timeLeft(f.accept_due_at, start)!.text).toMatch(/^剩余/);
    expect(rowOf(all, old.trackingCode)).toContain(timeLeft(o.accept_due_at, start)!.text);
    expect(timeLeft(o.accept_due_at, start)!.text).toMatch(/^已超期/);
    let late = await queue('overdue');
    expect(rowOf(late, old.trackingCode)).not.toBeNull();
    expect(rowOf(late, fresh.trackingCode)).toBeNull();

    // a minute past the fresh item's deadline on the hub's clock (the database's own clock has not moved)
    const after = new Date((f.accept_due_at as Date).getTime() + 60_000);
    ctx.clock.freeze(after);
    late = await queue('overdue');
    expect(rowOf(late, fresh.trackingCode)).toContain('已超期1分钟');
    all = await queue();
    expect(rowOf(all, fresh.trackingCode)).toContain('已超期1分钟');

    // and back before it: out of 逾期 again
    ctx.clock.freeze(new Date((f.accept_due_at as Date).getTime() - 60_000));
    late = await queue('overdue');
    expect(rowOf(late, fresh.trackingCode)).toBeNull();
    expect(rowOf(await queue(), fresh.trackingCode)).toContain('剩余1分钟');
    ctx.clock.set(start);
  });

  it('counts the office’s overdue figure and list on the same clock', async () => {
    const get = async (url: string) => {
      const login = await ctx.http().post('/api/auth/login').send(office);
      return ctx.http().get(url).set('Authorization', `Bearer ${login.body.token}`);
    };
    const start = ctx.clock.now();
    ctx.clock.freeze(start);
    const item = await newItem(ctx, { assignedUnit: 'GJJ', text: '公积金提取', receivedAt: start });
    const [r] = await ctx.ds.query(`SELECT accept_due_at FROM item WHERE id = $1`, [item.id]);
    const listed = async () => ((await get('/api/reports/overdue?unit=GJJ')).body.items as { id: number }[]).some((i) => i.id === item.id);
    expect(await listed()).toBe(false);
    ctx.clock.freeze(new Date((r.accept_due_at as Date).getTime() + 1000));
    expect(await listed()).toBe(true);
    expect((await get('/api/reports/summary?unit=GJJ')).body.overdueNow).toBe(1);
    ctx.clock.set(start);
  });
});
