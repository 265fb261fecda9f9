import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { WorkflowService } from '../../src/workflow/workflow.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const OFFICE = { ...SYSTEM_ACTOR, role: 'supervisor' as const };

/** The later workflow steps and the 督办 boards through HTTP: CSRF, who may do what, refusals, paging. */
describe('console steps and supervision boards (HTTP)', () => {
  let ctx: TestContext;
  let staff: { username: string; password: string };
  let sup: { username: string; password: string };
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    staff = await ctx.newUser({ role: 'unit_staff', unit: 'SW', username: 'sw_http' });
    sup = await ctx.newUser({ role: 'supervisor', username: 'sup_http' });
  });
  afterAll(async () => ctx.close());

  /** A session cookie and the form token of a page the person can open. */
  const signIn = async (u: { username: string; password: string }): Promise<{ cookie: string; csrf: string }> => {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    const cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
    const page = await ctx.http().get('/console/queue').set('Cookie', cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] as string;
    return { cookie, csrf };
  };
  const state = async (id: number) =>
    (await ctx.ds.query(`SELECT i.status, i.extension_state, i.appeal_state, i.dimension, u.code AS unit FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.id = $1`, [id]))[0];
  const post = (url: string, who: { cookie: string }, form: Record<string, string>) => ctx.http().post(url).set('Cookie', who.cookie).type('form').send(form);
  const wf = () => ctx.app.get(WorkflowService);

  /** An item at SW with a waiting extension request and a waiting appeal (a bad QR review, accepted). */
  const waitingItem = async () => {
    const it = await newItem(ctx, { assignedUnit: 'SW', channel: 'qr', rating: 2, text: '办税窗口排队两个小时' });
    await wf().apply(it.id, { type: 'accept' }, OFFICE);
    await ctx.ds.query(`UPDATE item SET extension_state = 'requested', extension_days = 2, appeal_state = 'pending' WHERE id = $1`, [it.id]);
    return it;
  };

  it('refuses every new step without the form token, and changes nothing', async () => {
    const office = await signIn(sup);
    const { id } = await waitingItem();
    const before = await state(id);
    const steps = ['callback', 'close', 'reopen', 'extension-decision', 'appeal', 'appeal-decision', 'reclassify'];
    for (const step of steps) {
      const r = await post(`/console/items/${id}/${step}`, office, { satisfied: '1', approve: '1', uphold: '1', reason: 'x', note: 'x', dimension: 'D2' });
      expect([step, r.status]).toEqual([step, 403]);
      expect(r.text).toContain('页面已过期');
      const forged = await post(`/console/items/${id}/${step}`, office, { _csrf: 'forged', note: 'x', reason: 'x', dimension: 'D2' });
      expect([step, forged.status]).toEqual([step, 403]);
    }
    for (const board of ['extensions', 'appeals']) {
      const r = await post(`/console/supervision/${board}/${id}`, office, { approve: '1', uphold: '1', note: 'x' });
      expect(r.status).toBe(403);
      expect(r.text).toContain('页面已过期');
    }
    expect(await state(id)).toEqual(before);
  });

  it('keeps unit staff off the boards and the office’s steps', async () => {
    const unit = await signIn(staff);
    const board = await ctx.http().get('/console/supervision?show=extensions').set('Cookie', unit.cookie);
    expect(board.status).toBe(403);
    expect(board.text).toContain('无权访问');
    const { id } = await waitingItem();
    const before = await state(id);
    for (const b of ['extensions', 'appeals']) {
      const r = await post(`/console/supervision/${b}/${id}`, unit, { _csrf: unit.csrf, approve: '1', uphold: '1', note: '自己批准' });
      expect(r.status).toBe(403);
    }
    for (const [step, form] of [
      ['extension-decision', { approve: '1', note: '自己批准' }],
      ['appeal-decision', { uphold: '1', note: '自己复核' }],
      ['close', { note: '自己办结' }],
      ['reopen', { reason: '重新办' }],
      ['dispatch', { unit: 'GJJ', reason: '改给公积金' }],
    ] as const) {
      const r = await post(`/console/items/${id}/${step}`, unit, { _csrf: unit.csrf, ...form });
      expect([step, r.status]).toEqual([step, 403]);
      expect(r.text).toContain('您没有权限办理这一步');
    }
    // without the office's fields they are refused as steps, not for a missing field
    const bare = await post(`/console/items/${id}/reopen`, unit, { _csrf: unit.csrf });
    expect(bare.status).toBe(403);
    // reclassify: the dimension yes, a move to another unit no
    const move = await post(`/console/items/${id}/reclassify`, unit, { _csrf: unit.csrf, dimension: 'D1', unit: 'GJJ' });
    expect(move.status).toBe(403);
    expect(move.text).toContain('单位不能改派事项');
    expect(await state(id)).toEqual(before);
    const page = await ctx.http().get(`/console/items/${id}`).set('Cookie', unit.cookie);
    expect(page.text).toContain('id="reclassify-dimension"');
    expect(page.text).not.toContain('id="reclassify-unit"');
    expect(page.text).not.toContain('/extension-decision');
    expect(page.text).not.toContain('/console/problems/new');
    const dim = await post(`/console/items/${id}/reclassify`, unit, { _csrf: unit.csrf, dimension: 'D3', note: '属于融通' });
    expect(dim.status).toBe(303);
    expect(dim.headers.location).toBe(`/console/items/${id}?done=reclassify`);
    expect(await state(id)).toMatchObject({ dimension: 'D3', unit: 'SW' });
  });

  it('refuses incomplete or stale decisions in Chinese and keeps what was typed', async () => {
    const office = await signIn(sup);
    const { id, trackingCode } = await waitingItem();
    // a decision without an opinion, on the board: the board again, the other rows intact, nothing changed
    const noNote = await post(`/console/supervision/extensions/${id}`, office, { _csrf: office.csrf, approve: '0', note: ' ' });
    expect(noNote.status).toBe(400);
    expect(noNote.text).toContain('请填写审批意见');
    expect(noNote.text).toContain(trackingCode);
    // neither button (a crafted post): the state machine asks for one; the opinion typed comes back in its row
    const neither = await post(`/console/supervision/appeals/${id}`, office, { _csrf: office.csrf, note: '再核实一下监控' });
    expect(neither.status).toBe(400);
    expect(neither.text).toContain('请选择申诉成立或不成立');
    expect(neither.text).toContain('value="再核实一下监控"');
    // a step the state does not allow is refused as such, even with a field missing (accepted: nothing to reopen)
    const early = await post(`/console/items/${id}/reopen`, office, { _csrf: office.csrf, reason: '' });
    expect(early.status).toBe(409);
    const refused = await post(`/console/supervision/extensions/${id}`, office, { _csrf: office.csrf, approve: '0', note: '理由不充分' });
    expect(refused.status).toBe(303);
    expect(refused.headers.location).toBe('/console/supervision?show=extensions&done=extension-decision');
    expect(await state(id)).toMatchObject({ extension_state: 'refused' });
    // decided already (by someone else, say): a plain message, not a crash
    const again = await post(`/console/supervision/extensions/${id}`, office, { _csrf: office.csrf, approve: '1', note: '同意' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('没有待审批的延期申请');

    // the callback without a result, and a reopen without a reason, on the item page
    await wf().apply(id, { type: 'answer', text: '已增开窗口' }, OFFICE);
    const noResult = await post(`/console/items/${id}/callback`, office, { _csrf: office.csrf, note: '群众没接电话' });
    expect(noResult.status).toBe(400);
    expect(noResult.text).toContain('请选择回访结果');
    expect(noResult.text).toContain('群众没接电话</textarea>');
    const noReason = await post(`/console/items/${id}/reopen`, office, { _csrf: office.csrf, reason: ' ' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('请填写重新办理的原因');
    const unhappy = await post(`/console/items/${id}/callback`, office, { _csrf: office.csrf, satisfied: '0', note: '群众仍不满意' });
    expect(unhappy.status).toBe(303);
    expect(await state(id)).toMatchObject({ status: 'reopened' });

    // the office moves it to another unit with a corrected dimension
    const move = await post(`/console/items/${id}/reclassify`, office, { _csrf: office.csrf, dimension: 'D2', unit: 'GJJ', note: '属公积金' });
    expect(move.status).toBe(303);
    expect(await state(id)).toMatchObject({ dimension: 'D2', unit: 'GJJ', status: 'assigned', extension_state: 'none' });
    // a move is the workflow's: a fresh day to accept, the new unit told, the old one's misroute counted
    const [moved] = await ctx.ds.query(`SELECT accept_due_at > $2 AS fresh, routing_rule FROM item WHERE id = $1`, [id, ctx.clock.now()]);
    expect(moved).toEqual({ fresh: true, routing_rule: 'manual' });
    const mails = await ctx.ds.query(`SELECT subject FROM outbox WHERE item_id = $1 AND to_addr = 'gjj@anping.example.gov.cn'`, [id]);
    expect(mails.map((m: { subject: string }) => m.subject)).toEqual([expect.stringContaining('【待签收】')]);
    const events = await ctx.ds.query(`SELECT kind, data FROM item_event WHERE item_id = $1 AND kind = 'reclassified' ORDER BY id`, [id]);
    expect(events.at(-2).data).toMatchObject({ unit: { from: 'SW', to: 'GJJ' }, misroute: { unit: 'SW' } });
    expect(events.at(-1).data).toMatchObject({ before: { dimension: 'D1' }, after: { dimension: 'D2', unit: 'GJJ' } });
    const shown = await ctx.http().get(`/console/items/${id}`).set('Cookie', office.cookie);
    expect(shown.text).toContain('改派：SW → GJJ');
    const bad = await post(`/console/items/${id}/reclassify`, office, { _csrf: office.csrf, dimension: 'D9' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('请选择问题类别');
  });

  it('pages boards and the queue beyond 50 rows', async () => {
    const ids: number[] = [];
    for (let n = 0; n < 51; n++) ids.push((await newItem(ctx, { assignedUnit: 'JT', text: `公交卡办理窗口排队第${n}号` })).id);
    await ctx.ds.query(`UPDATE item SET extension_state = 'requested', extension_days = 1 WHERE id = ANY($1::bigint[])`, [ids]);
    const office = await signIn(sup);
    const p1 = await ctx.http().get('/console/supervision?show=extensions&unit=JT').set('Cookie', office.cookie);
    expect(p1.status).toBe(200);
    expect(p1.text).toContain('第 1 / 2 页（共 51 条）');
    expect(p1.text).toContain('href="/console/supervision?show=extensions&amp;unit=JT&amp;page=2"');
    expect(p1.text).toContain('href="/console/exports/items.xlsx?extension=requested&amp;sort=due&amp;unit=JT"');
    expect(p1.text.match(/<tr>/g)).toHaveLength(51); // the header row and 50 items
    const p2 = await ctx.http().get('/console/supervision?show=extensions&unit=JT&page=2').set('Cookie', office.cookie);
    expect(p2.text).toContain('第 2 / 2 页（共 51 条）');
    expect(p2.text.match(/<tr>/g)).toHaveLength(2);

    const jt = await ctx.newUser({ role: 'unit_staff', unit: 'JT', username: 'jt_http' });
    const unit = await signIn(jt);
    const q1 = await ctx.http().get('/console/queue').set('Cookie', unit.cookie);
    expect(q1.text).toContain('待签收（51）');
    expect(q1.text).toContain('href="/console/queue?show=assigned&amp;page=2"');
    expect(q1.text).toContain('href="/console/exports/items.xlsx?status=assigned"');
    const q2 = await ctx.http().get('/console/queue?show=assigned&page=2').set('Cookie', unit.cookie);
    expect(q2.text).toContain('第 2 / 2 页（共 51 条）');
    expect(q2.text).toContain('公交卡办理窗口排队第0号'); // the oldest, on the last page
  });
});
