import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { WorkflowService } from '../../src/workflow/workflow.service.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `console-${name}.png`);

/** The console on a 1366×768 office screen in Debian's Chromium; screenshots go to test-artifacts/console-*.png. */
describe('console in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    base = await serve(ctx.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const open = (): Promise<Page> => officePage(browser);
  const signIn = async (page: Page, u: { username: string; password: string }) => {
    // a page behind the sign-in first: it sends the visitor to the form
    await page.goto(`${base}/console/queue`);
    expect(page.url()).toBe(`${base}/console/login`);
    await signInConsole(page, base, u, '/console/queue');
  };
  const status = async (id: number) => (await ctx.ds.query(`SELECT status FROM item WHERE id = $1`, [id]))[0].status as string;

  it('unit staff sign in, open an item from the queue, accept and answer it', async () => {
    const staff = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'gjj_staff' });
    const { id, trackingCode } = await newItem(ctx, {
      assignedUnit: 'GJJ',
      channel: 'qr',
      rating: 2,
      text: '公积金提取要求重复提交身份证复印件，窗口说系统里已经有了还要交',
      contact: { name: '王五', phone: '13900002222' },
    });
    await newItem(ctx, { assignedUnit: 'GJJ', channel: 'hotline', text: '公积金贷款审批太慢，等了一个月没有消息' });

    const page = await open();
    await page.goto(`${base}/console/login`);
    await page.screenshot({ path: shot('1-login') });
    // a wrong password first
    await page.getByLabel('用户名').fill(staff.username);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('用户名或密码错误');
    await page.screenshot({ path: shot('2-login-wrong') });

    await signIn(page, staff);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('我的待办');
    const nav = page.getByRole('navigation', { name: '主导航' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['我的待办', '问题整改']);
    const row = page.getByRole('row', { name: new RegExp(trackingCode) });
    await expect(row.textContent()).resolves.toMatch(/扫码评价.*便捷.*139\*\*\*\*2222.*待签收.*剩余/);
    expect(await page.content()).not.toContain('13900002222');
    expect(await seriousA11y(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
    await page.screenshot({ path: shot('3-queue'), fullPage: true });

    await Promise.all([page.waitForURL(`${base}/console/items/${id}`), row.getByRole('link', { name: trackingCode }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(`事项 ${trackingCode}`);
    await expect(page.locator('body').textContent()).resolves.toContain('测试：分派至GJJ'); // the routing reason
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('4-item'), fullPage: true });

    await page.getByLabel('签收备注（选填）').fill('已联系群众核实');
    await Promise.all([page.waitForURL(/done=accept/), page.getByRole('button', { name: '签收', exact: true }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('已签收');
    expect(await status(id)).toBe('accepted');

    await page.getByLabel('答复内容（必填）').fill('经核实，身份证信息可由系统调取，已通知窗口不再要求提交复印件。');
    await Promise.all([page.waitForURL(/done=answer/), page.getByRole('button', { name: '提交答复' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('答复已提交');
    expect(await status(id)).toBe('answered');
    const kinds = await page.locator('ol.timeline strong').allTextContents();
    expect(kinds).toEqual(['收到', '自动分类', '自动分派', '签收', '答复']);
    await page.screenshot({ path: shot('5-item-answered'), fullPage: true });
    await page.context().close();
  });

  it('unit staff opening another unit’s item by its address get the not-found page', async () => {
    const staff = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'gjj_other' });
    const { id } = await newItem(ctx, { assignedUnit: 'BDC', text: '不动产登记窗口中午不办公' });
    const page = await open();
    await signIn(page, staff);
    const r = await page.goto(`${base}/console/items/${id}`);
    expect(r?.status()).toBe(404);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('找不到该事项');
    expect(await page.content()).not.toContain('不动产登记窗口中午不办公');
    await page.screenshot({ path: shot('6-not-found') });
    await page.context().close();
  });

  it('a supervisor dispatches a returned item from the triage inbox to a unit', async () => {
    const sup = await ctx.newUser({ role: 'supervisor', username: 'office_sup' });
    const { id, trackingCode } = await newItem(ctx, { assignedUnit: 'RS', text: '医保报销材料在社保窗口被告知去医保局办理，跑了冤枉路' });
    await ctx.app.get(WorkflowService).apply(id, { type: 'return', reason: '医保报销属医保局职责' }, { ...SYSTEM_ACTOR, role: 'supervisor' });
    expect(await status(id)).toBe('returned');

    const page = await open();
    await signIn(page, sup);
    const nav = page.getByRole('navigation', { name: '主导航' });
    await expect(nav.getByRole('link').allTextContents()).resolves.toEqual(['我的待办', '分派', '督办', '热点问题', '问题整改', '录入', '二维码', '数据看板', '工作日历']);
    await page.getByRole('link', { name: '分派', exact: true }).click();
    await page.waitForURL(`${base}/console/triage`);
    const card = page.locator('li.card', { hasText: trackingCode });
    await expect(card.textContent()).resolves.toContain('医保报销属医保局职责');
    expect(await seriousA11y(page)).toEqual([]);
    await card.getByLabel('分派至单位').selectOption({ label: '安平区医疗保障局' });
    await card.getByLabel('分派理由（必填）').fill('医保报销属医保局办理');
    await page.screenshot({ path: shot('7-triage'), fullPage: true });
    await Promise.all([page.waitForURL(/triage\?done=dispatch/), card.getByRole('button', { name: '分派' }).click()]);
    await expect(page.getByRole('status').textContent()).resolves.toContain('已分派');
    const [row] = await ctx.ds.query(`SELECT i.status, u.code FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.id = $1`, [id]);
    expect(row).toEqual({ status: 'assigned', code: 'YB' });
    await expect(page.locator('li.card', { hasText: trackingCode }).count()).resolves.toBe(0);
    await page.screenshot({ path: shot('8-triage-done'), fullPage: true });
    await page.context().close();
  });
});
