import { ItemAssessor } from '../../src/intake/intake.types.js';
import type { IntakeDraft } from '../../src/intake/intake.types.js';
import { DeadlinesService } from '../../src/workflow/deadlines.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** The workflow through HTTP against a real PostgreSQL: steps, deadlines on the China working-day calendar, mail. */
describe('workflow steps (HTTP, real PostgreSQL)', () => {
  let ctx: TestContext;
  let rs: string;
  let gjj: string;
  let sup: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    rs = await ctx.login('unit_staff', 'RS');
    gjj = await ctx.login('unit_staff', 'GJJ');
    sup = await ctx.login('supervisor');
  });
  afterAll(async () => ctx.close());

  const post = (token: string, id: number, step: string, body: object = {}) =>
    ctx.http().post(`/api/items/${id}/${step}`).set('Authorization', `Bearer ${token}`).send(body);
  const row = async (id: number) => (await ctx.ds.query(`SELECT * FROM item WHERE id = $1`, [id]))[0];
  const kinds = async (id: number): Promise<string[]> =>
    (await ctx.ds.query(`SELECT kind FROM item_event WHERE item_id = $1 ORDER BY id`, [id])).map((r: { kind: string }) => r.kind);

  /** An item with its deadlines written as intake will write them (DeadlinesService.forNewItem). */
  async function item(over: Partial<IntakeDraft> = {}): Promise<number> {
    const draft = { assignedUnit: 'RS', ...over };
    const { id } = await newItem(ctx, draft);
    const r = await row(id);
    const d = ctx.app.get(DeadlinesService).forNewItem({
      channel: r.channel,
      appealType: r.appeal_type,
      rating: r.rating,
      misconduct: r.misconduct,
      receivedAt: r.received_at,
    });
    await ctx.ds.query(
      `UPDATE item SET accept_due_at = $2, answer_due_at = $3, callback_due_at = $4, rectify_due_at = $5 WHERE id = $1`,
      [id, d.acceptDueAt, d.answerDueAt, d.callbackDueAt, d.rectifyDueAt],
    );
    return id;
  }

  it('takes a bad review through accept → answer → callback → closed, on deadlines that respect 调休', async () => {
    // Friday 2026-10-09 after the National Day holiday; Saturday 10-10 is a working day (调休)
    const id = await item({ channel: 'qr', rating: 2, text: '窗口让我跑了三趟', receivedAt: new Date('2026-10-09T10:00:00+08:00') });
    const r0 = await row(id);
    expect(r0.status).toBe('assigned');
    // accept and the bad review's callback: end of the 1st working day after receipt = Saturday 10-10
    expect(r0.accept_due_at.toISOString()).toBe('2026-10-10T15:59:59.999Z');
    expect(r0.callback_due_at.toISOString()).toBe('2026-10-10T15:59:59.999Z');
    // rectified within 15 working days: 10-10, 10-12…16, 10-19…23, 10-26…29
    expect(r0.rectify_due_at.toISOString()).toBe('2026-10-29T15:59:59.999Z');
    expect(r0.answer_due_at.toISOString()).toBe('2026-10-29T15:59:59.999Z');
    expect(r0.due_at.toISOString()).toBe('2026-10-10T15:59:59.999Z'); // held to the accept deadline while waiting

    const a = await post(rs, id, 'accept', { note: '已签收' });
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id, status: 'accepted', unit: 'RS' });
    expect((await row(id)).due_at.toISOString()).toBe('2026-10-29T15:59:59.999Z'); // now the answer deadline

    const b = await post(rs, id, 'answer', { text: '已核实，窗口实行一次性告知，并对经办人员批评教育。' });
    expect(b.status).toBe(200);
    expect(b.body.status).toBe('answered');
    const r1 = await row(id);
    expect(r1.answer_text).toBe('已核实，窗口实行一次性告知，并对经办人员批评教育。');
    expect(r1.answered_at).not.toBeNull();
    // the callback is due one working day after the answer
    const expected = ctx.app.get(DeadlinesService).addWorkingDays(r1.answered_at, 1);
    expect(r1.callback_due_at.toISOString()).toBe(expected.toISOString());
    expect(r1.due_at.toISOString()).toBe(expected.toISOString());

    const c = await post(sup, id, 'callback', { satisfied: true, note: '群众表示满意' });
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('closed');
    const r2 = await row(id);
    expect(r2).toMatchObject({ status: 'closed', callback_satisfied: true, callback_note: '群众表示满意', due_at: null });
    expect(r2.closed_at).not.toBeNull();
    expect(await kinds(id)).toEqual(['received', 'classified', 'routed', 'accepted', 'answered', 'called_back']);
    const [ev] = await ctx.ds.query(`SELECT actor, data FROM item_event WHERE item_id = $1 AND kind = 'accepted'`, [id]);
    expect(ev.actor).toMatch(/^unit_staff/);
    expect(ev.data).toMatchObject({ from: 'assigned', to: 'accepted', note: '已签收' });
  });

  it('reopens an item when the person is not satisfied, with fresh deadlines and a notice to the unit', async () => {
    const id = await item({ channel: 'phone', text: '社保卡补办要等一个月' });
    await post(rs, id, 'accept');
    await post(rs, id, 'answer', { text: '已加急办理' });
    ctx.clock.freeze();
    const before = ctx.clock.now();
    const r = await post(rs, id, 'callback', { satisfied: false, note: '还没拿到卡' });
    ctx.clock.set(before);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('reopened');
    const x = await row(id);
    expect(x.callback_satisfied).toBe(false);
    // counted afresh from now (投诉 by phone: 10 working days)
    expect(x.answer_due_at.getTime()).toBe(ctx.app.get(DeadlinesService).addWorkingDays(before, 10).getTime());
    expect(x.due_at.getTime()).toBe(x.answer_due_at.getTime());
    const mails = await ctx.ds.query(`SELECT to_addr, subject FROM outbox WHERE item_id = $1 AND dedupe_key LIKE 'wf:%'`, [id]);
    expect(mails).toEqual([{ to_addr: 'rs@anping.example.gov.cn', subject: expect.stringContaining('【重新办理】') }]);
    // the unit answers again, the person is satisfied this time
    expect((await post(rs, id, 'answer', { text: '卡已寄出' })).body.status).toBe('answered');
    expect((await post(rs, id, 'callback', { satisfied: true })).body.status).toBe('closed');
  });

  it('keeps unit staff to their own items (404) and to the steps the state allows (409 with the allowed steps)', async () => {
    const id = await item({ text: '养老金发放延迟' });
    expect((await post(gjj, id, 'accept')).status).toBe(404);
    expect((await post(gjj, id, 'answer', { text: 'x' })).status).toBe(404);
    expect((await post(rs, 99999999, 'accept')).status).toBe(404);
    const early = await post(rs, id, 'answer', { text: '答复' });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe('transition_not_allowed');
    expect(early.body.details.allowed).toEqual(expect.arrayContaining(['accept', 'return']));
    expect(early.body.details.allowed).not.toContain('answer');
    expect((await post(rs, id, 'accept')).status).toBe(200);
    expect((await post(rs, id, 'accept')).status).toBe(409);
    // closing without a callback is the office's step, not the unit's
    expect((await post(rs, id, 'close')).status).toBe(403);
    const op = await ctx.login('operator');
    expect((await post(op, id, 'accept')).status).toBe(403);
    // bad payloads: 400
    expect((await post(rs, id, 'answer', { text: '' })).status).toBe(400);
    expect((await post(rs, id, 'answer', { text: 'ok', extra: 1 })).status).toBe(400);
    expect((await row(id)).status).toBe('accepted');
  });

  it('returns a misrouted item to triage with the reason and its routing rule; the office dispatches it', async () => {
    const id = await item({ text: '公积金提取到账慢' });
    const r = await post(rs, id, 'return', { reason: '公积金提取不是人社局业务' });
    expect(r.status).toBe(200);
    // out of the RS staff's scope now: the answer is the id, status and unit
    expect(r.body).toEqual({ id, status: 'returned', unit: 'ZWB' });
    expect((await ctx.http().get(`/api/items/${id}`).set('Authorization', `Bearer ${rs}`)).status).toBe(404);
    const [ev] = await ctx.ds.query(`SELECT data FROM item_event WHERE item_id = $1 AND kind = 'returned'`, [id]);
    expect(ev.data).toMatchObject({ note: '公积金提取不是人社局业务', misroute: { unit: 'RS', routingRule: 'assigned_unit' } });
    expect((await row(id)).return_reason).toBe('公积金提取不是人社局业务');
    const triageMail = await ctx.ds.query(`SELECT to_addr, subject FROM outbox WHERE item_id = $1 AND dedupe_key LIKE 'wf:%'`, [id]);
    expect(triageMail).toEqual([{ to_addr: 'zwb@anping.example.gov.cn', subject: expect.stringContaining('【退回待分派】') }]);

    expect((await post(rs, id, 'dispatch', { unit: 'GJJ', reason: 'x' })).status).toBe(404);
    expect((await post(sup, id, 'dispatch', { unit: 'NOPE', reason: '公积金业务' })).status).toBe(400);
    const d = await post(sup, id, 'dispatch', { unit: 'GJJ', reason: '住房公积金提取属公积金中心' });
    expect(d.status).toBe(200);
    expect(d.body).toMatchObject({ status: 'assigned', unit: 'GJJ', routingRule: 'dispatch' });
    const x = await row(id);
    expect(x.accept_due_at.getTime()).toBeGreaterThan(ctx.clock.nowMs());
    const gjjMail = await ctx.ds.query(`SELECT subject FROM outbox WHERE item_id = $1 AND to_addr = 'gjj@anping.example.gov.cn'`, [id]);
    expect(gjjMail).toEqual([{ subject: expect.stringContaining('【待签收】') }]);
    expect((await post(gjj, id, 'accept')).status).toBe(200);
  });

  it('extends the deadline on an approved request, told to the person who wrote by mail', async () => {
    const id = await item({
      channel: 'email',
      externalId: '<complaint-1@example.com>',
      subject: '不动产证迟迟办不下来',
      text: '材料交齐一个月了还没有消息',
      contact: { name: '王五', phone: null, email: 'wangwu@example.com' },
      receivedAt: ctx.clock.now(),
    });
    await post(rs, id, 'accept');
    const due = (await row(id)).answer_due_at as Date;
    expect((await post(sup, id, 'extension', { days: 5, reason: 'x' })).status).toBe(403); // the unit asks, not the office
    const q = await post(rs, id, 'extension', { days: 5, reason: '需要住建局出具证明' });
    expect(q.status).toBe(200);
    expect((await row(id)).extension_state).toBe('requested');
    expect((await post(rs, id, 'extension', { days: 5, reason: 'again' })).status).toBe(409);
    const office = await ctx.ds.query(`SELECT subject FROM outbox WHERE item_id = $1 AND to_addr = 'zwb@anping.example.gov.cn'`, [id]);
    expect(office).toEqual([{ subject: expect.stringContaining('【延期申请待审批】') }]);
    const ok = await post(sup, id, 'extension/decision', { approve: true, note: '同意' });
    expect(ok.status).toBe(200);
    const x = await row(id);
    expect(x.extension_state).toBe('approved');
    expect(x.answer_due_at.getTime()).toBe(ctx.app.get(DeadlinesService).extend(due, 5).getTime());
    const person = await ctx.ds.query(`SELECT kind, subject, body_text, in_reply_to FROM outbox WHERE item_id = $1 AND to_addr = 'wangwu@example.com'`, [id]);
    expect(person).toHaveLength(1);
    expect(person[0]).toMatchObject({ kind: 'answer', in_reply_to: '<complaint-1@example.com>' });
    expect(person[0].body_text).toContain('延长至');

    // the answer goes to the person by mail, in the thread of their complaint
    await post(rs, id, 'answer', { text: '证书已办结，请携带身份证领取。' });
    const answers = await ctx.ds.query(
      `SELECT subject, body_text FROM outbox WHERE item_id = $1 AND to_addr = 'wangwu@example.com' ORDER BY id`,
      [id],
    );
    expect(answers).toHaveLength(2);
    expect(answers[1].subject).toContain('答复');
    expect(answers[1].body_text).toContain('证书已办结，请携带身份证领取。');
  });

  it('invalidates the rating of an upheld appeal, keeping the item; a rejected appeal keeps it valid', async () => {
    const id = await item({ channel: 'qr', rating: 1, text: '差' });
    const q = await post(rs, id, 'appeal', { reason: '评价人当天未到窗口办理业务，属恶意差评' });
    expect(q.status).toBe(200);
    expect((await row(id)).appeal_state).toBe('pending');
    expect((await post(rs, id, 'appeal/decision', { uphold: true })).status).toBe(403);
    const d = await post(sup, id, 'appeal/decision', { uphold: true, note: '经调取监控属实' });
    expect(d.status).toBe(200);
    const x = await row(id);
    expect(x).toMatchObject({ appeal_state: 'upheld', rating_valid: false, rating: 1, status: 'assigned' });
    expect((await post(rs, id, 'appeal', { reason: 'again' })).status).toBe(409);

    const other = await item({ channel: 'qr', rating: 2, text: '太慢' });
    await post(rs, other, 'appeal', { reason: '高峰期排队属正常' });
    await post(sup, other, 'appeal/decision', { uphold: false });
    expect(await row(other)).toMatchObject({ appeal_state: 'rejected', rating_valid: true });
    // a good rating cannot be appealed
    const good = await item({ channel: 'qr', rating: 4, tags: ['wait_long'], text: '还行' });
    expect((await post(rs, good, 'appeal', { reason: 'x' })).status).toBe(409);
  });
});
