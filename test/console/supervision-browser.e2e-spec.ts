import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { WorkflowService } from '../../src/workflow/workflow.service.js';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `supervision-${name}.png`);
const OFFICE = { ...SYSTEM_ACTOR, role: 'supervisor' as const };

/**
 * The workflow's later steps from the console at 1366×768: an extension asked by the unit and approved on the 督办
 * board, the answer, the callback that closes the item; an appeal of a bad review decided on the board.
 */
describe('supervision and the later workflow steps in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  let staff: { username: string; password: string };
  let sup: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    base = await serve(ctx.app);
    browser = await launchChromium();
    staff = await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'gjj_sup_b' });
    sup = await ctx.newUser({ role: 'supervisor', username: 'office_sup_b' });
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const open = (): Promise<Page> => officePage(browser);
  const signIn = async (u: { username: string; password: string }): Promise<Page> => {
    const page = await open();
    await signInConsole(page, base, u, '/console/queue');
    return page;
  };
  const noOverflow = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
  const row = async (id: number) =>
    (await ctx.ds.query(`SELECT status, extension_state, extension_days, answer_due_at, appeal_state, rating_valid FROM item WHERE id = $1`, [id]))[0] as {
      status: string;
      extension_state: string;
      extension_days: number | null;
      answer_due_at: Date;
      appeal_state: string;
      rating_valid: boolean;
    };

  it('extension asked by the unit, approved on the board; answered, called back and closed', async () => {
    const { id, trackingCode } = await newItem(ctx, { assignedUnit: 'GJJ', channel: 'hotline', text: '公积金贷款审批等了一个月还没有结果，窗口说在走流程' });
    await ctx.app.get(WorkflowService).apply(id, { type: 'accept' }, OFFICE);
    const before = await row(id);

    // the unit asks for three more working days
    const unit = await signIn(staff);
    await unit.goto(`${base}/console/items/${id}`);
    await unit.getByLabel('延期工作日数（1–60）').fill('3');
    await unit.getByLabel('延期原因（必填）').fill('需要银行补充出具流水证明，预计三个工作日');
    await Promise.all([unit.waitForURL(/done=extension/), unit.getByRole('button', { name: '申请延期' }).click()]);
    await expect(unit.getByRole('status').textContent()).resolves.toContain('延期申请已提交');
    expect(await row(id)).toMatchObject({ extension_state: 'requested', extension_days: 3 });
    // the unit is offered no office step
    await expect(unit.getByRole('button', { name: '批准延期' }).count()).resolves.toBe(0);
    await expect(unit.getByRole('button', { name: '办结' }).count()).resolves.toBe(0);

    // the supervisor opens 督办 › 延期审批 and approves it in the row
    const office = await signIn(sup);
    await office.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '督办' }).click();
    await office.waitForURL(`${base}/console/supervision`);
    await expect(office.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('督办');
    await office.getByRole('link', { name: /^延期审批/ }).click();
    await office.waitForURL(/show=extensions/);
    const ext = office.getByRole('row', { name: new RegExp(trackingCode) });
    await expect(ext.textContent()).resolves.toMatch(/延期3个工作日.*需要银行补充出具流水证明/);
    await expect(office.getByRole('link', { name: '导出Excel：延期审批' }).getAttribute('href')).resolves.toBe(
      '/console/exports/items.xlsx?extension=requested&sort=due',
    );
    expect(await seriousA11y(office)).toEqual([]);
    await noOverflow(office);
    await ext.getByLabel('审批意见（必填）').fill('情况属实，同意延期');
    await office.screenshot({ path: shot('1-extensions'), fullPage: true });
    await Promise.all([office.waitForURL(/done=extension-decision/), ext.getByRole('button', { name: '批准延期' }).click()]);
    await expect(office.getByRole('status').textContent()).resolves.toContain('延期审批已完成');
    await expect(office.getByRole('row', { name: new RegExp(trackingCode) }).count()).resolves.toBe(0);

    // the answer deadline moved, in the database and on the item page
    const after = await row(id);
    expect(after.extension_state).toBe('approved');
    expect(after.answer_due_at.getTime()).toBeGreaterThan(before.answer_due_at.getTime() + 2 * 86_400_000);
    const newDue = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(after.answer_due_at);
    await office.goto(`${base}/console/items/${id}`);
    const facts = office.getByRole('region', { name: '基本信息' });
    await expect(facts.textContent()).resolves.toContain(`答复期限${newDue}`);
    await expect(facts.textContent()).resolves.toContain('已批准（3个工作日）');
    await expect(office.locator('ol.timeline').textContent()).resolves.toContain(`批准延期3个工作日，答复期限至 ${newDue}`);

    // the unit answers
    await unit.goto(`${base}/console/items/${id}`);
    await unit.getByLabel('答复内容（必填）').fill('已协调银行出具流水，贷款审批已完成，请留意短信通知。');
    await Promise.all([unit.waitForURL(/done=answer/), unit.getByRole('button', { name: '提交答复' }).click()]);
    expect((await row(id)).status).toBe('answered');

    // the supervisor finds it under 待回访 and records the callback: satisfied closes the item
    await office.goto(`${base}/console/supervision?show=callbacks`);
    const cb = office.getByRole('row', { name: new RegExp(trackingCode) });
    await expect(cb.textContent()).resolves.toContain('回访期限');
    expect(await seriousA11y(office)).toEqual([]);
    await office.screenshot({ path: shot('2-callbacks'), fullPage: true });
    await Promise.all([office.waitForURL(`${base}/console/items/${id}#f-callback`), cb.getByRole('link', { name: `去回访：${trackingCode}` }).click()]);
    await office.getByLabel('满意（办结）').check();
    await office.getByLabel('回访记录（选填）').fill('电话回访，群众表示满意');
    expect(await seriousA11y(office)).toEqual([]);
    await office.screenshot({ path: shot('3-item-callback'), fullPage: true });
    await Promise.all([office.waitForURL(/done=callback/), office.getByRole('button', { name: '记录回访' }).click()]);
    await expect(office.getByRole('status').textContent()).resolves.toContain('回访已记录');
    expect((await row(id)).status).toBe('closed');
    await expect(office.getByRole('region', { name: '基本信息' }).textContent()).resolves.toMatch(/已办结.*回访结果满意.*办结时间/);
    const kinds = await office.locator('ol.timeline strong').allTextContents();
    expect(kinds.slice(-5)).toEqual(['签收', '申请延期', '延期审批', '答复', '回访']);
    // closed: the office may still reopen it
    await expect(office.getByRole('button', { name: '重新办理' }).count()).resolves.toBe(1);
    await office.screenshot({ path: shot('4-item-closed'), fullPage: true });
    await unit.context().close();
    await office.context().close();
  });

  it('a bad review appealed by the unit, upheld on the board, and the item closed by the office', async () => {
    const { id, trackingCode } = await newItem(ctx, {
      assignedUnit: 'GJJ',
      channel: 'qr',
      rating: 1,
      text: '不满意',
      contact: { name: '赵六', phone: '13700001111' },
    });
    const unit = await signIn(staff);
    await unit.goto(`${base}/console/items/${id}`);
    // unit staff correct the dimension only: no unit to move it to
    await expect(unit.getByLabel('问题类别').count()).resolves.toBe(1);
    await expect(unit.getByLabel('改派至单位（选填）').count()).resolves.toBe(0);
    await expect(unit.locator('body').textContent()).resolves.toContain('137****1111');
    expect(await seriousA11y(unit)).toEqual([]);
    // an empty reason: refused in Chinese, and nothing else typed is lost
    await unit.getByLabel('申诉理由（必填）').fill('   ');
    await Promise.all([unit.waitForResponse((r) => r.url().endsWith('/appeal')), unit.getByRole('button', { name: '提交申诉' }).click()]);
    await expect(unit.getByRole('alert').textContent()).resolves.toContain('请填写申诉理由');
    await unit.getByLabel('申诉理由（必填）').fill('该群众当日未在本窗口办理业务，系误扫他窗口二维码');
    await Promise.all([unit.waitForURL(/done=appeal/), unit.getByRole('button', { name: '提交申诉' }).click()]);
    await expect(unit.getByRole('status').textContent()).resolves.toContain('申诉已提交');
    expect((await row(id)).appeal_state).toBe('pending');
    await unit.screenshot({ path: shot('5-item-appealed'), fullPage: true });

    const office = await signIn(sup);
    await office.goto(`${base}/console/supervision?show=appeals`);
    const ap = office.getByRole('row', { name: new RegExp(trackingCode) });
    await expect(ap.textContent()).resolves.toMatch(/1分 · 非常不满意.*系误扫他窗口二维码/);
    expect(await seriousA11y(office)).toEqual([]);
    await noOverflow(office);
    await office.screenshot({ path: shot('6-appeals'), fullPage: true });
    await ap.getByLabel('复核意见（必填）').fill('经查监控，群众未在本窗口办理，申诉成立');
    await Promise.all([office.waitForURL(/show=appeals&done=appeal-decision/), ap.getByRole('button', { name: '申诉成立' }).click()]);
    await expect(office.getByRole('status').textContent()).resolves.toContain('申诉复核已完成');
    expect(await row(id)).toMatchObject({ appeal_state: 'upheld', rating_valid: false });

    // the office closes it from the item page (no callback needed for an invalid rating)
    await office.goto(`${base}/console/items/${id}`);
    await expect(office.getByRole('region', { name: '基本信息' }).textContent()).resolves.toContain('申诉成立（评价不计分）');
    await expect(office.getByRole('link', { name: '由此事项新建整改问题' }).getAttribute('href')).resolves.toBe(`/console/problems/new?item=${id}`);
    await office.getByLabel('办结说明（选填）').fill('申诉成立，评价无效，办结');
    await Promise.all([office.waitForURL(/done=close/), office.getByRole('button', { name: '办结', exact: true }).click()]);
    expect((await row(id)).status).toBe('closed');
    await office.screenshot({ path: shot('7-item-closed-after-appeal'), fullPage: true });

    // the overdue board at 1366×768, with an item past its deadline
    const late = await newItem(ctx, { assignedUnit: 'BDC', text: '不动产登记证书领取一直拖延' });
    await ctx.ds.query(`UPDATE item SET accept_due_at = $2 WHERE id = $1`, [late.id, new Date(ctx.clock.nowMs() - 9 * 86_400_000)]);
    await office.goto(`${base}/console/supervision`);
    const lr = office.getByRole('row', { name: new RegExp(late.trackingCode) });
    await expect(lr.textContent()).resolves.toMatch(/安平区不动产登记中心.*已超期9天.*个工作日/);
    await expect(office.getByRole('link', { name: '导出超期通报' }).getAttribute('href')).resolves.toBe('/console/exports/overdue.xlsx');
    expect(await seriousA11y(office)).toEqual([]);
    await noOverflow(office);
    await office.screenshot({ path: shot('8-overdue'), fullPage: true });
    await unit.context().close();
    await office.context().close();
  });
});
