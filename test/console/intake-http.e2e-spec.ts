import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MailboxService } from '../../src/intake/mailbox/mailbox.service.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor } from '../support/factories.js';
import { SHARED, createTestContext, type TestContext } from '../support/test-app.js';

const HOSTILE = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;';
const SAMPLES = path.join(SHARED, 'data/hotline');

/** A mail that imports cleanly once the fault that failed it is gone. */
const GOOD_MAIL = [
  'From: =?UTF-8?B?5byg5YWI55Sf?= <zhang@example.cn>',
  'To: complaints@hub.test',
  'Subject: 社保窗口让我跑了三趟',
  'Message-ID: <console-retry-1@example.cn>',
  'Date: Mon, 16 Nov 2026 09:30:00 +0800',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  '办理社保卡补办，窗口每次只说一项材料，跑了三趟还没办成。',
].join('\r\n');

/** The intake and QR screens through HTTP: roles, form tokens, uploads, escaping, retries, revocation. */
describe('console intake and QR screens (HTTP)', () => {
  let ctx: TestContext;
  let operator: string;
  let supervisor: string;
  let admin: string;
  let staff: string;

  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' }, assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    operator = await signIn(await ctx.newUser({ role: 'operator', username: 'op_http' }));
    supervisor = await signIn(await ctx.newUser({ role: 'supervisor', username: 'sup_http' }));
    admin = await signIn({ username: 'admin', password: 'admin-test-password' });
    staff = await signIn(await ctx.newUser({ role: 'unit_staff', unit: 'RS', username: 'rs_intake' }));
  });
  afterAll(async () => ctx.close());

  async function signIn(u: { username: string; password: string }): Promise<string> {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    return String(([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]).split(';')[0];
  }
  const get = (url: string, cookie: string) => ctx.http().get(url).set('Cookie', cookie);
  const csrfOf = async (cookie: string, url = '/console/intake'): Promise<string> => {
    const r = await get(url, cookie);
    return /name="_csrf" value="([^"]+)"/.exec(r.text)?.[1] as string;
  };
  const count = async (sql: string): Promise<number> => (await ctx.ds.query(sql))[0].n as number;

  it('unit staff get the 403 page on every intake screen; operators get the intake hub but not the office screens', async () => {
    for (const url of ['/console/intake', '/console/intake/entry/phone', '/console/intake/hotline', '/console/intake/hotline/forward', '/console/intake/mail', '/console/qr']) {
      const r = await get(url, staff);
      expect([url, r.status]).toEqual([url, 403]);
      expect(r.text).toContain('无权访问');
    }
    const json = await ctx.http().post('/console/intake/hotline').set('Cookie', staff).set('Accept', 'application/json').field('_csrf', 'x');
    expect(json.status).toBe(403);
    const hub = await get('/console/intake', operator);
    expect(hub.status).toBe(200);
    expect(hub.text).toContain('<a href="/console/intake" aria-current="page">录入</a>');
    expect(hub.text).toContain('录入意见箱意见');
    expect(hub.text).not.toContain('/console/intake/mail'); // the mailbox is the office's, as in the API
    expect((await get('/console/intake/mail', operator)).status).toBe(403);
    expect((await get('/console/qr', operator)).status).toBe(403);
    // no session: the sign-in page, or 401 for the progress script
    expect((await ctx.http().get('/console/intake')).headers.location).toBe('/console/login');
    expect((await ctx.http().get('/console/intake/hotline/imports/00000000-0000-0000-0000-000000000000/progress')).status).toBe(401);
  });

  it('an operator enters a suggestion-box slip and sees its tracking code, classification and unit; a refused form keeps what was typed', async () => {
    const form = await get('/console/intake/entry/suggestion_box', operator);
    expect(form.status).toBe(200);
    for (const label of ['反映内容（必填）', '意见箱位置（选填）', '联系电话（选填）', '涉及窗口（选填）']) expect(form.text).toContain(label);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] as string;
    const nonce = /name="nonce" value="([^"]+)"/.exec(form.text)?.[1] as string;

    const bad = await ctx.http().post('/console/intake/entry/suggestion_box').set('Cookie', operator).type('form')
      .send({ _csrf: csrf, nonce, text: '   ', source: '一楼大厅意见箱', name: '李四', phone: 'call me', window: 'W-B05' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请填写反映内容。');
    expect(bad.text).toContain('联系电话只能包含数字');
    expect(bad.text).toContain('value="一楼大厅意见箱"');
    expect(bad.text).toContain('value="call me"');
    expect(bad.text).toContain('<option value="W-B05" selected>');
    expect(bad.text).toContain(`name="nonce" value="${nonce}"`);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE channel = 'suggestion_box'`)).toBe(0);

    const slip = { _csrf: csrf, nonce, text: '公积金提取窗口中午不办公，白跑一趟', source: '一楼大厅意见箱', name: '李四', phone: '13700001111', window: 'W-B05', receivedAt: '2026-11-16T10:30' };
    const ok = await ctx.http().post('/console/intake/entry/suggestion_box').set('Cookie', operator).type('form').send(slip);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toMatch(/^\/console\/intake\/entries\/\d+\?done=saved$/);
    const [row] = await ctx.ds.query(
      `SELECT i.id, i.tracking_code, i.source, i.received_at, i.contact_phone, u.name AS unit, i.routing_reason, i.raw FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.channel = 'suggestion_box'`,
    );
    expect(row.source).toBe('一楼大厅意见箱');
    expect(new Date(row.received_at).toISOString()).toBe('2026-11-16T02:30:00.000Z'); // China time
    expect(row.raw.enteredBy).toBe('op_http');
    const page = await get(ok.headers.location, operator);
    expect(page.status).toBe(200);
    expect(page.text).toContain('已保存，并已自动分类和分派。');
    expect(page.text).toContain(`<p class="code-big" id="tracking-code">${row.tracking_code}</p>`);
    expect(page.text).toContain(`<strong id="routed-unit">${row.unit}</strong>`);
    expect(page.text).toContain(row.routing_reason);
    expect(page.text).toContain('问题分类');
    expect(page.text).not.toContain(`/console/items/${row.id}`); // the item page is the office's
    expect(page.text).not.toContain('13700001111');

    // the same form sent twice (back, submit again) is one slip
    const again = await ctx.http().post('/console/intake/entry/suggestion_box').set('Cookie', operator).type('form').send(slip);
    expect(again.headers.location).toBe(`/console/intake/entries/${row.id}?done=again`);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE channel = 'suggestion_box'`)).toBe(1);

    // the office gets the link to the item page
    const office = await get(`/console/intake/entries/${row.id}`, supervisor);
    expect(office.text).toContain(`href="/console/items/${row.id}"`);
    // an unknown window is refused in words
    const unknown = await ctx.http().post('/console/intake/entry/phone').set('Cookie', operator).type('form').send({ _csrf: csrf, text: '投诉', window: 'NOPE' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('所选窗口不存在或已停用');
    // without the form token nothing is stored
    const bare = await ctx.http().post('/console/intake/entry/phone').set('Cookie', operator).type('form').send({ text: '投诉电话：窗口态度差' });
    expect(bare.status).toBe(403);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE channel = 'phone'`)).toBe(0);
  });

  it('refuses an upload without the form token (or with the token after the file) and stores nothing', async () => {
    const file = path.join(SAMPLES, 'anping-12345-utf8bom.csv');
    const imports = path.join(ctx.config.dataDir, 'imports');
    const none = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).attach('file', file);
    expect(none.status).toBe(403);
    expect(none.text).toContain('页面已过期');
    const forged = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).set('Accept', 'application/json').field('_csrf', 'forged').attach('file', file);
    expect(forged.status).toBe(403);
    expect(forged.body.error).toContain('页面已过期');
    const csrf = await csrfOf(operator);
    const late = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).attach('file', file).field('_csrf', csrf);
    expect(late.status).toBe(403);
    const cross = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).set('Origin', 'http://evil.example').field('_csrf', csrf).attach('file', file);
    expect(cross.status).toBe(403);
    expect(await count(`SELECT count(*)::int AS n FROM hotline_import`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE channel = 'hotline'`)).toBe(0);
    expect(existsSync(imports) ? readdirSync(imports) : []).toEqual([]);
    expect(readdirSync(path.join(ctx.config.dataDir, 'uploads'))).toEqual([]); // nothing left behind where uploads land
    // no file chosen: said in words
    const empty = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).field('_csrf', csrf);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('请选择要导入的工单文件。');
  });

  it('imports a 12345 file posted without script and lists its bad rows on the import page, escaped, with a CSV of them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'console-hotline-'));
    const file = path.join(dir, '东城12345工单.csv');
    const lines = ['工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限'];
    lines.push('RS900001,2026-11-10 09:00:00,王先生,13800001111,投诉,社保,社保窗口让我跑了三趟,区人社局,10个工作日');
    lines.push(`RS900002,not a date ${HOSTILE.replace(/"/g, '')},李女士,13800002222,咨询,社保,咨询社保卡补办,区人社局,3个工作日`);
    lines.push(',2026-11-10 09:00:00,赵先生,13800003333,投诉,社保,没有工单编号的一行,区人社局,10个工作日');
    writeFileSync(file, lines.join('\r\n'));
    const csrf = await csrfOf(operator);
    const r = await ctx.http().post('/console/intake/hotline').set('Cookie', operator).field('_csrf', csrf).attach('file', file);
    expect(r.status).toBe(303);
    expect(r.headers.location).toMatch(/^\/console\/intake\/hotline\/imports\/[0-9a-f-]{36}$/);
    const page = await get(r.headers.location, operator);
    expect(page.status).toBe(200);
    expect(page.text).toContain('导入：东城12345工单.csv'); // the Chinese file name survives the upload
    expect(page.text).toContain('<span class="badge closed" id="import-status">已完成</span>');
    const rejected = /<table id="rejected">[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    expect(rejected).toMatch(/<td class="nowrap">3<\/td><td>[^<]*unreadable date/);
    expect(rejected).toMatch(/<td class="nowrap">4<\/td><td>[^<]*missing order number/);
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).not.toContain('http-equiv="refresh"'); // done: no more refreshing
    const csv = await get(`${r.headers.location}/rejected.csv`, operator);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('\ufeff行号,原因');
    expect(csv.text).toMatch(/\r\n3,"/);
    const progress = await get(`${r.headers.location}/progress`, operator);
    expect(progress.body).toMatchObject({ status: 'done', total: 3, created: 1, rejectedCount: 2 });
    expect(progress.body.rejected).toBeUndefined();
    expect(progress.body.progress).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE external_id = 'RS900001'`)).toBe(1);
    // listed with its state on the upload page
    const list = await get('/console/intake/hotline', operator);
    expect(list.text).toContain('东城12345工单.csv');
    expect(list.text).toContain('enctype="multipart/form-data"');
    // the results for the hotline system, behind the session
    const xlsx = await get('/console/intake/hotline/results.xlsx', operator).buffer(true);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
  });

  it('shows a running import with a bar, and refreshes itself when script is off', async () => {
    const [{ id }] = await ctx.ds.query(
      `INSERT INTO hotline_import (file_name, file_path, file_bytes, status, rows_read, total, created) VALUES ('大文件.csv', '/nonexistent', 1000, 'running', 501, 500, 480) RETURNING id`,
    );
    const page = await get(`/console/intake/hotline/imports/${id}`, operator);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<span class="badge accepted" id="import-status">导入中</span>');
    expect(page.text).toContain('<progress id="imp-bar"></progress>'); // no runner here: indeterminate, the counts speak
    expect(page.text).toContain('已读取到第501行；已处理500行：新增480件');
    expect(page.text).toContain('<noscript><meta http-equiv="refresh" content="3">');
    expect(page.text).toContain(`/console/intake/hotline/imports/${id}/progress`); // the script polls it
    const progress = await get(`/console/intake/hotline/imports/${id}/progress`, operator);
    expect(progress.body).toMatchObject({ status: 'running', rowsRead: 501, progress: null });
    expect((await get('/console/intake/hotline/imports/not-an-id', operator)).status).toBe(404);
    await ctx.ds.query(`DELETE FROM hotline_import WHERE id = $1`, [id]);
  });

  it('pages long lists: an import’s bad rows and the failed mail', async () => {
    const rejected = Array.from({ length: 120 }, (_, i) => ({ row: i + 2, reason: `来电时间无法识别：“${HOSTILE}” (unreadable date)` }));
    const [{ id }] = await ctx.ds.query(
      `INSERT INTO hotline_import (file_name, file_path, file_bytes, status, rows_read, total, rejected, rejected_count, finished_at)
       VALUES ('坏行很多.csv', '/nonexistent', 1000, 'done', 121, 120, $1::jsonb, 120, now()) RETURNING id`,
      [JSON.stringify(rejected)],
    );
    const page = await get(`/console/intake/hotline/imports/${id}?page=3`, operator);
    const rows = [...page.text.matchAll(/<tr><td class="nowrap">(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(rows).toEqual(Array.from({ length: 20 }, (_, i) => 102 + i));
    expect(page.text).toContain('第 3 / 3 页（共 120 条）');
    expect(page.text).toContain(`href="/console/intake/hotline/imports/${id}?page=2" rel="prev"`);
    expect(page.text).toContain(ESCAPED);
    expect(page.text).not.toContain('<script>alert(1)');
    const csv = await get(`/console/intake/hotline/imports/${id}/rejected.csv`, operator);
    expect(csv.text.trim().split('\r\n')).toHaveLength(121);
    await ctx.ds.query(`DELETE FROM hotline_import WHERE id = $1`, [id]);

    await ctx.ds.query(
      `INSERT INTO mail_message (mailbox, uid_validity, uid, outcome, from_addr, subject, reason)
       SELECT 'PAGED', 1, g, 'failed', 'p' || g || '@example.cn', '第' || g || '封', 'no readable text in the mail' FROM generate_series(1, 55) g`,
    );
    const first = await get('/console/intake/mail', supervisor);
    expect(first.text).toContain('第 1 / 2 页');
    expect(first.text).toContain('第55封');
    const second = await get('/console/intake/mail?page=2', supervisor);
    expect(second.text).toContain('第 2 / 2 页');
    expect(second.text).toContain('第1封');
    expect(second.text).not.toContain('第55封');
    await ctx.ds.query(`DELETE FROM mail_message WHERE mailbox = 'PAGED'`);
  });

  it('forwards a single 12345 order typed in, once', async () => {
    const csrf = await csrfOf(operator, '/console/intake/hotline/forward');
    const order = { _csrf: csrf, orderNo: 'AP-CONSOLE-1', receivedAt: '2026-11-12T08:15', caller: '孙女士', phone: '13900004444', appealType: '投诉', title: '医保', content: '医保报销材料被要求重复提交', assignedUnit: 'YB' };
    const missing = await ctx.http().post('/console/intake/hotline/forward').set('Cookie', operator).type('form').send({ ...order, appealType: '', content: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('请选择诉求类型。');
    expect(missing.text).toContain('请填写诉求内容');
    expect(missing.text).toContain('value="AP-CONSOLE-1"');
    const ok = await ctx.http().post('/console/intake/hotline/forward').set('Cookie', operator).type('form').send(order);
    expect(ok.status).toBe(303);
    const page = await get(ok.headers.location, operator);
    expect(page.text).toContain('已保存');
    expect(page.text).toContain('安平区医疗保障局');
    const again = await ctx.http().post('/console/intake/hotline/forward').set('Cookie', operator).type('form').send(order);
    expect(again.headers.location).toMatch(/done=again$/);
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE external_id = 'AP-CONSOLE-1'`)).toBe(1);
  });

  it('lists failed mail for the office and retries one; the admin may poll (and hears why not, without a mailbox)', async () => {
    const mailbox = ctx.app.get(MailboxService);
    // one that fails through the real service, and one recorded while something was broken, with a hostile subject
    await expect(mailbox.process('INBOX', '1', 7, Buffer.from('From: x@example.cn\r\nMessage-ID: <empty-c@example.cn>\r\nSubject:\r\n\r\n\r\n'))).resolves.toBe('failed');
    const [{ id }] = await ctx.ds.query(
      `INSERT INTO mail_message (mailbox, uid_validity, uid, message_id, outcome, from_addr, subject, reason, source)
       VALUES ('INBOX', 1, 8, '<console-retry-1@example.cn>', 'failed', 'zhang@example.cn', $1, 'database unavailable', $2) RETURNING id`,
      [HOSTILE, Buffer.from(GOOD_MAIL)],
    );
    const list = await get('/console/intake/mail', supervisor);
    expect(list.status).toBe(200);
    expect(list.text).toContain('邮件收取失败（2）');
    expect(list.text).toContain('no readable text in the mail');
    expect(list.text).toContain(ESCAPED);
    expect(list.text).not.toContain('<script>alert(1)');
    expect(list.text).not.toContain('立即收取邮件'); // polling by hand is the admin's
    const csrf = /name="_csrf" value="([^"]+)"/.exec(list.text)?.[1] as string;
    const bare = await ctx.http().post(`/console/intake/mail/${id}/retry`).set('Cookie', supervisor).type('form').send({});
    expect(bare.status).toBe(403);
    const r = await ctx.http().post(`/console/intake/mail/${id}/retry`).set('Cookie', supervisor).type('form').send({ _csrf: csrf });
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/console/intake/mail?done=retry-item');
    const after = await get(r.headers.location, supervisor);
    expect(after.text).toContain('已重新处理，来信已生成事项。');
    expect(after.text).toContain('邮件收取失败（1）');
    expect(await count(`SELECT count(*)::int AS n FROM item WHERE external_id = '<console-retry-1@example.cn>'`)).toBe(1);
    const gone = await ctx.http().post(`/console/intake/mail/${id}/retry`).set('Cookie', supervisor).type('form').send({ _csrf: csrf });
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('该邮件已不在失败列表中');

    const adminPage = await get('/console/intake/mail', admin);
    expect(adminPage.text).toContain('立即收取邮件');
    const adminCsrf = /name="_csrf" value="([^"]+)"/.exec(adminPage.text)?.[1] as string;
    const poll = await ctx.http().post('/console/intake/mail/poll').set('Cookie', admin).type('form').send({ _csrf: adminCsrf });
    expect(poll.status).toBe(409);
    expect(poll.text).toContain('没有配置收件邮箱');
    expect((await ctx.http().post('/console/intake/mail/poll').set('Cookie', supervisor).type('form').send({ _csrf: csrf })).status).toBe(403);
  });

  it('escapes hostile text on every page that shows an entry', async () => {
    const csrf = await csrfOf(operator);
    const r = await ctx.http().post('/console/intake/entry/walkthrough').set('Cookie', operator).type('form')
      .send({ _csrf: csrf, text: `走流程发现：${HOSTILE}`, source: HOSTILE, name: HOSTILE, caseNo: HOSTILE });
    expect(r.status).toBe(303);
    const id = /entries\/(\d+)/.exec(r.headers.location)?.[1] as string;
    for (const [url, cookie] of [
      [r.headers.location, operator],
      ['/console/intake', operator],
      [`/console/items/${id}`, supervisor],
      ['/console/triage', supervisor],
    ] as const) {
      const page = await get(url, cookie);
      expect([url, page.status]).toEqual([url, 200]);
      expect(page.text).toContain(ESCAPED.slice(0, 40));
      expect([url, page.text.includes('<script>alert(1)'), page.text.includes('<img src=x')]).toEqual([url, false, false]);
    }
    // refused with hostile values: they come back escaped in the form
    const bad = await ctx.http().post('/console/intake/entry/walkthrough').set('Cookie', operator).type('form').send({ _csrf: csrf, text: '', source: HOSTILE });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain(`value="${ESCAPED}"`);
  });

  it('shows a unit’s windows with their codes, opens the A4 sheet, and revokes a code after a confirmation', async () => {
    const page = await get('/console/qr?unit=GJJ', supervisor);
    expect(page.status).toBe(200);
    expect(page.text).toContain('公积金提取窗口');
    expect(page.text).toContain('<img src="/console/qr/windows/W-B06/qr.svg"');
    const img = await get('/console/qr/windows/W-B05/qr.svg', supervisor).buffer(true);
    expect(img.status).toBe(200);
    expect(img.headers['content-type']).toContain('image/svg+xml');
    expect(String(img.body)).toContain('<svg');
    expect((await ctx.http().get('/console/qr/windows/W-B05/qr.svg')).status).toBe(303); // no session
    const sheet = await get('/console/qr/units/GJJ/sheet', supervisor);
    expect(sheet.status).toBe(200);
    expect(sheet.text).toContain('窗口评价二维码（共2个）');
    expect(sheet.text).toContain('打印本页');
    expect(sheet.headers['content-security-policy']).toMatch(/script-src 'nonce-/);
    expect((await get('/console/qr/units/NOPE/sheet', supervisor)).status).toBe(404);

    const confirm = await get('/console/qr/windows/W-B05/revoke', supervisor);
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('作废后，这个窗口已经打印张贴的二维码将立即失效');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirm.text)?.[1] as string;
    const version = async () => (await ctx.ds.query(`SELECT qr_version FROM service_window WHERE code = 'W-B05'`))[0].qr_version as number;
    const before = await version();
    expect((await ctx.http().post('/console/qr/windows/W-B05/revoke').set('Cookie', supervisor).type('form').send({})).status).toBe(403);
    expect(await version()).toBe(before);
    const done = await ctx.http().post('/console/qr/windows/W-B05/revoke').set('Cookie', supervisor).type('form').send({ _csrf: csrf });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/console/qr?unit=GJJ&done=revoked');
    expect(await version()).toBe(before + 1);
    expect((await get(done.headers.location, supervisor)).text).toContain('原二维码已作废');
    expect((await get('/console/qr/windows/NOPE/revoke', supervisor)).status).toBe(404);
  });
});
