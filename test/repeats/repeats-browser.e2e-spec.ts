import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { HotSpotsService } from '../../src/repeats/hot-spots.service.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `repeats-${name}.png`);

/** 热点问题 and the item page's case section in Chromium at 1366×768 (issue 16). */
describe('console hot spots and case links in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    ctx.clock.set('2026-11-24T09:00:00+08:00');
    base = await serve(ctx.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const checkPage = async (page: Page) => {
    expect(await seriousA11y(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
  };

  it('the office sees a hot spot with escaped sample texts and opens a problem from it; an item page shows its case', async () => {
    for (let k = 0; k < 5; k++) {
      await newItem(ctx, { channel: 'qr', window: 'W-A05', rating: 1, assignedUnit: 'SW', contact: { phone: `1350000${3000 + k}` }, text: `办税窗口叫号机坏了，排队两个小时<script>alert(${k})</script>` });
    }
    const lead = await newItem(ctx, { channel: 'qr', window: 'W-B05', rating: 2, assignedUnit: 'GJJ', contact: { phone: '13600006666' }, text: '公积金提取窗口说我材料不全，让我回去开证明' });
    const repeat = await newItem(ctx, { channel: 'phone', assignedUnit: 'GJJ', contact: { phone: '13600006666' }, text: '公积金提取又说材料不全，要我回去开证明，跑了两趟' });
    await ctx.app.get(HotSpotsService).clusterPending();

    const sup = await ctx.newUser({ role: 'supervisor', username: 'office_hot' });
    const page = await officePage(browser, { locale: 'zh-CN' });
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await signInConsole(page, base, sup);
    await page.goto(`${base}/console/hot-spots`);
    await expect(page.locator('h1').textContent()).resolves.toBe('热点问题');
    const row = page.locator('tr[data-hot-spot]');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('td').first().textContent()).resolves.toBe('5 / 5');
    await expect(row.locator('.samples li').first().textContent()).resolves.toContain('<script>alert(');
    expect(dialogs).toBe(0);
    await checkPage(page);
    await page.screenshot({ path: shot('hot-spots'), fullPage: true });
    await row.getByRole('button', { name: '立为问题' }).click();
    await page.waitForURL(/\/console\/problems\/\d+/);
    const problemId = Number(/problems\/(\d+)/.exec(page.url())?.[1]);
    const linked = await ctx.ds.query(`SELECT count(*)::int AS n FROM problem_item WHERE problem_id = $1`, [problemId]);
    expect(linked[0].n).toBe(5);

    await page.goto(`${base}/console/items/${repeat.id}`);
    const section = page.locator('section[aria-labelledby="h-case"]');
    await expect(section.locator('h2').textContent()).resolves.toBe('同一诉求（一案）');
    await expect(section.textContent()).resolves.toContain(lead.trackingCode);
    await expect(section.textContent()).resolves.toContain('相似度');
    await checkPage(page);
    await page.screenshot({ path: shot('item-case'), fullPage: true });
    // the office makes the repeat the lead, from the page
    await section.getByRole('button', { name: '设为主件' }).click();
    await page.waitForURL(new RegExp(`/console/items/${repeat.id}$`));
    await expect(page.locator('section[aria-labelledby="h-case"]').textContent()).resolves.toContain('本件为主件');
    await page.close();
  });
});
