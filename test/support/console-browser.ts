import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { INestApplication } from '@nestjs/common';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/** What every console browser test shares: the hub on a port, an office screen, signing in, the axe-core check. */

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Listens on a free loopback port and answers the base URL (http://127.0.0.1:<port>). */
export async function serve(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** A fresh browser context at 1366×768 (the office screen). CSP is bypassed only so axe-core can be injected. */
export async function officePage(browser: Browser, opts: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true, ...opts });
  return context.newPage();
}

/** Signs in through the form; waits for `landing` (a path) or, without it, for any console page but the sign-in. */
export async function signInConsole(page: Page, base: string, u: { username: string; password: string }, landing?: string): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.getByLabel('用户名').fill(u.username);
  await page.getByLabel('密码').fill(u.password);
  const arrived = landing ? page.waitForURL(`${base}${landing}`) : page.waitForURL((url) => url.pathname.startsWith('/console/') && url.pathname !== '/console/login');
  await Promise.all([arrived, page.getByRole('button', { name: '登录' }).click()]);
}

/** axe-core's serious and critical findings on the page as it is now (an empty list is a pass). */
export async function seriousA11y(page: Page): Promise<{ id: string; impact: string; where: string[] }[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
