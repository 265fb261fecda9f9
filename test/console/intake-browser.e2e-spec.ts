import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `console-intake-${name}.png`);

const GOOD_ROWS = 6000;
/** row numbers (as a person sees them: the header is row 1) of the rows that must be refused */
const BAD = { 1200: 'missing', 3001: 'date', 5999: 'content' } as Record<number, string>;

/** A 12345 export large enough that its import takes a few progress polls; three bad rows, one with hostile text. */
function hotlineExport(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'console-upload-'));
  const file = path.join(dir, '安平12345工单导出.csv');
  const lines = ['工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限'];
  const units = ['区人社局', '区医保局', '不动产登记中心', '公积金中心'];
  for (let row = 2, n = 1; n <= GOOD_ROWS + Object.keys(BAD).length; row++, n++) {
    const no = `AB2026${String(n).padStart(7, '0')}`;
    const content = `市民来电反映第${n}号：到${units[n % 4]}窗口办理业务，材料要求前后不一致，来回跑了两趟还没办成，希望一次告知所需材料。`;
    if (BAD[row] === 'missing') lines.push(`,2026-11-10 09:00:00,市民${n},13800000000,投诉,材料,${content},${units[n % 4]},10个工作日`);
    else if (BAD[row] === 'date') lines.push(`${no},<script>alert(1)</script>,市民${n},13800000000,投诉,材料,${content},${units[n % 4]},10个工作日`);
    else if (BAD[row] === 'content') lines.push(`${no},2026-11-10 09:00:00,市民${n},13800000000,投诉,材料,,${units[n % 4]},10个工作日`);
    else lines.push(`${no},2026-11-${String(10 + (n % 5)).padStart(2, '0')} 09:${String(n % 60).padStart(2, '0')}:00,市民${n},138${String(n).padStart(8, '0')},投诉,材料反复,${content},${units[n % 4]},10个工作日`);
  }
  writeFileSync(file, `\ufeff${lines.join('\r\n')}\r\n`);
  return file;
}

/** The intake and QR screens on a 1366×768 office screen in Debian's Chromium; screenshots in test-artifacts/console-intake-*.png. */
describe('console intake in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext(); // the real classifier and router; the job queue runs the imports
    base = await serve(ctx.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const open = (): Promise<Page> => officePage(browser);
  const signIn = (page: Page, u: { username: string; password: string }, home: string) => signInConsole(page, base, u, home);
  const fits = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

  it('uploads a 12345 file with live progress, then lists its bad rows; the good rows are items', async () => {
    const file = hotlineExport();
    const op = await ctx.newUser({ role: 'operator', username: 'op_browser' });
    const page = await open();
    // every change of a progress bar, on every page of the upload, reported to the test
    const seen: { id: string; value: number | null; max: number }[] = [];
    await page.exposeFunction('__progress', (id: string, value: string | null, max: string | null) => {
      seen.push({ id, value: value === null ? null : Number(value), max: Number(max ?? 1) });
    });
    await page.addInitScript(() => {
      document.addEventListener('DOMContentLoaded', () => {
        const report = (window as unknown as { __progress: (id: string, v: string | null, m: string | null) => void }).__progress;
        const obs = new MutationObserver((list) => {
          for (const m of list) {
            const el = m.target as HTMLProgressElement;
            void report(el.id, el.getAttribute('value'), el.getAttribute('max'));
          }
        });
        document.querySelectorAll('progress').forEach((p) => obs.observe(p, { attributes: true, attributeFilter: ['value', 'max'] }));
      });
    });
    await signIn(page, op, '/console/intake'); // an operator lands on intake
    await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents()).resolves.toEqual(['录入']);
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('1-hub'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/console/intake/hotline`), page.getByRole('link', { name: '导入12345工单文件' }).click()]);
    await page.getByLabel('工单文件').setInputFiles(file);
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('2-upload'), fullPage: true });

    await page.getByRole('button', { name: '上传并导入' }).click();
    // while it runs: the status line speaks, the bar is shown
    await page.locator('#live-status').filter({ hasText: /约完成\d+%；已读取到第\d+行/ }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: shot('3-progress'), fullPage: true });
    await page.waitForURL(/\/console\/intake\/hotline\/imports\/[0-9a-f-]{36}$/, { timeout: 180_000 });
    await expect(page.locator('#import-status').textContent()).resolves.toBe('已完成');

    const upload = seen.filter((s) => s.id === 'up-bar' && s.value !== null && s.value > 0);
    expect(upload.length).toBeGreaterThan(0); // XMLHttpRequest upload progress reached the bar
    expect(upload.at(-1)).toMatchObject({ value: 1, max: 1 });
    const imp = seen.filter((s) => s.id === 'imp-bar' && s.value !== null);
    const middle = imp.filter((s) => (s.value as number) > 0 && (s.value as number) < s.max);
    process.stdout.write(`upload bar updates: ${upload.length}, import bar updates: ${imp.length} (${middle.length} part-way)\n`);
    expect(middle.length).toBeGreaterThan(0); // the import's own progress was seen part-way, not only at the end
    expect(imp.at(-1)).toMatchObject({ value: 1, max: 1 });

    // the bad rows, by row number and reason; the hostile cell shows as text
    const rows = await page.locator('#rejected tbody tr').allTextContents();
    expect(rows.map((r) => Number(/^\d+/.exec(r)?.[0]))).toEqual([1200, 3001, 5999]);
    expect(rows.join('\n')).toMatch(/missing order number[\s\S]*unreadable date[\s\S]*empty content/);
    expect(await page.evaluate(() => document.querySelectorAll('#rejected script, main script').length)).toBe(0);
    await expect(page.getByRole('link', { name: '下载问题行清单（CSV）' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: /导出办理结果/ }).count()).resolves.toBe(1);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE channel = 'hotline' AND external_id LIKE 'AB2026%'`);
    expect(n).toBe(GOOD_ROWS);
    expect(await seriousA11y(page)).toEqual([]);
    expect(await fits(page)).toBe(true);
    await page.screenshot({ path: shot('4-import-done'), fullPage: true });

    // the list of recent imports shows it with its state
    await page.goto(`${base}/console/intake/hotline`);
    await expect(page.getByRole('row', { name: /安平12345工单导出\.csv/ }).textContent()).resolves.toMatch(/已完成.*6003.*6000/);
    await page.context().close();
  }, 240_000);

  it('an operator types in a suggestion-box slip and gets its tracking code and routing', async () => {
    const op = await ctx.newUser({ role: 'operator', username: 'op_slip' });
    const page = await open();
    await signIn(page, op, '/console/intake');
    await Promise.all([page.waitForURL(`${base}/console/intake/entry/suggestion_box`), page.getByRole('link', { name: '录入意见箱意见' }).click()]);
    // refused first: nothing written; what was typed stays
    await page.getByLabel('意见箱位置（选填）').fill('一楼大厅意见箱');
    await page.getByLabel('联系电话（选填）').fill('电话');
    await page.getByLabel('反映内容（必填）').fill('  ');
    await page.evaluate(() => document.querySelector('form.card')?.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: '保存并分派' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/请填写反映内容。.*联系电话只能包含数字/);
    await expect(page.getByLabel('意见箱位置（选填）').inputValue()).resolves.toBe('一楼大厅意见箱');
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('5-slip-refused'), fullPage: true });

    await page.getByLabel('反映内容（必填）').fill('不动产登记窗口要求提供的材料和网上公布的不一致，白跑一趟，希望统一材料清单。');
    await page.getByLabel('联系电话（选填）').fill('13700002222');
    await page.getByLabel('涉及窗口（选填）').selectOption('W-B01');
    await Promise.all([page.waitForURL(/\/console\/intake\/entries\/\d+\?done=saved$/), page.getByRole('button', { name: '保存并分派' }).click()]);
    const [row] = await ctx.ds.query(
      `SELECT i.tracking_code, u.name AS unit, i.routing_reason FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.channel = 'suggestion_box' ORDER BY i.id DESC LIMIT 1`,
    );
    await expect(page.locator('#tracking-code').textContent()).resolves.toBe(row.tracking_code);
    await expect(page.locator('#routed-unit').textContent()).resolves.toBe(row.unit);
    expect(row.unit).toBe('安平区不动产登记中心'); // the window's unit
    await expect(page.getByRole('status').textContent()).resolves.toContain('已保存');
    await expect(page.locator('main').textContent()).resolves.toContain(row.routing_reason);
    expect(await seriousA11y(page)).toEqual([]);
    expect(await fits(page)).toBe(true);
    await page.screenshot({ path: shot('6-slip-saved'), fullPage: true });
    await page.context().close();
  });

  it('the office retries a failed mail from the list', async () => {
    await ctx.ds.query(
      `INSERT INTO mail_message (mailbox, uid_validity, uid, message_id, outcome, from_addr, subject, reason, source)
       VALUES ('INBOX', 1, 21, '<browser-retry@example.cn>', 'failed', 'li@example.cn', '婚姻登记处不按时上班', 'connection to the database was lost', $1)`,
      [Buffer.from('From: li@example.cn\r\nSubject: 婚姻登记处不按时上班\r\nMessage-ID: <browser-retry@example.cn>\r\n\r\n早上九点还没人上班。\r\n')],
    );
    const page = await open();
    await signIn(page, { username: 'admin', password: 'admin-test-password' }, '/console/queue');
    await page.goto(`${base}/console/intake`);
    await Promise.all([page.waitForURL(`${base}/console/intake/mail`), page.getByRole('link', { name: '邮件收取失败处理' }).click()]);
    const row = page.getByRole('row', { name: /婚姻登记处不按时上班/ });
    await expect(row.textContent()).resolves.toContain('connection to the database was lost');
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('7-mail-failures'), fullPage: true });
    await Promise.all([page.waitForURL(/done=retry-item/), row.getByRole('button', { name: /重新处理/ }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('来信已生成事项');
    await expect(page.getByRole('row', { name: /婚姻登记处不按时上班/ }).count()).resolves.toBe(0);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE external_id = '<browser-retry@example.cn>'`);
    expect(n).toBe(1);
    await page.screenshot({ path: shot('8-mail-retried'), fullPage: true });
    await page.context().close();
  });

  it('the office sees a unit’s windows with their codes, opens the A4 sheet and revokes a code after confirming', async () => {
    const sup = await ctx.newUser({ role: 'supervisor', username: 'qr_sup' });
    const page = await open();
    await signIn(page, sup, '/console/queue');
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '二维码' }).click();
    await page.waitForURL(`${base}/console/qr`);
    await Promise.all([page.waitForURL(`${base}/console/qr?unit=GJJ`), page.getByRole('link', { name: '示例市住房公积金管理中心安平管理部' }).click()]);
    const images = page.locator('ul.qr-grid img');
    await expect(images.count()).resolves.toBe(2);
    await page.waitForFunction(() => [...document.querySelectorAll('ul.qr-grid img')].every((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0));
    expect(await seriousA11y(page)).toEqual([]);
    expect(await fits(page)).toBe(true);
    await page.screenshot({ path: shot('9-qr'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/console/qr/units/GJJ/sheet`), page.getByRole('link', { name: '打印本单位二维码（A4）' }).click()]);
    await expect(page.locator('section.card').count()).resolves.toBe(2);
    await expect(page.locator('section.card svg').count()).resolves.toBe(2);
    await expect(page.getByRole('button', { name: '打印本页' }).count()).resolves.toBe(1);
    await page.screenshot({ path: shot('10-sheet'), fullPage: true });
    await Promise.all([page.waitForURL(`${base}/console/qr?unit=GJJ`), page.getByRole('link', { name: '返回二维码管理' }).click()]);

    const before = (await ctx.ds.query(`SELECT qr_version FROM service_window WHERE code = 'W-B06'`))[0].qr_version as number;
    await Promise.all([page.waitForURL(`${base}/console/qr/windows/W-B06/revoke`), page.getByRole('link', { name: '作废并重新生成：公积金贷款窗口' }).click()]);
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('11-revoke-confirm'), fullPage: true });
    await Promise.all([page.waitForURL(/done=revoked/), page.getByRole('button', { name: '确认作废' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('原二维码已作废');
    expect((await ctx.ds.query(`SELECT qr_version FROM service_window WHERE code = 'W-B06'`))[0].qr_version).toBe(before + 1);
    await page.context().close();
  });
});
