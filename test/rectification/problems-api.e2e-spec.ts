import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';
import { tinyPng } from './evidence-fixtures.js';

/** What the console does with problems is in the API too: the ledger, evidence files, and sending a fix back. */
describe('problems API: ledger, evidence files, send back', () => {
  let ctx: TestContext;
  let sup: string;
  let rs: string;
  let gjj: string;
  let pid: number;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    [sup, rs, gjj] = await Promise.all([ctx.login('supervisor'), ctx.login('unit_staff', 'RS'), ctx.login('unit_staff', 'GJJ')]);
    const { id } = await newItem(ctx, { assignedUnit: 'RS', text: '社保卡补办材料前后说法不一' });
    const p = await ctx
      .http()
      .post('/api/problems')
      .set('Authorization', `Bearer ${sup}`)
      .send({ title: '社保卡补办材料不一致', rootCause: '各窗口材料清单不同', dimension: 'D2', units: ['RS'], kind: 'immediate', items: [id] });
    expect(p.status).toBe(201);
    pid = p.body.id;
  });
  afterAll(async () => ctx.close());

  const auth = (t: string) => ({ Authorization: `Bearer ${t}` });

  it('lists the ledger for the office, and for a unit only the problems naming it', async () => {
    const all = await ctx.http().get('/api/problems?status=open').set(auth(sup));
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(1);
    expect(all.body.problems[0]).toMatchObject({ id: pid, status: 'open' });
    expect((await ctx.http().get('/api/problems').set(auth(rs))).body.total).toBe(1);
    expect((await ctx.http().get('/api/problems').set(auth(gjj))).body.total).toBe(0);
    expect((await ctx.http().get('/api/problems?status=nonsense').set(auth(sup))).status).toBe(400);
  });

  it('takes an evidence file from the unit, serves it as a download, and refuses another unit and a fake type', async () => {
    const png = tinyPng();
    const up = await ctx.http().post(`/api/problems/${pid}/files`).set(auth(rs)).attach('file', png, '整改后窗口.png');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: '整改后窗口.png', contentType: 'image/png', size: png.length });
    const down = await ctx.http().get(`/api/problems/${pid}/files/${up.body.id}`).set(auth(sup)).buffer(true).parse((res, cb) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => cb(null, Buffer.concat(parts)));
    });
    expect(down.status).toBe(200);
    expect(Buffer.compare(down.body as Buffer, png)).toBe(0);
    expect(down.headers['content-disposition']).toMatch(/^attachment; .*filename\*=UTF-8''%E6%95%B4/);
    expect(down.headers['x-content-type-options']).toBe('nosniff');
    // another unit: not found, to read and to upload
    expect((await ctx.http().get(`/api/problems/${pid}/files/${up.body.id}`).set(auth(gjj))).status).toBe(404);
    const fake = await ctx.http().post(`/api/problems/${pid}/files`).set(auth(rs)).attach('file', Buffer.from('MZ not a picture'), 'photo.png');
    expect(fake.status).toBe(415);
    const none = await ctx.http().post(`/api/problems/${pid}/files`).set(auth(rs)).field('x', '1');
    expect(none.status).toBe(400);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM problem_file`))[0].n).toBe(1);
  });

  it('sends a done problem back with a reason (office only), and the unit can finish it again', async () => {
    expect((await ctx.http().post(`/api/problems/${pid}/measures`).set(auth(rs)).send({ text: '统一材料清单并上墙公示' })).status).toBe(200);
    expect((await ctx.http().post(`/api/problems/${pid}/done`).set(auth(rs)).send({ evidence: '各窗口已统一' })).status).toBe(200);
    expect((await ctx.http().post(`/api/problems/${pid}/reject`).set(auth(rs)).send({ reason: '自己退回' })).status).toBe(403);
    expect((await ctx.http().post(`/api/problems/${pid}/reject`).set(auth(sup)).send({ reason: ' ' })).status).toBe(400);
    const back = await ctx.http().post(`/api/problems/${pid}/reject`).set(auth(sup)).send({ reason: '东城窗口仍用旧清单' });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'rectifying', returnReason: '东城窗口仍用旧清单' });
    expect((await ctx.http().post(`/api/problems/${pid}/reject`).set(auth(sup)).send({ reason: '再退一次' })).status).toBe(409);
    expect((await ctx.http().post(`/api/problems/${pid}/done`).set(auth(rs)).send({ evidence: '东城窗口已更换' })).status).toBe(200);
    expect((await ctx.http().post(`/api/problems/${pid}/verify`).set(auth(sup))).status).toBe(200);
  });
});
