import { OutboxService } from '../../src/notification/outbox.service.js';
import { TestSmtp } from '../support/smtp.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

describe('outgoing mail through the outbox, against a real SMTP server', () => {
  let ctx: TestContext;
  let smtp: TestSmtp;
  let op: string;
  beforeAll(async () => {
    smtp = new TestSmtp(await TestSmtp.freePort());
    await smtp.start();
    ctx = await createTestContext({
      env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_TLS: 'false', MAIL_FROM: '政务服务好差评 <hub@anping.example.gov.cn>', HUB_JOBS: 'false' },
    });
    op = await ctx.login('operator');
  });
  afterAll(async () => {
    await ctx.close();
    await smtp.stop();
  });

  const outbox = () => ctx.app.get(OutboxService);
  const entry = (text: string) => ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send({ channel: 'phone', text });

  it('tells the unit of a new item in a correctly encoded Chinese mail, once', async () => {
    const r = await entry('反映社保卡补办窗口排队太久，取号后等了两个小时');
    expect(r.body.unit).toBe('RS');
    const [row] = await ctx.ds.query(`SELECT to_addr, status FROM outbox WHERE item_id = $1`, [r.body.id]);
    expect(row).toEqual({ to_addr: 'rs@anping.example.gov.cn', status: 'pending' });
    expect(await outbox().flush()).toEqual({ sent: 1, failed: 0 });
    expect(await outbox().flush()).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail.subject).toBe(`【待签收】投诉电话 ${r.body.trackingCode}`);
    expect(mail.text).toContain('安平区人力资源和社会保障局');
    expect(mail.text).toContain('取号后等了两个小时');
    expect(mail.from?.value[0]).toEqual({ address: 'hub@anping.example.gov.cn', name: '政务服务好差评' });
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.messageId).toMatch(/^<hub-assigned-\d+-[0-9a-f]+@anping\.example\.gov\.cn>$/);
  });

  it('delays mail through an outage and then delivers every mail exactly once', async () => {
    await smtp.stop();
    const before = smtp.received.length;
    const ids: number[] = [];
    for (const t of ['公积金提取窗口态度差', '不动产登记材料要求前后不一', '医保报销网上办不了']) ids.push((await entry(t)).body.id);
    const down = await outbox().flush();
    expect(down.sent).toBe(0);
    expect(down.failed).toBe(1);
    const [{ pending, errors }] = await ctx.ds.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(last_error)::int AS errors FROM outbox WHERE item_id = ANY($1)`,
      [ids],
    );
    expect(pending).toBe(3);
    expect(errors).toBe(1);
    await smtp.start();
    // the back-off would wait; time moves on
    await ctx.ds.query(`UPDATE outbox SET next_attempt_at = now() WHERE status = 'pending'`);
    // two copies of the service flushing at once must not send a row twice
    const [a, b] = await Promise.all([outbox().flush(), outbox().flush()]);
    expect(a.sent + b.sent).toBe(3);
    expect(smtp.received.length - before).toBe(3);
    const subjects = smtp.received.slice(before).map((m) => m.messageId);
    expect(new Set(subjects).size).toBe(3);
    expect(await outbox().flush()).toEqual({ sent: 0, failed: 0 });
  });

  it('sends nothing for items that close themselves, and keeps one mail per cause', async () => {
    const n = (await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox`))[0].n;
    const admin = await ctx.adminToken();
    const { token } = (await ctx.http().get('/api/windows/W-A01/qr').set('Authorization', `Bearer ${admin}`)).body;
    const page = await ctx.http().get(`/q/${token}`);
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.text)?.[1] as string;
    await ctx.http().post(`/q/${token}`).type('form').send({ nonce, rating: '5' });
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox`))[0].n).toBe(n);
    const m = ctx.ds.manager;
    const first = await outbox().enqueue(m, { kind: 'ack', dedupeKey: 'ack:test', to: 'a@b.cn', subject: 's', text: 't' });
    const again = await outbox().enqueue(m, { kind: 'ack', dedupeKey: 'ack:test', to: 'a@b.cn', subject: 's', text: 't' });
    expect(again).toBe(first);
  });
});
