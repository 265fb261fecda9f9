import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * The dispatcher's triage view with the real classifier and router: an item the router is not sure of arrives at
 * the triage unit with its two best candidates and their evidence, each a one-click dispatch; the dispatch is a
 * confirmed routing, and junk never enters any queue.
 */
describe('triage: candidates with their evidence, dispatched in one click (real router, real PostgreSQL)', () => {
  let ctx: TestContext;
  let op: string;
  let office: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext();
    op = await ctx.login('operator');
    office = await ctx.newUser({ role: 'supervisor' });
  });
  afterAll(async () => ctx.close());

  const entry = (body: object) => ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send(body);
  const signIn = async (): Promise<string> => {
    const r = await ctx.http().post('/console/login').type('form').send(office);
    expect(r.status).toBe(303);
    return ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  };

  it('shows the two candidates and dispatches to one with its evidence as the reason', async () => {
    // two units named alike and nobody blamed: the router does not decide alone
    const r = await entry({ channel: 'phone', text: '安平区残疾人联合会、安平区交通运输局' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ unit: 'ZWB', routingRule: 'triage', status: 'new' });
    const cookie = await signIn();
    const page = await ctx.http().get('/console/triage').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain('系统候选（一键分派）');
    expect(page.text).toContain('分派到安平区残疾人联合会');
    expect(page.text).toContain('分派到安平区交通运输局');
    const form = new RegExp(
      `<form class="action inline candidate" method="post" action="/console/items/${r.body.id}/dispatch"><input type="hidden" name="_csrf" value="([^"]+)"><input type="hidden" name="from" value="triage"><input type="hidden" name="unit" value="CL"><input type="hidden" name="reason" value="([^"]+)">`,
    ).exec(page.text);
    expect(form).not.toBeNull();
    const [, csrf, reason] = form!;
    expect(reason).toContain('按系统候选分派');
    const sent = await ctx.http().post(`/console/items/${r.body.id}/dispatch`).set('Cookie', cookie).type('form').send({ _csrf: csrf, from: 'triage', unit: 'CL', reason });
    expect(sent.status).toBe(303);
    const [item] = await ctx.ds.query(`SELECT u.code, i.status, i.routing_rule FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.id = $1`, [r.body.id]);
    expect(item).toMatchObject({ code: 'CL', status: 'assigned', routing_rule: 'dispatch' });
    // the dispatcher's choice is a confirmed routing the router learns from
    const labels = await ctx.ds.query(`SELECT unit_code FROM item_label WHERE item_id = $1 AND kind = 'routing'`, [r.body.id]);
    expect(labels).toEqual([{ unit_code: 'CL' }]);
  });

  it('keeps junk with the office: closed, counted, in no queue and never misconduct', async () => {
    const r = await entry({ channel: 'suggestion_box', text: '本公司长期代开各类增值税发票，点数优惠，微信同号' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ unit: 'ZWB', routingRule: 'junk', status: 'closed', misconduct: false });
    const cookie = await signIn();
    const page = await ctx.http().get('/console/triage').set('Cookie', cookie);
    expect(page.text).not.toContain(r.body.trackingCode);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE routing_rule = 'junk'`);
    expect(n).toBe(1);
  });
});
