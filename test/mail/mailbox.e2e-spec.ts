import iconv from 'iconv-lite';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { TestDovecot } from '../support/dovecot.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const gbk = (s: string) => iconv.encode(s, 'gbk');

/** Mail as mail servers deliver it: APPENDed to a real Dovecot, polled by the hub over IMAP. */
describe('complaint mailbox over IMAP (Dovecot)', () => {
  let dovecot: TestDovecot;
  let ctx: TestContext;
  let admin: string;
  beforeAll(async () => {
    dovecot = new TestDovecot();
    await dovecot.start();
    ctx = await createTestContext({ env: { ...dovecot.env(), HUB_JOBS: 'false', MAIL_MAX_BYTES: '20000' } });
    admin = await ctx.adminToken();
  });
  afterAll(async () => {
    await ctx?.close();
    await dovecot?.stop();
  });

  const poll = () => ctx.http().post('/api/intake/mailbox/poll').set('Authorization', `Bearer ${admin}`);
  const items = () => ctx.ds.query(`SELECT id, subject, text, unit_id, contact_email, external_id, tracking_code FROM item WHERE channel = 'email' ORDER BY id`);

  it('turns GBK, HTML-only and attached mail into items once, acknowledges them, and files them', async () => {
    await dovecot.append(
      [
        'From: =?GBK?B?' + b64(gbk('王先生')) + '?= <wang@example.cn>',
        'To: complaints@hub.test',
        'Subject: =?GBK?B?' + b64(gbk('公积金提取窗口态度恶劣')) + '?=',
        'Message-ID: <gbk-1@example.cn>',
        'Date: Mon, 16 Nov 2026 09:30:00 +0800',
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=GBK',
        'Content-Transfer-Encoding: base64',
        '',
        b64(gbk('我去办理公积金提取，窗口工作人员态度恶劣，问两句就不耐烦，还让我自己去网上查。')),
      ].join('\r\n'),
    );
    await dovecot.append(
      [
        'From: li@example.cn',
        'Subject: =?UTF-8?Q?=E4=B8=8D=E5=8A=A8=E4=BA=A7=E7=99=BB=E8=AE=B0=E9=97=AE=E9=A2=98?=',
        'Message-ID: <html-1@example.cn>',
        'MIME-Version: 1.0',
        'Content-Type: text/html; charset=UTF-8',
        '',
        '<html><body><p>办理<b>不动产登记</b>时，要求的材料前后说法不一致，</p><p>跑了三趟还没办成。</p><script>alert(1)</script></body></html>',
      ].join('\r\n'),
    );
    const boundary = 'b0und';
    await dovecot.append(
      [
        'From: zhao@example.cn',
        'Subject: 医保报销材料附件',
        'Message-ID: <att-1@example.cn>',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=UTF-8',
        '',
        '医保零星报销提交两个月没有结果，附上受理回执。',
        `--${boundary}`,
        'Content-Type: application/pdf; name="receipt.pdf"',
        'Content-Disposition: attachment; filename="receipt.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        b64('%PDF-1.4 small receipt'),
        `--${boundary}`,
        'Content-Type: application/octet-stream; name="scan.bin"',
        'Content-Disposition: attachment; filename="scan.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        b64(Buffer.alloc(60_000, 7)),
        `--${boundary}--`,
      ].join('\r\n'),
    );
    const r = await poll();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ fetched: 3, created: 3, threaded: 0, failed: 0 });
    const rows = await items();
    expect(rows.map((i: { subject: string }) => i.subject)).toEqual(['公积金提取窗口态度恶劣', '不动产登记问题', '医保报销材料附件']);
    expect(rows[0].text).toContain('问两句就不耐烦');
    expect(rows[0].contact_email).toBe('wang@example.cn');
    expect(rows[0].external_id).toBe('<gbk-1@example.cn>');
    expect(rows[1].text).toContain('跑了三趟还没办成');
    expect(rows[1].text).not.toContain('<b>');
    // the small attachment kept, the one past the cap dropped and noted
    const dir = path.join(ctx.config.dataDir, 'attachments', String(rows[2].id));
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual(['1-receipt.pdf']);
    const [dropped] = await ctx.ds.query(`SELECT data FROM item_event WHERE item_id = $1 AND kind = 'attachments_dropped'`, [rows[2].id]);
    expect(dropped.data.dropped[0]).toMatchObject({ filename: 'scan.bin', size: 60000 });
    // acknowledged, with the tracking code
    const acks = await ctx.ds.query(`SELECT to_addr, subject, in_reply_to FROM outbox WHERE kind = 'ack' ORDER BY id`);
    expect(acks).toHaveLength(3);
    expect(acks[0]).toMatchObject({ to_addr: 'wang@example.cn', in_reply_to: '<gbk-1@example.cn>' });
    expect(acks[0].subject).toContain(rows[0].tracking_code);
    // filed: nothing left in the inbox, nothing deleted
    expect(await dovecot.counts()).toMatchObject({ INBOX: 0, Processed: 3 });
    // polling again finds nothing new
    expect((await poll()).body).toMatchObject({ fetched: 0, created: 0 });
  });

  it('threads replies, records automatic mail without answering it, and never makes a second item', async () => {
    const [first] = await items();
    const [ack] = await ctx.ds.query(`SELECT message_id FROM outbox WHERE kind = 'ack' AND item_id = $1`, [first.id]);
    await dovecot.append(
      `From: wang@example.cn\r\nSubject: Re: 我们已收到您的来信\r\nMessage-ID: <reply-1@example.cn>\r\nIn-Reply-To: ${ack.message_id}\r\nReferences: <gbk-1@example.cn> ${ack.message_id}\r\n\r\n补充一下：当天是下午三点左右。\r\n`,
    );
    await dovecot.append(`From: zhao@example.cn\r\nSubject: 关于查询码 ${(await items())[2].tracking_code} 的补充\r\nMessage-ID: <reply-2@example.cn>\r\n\r\n回执编号是123。\r\n`);
    await dovecot.append(`From: wang@example.cn\r\nSubject: 自动回复：我正在休假\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <auto-1@example.cn>\r\nIn-Reply-To: ${ack.message_id}\r\n\r\n我正在休假，稍后回复。\r\n`);
    await dovecot.append(
      'From: MAILER-DAEMON@mx.example.cn\r\nSubject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n--r--\r\n',
    );
    // the same complaint delivered twice (same Message-ID)
    await dovecot.append('From: li@example.cn\r\nSubject: 不动产登记问题\r\nMessage-ID: <html-1@example.cn>\r\n\r\n重复投递\r\n');
    const before = (await items()).length;
    const acksBefore = (await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'ack'`))[0].n;
    const r = await poll();
    expect(r.body).toMatchObject({ fetched: 5, created: 0, threaded: 2, automatic: 2, duplicates: 1, failed: 0 });
    expect((await items()).length).toBe(before);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE kind = 'ack'`))[0].n).toBe(acksBefore);
    const replies = await ctx.ds.query(`SELECT item_id, data FROM item_event WHERE kind = 'mail_reply' ORDER BY id`);
    expect(replies.map((e: { item_id: string }) => Number(e.item_id))).toEqual([first.id, (await items())[2].id].map(Number));
    expect(replies[0].data.text).toContain('下午三点');
    expect(await dovecot.counts()).toMatchObject({ INBOX: 0, Processed: 8 });
  });

  it('moves a mail it cannot process to Failed with a reason, keeps going, and can retry it', async () => {
    await dovecot.append('From: x@example.cn\r\nMessage-ID: <empty-1@example.cn>\r\nSubject:\r\n\r\n\r\n');
    await dovecot.append(
      'From: y@example.cn\r\nSubject: =?UTF-8?B?5p2Q5paZ?= broken\r\nMessage-ID: <broken-1@example.cn>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n5ZCO5Y+w5a6h5om55aSq5oWi\r\n--never-closed\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64!!!',
    );
    await dovecot.append('From: z@example.cn\r\nSubject: 婚姻登记处不按时上班\r\nMessage-ID: <after-1@example.cn>\r\n\r\n早上九点还没人。\r\n');
    const r = await poll();
    expect(r.body).toMatchObject({ fetched: 3, created: 2, failed: 1 });
    expect(await dovecot.counts()).toMatchObject({ INBOX: 0, Failed: 1 });
    const failures = await ctx.http().get('/api/intake/mailbox/failures').set('Authorization', `Bearer ${admin}`);
    expect(failures.body).toHaveLength(1);
    expect(failures.body[0]).toMatchObject({ from: 'x@example.cn', reason: 'no readable text in the mail' });
    const retry = await ctx.http().post(`/api/intake/mailbox/failures/${failures.body[0].id}/retry`).set('Authorization', `Bearer ${admin}`);
    expect(retry.body).toEqual({ outcome: 'failed' });
    const again = await ctx.http().get('/api/intake/mailbox/failures').set('Authorization', `Bearer ${admin}`);
    expect(again.body[0].retries).toBe(1);
    const broken = await ctx.ds.query(`SELECT text FROM item WHERE external_id = '<broken-1@example.cn>'`);
    expect(broken[0].text).toContain('后台审批太慢');
  });

  it('runs one poll at a time, however many copies ask at once', async () => {
    for (let i = 0; i < 20; i++) await dovecot.append(`From: p${i}@example.cn\r\nSubject: 并发${i}\r\nMessage-ID: <par-${i}@example.cn>\r\n\r\n窗口排队太久，第${i}封。\r\n`);
    // another copy is polling: it holds the poller's lock on its own connection
    const other = ctx.ds.createQueryRunner();
    await other.connect();
    await other.query(`SELECT pg_advisory_lock(hashtext('feedback-hub:mailbox-poll'))`);
    const blocked = await poll();
    expect(blocked.body).toMatchObject({ skipped: 'another poll is running', fetched: 0 });
    await other.query(`SELECT pg_advisory_unlock(hashtext('feedback-hub:mailbox-poll'))`);
    await other.release();
    // and two at once never make an item twice
    const [a, b] = await Promise.all([poll(), poll()]);
    expect(a.body.created + b.body.created).toBe(20);
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE external_id LIKE '<par-%'`);
    expect(n).toBe(20);
  });

  it('only lets an admin poll by hand', async () => {
    const sup = await ctx.login('supervisor');
    expect((await ctx.http().post('/api/intake/mailbox/poll').set('Authorization', `Bearer ${sup}`)).status).toBe(403);
  });
});
