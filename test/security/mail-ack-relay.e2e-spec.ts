import { MailboxService } from '../../src/intake/mailbox/mailbox.service.js';
import { ACKS_PER_DOMAIN_PER_HOUR, ACKS_PER_SENDER_PER_DAY } from '../../src/intake/mailbox/ack-limit.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * Issue 13, finding 9: forged `From:` headers must not turn acknowledgements into a relay. Mails go through the
 * mailbox's own processing (parser, intake, outbox) as the IMAP poller hands them over.
 */
describe('mail acknowledgements are no spam relay (security)', () => {
  let ctx: TestContext;
  let mailbox: MailboxService;
  let uid = 0;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    ctx.clock.freeze('2026-11-16T10:05:00+08:00');
    mailbox = ctx.app.get(MailboxService);
  });
  afterAll(async () => ctx.close());

  const deliver = (from: string, subject: string) =>
    mailbox.process(
      'INBOX',
      '1',
      ++uid,
      Buffer.from(
        [`From: ${from}`, 'To: complaints@hub.test', `Subject: ${subject}`, `Message-ID: <forged-${uid}@attacker.test>`, 'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=UTF-8', '', '办理公积金提取时窗口人员态度不好。'].join('\r\n'),
      ),
    );
  const acksTo = (where: string, arg: string) => ctx.ds.query(`SELECT to_addr, subject FROM outbox WHERE kind = 'ack' AND ${where}`, [arg]);

  it('acknowledges one address a few times a day, and carries none of the mail\'s text in the subject', async () => {
    const spam = '恭喜中奖 请访问 http://spam.test 领取';
    for (let i = 0; i < 8; i++) expect(await deliver('victim@target.test', spam)).toBe('item');
    const acks = await acksTo('to_addr = $1', 'victim@target.test');
    expect(acks).toHaveLength(ACKS_PER_SENDER_PER_DAY);
    for (const a of acks) {
      expect(a.subject).not.toContain('spam.test');
      expect(a.subject).not.toContain('中奖');
    }
    // every mail is still an item, and the withheld acknowledgements are on their timelines
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE channel = 'email' AND contact_email = 'victim@target.test'`))[0].n).toBe(8);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM item_event WHERE kind = 'ack_withheld'`))[0].n).toBe(8 - ACKS_PER_SENDER_PER_DAY);
  });

  it('stops acknowledging a run of forged addresses at one domain', async () => {
    for (let i = 0; i < ACKS_PER_DOMAIN_PER_HOUR + 10; i++) await deliver(`user${i}@bulk.test`, '投诉');
    expect(await acksTo(`to_addr LIKE $1`, '%@bulk.test')).toHaveLength(ACKS_PER_DOMAIN_PER_HOUR);
    // the next hour the domain is acknowledged again
    ctx.clock.advance(60 * 60 * 1000);
    await deliver('late@bulk.test', '投诉');
    expect(await acksTo(`to_addr = $1`, 'late@bulk.test')).toHaveLength(1);
  });
});
