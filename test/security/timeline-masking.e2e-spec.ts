import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 2: the timeline must not show unit staff the personal data the item view masks. */
describe('timeline data is masked by the viewer role (security)', () => {
  let ctx: TestContext;
  let op: string;
  let sup: string;
  beforeAll(async () => {
    ctx = await createTestContext();
    op = await ctx.login('operator');
    sup = await ctx.login('supervisor');
  });
  afterAll(async () => ctx.close());

  const order = (content: string) => ({
    orderNo: 'GD-SEC-0001',
    receivedAt: '2026-03-02T09:00:00+08:00',
    caller: '李秀英',
    phone: '13912345678',
    appealType: '投诉',
    content,
    assignedUnit: '安平区不动产登记中心',
  });
  const getAs = (id: number, token: string) => ctx.http().get(`/api/items/${id}`).set('Authorization', `Bearer ${token}`);

  it('hides a changed 12345 row and a mail sender from unit staff, and shows them to the office', async () => {
    const first = await ctx.http().post('/api/intake/hotline').set('Authorization', `Bearer ${op}`).send(order('不动产登记窗口办理过户排队太久'));
    expect(first.status).toBeLessThan(300);
    const id = first.body.id as number;
    const again = await ctx.http().post('/api/intake/hotline').set('Authorization', `Bearer ${op}`).send(order('不动产登记窗口办理过户排队太久，补充：等了三个小时'));
    expect(again.status).toBeLessThan(300);
    // a threaded mail reply as the mailbox stores it
    await ctx.ds.query(`INSERT INTO item_event (item_id, actor, kind, data) VALUES ($1, 'public', 'mail_reply', $2::jsonb)`, [
      id,
      JSON.stringify({ from: 'lixiuying@example.com', subject: '补充', text: '还没有处理', messageId: '<a@b>' }),
    ]);

    const office = await getAs(id, sup);
    expect(JSON.stringify(office.body.timeline)).toContain('13912345678');
    expect(JSON.stringify(office.body.timeline)).toContain('lixiuying@example.com');

    const unit = await ctx.login('unit_staff', office.body.unit as string);
    const seen = await getAs(id, unit);
    expect(seen.status).toBe(200);
    const text = JSON.stringify(seen.body.timeline);
    expect(seen.body.timeline.some((e: { kind: string }) => e.kind === 'hotline_update')).toBe(true);
    expect(text).not.toContain('13912345678');
    expect(text).not.toContain('李秀英');
    expect(text).not.toContain('lixiuying@example.com');
    const reply = seen.body.timeline.find((e: { kind: string }) => e.kind === 'mail_reply');
    expect(reply.data.from).toBe('l***@example.com');
    expect(reply.data.text).toBe('还没有处理');
    // the item view itself masks the same way
    expect(seen.body.contact.phone).toBe('139****5678');
  });
});
