import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';
import { tinyPng } from '../rectification/evidence-fixtures.js';

const shot = (name: string) => path.join(ARTIFACTS, `problems-${name}.png`);

/** 不动产转移登记 (SX-003): the tax step at 税务局 took 5 working days for 1. */
const CASE_LOG = [
  ['办件编号', '事项编码', '环节', '承办单位', '开始时间', '结束时间', '结果'],
  ['BJ-2026-0001', 'SX-003', '受理', '不动产登记中心', '2026-10-12 09:00', '2026-10-12 09:30', '通过'],
  ['BJ-2026-0001', 'SX-003', '缴税', '区税务局', '2026-10-12 10:00', '2026-10-19 16:00', '通过'],
  ['BJ-2026-0001', 'SX-003', '审核登簿', 'BDC', '2026-10-19 17:00', '2026-10-20 15:00', '通过'],
  ['BJ-2026-0001', 'SX-003', '缮证发证', 'BDC', '2026-10-21 09:00', '2026-10-21 10:00', '办结'],
]
  .map((r) => r.join(','))
  .join('\n');

/**
 * 倒推整改 in Chromium at 1366×768: the office creates a problem from a bad review with the back-trace, the
 * responsible unit records a measure, uploads a photo and reports it done, the office downloads the photo and verifies,
 * and the linked item is answered. Screenshots: test-artifacts/problems-*.png.
 */
describe('console problems in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    base = await serve(ctx.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const open = (): Promise<Page> => officePage(browser, { acceptDownloads: true, locale: 'zh-CN' });
  const signIn = (page: Page, u: { username: string; password: string }) => signInConsole(page, base, u);
  const checkPage = async (page: Page) => {
    expect(await seriousA11y(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
  };

  it('the office creates a problem from an item, the unit rectifies with evidence, the office verifies and the item is answered', async () => {
    const sup = await ctx.newUser({ role: 'supervisor', username: 'office_lee' });
    const sw = await ctx.newUser({ role: 'unit_staff', unit: 'SW', username: 'sw_wang' });
    const item = await newItem(ctx, {
      assignedUnit: 'BDC',
      channel: 'qr',
      rating: 1,
      serviceItem: 'SX-003',
      caseNo: 'BJ-2026-0001',
      text: '二手房过户等了十天，说是在等税务那边',
    });

    // 1. the office: the case log imported, the new-problem page for the item, the back-trace, the problem
    const page = await open();
    await signIn(page, sup);
    await page.goto(`${base}/console/problems`);
    await Promise.all([page.waitForURL(`${base}/console/problems/cases`), page.getByRole('link', { name: '导入办件记录' }).click()]);
    await page.getByLabel('办件记录文件').setInputFiles({ name: '办件记录.csv', mimeType: 'text/csv', buffer: Buffer.from(CASE_LOG) });
    await Promise.all([page.waitForURL(`${base}/console/problems/cases`), page.getByRole('button', { name: '导入' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toBe('已导入 1 个办件、4 条环节记录。');
    await checkPage(page);
    await page.screenshot({ path: shot('0-cases-imported'), fullPage: true });
    await page.goto(`${base}/console/problems/new?item=${item.id}`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('新建问题');
    await expect(page.getByLabel('关联事项（查询码，每行一个，选填）').inputValue()).resolves.toBe(item.trackingCode);
    await Promise.all([page.waitForURL(`${base}/console/problems/new/backtrace`), page.getByRole('button', { name: '倒推分析' }).click()]);
    const trace = page.getByRole('status');
    await expect(trace.textContent()).resolves.toMatch(/「缴税」· 国家税务总局示例市安平区税务局.*超出承诺时限/);
    await expect(trace.textContent()).resolves.toContain('实际用了 5 个工作日'); // the reason, with the unit's name for its code
    await expect(page.getByLabel('堵点环节（选填）').inputValue()).resolves.toBe('缴税');
    await expect(page.getByLabel('问题根源（必填）').inputValue()).resolves.toContain('国家税务总局示例市安平区税务局');
    await expect(page.getByRole('checkbox', { name: '国家税务总局示例市安平区税务局' }).isChecked()).resolves.toBe(true);
    await checkPage(page);
    await page.screenshot({ path: shot('1-new-backtrace'), fullPage: true });
    await page.getByLabel('问题标题（必填）').fill('二手房过户缴税环节超时');
    await page.getByLabel('整改期限（限期整改必填）').fill('2099-12-31');
    await Promise.all([page.waitForURL(/\/console\/problems\/\d+\?done=created$/), page.getByRole('button', { name: '建立问题' }).click()]);
    const problemUrl = page.url().replace(/\?.*$/, '');
    await expect(page.getByRole('status').textContent()).resolves.toContain('问题已建立');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/^问题 #\d+：二手房过户缴税环节超时$/);
    await page.goto(`${base}/console/problems`);
    await expect(page.getByRole('row', { name: /二手房过户缴税环节超时/ }).textContent()).resolves.toMatch(/国家税务总局示例市安平区税务局[\s\S]*限期整改[\s\S]*剩余[\s\S]*待整改/);
    await checkPage(page);
    await page.screenshot({ path: shot('2-ledger'), fullPage: true });

    // 2. the tax bureau: its problem, a measure, a photo, done
    const unit = await open();
    await signIn(unit, sw);
    await unit.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '问题整改' }).click();
    await unit.waitForURL(`${base}/console/problems`);
    await expect(unit.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('本单位整改问题');
    await Promise.all([unit.waitForURL(problemUrl), unit.getByRole('link', { name: '二手房过户缴税环节超时' }).click()]);
    await unit.getByLabel('新增整改措施').fill('开通存量房交易税费线上申报，缴税环节当日办结');
    await Promise.all([unit.waitForURL(/done=measure/), unit.getByRole('button', { name: '记录措施' }).click()]);
    await expect(unit.getByRole('status').textContent()).resolves.toContain('整改措施已记录');
    await unit.getByLabel('选择文件').setInputFiles({ name: '整改后办税窗口.png', mimeType: 'image/png', buffer: tinyPng() });
    await Promise.all([unit.waitForURL(/done=file/), unit.getByRole('button', { name: '上传' }).click()]);
    await expect(unit.getByRole('status').textContent()).resolves.toContain('佐证材料已上传');
    await expect(unit.getByRole('row', { name: /整改后办税窗口\.png/ }).textContent()).resolves.toMatch(/整改后办税窗口\.png[\s\S]*B[\s\S]*sw_wang/);
    await checkPage(unit);
    await unit.getByLabel('整改成效（必填）').fill('10月以来二手房缴税平均用时由4天降至当日');
    await unit.screenshot({ path: shot('3-unit-rectifying'), fullPage: true });
    await Promise.all([unit.waitForURL(/done=done/), unit.getByRole('button', { name: '报整改完成' }).click()]);
    await expect(unit.getByRole('status').textContent()).resolves.toContain('等待管理办公室验收');
    await expect(unit.locator('.badge.p-done').first().textContent()).resolves.toBe('已完成待验收');
    await unit.screenshot({ path: shot('4-unit-done'), fullPage: true });
    await unit.context().close();

    // 3. the office: the evidence, then 验收
    await page.goto(problemUrl);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '整改后办税窗口.png' }).click()]);
    expect(download.suggestedFilename()).toBe('整改后办税窗口.png');
    expect(readFileSync(await download.path()).equals(tinyPng())).toBe(true);
    await expect(page.getByRole('region', { name: '整改成效' }).textContent()).resolves.toContain('降至当日');
    await checkPage(page);
    await page.screenshot({ path: shot('5-office-verify'), fullPage: true });
    await Promise.all([page.waitForURL(/done=verified/), page.getByRole('button', { name: '验收通过' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('验收通过');
    const linked = page.getByRole('region', { name: '关联事项' });
    await expect(linked.textContent()).resolves.toMatch(new RegExp(`${item.trackingCode}\\s*已答复`));
    const [row] = await ctx.ds.query(`SELECT status, answer_text FROM item WHERE id = $1`, [item.id]);
    expect(row.status).toBe('answered');
    expect(row.answer_text).toContain('开通存量房交易税费线上申报');
    await page.screenshot({ path: shot('6-verified'), fullPage: true });
    await page.context().close();
  });

  it('the office sends a done problem back with a reason, and the unit sees why', async () => {
    const sup = await ctx.newUser({ role: 'supervisor', username: 'office_zhao' });
    const gjj = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'gjj_liu' });
    const page = await open();
    await signIn(page, sup);
    await page.goto(`${base}/console/problems/new`);
    await page.getByLabel('问题标题（必填）').fill('公积金提取材料重复提交');
    await page.getByLabel('问题根源（必填）').fill('窗口未共享已收材料');
    await page.getByRole('checkbox', { name: '示例市住房公积金管理中心安平管理部' }).check();
    await page.getByRole('radio', { name: '立行立改' }).check();
    await Promise.all([page.waitForURL(/done=created/), page.getByRole('button', { name: '建立问题' }).click()]);
    const url = page.url().replace(/\?.*$/, '');

    const unit = await open();
    await signIn(unit, gjj);
    await unit.goto(url);
    await unit.getByLabel('新增整改措施').fill('材料共享');
    await Promise.all([unit.waitForURL(/done=measure/), unit.getByRole('button', { name: '记录措施' }).click()]);
    await unit.getByLabel('整改成效（必填）').fill('已共享');
    await Promise.all([unit.waitForURL(/done=done/), unit.getByRole('button', { name: '报整改完成' }).click()]);

    await page.goto(url);
    await page.getByRole('button', { name: '验收不通过，退回整改' }).click(); // empty reason: the browser asks first
    expect(page.url()).toBe(url);
    await page.getByLabel('不通过原因（必填）').fill('没有佐证材料，请上传共享后的窗口告知单');
    await Promise.all([page.waitForURL(/done=rejected/), page.getByRole('button', { name: '验收不通过，退回整改' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('已退回责任单位');

    await unit.goto(url);
    await expect(unit.getByRole('note').textContent()).resolves.toContain('没有佐证材料，请上传共享后的窗口告知单');
    await expect(unit.getByRole('button', { name: '报整改完成' }).count()).resolves.toBe(1);
    await checkPage(unit);
    await unit.screenshot({ path: shot('7-unit-returned'), fullPage: true });
    await unit.context().close();
    await page.context().close();
  });
});
