import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Actor } from '../../src/auth/actor.js';
import { formatShare, scriptJson } from '../../src/console/dashboard.page.js';
import type { Channel } from '../../src/items/item.types.js';
import { parseBound, ReportsService, type Summary } from '../../src/reports/reports.service.js';
import { chinaDateKey, chinaDayOf } from '../../src/workflow/calendar.js';
import { WorkflowService } from '../../src/workflow/workflow.service.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { newItem } from '../support/factories.js';
import { createTestContext, SHARED, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `console-dashboard-${name}.png`);

interface Sample {
  id: string;
  channel: Channel;
  subject?: string;
  text: string;
  rating: number | null;
  window: string | null;
}

/**
 * The dashboard in Chromium at 1366×768 over a store filled through the real intake (real classification and
 * routing): the KPI tiles say what ReportsService says, and every chart is drawn. Screenshots:
 * test-artifacts/console-dashboard-*.png.
 */
describe('dashboard in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let sup: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext();
    base = await serve(ctx.app);
    browser = await launchChromium();
    sup = await ctx.newUser({ role: 'supervisor', username: 'dash_sup' });

    // every 6th sample of the shared feedback set, received over this month so far (China time)
    const samples = readFileSync(path.join(SHARED, 'data/feedback/dev.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Sample)
      .filter((_, i) => i % 6 === 0);
    // "this month so far" on the hub's clock; in a month's first hours the clock moves on a little, so the items
    // received over it still fall inside the month whatever instant the suite runs at
    const monthStart = parseBound(`${chinaDateKey(chinaDayOf(ctx.clock.now())).slice(0, 8)}01`, 'from')!.getTime();
    if (ctx.clock.nowMs() < monthStart + 2 * 3_600_000) ctx.clock.set(monthStart + 2 * 3_600_000);
    // and stands still: a file that starts at 23:59:30 on the last day of a month must not end in the next one
    ctx.clock.freeze();
    const now = ctx.clock.nowMs();
    const ids: number[] = [];
    for (const [i, s] of samples.entries()) {
      const at = new Date(monthStart + ((now - 60_000 - monthStart) * i) / samples.length);
      const { id } = await newItem(ctx, {
        channel: s.channel,
        externalId: s.id,
        receivedAt: at,
        subject: s.subject ?? null,
        text: s.text,
        rating: s.rating,
        window: s.window,
        contact: { name: '测试', phone: '13800000000' },
        raw: s,
      });
      ids.push(id);
    }
    // the latest items accepted and answered by their units, so the on-time figures have something to count
    const wf = ctx.app.get(WorkflowService);
    const assigned: { id: string; unit_id: string }[] = await ctx.ds.query(
      `SELECT id, unit_id FROM item WHERE status = 'assigned' AND id = ANY($1::bigint[]) ORDER BY received_at DESC LIMIT 8`,
      [ids],
    );
    for (const [i, r] of assigned.entries()) {
      const staff: Actor = { id: null, username: 'dash_staff', role: 'unit_staff', unitId: r.unit_id };
      await wf.apply(r.id, { type: 'accept' }, staff);
      if (i % 2 === 0) await wf.apply(r.id, { type: 'answer', text: '已核实并整改，已电话告知。' }, staff);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  // the page's own scripts run under its nonce either way (officePage bypasses CSP only for axe-core)
  const open = (opts: { javaScriptEnabled?: boolean } = {}): Promise<Page> => officePage(browser, opts);
  const signIn = (page: Page) => signInConsole(page, base, sup, '/console/queue');
  const tile = (page: Page, key: string) => page.locator(`[data-kpi="${key}"]`).textContent();
  const expectTiles = async (page: Page, s: Summary) => {
    await expect(tile(page, 'total')).resolves.toBe(String(s.items.total));
    await expect(tile(page, 'goodShare')).resolves.toBe(formatShare(s.ratings.goodShare));
    await expect(tile(page, 'badRectifiedShare')).resolves.toBe(formatShare(s.ratings.badRectifiedShare));
    await expect(tile(page, 'acceptedOnTimeShare')).resolves.toBe(formatShare(s.onTime.acceptedOnTimeShare));
    await expect(tile(page, 'answeredOnTimeShare')).resolves.toBe(formatShare(s.onTime.answeredOnTimeShare));
    await expect(tile(page, 'satisfiedShare')).resolves.toBe(formatShare(s.callbacks.satisfiedShare));
    await expect(tile(page, 'overdueNow')).resolves.toBe(String(s.overdueNow));
    await expect(tile(page, 'problems')).resolves.toBe(String(s.problems.found));
  };

  it('shows this month’s figures as the store has them, with every chart drawn', async () => {
    const today = chinaDateKey(chinaDayOf(ctx.clock.now()));
    const from = `${today.slice(0, 8)}01`;
    const reports = ctx.app.get(ReportsService);
    const s = await reports.summary({ from: parseBound(from, 'from'), to: parseBound(today, 'to'), unit: null });
    // the figures are the store's own: the total is the items received this month, counted in SQL
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE received_at >= $1`, [parseBound(from, 'from')]);
    expect(s.items.total).toBe(n);
    expect(n).toBeGreaterThan(40);
    expect(s.ratings.total).toBeGreaterThan(0);
    expect(s.onTime.acceptedOnTime).toBeGreaterThan(0);

    const page = await open();
    await signIn(page);
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '数据看板' }).click();
    await page.waitForURL(`${base}/console/dashboard`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('数据看板');
    await expect(page.getByLabel('开始日期').inputValue()).resolves.toBe(from);
    await expect(page.getByLabel('结束日期').inputValue()).resolves.toBe(today);
    await expectTiles(page, s);

    // every chart is drawn: an SVG with marks in a visible box, and its table folded away
    for (const id of ['trend', 'dimension', 'channel', 'unit', 'rating']) {
      const box = page.locator(`#chart-${id}`);
      await box.locator('svg').first().waitFor();
      const drawn = await box.evaluate((el) => ({
        w: el.getBoundingClientRect().width,
        h: el.getBoundingClientRect().height,
        marks: el.querySelectorAll('svg path, svg rect, svg text').length,
        texts: Array.from(el.querySelectorAll('svg text')).map((t) => t.textContent),
      }));
      expect(drawn.w).toBeGreaterThan(300);
      expect(drawn.h).toBeGreaterThan(150);
      expect(drawn.marks).toBeGreaterThan(10);
      await expect(page.locator(`#table-${id}`).evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    }
    // the charts' labels are Chinese and come from the figures: the channel donut names the channels received
    const channelTexts = await page.locator('#chart-channel svg text').allTextContents();
    expect(channelTexts).toEqual(expect.arrayContaining(['扫码评价', '12345热线']));
    // each chart's figures are also a table: the dimension table sums to the items received
    const dimCounts = await page.locator('#table-dimension tbody td').allTextContents();
    expect(dimCounts.map(Number).reduce((a, b) => a + b, 0)).toBe(s.items.total);
    const unitRows = await page.locator('#table-unit tbody tr').count();
    expect(unitRows).toBe(Math.min(10, s.items.byUnit.length));

    // exports for the seven lists and the items, for the period shown
    const exports = page.locator('ul.exports a');
    await expect(exports.count()).resolves.toBe(9);
    await expect(exports.first().getAttribute('href')).resolves.toBe(`/console/exports/problems.xlsx?from=${from}&to=${today}`);

    expect(await seriousA11y(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    // the KPI tiles and the 2×2 chart grid fit the first screen, or nearly
    const gridBottom = await page.locator('#chart-unit').evaluate((el) => el.getBoundingClientRect().bottom);
    expect(gridBottom).toBeLessThan(768 + 40);
    await page.screenshot({ path: shot('1-month') });
    await page.screenshot({ path: shot('2-month-full'), fullPage: true });
    await page.context().close();
  });

  it('shows the week view and a chosen unit, and refuses a bad period in Chinese keeping what was typed', async () => {
    const page = await open();
    await signIn(page);
    await page.goto(`${base}/console/dashboard`);
    await Promise.all([page.waitForURL(/from=.*&to=/), page.getByRole('link', { name: '本周' }).click()]);
    const url = new URL(page.url());
    const from = url.searchParams.get('from') as string;
    const to = url.searchParams.get('to') as string;
    const s = await ctx.app.get(ReportsService).summary({ from: parseBound(from, 'from'), to: parseBound(to, 'to'), unit: null });
    await expectTiles(page, s);
    await expect(page.getByRole('link', { name: '本周' }).getAttribute('aria-current')).resolves.toBe('page');
    // a week or less is drawn by day
    await expect(page.locator('#h-trend').textContent()).resolves.toBe('收到事项（按日）');
    await page.locator('#chart-trend svg').first().waitFor();

    // a unit: the figures of that unit and the units below it
    const top = (await ctx.app.get(ReportsService).summary({ from: null, to: null, unit: null })).items.byUnit[0];
    await page.getByLabel('开始日期').fill('2020-01-01');
    await page.getByLabel('统计单位').selectOption(top.unit);
    await Promise.all([page.waitForURL(/unit=/), page.getByRole('button', { name: '查看' }).click()]);
    const su = await ctx.app.get(ReportsService).summary({ from: parseBound('2020-01-01', 'from'), to: parseBound(to, 'to'), unit: top.unit });
    await expectTiles(page, su);
    await expect(page.locator('#h-trend').textContent()).resolves.toBe('收到事项（按周）');
    await page.locator('#chart-trend svg').first().waitFor();
    await page.screenshot({ path: shot('3-unit') });

    const bad = await page.goto(`${base}/console/dashboard?from=2026-11-30&to=2026-11-01`);
    expect(bad?.status()).toBe(400);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('开始日期不能晚于结束日期');
    await expect(page.getByLabel('开始日期').inputValue()).resolves.toBe('2026-11-30');
    await page.context().close();
  });

  it('is useful without script: the figures are open tables', async () => {
    const page = await open({ javaScriptEnabled: false });
    await signIn(page);
    await page.goto(`${base}/console/dashboard`);
    for (const id of ['trend', 'dimension', 'channel', 'unit', 'rating']) {
      await expect(page.locator(`#table-${id}`).evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(true);
      await expect(page.locator(`#chart-${id}`).isVisible()).resolves.toBe(false);
    }
    await expect(page.locator('#table-channel tbody tr').count()).resolves.toBeGreaterThan(1);
    await page.screenshot({ path: shot('4-no-script') });
    await page.context().close();
  });

  it('is for the office only', async () => {
    const staff = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'dash_gjj' });
    const r = await ctx.http().post('/console/login').type('form').send(staff);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
    const page = await ctx.http().get('/console/dashboard').set('Cookie', cookie);
    expect(page.status).toBe(403);
    expect(page.text).toContain('无权访问');
  });

  it('says a period without items has no data, and embeds the figures so nothing in them can end the script element', async () => {
    const r = await ctx.http().post('/console/login').type('form').send(sup);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
    const empty = await ctx.http().get('/console/dashboard?from=2020-01-01&to=2020-01-31').set('Cookie', cookie);
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('本期暂无数据');
    expect(empty.text).not.toContain('id="chart-channel"');
    expect(empty.text).toContain('<div class="v" data-kpi="total" aria-describedby="k-total">0</div>');
    const json = scriptJson({ name: '</script><script>alert(1)</script><!--', sep: '\u2028&' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ name: '</script><script>alert(1)</script><!--', sep: '\u2028&' });
  });
});
