import { TestDovecot } from '../support/dovecot.js';

describe('test Dovecot', () => {
  it('starts, takes an APPEND, and counts', async () => {
    const d = new TestDovecot();
    await d.start();
    try {
      await d.append('From: a@b.cn\r\nTo: c@d.cn\r\nSubject: hi\r\nMessage-ID: <x@y>\r\n\r\nbody\r\n');
      expect((await d.counts()).INBOX).toBe(1);
    } finally {
      await d.stop();
    }
  });
});
