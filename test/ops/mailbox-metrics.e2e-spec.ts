import { MailboxService } from '../../src/intake/mailbox/mailbox.service.js';
import { TestDovecot } from '../support/dovecot.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const sample = (text: string, line: string): number | undefined => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

/** Mailbox poll results, lag and readiness against a real Dovecot, then with the server gone. */
describe('mailbox metrics and readiness', () => {
  let ctx: TestContext;
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = new TestDovecot();
    await dovecot.start();
    ctx = await createTestContext({ env: { ...dovecot.env(), HUB_JOBS: 'false' } });
    ctx.clock.freeze('2026-11-03T09:00:00+08:00');
  });
  afterAll(async () => {
    await ctx.close();
    await dovecot.stop().catch(() => undefined);
  });
  const scrape = async () => (await ctx.http().get('/metrics')).text;

  it('counts polls and mail by outcome, shows the lag since the last good poll, and a failing server as degraded', async () => {
    const before = await scrape();
    expect(before).not.toMatch(/^hub_mailbox_lag_seconds\{/m); // never polled
    await dovecot.append('From: zhao@example.cn\r\nSubject: 社保窗口排队太久\r\nMessage-ID: <m-1@example.cn>\r\n\r\n取号后等了两个小时。\r\n');
    const r = await ctx.app.get(MailboxService).poll();
    expect(r).toMatchObject({ fetched: 1, created: 1 });

    const after = await scrape();
    expect(sample(after, 'hub_mailbox_polls_total{result="ok"}')).toBe(1);
    expect(sample(after, 'hub_mailbox_messages_total{outcome="created"}')).toBe(1);
    expect(sample(after, 'hub_items_received_total{channel="email"}')).toBe(1);
    expect(sample(after, 'hub_component_up{component="mailbox"}')).toBe(1);
    expect(sample(after, 'hub_mailbox_lag_seconds{mailbox="INBOX"}')).toBe(0);
    const ready = await ctx.http().get('/health/ready');
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.mailbox).toMatchObject({ status: 'up', configured: true, lastCheckAt: '2026-11-03T01:00:00.000Z' });

    // the server goes away; five minutes later a poll fails
    await dovecot.stop();
    ctx.clock.advance(5 * 60_000);
    await expect(ctx.app.get(MailboxService).poll()).rejects.toThrow();
    const down = await scrape();
    expect(sample(down, 'hub_mailbox_polls_total{result="failed"}')).toBe(1);
    expect(sample(down, 'hub_component_up{component="mailbox"}')).toBe(0);
    expect(sample(down, 'hub_mailbox_lag_seconds{mailbox="INBOX"}')).toBe(300);
    const degraded = await ctx.http().get('/health/ready');
    expect(degraded.status).toBe(200);
    expect(degraded.body.status).toBe('degraded');
    expect(degraded.body.details.mailbox).toMatchObject({ status: 'degraded', lastOkAt: '2026-11-03T01:00:00.000Z', lastCheckAt: '2026-11-03T01:05:00.000Z' });
  }, 60_000);
});
