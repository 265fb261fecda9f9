import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { MAX_EVIDENCE_BYTES } from '../../src/rectification/evidence-file.js';
import { ProblemsService } from '../../src/rectification/problems.service.js';
import { WorkflowService } from '../../src/workflow/workflow.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';
import { tinyPng } from '../rectification/evidence-fixtures.js';

/** The problem screens through HTTP: scope, CSRF on the multipart upload, refused files, escaping, the ledger. */
describe('console problems (HTTP)', () => {
  let ctx: TestContext;
  let rsCookie: string;
  let gjjCookie: string;
  let supCookie: string;
  let rsProblem: number;
  const office = { id: null, username: 'office', role: 'supervisor' as const, unitId: null };

  const signIn = async (u: { username: string; password: string }): Promise<string> => {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    return String(([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]).split(';')[0]!;
  };
  const csrfOf = async (cookie: string, url = '/console/problems') => {
    const r = await ctx.http().get(url).set('Cookie', cookie);
    return /name="_csrf" value="([^"]+)"/.exec(r.text)?.[1] as string;
  };
  const fileCount = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM problem_file`))[0].n as number;

  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    rsCookie = await signIn(await ctx.newUser({ role: 'unit_staff', unit: 'RS', username: 'rs_p' }));
    gjjCookie = await signIn(await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'gjj_p' }));
    supCookie = await signIn(await ctx.newUser({ role: 'supervisor', username: 'sup_p' }));
    rsProblem = (
      await ctx.app.get(ProblemsService).create(office, {
        title: '社保卡补办材料不一致',
        rootCause: '各窗口材料清单不同',
        dimension: 'D2',
        units: ['RS'],
        kind: 'deadline',
        deadline: '2099-12-31',
      })
    ).id;
  });
  afterAll(async () => ctx.close());

  it('shows a unit its own problems; another unit’s problem is the not-found page everywhere', async () => {
    const mine = await ctx.http().get('/console/problems').set('Cookie', rsCookie);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('本单位整改问题');
    expect(mine.text).toContain('社保卡补办材料不一致');
    expect(mine.text).toContain('限期整改');
    expect(mine.text).not.toContain('/console/exports/'); // the lists are the office's
    const theirs = await ctx.http().get('/console/problems').set('Cookie', gjjCookie);
    expect(theirs.text).not.toContain('社保卡补办材料不一致');

    const csrf = await csrfOf(gjjCookie);
    for (const r of [
      await ctx.http().get(`/console/problems/${rsProblem}`).set('Cookie', gjjCookie),
      await ctx.http().post(`/console/problems/${rsProblem}/measures`).set('Cookie', gjjCookie).type('form').send({ _csrf: csrf, text: '越权措施' }),
      await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', gjjCookie).field('_csrf', csrf).attach('file', tinyPng(), 'a.png'),
      await ctx.http().get(`/console/problems/${rsProblem}/files/1`).set('Cookie', gjjCookie),
      await ctx.http().get('/console/problems/999999').set('Cookie', rsCookie),
      await ctx.http().get('/console/problems/abc').set('Cookie', rsCookie),
    ]) {
      expect(r.status).toBe(404);
      expect(r.text).toContain('找不到该问题');
      expect(r.text).not.toContain('社保卡补办材料不一致');
    }
    expect(await fileCount()).toBe(0);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM problem_measure`))[0].n).toBe(0);
    // unit staff do not create problems; without a session it is the sign-in page
    expect((await ctx.http().get('/console/problems/new').set('Cookie', rsCookie)).status).toBe(403);
    const anon = await ctx.http().get(`/console/problems/${rsProblem}`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/console/login');
  });

  it('refuses an upload without the form token and stores nothing', async () => {
    const before = await fileCount();
    const bare = await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).attach('file', tinyPng(), 'a.png');
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('页面已过期');
    const forged = await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).field('_csrf', 'forged').attach('file', tinyPng(), 'a.png');
    expect(forged.status).toBe(403);
    const csrf = await csrfOf(rsCookie, `/console/problems/${rsProblem}`);
    const cross = await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).set('Origin', 'http://evil.example').field('_csrf', csrf).attach('file', tinyPng(), 'a.png');
    expect(cross.status).toBe(403);
    // a token after the file does not help an over-large upload either: the page expired, nothing kept
    const big = await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).attach('file', Buffer.alloc(MAX_EVIDENCE_BYTES + 10), 'big.png');
    expect(big.status).toBe(403);
    expect(await fileCount()).toBe(before);
  });

  it('says in Chinese why a file over the cap or of a refused type is not kept, and keeps nothing', async () => {
    const csrf = await csrfOf(rsCookie, `/console/problems/${rsProblem}`);
    const post = () => ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).field('_csrf', csrf);
    const big = await post().attach('file', Buffer.concat([tinyPng(), Buffer.alloc(MAX_EVIDENCE_BYTES)]), 'big.png');
    expect(big.status).toBe(413);
    expect(big.text).toContain('文件超过 10 MB，未保存');
    expect(big.text).toContain('社保卡补办材料不一致'); // the problem page, not a bare error
    const script = await post().attach('file', Buffer.from('<script>alert(1)</script>'), { filename: 'photo.png', contentType: 'image/png' });
    expect(script.status).toBe(415);
    expect(script.text).toContain('只能上传图片（PNG、JPEG、GIF、WebP）、PDF 或 Office 文档');
    const exe = await post().attach('file', Buffer.from('MZ\x90\x00\x03'), 'setup.exe');
    expect(exe.status).toBe(415);
    const none = await post();
    expect(none.status).toBe(400);
    expect(none.text).toContain('请选择要上传的文件');
    expect(await fileCount()).toBe(0);
  });

  it('escapes a hostile file name and text, and serves the file only as an attachment', async () => {
    const csrf = await csrfOf(rsCookie, `/console/problems/${rsProblem}`);
    const hostile = '<img src=x onerror=alert(1)>"\'.png';
    const up = await ctx.http().post(`/console/problems/${rsProblem}/files`).set('Cookie', rsCookie).field('_csrf', csrf).attach('file', tinyPng(), hostile);
    expect(up.status).toBe(303);
    expect(up.headers.location).toBe(`/console/problems/${rsProblem}?done=file`);
    const m = await ctx.http().post(`/console/problems/${rsProblem}/measures`).set('Cookie', rsCookie).type('form').send({ _csrf: csrf, text: '<script>alert("m")</script> 统一清单' });
    expect(m.status).toBe(303);
    const page = await ctx.http().get(`/console/problems/${rsProblem}?done=file`).set('Cookie', rsCookie);
    expect(page.text).toContain('佐证材料已上传');
    expect(page.text).not.toContain('<img src=x');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;.png');
    expect(page.text).toContain('&lt;script&gt;alert(&quot;m&quot;)&lt;/script&gt; 统一清单');
    expect(page.text).toMatch(/\d+ B<\/td><td>rs_p<\/td>/); // size and uploader

    const [{ id }] = await ctx.ds.query(`SELECT id FROM problem_file WHERE problem_id = $1`, [rsProblem]);
    const dl = await ctx.http().get(`/console/problems/${rsProblem}/files/${id}`).set('Cookie', rsCookie).buffer(true);
    expect(dl.status).toBe(200);
    expect(dl.headers['content-type']).toBe('image/png');
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%22%27\.png$/);
    expect(Buffer.compare(dl.body as Buffer, tinyPng())).toBe(0);
    // the office sees it too
    expect((await ctx.http().get(`/console/problems/${rsProblem}/files/${id}`).set('Cookie', supCookie)).status).toBe(200);
  });

  it('keeps what the office typed when a new problem is refused, and creates it from tracking codes', async () => {
    const a = await newItem(ctx, { assignedUnit: 'GJJ', text: '公积金提取要跑三次' });
    const csrf = await csrfOf(supCookie);
    const form = { _csrf: csrf, title: '<b>公积金</b>提取材料', rootCause: '未一次性告知', dimension: 'D2', units: ['GJJ', 'BDC'], kind: 'deadline', deadline: '', codes: `${a.trackingCode}\nNOPE-NOPE-NOPE` };
    const noDate = await ctx.http().post('/console/problems/new').set('Cookie', supCookie).type('form').send(form);
    expect(noDate.status).toBe(400);
    expect(noDate.text).toContain('限期整改须填写整改期限');
    expect(noDate.text).toContain('value="&lt;b&gt;公积金&lt;/b&gt;提取材料"');
    expect(noDate.text).toMatch(/value="BDC" checked/);
    const missing = await ctx.http().post('/console/problems/new').set('Cookie', supCookie).type('form').send({ ...form, deadline: '2099-06-30' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('找不到以下查询码对应的事项：NOPE-NOPE-NOPE');
    const ok = await ctx.http().post('/console/problems/new').set('Cookie', supCookie).type('form').send({ ...form, deadline: '2099-06-30', codes: a.trackingCode.toLowerCase() });
    expect(ok.status).toBe(303);
    const pid = Number(/problems\/(\d+)\?done=created/.exec(ok.headers.location)?.[1]);
    const p = await ctx.app.get(ProblemsService).get(office, String(pid));
    expect(p).toMatchObject({ title: '<b>公积金</b>提取材料', units: ['GJJ', 'BDC'], kind: 'deadline', items: [{ id: a.id }] });
    // the item's page for the office links here with the item prefilled
    const pre = await ctx.http().get(`/console/problems/new?item=${a.id}`).set('Cookie', supCookie);
    expect(pre.status).toBe(200);
    expect(pre.text).toContain(`>${a.trackingCode}</textarea>`);
    expect(pre.text).toMatch(/value="GJJ" checked/);
    expect(pre.text).toContain('倒推分析');
  });

  it('says when verification left linked items as they were, and refuses a cut-off upload without a server error', async () => {
    const svc = ctx.app.get(ProblemsService);
    // an item the unit answered already: verification leaves it as it is
    const waiting = await newItem(ctx, { assignedUnit: 'RS', text: '社保卡补办要跑两趟' });
    const wf = ctx.app.get(WorkflowService);
    await wf.apply(waiting.id, { type: 'accept' }, { ...SYSTEM_ACTOR, role: 'supervisor' });
    await wf.apply(waiting.id, { type: 'answer', text: '已答复' }, { ...SYSTEM_ACTOR, role: 'supervisor' });
    const p = await svc.create(office, { title: '分派前的事项', rootCause: 'x', dimension: 'D1', units: ['RS'], kind: 'immediate', items: [waiting.id] });
    const rsActor = { id: null, username: 'rs', role: 'unit_staff' as const, unitId: (await ctx.ds.query(`SELECT id FROM unit WHERE code = 'RS'`))[0].id };
    await svc.addMeasure(rsActor, String(p.id), '措施');
    await svc.done(rsActor, String(p.id), '成效');
    const csrf = await csrfOf(supCookie);
    const v = await ctx.http().post(`/console/problems/${p.id}/verify`).set('Cookie', supCookie).type('form').send({ _csrf: csrf });
    expect(v.status).toBe(303);
    expect(v.headers.location).toBe(`/console/problems/${p.id}?done=verifiedSome`);
    const page = await ctx.http().get(v.headers.location).set('Cookie', supCookie);
    expect(page.text).toContain('已答复、已办结或尚在分派中的事项保持原状态');
    const again = await ctx.http().post(`/console/problems/${p.id}/verify`).set('Cookie', supCookie).type('form').send({ _csrf: csrf });
    expect(again.status).toBe(409);
    expect(again.text).toContain('问题当前状态为“已验收”');

    const cut = await ctx.http()
      .post(`/console/problems/${rsProblem}/files`)
      .set('Cookie', rsCookie)
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG');
    expect(cut.status).toBe(403); // the token never arrived: the page expired, nothing kept, no server error
    const token = await csrfOf(rsCookie, `/console/problems/${rsProblem}`);
    const cutAfterToken = await ctx.http()
      .post(`/console/problems/${rsProblem}/files`)
      .set('Cookie', rsCookie)
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send(`--xyz\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${token}\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG`);
    expect(cutAfterToken.status).toBe(400);
    expect(cutAfterToken.text).toContain('上传未完成');
  });

  it('imports a case log for the back-trace (operators and the office), with bad rows in Chinese', async () => {
    const op = await signIn(await ctx.newUser({ role: 'operator', username: 'op_cases' }));
    const csrf = await csrfOf(op, '/console/problems/cases');
    const log = [
      '办件编号,事项编码,环节,承办单位,开始时间,结束时间,结果',
      'BJ-9,SX-003,受理,BDC,2026-10-12 09:00,2026-10-12 09:30,通过',
      'BJ-9,SX-003,缴税,SW,2026-10-12 10:00,2026-10-19 16:00,通过',
      'BJ-10,SX-999,受理,BDC,2026-10-12 09:00,,',
      'BJ-11,SX-003,,BDC,十月,,',
    ].join('\n');
    const bare = await ctx.http().post('/console/problems/cases').set('Cookie', op).attach('file', Buffer.from(log), 'cases.csv');
    expect(bare.status).toBe(403);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM case_record`))[0].n).toBe(0);
    const r = await ctx.http().post('/console/problems/cases').set('Cookie', op).field('_csrf', csrf).attach('file', Buffer.from(log), 'cases.csv');
    expect(r.status).toBe(200);
    expect(r.text).toContain('已导入 1 个办件、2 条环节记录');
    expect(r.text).toContain('2 行未导入');
    expect(r.text).toContain('事项编码“SX-999”不在事项目录中');
    expect(r.text).toContain('环节为空；开始时间“十月”不是有效的时间');
    const bad = await ctx.http().post('/console/problems/cases').set('Cookie', op).field('_csrf', csrf).attach('file', Buffer.from('a,b\n1,2\n'), 'x.csv');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('找不到含“办件编号”和“环节”的表头行');
    expect((await ctx.http().get('/console/problems/cases').set('Cookie', rsCookie)).status).toBe(403);
  });

  it('gives the office the ledger with filters, a pager and the export links', async () => {
    const ledger = await ctx.http().get('/console/problems?status=open&unit=RS').set('Cookie', supCookie);
    expect(ledger.status).toBe(200);
    expect(ledger.text).toContain('问题台账');
    for (const x of ['problems', 'ledger', 'measures', 'results', 'responsibilities']) expect(ledger.text).toContain(`href="/console/exports/${x}.xlsx"`);
    expect(ledger.text).not.toContain('公积金</b>'); // filtered to RS
    const overdue = await ctx.http().get('/console/problems?overdue=1').set('Cookie', supCookie);
    expect(overdue.text).toContain('没有符合条件的问题');
    const svc = ctx.app.get(ProblemsService);
    for (let i = 0; i < 51; i++) await svc.create(office, { title: `台账问题${i}`, rootCause: 'x', dimension: 'D1', units: ['JT'], kind: 'ledger' });
    const p1 = await ctx.http().get('/console/problems?unit=JT').set('Cookie', supCookie);
    expect(p1.text).toContain('第 1 / 2 页（共 51 条）');
    const p2 = await ctx.http().get('/console/problems?unit=JT&page=2').set('Cookie', supCookie);
    expect(p2.text).toContain('第 2 / 2 页');
    // an operator has no problem screens
    const op = await signIn(await ctx.newUser({ role: 'operator', username: 'op_p' }));
    expect((await ctx.http().get('/console/problems').set('Cookie', op)).status).toBe(403);
  });
});
