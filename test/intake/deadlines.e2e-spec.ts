import { createTestContext, type TestContext } from '../support/test-app.js';

describe('intake sets working-day deadlines from the time of receipt', () => {
  let ctx: TestContext;
  let op: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    op = await ctx.login('operator');
  });
  afterAll(async () => ctx.close());

  it('counts a 咨询 received on Friday 2026-10-09 to the end of Tuesday 10-13 (Saturday 10-10 is a working day)', async () => {
    const r = await ctx
      .http()
      .post('/api/intake/hotline')
      .set('Authorization', `Bearer ${op}`)
      .send({ orderNo: 'DL-0001', receivedAt: '2026-10-09 16:30:00', appealType: '咨询', content: '咨询公积金提取需要什么材料', assignedUnit: '公积金中心' });
    expect(r.status).toBe(201);
    expect(r.body.acceptDueAt).toBe('2026-10-10T15:59:59.999Z'); // end of Saturday 10-10, China time
    expect(r.body.answerDueAt).toBe('2026-10-13T15:59:59.999Z'); // end of Tuesday 10-13, China time
  });

  it('gives a praise that closes itself no deadline, and a complaint its own', async () => {
    const post = (orderNo: string, appealType: string, content: string) =>
      ctx.http().post('/api/intake/hotline').set('Authorization', `Bearer ${op}`).send({ orderNo, receivedAt: '2026-09-30 10:00:00', appealType, content });
    const praise = await post('DL-0002', '表扬', '感谢户政窗口的工作人员耐心细致，服务很好');
    expect(praise.body).toMatchObject({ status: 'closed', acceptDueAt: null, answerDueAt: null });
    const complaint = await post('DL-0003', '投诉', '户政窗口工作人员态度恶劣，大声呵斥老人');
    // 10 working days from the day after 9-30, over National Day (10-1…10-7 off, Saturday 10-10 worked):
    // 10-8, 10-9, 10-10, 10-12 … 10-16, 10-19, 10-20
    expect(complaint.body.answerDueAt).toBe('2026-10-20T15:59:59.999Z');
  });
});
