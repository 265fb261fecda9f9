/**
 * The repeat check before an insert (issue 16) over 1,000,000 items, target ≤ 2 ms; and the hot-spot job's cost per
 * item.   npm run bench:repeats
 * Needs PostgreSQL: DATABASE_URL (an admin connection), else the server on 127.0.0.1:5432 as postgres. A fresh
 * database is created, migrated, given the sample catalogue and loaded with SQL (generate_series), then dropped.
 * 300,000 people with three or four items each over 320 days (so a person has an item or two inside the 30-day window);
 * every item has person keys, word tokens and a MinHash signature like intake writes. BENCH_ITEMS, BENCH_RUNS change
 * the size and the runs; BENCH_KEEP=1 keeps the database.
 */
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock.js';
import { PROJECT_ROOT, type HubConfig } from '../src/config/config.js';
import { openDatabase } from '../src/database/data-source.js';
import type { JobsService } from '../src/jobs/jobs.service.js';
import type { OutboxService } from '../src/notification/outbox.service.js';
import { CatalogCache } from '../src/org/catalog.cache.js';
import { CatalogImportService } from '../src/org/catalog-import.service.js';
import type { ProblemsService } from '../src/rectification/problems.service.js';
import { HotSpotsService } from '../src/repeats/hot-spots.service.js';
import { matterBands, matterTokens, matterWords } from '../src/repeats/matter.js';
import { personKey } from '../src/repeats/person-key.js';
import { RepeatsService } from '../src/repeats/repeats.service.js';
import { benchDatabase } from './bench-database.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const PEOPLE = Math.max(1, Math.round(ITEMS * 0.3));
const SECRET = 'bench-secret-bench-secret-bench-secret-00';

const TEXTS = [
  '不动产登记窗口让我补交材料，跑了三趟，每次要的材料都不一样',
  '办税窗口叫号机坏了，排队两个多小时',
  '公积金提取窗口说我材料不全，让我回去开证明',
  '社保卡补办要等一个月，太慢了',
  '企业开办网上提交了还要现场再交纸质材料',
  '发票自助机坏了一个星期没人修',
  '食品经营许可现场核查约了两次都没人来',
  '中午窗口不办公，上班族没时间来',
];

async function load(ds: DataSource, n: number): Promise<void> {
  const tok = TEXTS.map((t) => matterTokens(matterWords(t)));
  const bands = tok.map((t) => matterBands(t));
  // the keys are real HMACs, computed here once per person and sent as one array
  const keys = Array.from({ length: PEOPLE }, (_, p) => personKey(SECRET, 'phone', `138${String(p).padStart(8, '0')}`));
  await ds.query(`CREATE TEMP TABLE bench_keys AS SELECT ord - 1 AS p, k FROM unnest($1::text[]) WITH ORDINALITY AS u(k, ord)`, [keys]);
  await ds.query(`CREATE TEMP TABLE bench_text AS SELECT ord - 1 AS t, txt, tok::int[] AS tok, bands::int[] AS bands
    FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(txt, tok, bands, ord)`, [TEXTS, tok.map((t) => `{${t.join(',')}}`), bands.map((b) => `{${b.join(',')}}`)]);
  await ds.query(
    `INSERT INTO item (channel, external_id, received_at, text, unit_id, window_id, raw, routing_reason, routing_rule, status, tracking_code,
       accept_due_at, answer_due_at, closed_at, answer_text, person_keys, matter_tokens, matter_bands)
     SELECT (ARRAY['qr','hotline','email','phone'])[1 + g % 4], 'b' || g, recv, bt.txt, units[1 + g % cardinality(units)],
       CASE WHEN g % 4 = 0 THEN windows[1 + g % cardinality(windows)] END, '{}'::jsonb, 'bench', 'window',
       CASE WHEN recv < timestamptz '2026-10-15 00:00+08' THEN 'closed' ELSE 'accepted' END, 'B' || lpad(g::text, 11, '0'),
       recv + interval '1 day', recv + interval '10 days',
       CASE WHEN recv < timestamptz '2026-10-15 00:00+08' THEN recv + interval '12 days' END,
       CASE WHEN recv < timestamptz '2026-10-15 00:00+08' THEN '已答复' END,
       ARRAY[bk.k], bt.tok, bt.bands
     FROM generate_series(1, $1) AS g
     CROSS JOIN LATERAL (SELECT timestamptz '2026-01-01 00:00+08' + (g::double precision / $1) * interval '320 days' AS recv) r
     JOIN bench_keys bk ON bk.p = (g::bigint * 7919) % $2
     JOIN bench_text bt ON bt.t = (g / 3) % 8,
     (SELECT array_agg(id ORDER BY code) AS units FROM unit) u,
     (SELECT array_agg(id ORDER BY code) AS windows FROM service_window) w`,
    [n, PEOPLE],
  );
}

async function time(runs: number, fn: (i: number) => Promise<void>): Promise<{ median: number; p95: number; best: number }> {
  await fn(-1);
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await fn(i);
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, p95: t[Math.floor(t.length * 0.95)]!, best: t[0]! };
}
const fmt = (r: { median: number; p95: number; best: number }) => `median ${r.median.toFixed(2)} ms   p95 ${r.p95.toFixed(2)} ms   best ${r.best.toFixed(2)} ms`;

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const db = await benchDatabase('repeats');
  let ds: DataSource | null = null;
  try {
    ds = await openDatabase(db.url);
    const cache = new CatalogCache(ds);
    await new CatalogImportService(ds, cache).importText(readFileSync(path.join(PROJECT_ROOT, 'config', 'catalog.sample.yaml'), 'utf8'));
    const s = process.hrtime.bigint();
    await load(ds, ITEMS);
    await ds.query(`VACUUM ANALYZE item`);
    console.log(`loaded ${ITEMS} items (${PEOPLE} people) in ${(Number(process.hrtime.bigint() - s) / 1e9).toFixed(1)} s`);
    const clock = new Clock();
    clock.set('2026-11-10T10:00:00+08:00');
    const repeats = new RepeatsService({ secret: SECRET } as HubConfig, {} as OutboxService, clock);
    const [{ unit }] = await ds.query(`SELECT id AS unit FROM unit ORDER BY code LIMIT 1`);
    const words = matterWords(TEXTS[0]!);
    const tokens = matterTokens(words);
    // people with an item in the 30 days before the new one
    const people: { k: string }[] = await ds.query(
      `SELECT DISTINCT person_keys[1] AS k FROM item WHERE received_at BETWEEN timestamptz '2026-10-12 00:00+08' AND timestamptz '2026-11-09 00:00+08' LIMIT $1`,
      [RUNS + 1],
    );
    const insert = async (qr: import('typeorm').QueryRunner, i: number): Promise<number> => {
      const [{ id }] = await qr.query(
        `INSERT INTO item (channel, external_id, received_at, text, unit_id, raw, routing_reason, routing_rule, status, tracking_code, person_keys, matter_tokens, matter_bands, accept_due_at)
         VALUES ('hotline', $1, $2, $3, $4, '{}'::jsonb, 'bench', 'window', 'assigned', $5, $6, $7, $8, $2) RETURNING id`,
        [`new-${i}-${Math.random()}`, clock.now(), TEXTS[0], unit, `N${i}-${Math.random()}`.slice(0, 20), [people[(i + 1) % people.length]!.k], tokens, matterBands(tokens)],
      );
      return Number(id);
    };
    let linked = 0;
    const checkOnly: number[] = [];
    const whole = await time(RUNS, async (i) => {
      const qr = ds!.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      try {
        const id = await insert(qr, i);
        const t0 = process.hrtime.bigint();
        const r = await repeats.linkRepeats(qr.manager, [id]);
        if (i >= 0) {
          checkOnly.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (r.length) linked++;
        }
      } finally {
        await qr.rollbackTransaction();
        await qr.release();
      }
    });
    checkOnly.sort((a, b) => a - b);
    const med = checkOnly[Math.floor(checkOnly.length / 2)]!;
    const p95 = checkOnly[Math.floor(checkOnly.length * 0.95)]!;
    console.log(`repeat check (lock + candidates + decision + link), ${ITEMS} items: median ${med.toFixed(2)} ms   p95 ${p95.toFixed(2)} ms   (${linked}/${RUNS} linked)`);
    console.log(`connect + begin + insert + check + rollback: ${fmt(whole)}`);
    const rt = await time(RUNS, async () => {
      await ds!.query('SELECT 1');
    });
    console.log(`baseline, one round trip (SELECT 1) on this machine: ${fmt(rt)}`);

    // the hot-spot job: one waiting item placed against the recent items of other people
    const hot = new HotSpotsService(ds, repeats, {} as ProblemsService, { define: () => undefined } as unknown as JobsService, clock);
    const place = await time(Math.min(RUNS, 50), async (i) => {
      const qr = ds!.createQueryRunner();
      await qr.connect();
      await qr.startTransaction();
      await insert(qr, 10_000 + i).then((id) => qr.query(`UPDATE item SET cluster_pending = true WHERE id = $1`, [id]));
      await qr.commitTransaction();
      await qr.release();
      await hot.clusterPending(1);
    });
    console.log(`hot-spot job, per item (transaction, candidates, decision, membership): ${fmt(place)}`);
  } finally {
    await ds?.destroy();
    if (process.env.BENCH_KEEP !== '1') await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
