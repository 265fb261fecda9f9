/**
 * Mailbox ingestion: N mails APPENDed to a throwaway Dovecot, then (1) a bare imapflow loop that fetches and parses
 * them (the baseline), and (2) the hub's poll, which turns each into a classified, routed item with its
 * acknowledgement queued, files it to Processed and moves the checkpoint. Same mails, same run.
 *   npm run bench:build && node dist-bench/bench/mailbox.bench.js [mails=2000]
 */
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/database/data-source.js';
import { MailboxService } from '../src/intake/mailbox/mailbox.service.js';
import { CatalogImportService } from '../src/org/catalog-import.service.js';
import { TestDovecot } from '../test/support/dovecot.js';
import { benchDatabase } from './bench-database.js';

const N = Number(process.argv[2] ?? 2000);
const TEXTS = [
  '我去办理公积金提取，窗口工作人员态度恶劣，问两句就不耐烦。',
  '不动产登记要求的材料前后说法不一致，跑了三趟还没办成。',
  '医保零星报销提交两个月没有结果，打电话也没人接。',
  '婚姻登记处上午九点还没有人上班，门口排了很多人。',
  '网上申请营业执照提交了三次都失败，最后还得去窗口。',
];

function mail(i: number): string {
  return [
    `From: citizen${i}@example.cn`,
    'To: complaints@hub.test',
    `Subject: =?UTF-8?B?${Buffer.from(`来信${i}：${TEXTS[i % TEXTS.length].slice(0, 12)}`).toString('base64')}?=`,
    `Message-ID: <bench-${i}-${Date.now()}@example.cn>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(`${TEXTS[i % TEXTS.length]}（第${i}封）`).toString('base64'),
  ].join('\r\n');
}

async function fill(d: TestDovecot): Promise<void> {
  const c = d.client();
  await c.connect();
  for (let i = 0; i < N; i++) await c.append('INBOX', mail(i));
  await c.logout();
}

async function main(): Promise<void> {
  const dovecot = new TestDovecot();
  await dovecot.start();
  const db = await benchDatabase('mail');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-mail-'));
  try {
    await fill(dovecot);
    // baseline: fetch everything and parse it, nothing else
    let t = Date.now();
    const c = dovecot.client();
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    const msgs = await c.fetchAll('1:*', { uid: true, source: true });
    let parsed = 0;
    for (const m of msgs) if ((await simpleParser(m.source ?? Buffer.alloc(0))).text) parsed++;
    lock.release();
    await c.logout();
    const bareSecs = (Date.now() - t) / 1000;

    const config = loadConfig({ DATABASE_URL: db.url, HUB_DATA_DIR: dir, HUB_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', HUB_JOBS: 'false', ...dovecot.env() });
    const ds = await openDatabase(db.url);
    const app = await createApp({ config, dataSource: ds, quiet: true });
    await app.init();
    await app.get(CatalogImportService).importText(readFileSync('config/catalog.sample.yaml', 'utf8'));
    t = Date.now();
    const r = await app.get(MailboxService).poll();
    const hubSecs = (Date.now() - t) / 1000;
    await app.close();
    if (ds.isInitialized) await ds.destroy();
    process.stdout.write(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version}; ${N} mails in Dovecot ${path.basename('/usr/sbin/dovecot')}\n`);
    process.stdout.write(`bare imapflow fetch + mailparser: ${bareSecs.toFixed(1)} s (${parsed} parsed)\n`);
    process.stdout.write(`hub poll (items, acks, filing, checkpoint): ${hubSecs.toFixed(1)} s = ${(hubSecs / bareSecs).toFixed(1)}× — ${JSON.stringify(r)}\n`);
    process.stdout.write(`folders after: ${JSON.stringify(await dovecot.counts())}\n`);
  } finally {
    await dovecot.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
