import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ARTIFACTS, launchChromium } from '../support/browser.js';
import { officePage, seriousA11y, serve, signInConsole } from '../support/console-browser.js';
import { ADMIN_PASSWORD, createTestContext, SAMPLE_CATALOG_TEXT, type TestContext } from '../support/test-app.js';

const shot = (name: string) => path.join(ARTIFACTS, `console-admin-${name}.png`);

const BROKEN = `units:
  - code: ZWB
    name: 安平区政务服务管理办公室
    level: district
    role: triage
  - code: X1
    name: 某街道便民服务中心
    level: street
    parent: NOPE
  - code: X2
    level: community
windows:
  - code: W1
    unit: GHOST
    name: 综合窗口
items:
  - code: S1
    name: 测试事项
    unit: ZWB
    steps:
      - name: 受理
        unit: ZWB
        days: -1
`;

/** 系统管理 in Chromium at 1366×768: the catalogue import (errors with paths, then a good file) and the accounts. */
describe('administration in Chromium', () => {
  let ctx: TestContext;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    base = await serve(ctx.app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await ctx.close();
  });

  const open = (): Promise<Page> => officePage(browser);
  const signIn = (page: Page, u: { username: string; password: string }) => signInConsole(page, base, u);
  const unitCount = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM unit WHERE active`))[0].n as number;

  it('imports a broken catalogue showing every error with its path and changing nothing, then a good one showing what changed', async () => {
    const page = await open();
    await signIn(page, { username: 'admin', password: ADMIN_PASSWORD });
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '系统管理' }).click();
    await page.waitForURL(`${base}/console/admin`);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('系统管理');
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('1-page'), fullPage: true });

    const before = await unitCount();
    await page.getByLabel('粘贴目录内容（YAML 或 JSON）').fill(BROKEN);
    await Promise.all([page.waitForURL(`${base}/console/admin/catalog`), page.getByRole('button', { name: '校验并导入' }).click()]);
    const alert = page.getByRole('alert');
    await expect(alert.textContent()).resolves.toContain('目录中有 4 处错误，未作任何更改');
    const findings = await alert.locator('li').allTextContents();
    expect(findings).toEqual([
      'units[2].name：必填项缺失',
      'units[1].parent：单位“NOPE”不在目录中',
      'windows[0].unit：单位“GHOST”不在目录中',
      'items[0].steps[0].days：须为 0 至 365 之间的工作日天数',
    ]);
    // what was pasted is still there to fix, and nothing was applied
    await expect(page.getByLabel('粘贴目录内容（YAML 或 JSON）').inputValue()).resolves.toBe(BROKEN);
    expect(await unitCount()).toBe(before);
    expect(await seriousA11y(page)).toEqual([]);
    await page.screenshot({ path: shot('2-import-errors'), fullPage: true });

    // a good catalogue, uploaded as a file: the sample with one community station more
    const good = SAMPLE_CATALOG_TEXT().replace(
      '\nwindows:',
      '\n  - code: SQ-TEST\n    name: 安平区测试社区便民服务站\n    parent: ZWB\n    level: community\nwindows:',
    );
    await page.getByLabel('粘贴目录内容（YAML 或 JSON）').fill('');
    await page.getByLabel('或选择目录文件').setInputFiles({ name: 'anping.yaml', mimeType: 'text/yaml', buffer: Buffer.from(good, 'utf8') });
    await Promise.all([page.waitForURL(`${base}/console/admin/catalog`), page.getByRole('button', { name: '校验并导入' }).click()]);
    const ok = page.getByRole('status');
    await expect(ok.textContent()).resolves.toContain('导入成功');
    await expect(ok.textContent()).resolves.toContain('新增 1 项，更新 0 项，停用 0 项');
    expect(await unitCount()).toBe(before + 1);
    const [row] = await ctx.ds.query(`SELECT name, level FROM unit WHERE code = 'SQ-TEST'`);
    expect(row).toEqual({ name: '安平区测试社区便民服务站', level: 'community' });
    await page.screenshot({ path: shot('3-import-ok'), fullPage: true });
    await page.context().close();
  });

  it('creates an account that can sign in, deactivates it (its session stops), reactivates it and resets its password', async () => {
    const admin = await open();
    await signIn(admin, { username: 'admin', password: ADMIN_PASSWORD });
    await admin.goto(`${base}/console/admin`);

    // a refusal keeps what was typed
    await admin.getByLabel('用户名', { exact: true }).fill('gjj_clerk');
    await admin.getByLabel('角色').selectOption({ label: '窗口单位' });
    await Promise.all([admin.waitForURL(`${base}/console/admin/accounts`), admin.getByRole('button', { name: '创建账号' }).click()]);
    await expect(admin.getByRole('alert').textContent()).resolves.toContain('窗口单位账号须选择所属单位');
    await expect(admin.getByLabel('用户名', { exact: true }).inputValue()).resolves.toBe('gjj_clerk');

    await admin.getByLabel('所属单位（仅窗口单位账号）').selectOption({ label: '示例市住房公积金管理中心安平管理部' });
    await Promise.all([admin.waitForURL(`${base}/console/admin/accounts`), admin.getByRole('button', { name: '创建账号' }).click()]);
    await expect(admin.getByRole('status').textContent()).resolves.toContain('账号“gjj_clerk”已创建');
    const password = (await admin.locator('#new-secret').textContent()) as string;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const row = admin.getByRole('row', { name: /gjj_clerk/ });
    await expect(row.textContent()).resolves.toMatch(/窗口单位.*示例市住房公积金管理中心安平管理部.*启用/);
    // the administrator's own row has no deactivate button
    await expect(admin.getByRole('row', { name: /^admin/ }).textContent()).resolves.toContain('（当前账号）');
    expect(await seriousA11y(admin)).toEqual([]);
    await admin.screenshot({ path: shot('4-account-created'), fullPage: true });

    // the new account signs in and sees its queue
    const clerk = await open();
    await signIn(clerk, { username: 'gjj_clerk', password });
    await expect(clerk.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('我的待办');

    // deactivated: its open session stops at the next page
    await Promise.all([admin.waitForURL(/done=deactivated/), row.getByRole('button', { name: '停用 gjj_clerk' }).click()]);
    await expect(admin.getByRole('status').textContent()).resolves.toContain('账号已停用');
    await expect(admin.getByRole('row', { name: /gjj_clerk/ }).textContent()).resolves.toContain('已停用');
    await clerk.reload();
    expect(clerk.url()).toBe(`${base}/console/login`);
    // and it cannot sign in again
    await clerk.getByLabel('用户名').fill('gjj_clerk');
    await clerk.getByLabel('密码').fill(password);
    await clerk.getByRole('button', { name: '登录' }).click();
    await expect(clerk.getByRole('alert').textContent()).resolves.toContain('用户名或密码错误');
    await admin.screenshot({ path: shot('5-deactivated'), fullPage: true });

    // reactivated and given a new password: the old one no longer works, the new one does
    await Promise.all([admin.waitForURL(/done=activated/), admin.getByRole('button', { name: '启用 gjj_clerk' }).click()]);
    await Promise.all([admin.waitForURL(/\/reset$/), admin.getByRole('button', { name: '重置密码 gjj_clerk' }).click()]);
    await expect(admin.getByRole('status').textContent()).resolves.toContain('密码已重置');
    const fresh = (await admin.locator('#new-secret').textContent()) as string;
    expect(fresh).not.toBe(password);
    const bad = await ctx.http().post('/console/login').type('form').send({ username: 'gjj_clerk', password });
    expect(bad.status).toBe(401);
    await signIn(clerk, { username: 'gjj_clerk', password: fresh });
    await admin.context().close();
    await clerk.context().close();
  });

  it('is for administrators only, and refuses deactivating oneself or a post without the form token', async () => {
    for (const role of ['supervisor', 'unit_staff'] as const) {
      const u = await ctx.newUser({ role, unit: role === 'unit_staff' ? 'GJJ' : undefined });
      const r = await ctx.http().post('/console/login').type('form').send(u);
      const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
      const page = await ctx.http().get('/console/admin').set('Cookie', cookie);
      expect(page.status).toBe(403);
      expect(page.text).toContain('无权访问');
      const post = await ctx.http().post('/console/admin/accounts').set('Cookie', cookie).type('form').send({ username: 'x1', role: 'admin' });
      expect(post.status).toBe(403);
    }
    const r = await ctx.http().post('/console/login').type('form').send({ username: 'admin', password: ADMIN_PASSWORD });
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
    const page = await ctx.http().get('/console/admin').set('Cookie', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    const [{ id }] = await ctx.ds.query(`SELECT id FROM app_user WHERE username = 'admin'`);
    const noToken = await ctx.http().post('/console/admin/accounts').set('Cookie', cookie).type('form').send({ username: 'sneaky', role: 'admin' });
    expect(noToken.status).toBe(403);
    expect((await ctx.ds.query(`SELECT 1 FROM app_user WHERE username = 'sneaky'`)).length).toBe(0);
    const self = await ctx.http().post(`/console/admin/accounts/${id}/deactivate`).set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(self.status).toBe(403);
    expect(self.text).toContain('不能停用自己正在使用的账号');
    expect((await ctx.ds.query(`SELECT active FROM app_user WHERE id = $1`, [id]))[0].active).toBe(true);
    const missing = await ctx.http().post('/console/admin/accounts/00000000-0000-0000-0000-000000000000/reset').set('Cookie', cookie).type('form').send({ _csrf: csrf });
    expect(missing.status).toBe(404);
    const taken = await ctx.http().post('/console/admin/accounts').set('Cookie', cookie).type('form').send({ _csrf: csrf, username: 'ADMIN', role: 'supervisor', password: 'long-enough-1' });
    expect(taken.status).toBe(409);
    expect(taken.text).toContain('该用户名已被使用');
    expect(taken.text).toContain('value="ADMIN"');

    // a catalogue file over 5 MB: refused in Chinese, nothing applied
    const big = await ctx.http().post('/console/admin/catalog').set('Cookie', cookie).field('_csrf', csrf).field('text', 'units: []').attach('file', Buffer.alloc(5 * 1024 * 1024 + 10, 0x61), 'big.yaml');
    expect(big.status).toBe(413);
    expect(big.text).toContain('目录文件太大');
    expect(big.text).toContain('units: []</textarea>');

    // more accounts than a page holds: the list pages
    const total = (await ctx.ds.query(`SELECT count(*)::int AS n FROM app_user`))[0].n as number;
    for (let i = total; i <= 50; i++) await ctx.newUser({ role: 'operator', username: `op_page_${i}` });
    const first = await ctx.http().get('/console/admin').set('Cookie', cookie);
    expect(first.text).toContain('第 1 / 2 页');
    const second = await ctx.http().get('/console/admin?page=2').set('Cookie', cookie);
    expect(second.status).toBe(200);
    expect(second.text).toContain('第 2 / 2 页');
    const now = (await ctx.ds.query(`SELECT count(*)::int AS n FROM app_user`))[0].n as number;
    // the header row and the accounts past the first 50
    expect(second.text.match(/<tr>|<tr class="inactive">/g)?.length).toBe(1 + now - 50);
  });
});
