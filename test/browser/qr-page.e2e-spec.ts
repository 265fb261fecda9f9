import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
// jsqr is CommonJS with a default export
const jsQRModule = require('jsqr') as { default?: typeof import('jsqr').default } & typeof import('jsqr').default;
const jsQR = jsQRModule.default ?? jsQRModule;

/**
 * A citizen's phone (360×740) in Debian's Chromium: scan the printed code, rate, tick, comment, submit, track.
 * Screenshots go to test-artifacts/ for a person to look at.
 */
describe('QR rating page in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let admin: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    await ctx.app.listen(0, '127.0.0.1');
    base = await ctx.app.getUrl();
    base = base.replace('[::1]', '127.0.0.1');
    ctx.config.publicUrl = base; // QR codes carry the address the browser can reach
    admin = await ctx.adminToken();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  it('prints a sheet whose QR code opens the rating page', async () => {
    const sheet = await ctx.http().get('/api/units/GJJ/qr-sheet').set('Authorization', `Bearer ${admin}`);
    const page = await browser.newPage({ viewport: { width: 794, height: 1123 } });
    await page.setContent(sheet.text, { waitUntil: 'load' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    writeFileSync(path.join(ARTIFACTS, 'qr-sheet-GJJ.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // read the first printed code back, as a phone camera would
    const shot = await page.locator('.card').first().locator('svg').screenshot();
    writeFileSync(path.join(ARTIFACTS, 'qr-sheet-first-code.png'), shot);
    const png = PNG.sync.read(shot);
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toMatch(new RegExp(`^${base}/q/`));
    const landing = await page.goto(decoded!.data);
    expect(landing?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toContain('请为本次服务评价');
    expect(await page.locator('.where').textContent()).toContain('公积金提取窗口');
    await page.close();
  });

  it('lets a person on a phone rate, tick, comment, submit and track', async () => {
    const { url } = (await ctx.http().get('/api/windows/W-B05/qr').set('Authorization', `Bearer ${admin}`)).body;
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url);
    await page.screenshot({ path: path.join(ARTIFACTS, 'qr-1-form.png'), fullPage: true });

    // elderly-friendly: large type, large targets, nothing wider than the phone
    const sizes = await page.evaluate(() => {
      const px = (el: Element) => parseFloat(getComputedStyle(el).fontSize);
      const targets = [...document.querySelectorAll('label.opt, button, textarea, input[type=text], input[type=tel]')];
      return {
        body: px(document.body),
        smallestText: Math.min(...[...document.querySelectorAll('p, label, span, legend, button')].map(px)),
        smallestTarget: Math.min(...targets.map((t) => t.getBoundingClientRect().height)),
        overflow: document.documentElement.scrollWidth > window.innerWidth,
      };
    });
    expect(sizes.body).toBeGreaterThanOrEqual(18);
    expect(sizes.smallestText).toBeGreaterThanOrEqual(18);
    expect(sizes.smallestTarget).toBeGreaterThanOrEqual(48);
    expect(sizes.overflow).toBe(false);

    // accessibility check in the page (axe-core): no serious or critical violations
    await page.addScriptTag({ content: AXE });
    const axe = await page.evaluate(async () => {
      const r = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string }[] }> } }).axe.run();
      return r.violations.map((v) => ({ id: v.id, impact: v.impact }));
    });
    expect(axe.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    await page.getByLabel('1分 · 非常不满意').check();
    await expect(page.locator('#tags').isVisible()).resolves.toBe(true);
    await page.getByLabel('等候时间长').check();
    await page.getByLabel('意见或建议（选填，500字以内）').fill('取号后等了一个半小时，窗口只开了一个');
    await page.getByLabel('联系电话（选填，便于回访）').fill('13912345678');
    await page.screenshot({ path: path.join(ARTIFACTS, 'qr-2-filled.png'), fullPage: true });
    await Promise.all([page.waitForURL(/\/q\//), page.getByRole('button', { name: '提交评价' }).click()]);
    const code = (await page.locator('#tracking-code').textContent())?.trim() as string;
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'qr-3-thanks.png'), fullPage: true });

    await page.getByRole('link', { name: '查看办理进度' }).click();
    await expect(page.locator('body').textContent()).resolves.toContain('示例市住房公积金管理中心安平管理部');
    expect(await page.content()).not.toContain('13912345678');
    await page.screenshot({ path: path.join(ARTIFACTS, 'qr-4-tracking.png'), fullPage: true });

    const [item] = await ctx.ds.query(`SELECT rating, tags, dimension, status, routing_rule FROM item WHERE tracking_code = $1`, [code]);
    expect(item).toMatchObject({ rating: 1, tags: ['wait_long'], dimension: 'D1', status: 'assigned', routing_rule: 'window' });
    await context.close();
  });

  it('works with JavaScript off, and a good rating hides nothing it needs', async () => {
    const { url } = (await ctx.http().get('/api/windows/W-C01/qr').set('Authorization', `Bearer ${admin}`)).body;
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(url);
    await page.getByLabel('5分 · 非常满意').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交评价' }).click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('感谢您的评价！');
    await context.close();
  });
});
