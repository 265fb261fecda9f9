import { simpleParser } from 'mailparser';
import { mailFacts } from './mail-kind.js';

const parse = (headers: string, body = 'hello') => simpleParser(Buffer.from(`${headers}\r\n\r\n${body}\r\n`));

describe('mailFacts', () => {
  it('treats an ordinary complaint as new', async () => {
    const f = mailFacts(await parse('From: 张三 <zs@example.cn>\r\nSubject: 投诉窗口态度\r\nMessage-ID: <a@b>'));
    expect(f).toEqual({ automatic: null, replyTo: [], trackingCode: null });
  });
  it('spots automatic mail of every usual kind', async () => {
    const cases = [
      'From: a@b.cn\r\nAuto-Submitted: auto-replied\r\nSubject: Re: x',
      'From: a@b.cn\r\nPrecedence: bulk\r\nSubject: 促销',
      'From: MAILER-DAEMON@mx.example.cn\r\nSubject: failure notice',
      'From: a@b.cn\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="x"\r\nSubject: report',
      'From: a@b.cn\r\nSubject: 自动回复：我正在休假',
      'From: a@b.cn\r\nSubject: Out of Office: back Monday',
      'From: a@b.cn\r\nX-Autoreply: yes\r\nSubject: Re: 您的来信',
      'From: a@b.cn\r\nList-Id: <news.example.cn>\r\nSubject: 周报',
    ];
    const missed: string[] = [];
    for (const h of cases) if (mailFacts(await parse(h)).automatic === null) missed.push(h);
    expect(missed).toEqual([]);
    expect(mailFacts(await parse('From: a@b.cn\r\nAuto-Submitted: no\r\nSubject: 投诉')).automatic).toBeNull();
  });
  it('finds replies to our mail and tracking codes in the subject', async () => {
    const f = mailFacts(
      await parse('From: a@b.cn\r\nSubject: Re: [查询码 ab12-cd34-ef56] 我们已收到您的来信\r\nIn-Reply-To: <hub-ack-1@hub>\r\nReferences: <x@y> <hub-ack-1@hub>'),
    );
    expect(f.replyTo.sort()).toEqual(['<hub-ack-1@hub>', '<x@y>']);
    expect(f.trackingCode).toBe('AB12-CD34-EF56');
  });
});
