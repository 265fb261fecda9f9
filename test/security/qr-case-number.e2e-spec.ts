import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * Issue 13, finding 3: a case number typed on the rating page is a claim, not a key. It must never hand out another
 * submission's tracking code, and an unverified one must not silence a later rating.
 */
describe('QR case numbers (security)', () => {
  let ctx: TestContext;
  let token: string;
  let sup: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    const admin = await ctx.adminToken();
    token = (await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`)).body.token;
    sup = await ctx.login('supervisor');
  });
  afterAll(async () => ctx.close());

  const nonceOf = (html: string) => /name="nonce" value="([^"]+)"/.exec(html)?.[1] as string;
  const codeOf = (html: string) => /id="tracking-code">([^<]+)</.exec(html)?.[1] as string;
  const rate = async (fields: Record<string, string>, ip: string) => {
    const nonce = nonceOf((await ctx.http().get(`/q/${token}`)).text);
    return ctx.http().post(`/q/${token}`).set('X-Forwarded-For', ip).type('form').send({ nonce, ...fields });
  };
  const item = async (code: string) => (await ctx.ds.query(`SELECT * FROM item WHERE tracking_code = $1`, [code]))[0];
  const view = (id: number) => ctx.http().get(`/api/items/${id}`).set('Authorization', `Bearer ${sup}`);

  it('a pre-rated case number neither silences the citizen nor reveals the first code; the pair is flagged', async () => {
    const staff = await rate({ rating: '5', caseNo: 'BJ-2026-0100', comment: '很好' }, '10.1.0.1');
    expect(staff.status).toBe(201);
    const staffCode = codeOf(staff.text);

    const citizen = await rate({ rating: '1', caseNo: 'BJ-2026-0100', comment: '窗口推诿，跑了三趟' }, '10.1.0.2');
    expect(citizen.status).toBe(201);
    const citizenCode = codeOf(citizen.text);
    expect(citizenCode).toBeTruthy();
    expect(citizenCode).not.toBe(staffCode);
    expect(citizen.text).not.toContain(staffCode);

    const c = await item(citizenCode);
    const s = await item(staffCode);
    expect(c).toMatchObject({ rating: 1, rating_valid: true, case_check: 'shared', text: '窗口推诿，跑了三趟' });
    expect(s).toMatchObject({ rating: 5, rating_valid: true, case_check: 'shared' });
    // nothing the second person typed lands on the first item
    const onFirst = JSON.stringify(await ctx.ds.query(`SELECT data FROM item_event WHERE item_id = $1`, [s.id]));
    expect(onFirst).not.toContain('跑了三趟');
    expect((await view(Number(c.id))).body).toMatchObject({ caseCheck: 'shared', ratingValid: true, rating: 1 });
  });

  it('a guessed case number gets its own code and adds nothing to the other person\'s item', async () => {
    const owner = await rate({ rating: '2', caseNo: 'BJ-2026-0200', comment: '材料说不清' }, '10.1.0.3');
    const ownerCode = codeOf(owner.text);
    const guess = await rate({ rating: '3', caseNo: 'BJ-2026-0200', comment: '随便猜的' }, '10.1.0.4');
    expect(guess.status).toBe(201);
    expect(guess.text).not.toContain(ownerCode);
    expect(codeOf(guess.text)).not.toBe(ownerCode);
    const o = await item(ownerCode);
    expect(JSON.stringify(await ctx.ds.query(`SELECT data FROM item_event WHERE item_id = $1`, [o.id]))).not.toContain('随便猜的');
  });

  it('the one-rating rule applies once the office verifies the real rating', async () => {
    const fake = codeOf((await rate({ rating: '5', caseNo: 'BJ-2026-0300' }, '10.1.0.5')).text);
    const real = codeOf((await rate({ rating: '1', caseNo: 'BJ-2026-0300', comment: '态度差' }, '10.1.0.6')).text);
    const realItem = await item(real);
    const unit = await ctx.login('unit_staff', 'SCJG');
    expect((await ctx.http().post(`/api/items/${realItem.id}/case-check`).set('Authorization', `Bearer ${unit}`).send({ verified: true })).status).toBe(403);
    const r = await ctx.http().post(`/api/items/${realItem.id}/case-check`).set('Authorization', `Bearer ${sup}`).send({ verified: true, note: '核对办件记录' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ caseCheck: 'verified', ratingValid: true });
    expect(await item(fake)).toMatchObject({ case_check: 'rejected', rating_valid: false });
    // the office's item page says so
    const u = await ctx.newUser({ role: 'supervisor' });
    const login = await ctx.http().post('/console/login').type('form').send(u);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? [])[0].split(';')[0];
    const page = await ctx.http().get(`/console/items/${(await item(fake)).id}`).set('Cookie', cookie);
    expect(page.text).toContain('办件编号未采信，不计分');
    expect(page.text).toContain('办件编号核对');
    // a later rating of a verified act is kept with its own code, but does not count
    const again = await rate({ rating: '5', caseNo: 'BJ-2026-0300' }, '10.1.0.7');
    expect(again.status).toBe(200);
    expect(again.text).toContain('已经评价过了');
    expect(again.text).not.toContain(real);
    expect(await item(codeOf(again.text))).toMatchObject({ rating: 5, rating_valid: false, case_check: 'rejected' });
  });
});
