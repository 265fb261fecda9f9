import { createTestContext, type TestContext } from '../support/test-app.js';

/** The QR channel over HTTP as a phone's browser posts it (form encoding), against the real store. */
describe('QR rating channel', () => {
  let ctx: TestContext;
  let admin: string;
  let token: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_PUBLIC_URL: 'https://hub.example.gov.cn' } });
    admin = await ctx.adminToken();
    token = (await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`)).body.token;
  });
  afterAll(async () => ctx.close());

  const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] as string;
  const freshNonce = async () => nonceOf((await ctx.http().get(`/q/${token}`)).text);
  const post = (fields: Record<string, string | string[]>, ip = '10.0.0.1') =>
    ctx.http().post(`/q/${token}`).set('X-Forwarded-For', ip).type('form').send(fields);
  const itemByCode = async (code: string) => (await ctx.ds.query(`SELECT * FROM item WHERE tracking_code = $1`, [code]))[0];
  const codeOf = (html: string) => /id="tracking-code">([^<]+)</.exec(html)?.[1] as string;

  it('gives each window a signed URL and its image; only the office may', async () => {
    const r = await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`);
    expect(r.body.url).toBe(`https://hub.example.gov.cn/q/${r.body.token}`);
    expect(r.body.url.length).toBeLessThan(70);
    const svg = await ctx.http().get('/api/windows/W-A01/qr?format=svg').set('Authorization', `Bearer ${admin}`).buffer(true);
    expect(svg.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(Buffer.from(svg.body).toString()).toMatch(/^<svg/);
    const png = await ctx.http().get('/api/windows/W-A01/qr?format=png').set('Authorization', `Bearer ${admin}`).buffer(true);
    expect(png.headers['content-type']).toBe('image/png');
    expect((png.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    const staff = await ctx.login('unit_staff', 'SCJG');
    expect((await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${staff}`)).status).toBe(403);
    expect((await ctx.http().get('/api/windows/NOPE/qr').set('Authorization', `Bearer ${admin}`)).status).toBe(404);
  });

  it('serves a small, self-contained page that names the window', async () => {
    const r = await ctx.http().get(`/q/${token}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html; charset=utf-8/);
    expect(Buffer.byteLength(r.text)).toBeLessThan(30 * 1024);
    expect(r.text).toContain('企业开办综合窗口');
    expect(r.text).toContain('安平区市场监督管理局');
    for (const level of ['非常满意', '满意', '基本满意', '不满意', '非常不满意']) expect(r.text).toContain(level);
    expect(r.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'/);
  });

  it('refuses forged and revoked codes with a friendly page', async () => {
    const forged = await ctx.http().get(`/q/${token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}`);
    expect(forged.status).toBe(404);
    expect(forged.text).toContain('此二维码已失效');
    expect(forged.text).not.toMatch(/Error|at \w+ \(/);
    const old = (await ctx.http().get('/api/windows/W-A02/qr').set('Authorization', `Bearer ${admin}`)).body.token;
    const renewed = await ctx.http().post('/api/windows/W-A02/qr/revoke').set('Authorization', `Bearer ${admin}`);
    expect(renewed.status).toBe(200);
    expect(renewed.body.token).not.toBe(old);
    expect((await ctx.http().get(`/q/${old}`)).status).toBe(410);
    expect((await ctx.http().get(`/q/${renewed.body.token}`)).status).toBe(200);
    expect((await ctx.http().get('/q/%3Cscript%3E')).status).toBe(404);
  });

  it('turns a bad review into a classified item in the window unit\'s queue, with a tracking code', async () => {
    const r = await post({ nonce: await freshNonce(), rating: '1', tags: ['wait_long', 'bad_attitude'], comment: '排了两个小时，工作人员还很不耐烦', phone: '13812345678' });
    expect(r.status).toBe(201);
    const code = codeOf(r.text);
    expect(r.text).toContain(`/t/${code}`);
    const item = await itemByCode(code);
    expect(item).toMatchObject({ channel: 'qr', rating: 1, status: 'assigned', routing_rule: 'window', contact_phone: '13812345678' });
    expect(['D1', 'D5']).toContain(item.dimension);
    const t = await ctx.http().get(`/t/${code}`);
    expect(t.status).toBe(200);
    expect(t.text).toContain('安平区市场监督管理局');
    expect(t.text).not.toContain('13812345678');
    expect(t.text).not.toContain('5678');
    // the unit accepts and answers; the person sees the answer (escaped) and the steps done
    const scjg = await ctx.login('unit_staff', 'SCJG');
    const step = (s: string, body: object = {}) => ctx.http().post(`/api/items/${item.id}/${s}`).set('Authorization', `Bearer ${scjg}`).send(body);
    expect((await step('accept')).status).toBe(200);
    expect((await step('answer', { text: '已增开两个窗口，高峰期<b>分流</b>。' })).status).toBe(200);
    const after = await ctx.http().get(`/t/${code}`);
    expect(after.text).toContain('已增开两个窗口，高峰期&lt;b&gt;分流&lt;/b&gt;。');
    expect(after.text).toContain('✓ 办理单位已答复');
    const view = (await ctx.http().get(`/api/items/${item.id}`).set('Authorization', `Bearer ${scjg}`)).body;
    expect(view).toMatchObject({ status: 'answered', answer: '已增开两个窗口，高峰期<b>分流</b>。', ratingValid: true, appeal: 'none' });
    expect(view.callbackDueAt).not.toBeNull(); // a bad review is called back
  });

  it('records and closes a good rating without a complaint', async () => {
    const r = await post({ nonce: await freshNonce(), rating: '5' }, '10.0.0.2');
    const item = await itemByCode(codeOf(r.text));
    expect(item).toMatchObject({ status: 'closed', dimension: 'none' });
  });

  it('makes one item of a double tap; a repeated case number is kept as its own rating and flagged for the office', async () => {
    const nonce = await freshNonce();
    const [a, b] = await Promise.all([post({ nonce, rating: '2', comment: '材料说不清' }, '10.0.0.3'), post({ nonce, rating: '2', comment: '材料说不清' }, '10.0.0.3')]);
    expect(codeOf(a.text)).toBe(codeOf(b.text));
    const first = await post({ nonce: await freshNonce(), rating: '2', caseNo: 'BJ-2026-0001', comment: '第一次评价' }, '10.0.0.4');
    const second = await post({ nonce: await freshNonce(), rating: '5', caseNo: 'BJ-2026-0001', comment: '补充：后来解决了' }, '10.0.0.4');
    // a case number is a claim (issue 13): its own item and code, never the first one's
    expect(second.status).toBe(201);
    expect(codeOf(second.text)).not.toBe(codeOf(first.text));
    expect(await itemByCode(codeOf(first.text))).toMatchObject({ rating: 2, case_check: 'shared' });
    expect(await itemByCode(codeOf(second.text))).toMatchObject({ rating: 5, case_check: 'shared', text: '补充：后来解决了' });
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE case_no = 'BJ-2026-0001'`);
    expect(n).toBe(2);
  });

  it('slows a flood from one address politely, storing nothing', async () => {
    const before = (await ctx.ds.query(`SELECT count(*)::int AS n FROM item`))[0].n;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await post({ nonce: await freshNonce(), rating: '4' }, '10.9.9.9')).status);
    expect(statuses.slice(0, 5)).toEqual([201, 201, 201, 201, 201]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const after = (await ctx.ds.query(`SELECT count(*)::int AS n FROM item`))[0].n;
    expect(after - before).toBe(5);
    expect((await post({ nonce: await freshNonce(), rating: '4' }, '10.9.9.8')).status).toBe(201); // another address is fine
  });

  it('keeps every check when many ratings arrive at once and are written together', async () => {
    const before = (await ctx.ds.query(`SELECT count(*)::int AS n FROM item`))[0].n;
    const nonces = await Promise.all(Array.from({ length: 60 }, () => freshNonce()));
    // 20 from one address (only 5 a minute may pass), 30 from their own addresses, 10 double taps of 5 ratings
    const flood = nonces.slice(0, 20).map((nonce) => post({ nonce, rating: '3', comment: '人多' }, '10.7.7.7'));
    const many = nonces.slice(20, 50).map((nonce, i) => post({ nonce, rating: '2', comment: `等了很久 ${i}` }, `10.8.0.${i + 1}`));
    const taps = nonces.slice(50, 55).flatMap((nonce, i) => [0, 1].map(() => post({ nonce, rating: '1', comment: '态度差' }, `10.6.0.${i + 1}`)));
    const [f, m, t] = await Promise.all([Promise.all(flood), Promise.all(many), Promise.all(taps)]);
    expect(f.filter((r) => r.status === 201)).toHaveLength(5);
    expect(f.filter((r) => r.status === 429)).toHaveLength(15);
    expect(m.every((r) => r.status === 201)).toBe(true);
    expect(new Set(m.map((r) => codeOf(r.text))).size).toBe(30);
    for (let i = 0; i < 10; i += 2) expect(codeOf(t[i].text)).toBe(codeOf(t[i + 1].text));
    const after = (await ctx.ds.query(`SELECT count(*)::int AS n FROM item`))[0].n;
    expect(after - before).toBe(5 + 30 + 5);
    // each stored rating has its three first timeline entries
    const [{ n }] = await ctx.ds.query(
      `SELECT count(*)::int AS n FROM item_event e JOIN item i ON i.id = e.item_id WHERE i.channel = 'qr' AND i.text LIKE '等了很久 %'`,
    );
    expect(n).toBe(90);
  });

  it('rejects bad input and renders what was typed escaped', async () => {
    const hostile = '<script>alert(1)</script>"\u0007';
    let r = await post({ nonce: await freshNonce(), rating: '1', comment: hostile, phone: '12345' }, '10.0.1.1');
    expect(r.status).toBe(400);
    expect(r.text).toContain('联系电话格式不正确');
    expect(r.text).not.toContain('<script>alert(1)');
    expect(r.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    r = await post({ nonce: await freshNonce(), rating: '7' }, '10.0.1.1');
    expect(r.status).toBe(400);
    expect(r.text).toContain('请选择满意程度');
    r = await post({ nonce: await freshNonce(), rating: '2', comment: '长'.repeat(501) }, '10.0.1.1');
    expect(r.text).toContain('不要超过500字');
    r = await post({ nonce: 'forged.nonce.value', rating: '2' }, '10.0.1.2');
    expect(r.status).toBe(400);
    expect(r.text).toContain('页面已过期');
    r = await ctx.http().post(`/q/${token}`).set('Origin', 'https://evil.example').type('form').send({ nonce: await freshNonce(), rating: '1' });
    expect(r.status).toBe(403);
    // stored as typed (minus control characters), shown escaped to staff pages later
    r = await post({ nonce: await freshNonce(), rating: '1', comment: hostile, phone: '0571-87654321' }, '10.0.1.3');
    expect(r.status).toBe(201);
    expect((await itemByCode(codeOf(r.text))).text).toBe('<script>alert(1)</script>"');
  });

  it('prints a sheet of every window of a unit', async () => {
    const r = await ctx.http().get('/api/units/SCJG/qr-sheet').set('Authorization', `Bearer ${admin}`);
    expect(r.status).toBe(200);
    expect(r.text.match(/<svg/g)).toHaveLength(2);
    expect(r.text).toContain('扫码评价');
    expect(r.text).toContain('您的评价是我们改进的动力');
    expect(r.text).toContain('W-A01');
  });
});
