/**
 * GET /api/reports/summary over 1,000,000 items (target ≤ 200 ms), beside a baseline in the same run: a bare
 * `SELECT count(*) FROM item` on the same table.
 *   npm run bench:build && node dist-bench/bench/reports-summary.bench.js
 * Needs PostgreSQL: DATABASE_URL (an admin connection), else the server on 127.0.0.1:5432 as postgres. A fresh
 * database is created, migrated, given the sample catalogue and loaded with SQL (generate_series), then dropped.
 * BENCH_ITEMS changes the count; BENCH_RUNS the timed runs per query (the median and the best are printed); BENCH_KEEP=1
 * keeps the database for a look with psql.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../src/config/config.js';
import { openDatabase } from '../src/database/data-source.js';
import { CatalogCache } from '../src/org/catalog.cache.js';
import { CatalogImportService } from '../src/org/catalog-import.service.js';
import { ItemStatsService } from '../src/reports/item-stats.service.js';
import { ReportsService, parseBound, type Period } from '../src/reports/reports.service.js';
import type { JobsService } from '../src/jobs/jobs.service.js';
import { DeadlinesService } from '../src/workflow/deadlines.service.js';
import { benchDatabase } from './bench-database.js';
import { Clock } from '../src/common/clock.js';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);


/**
 * Ten and a half months of items: every channel, three in ten QR ratings at the windows, the rest routed over all
 * units; items older than a month are closed (one in 200 left open and overdue), recent ones in every status, with
 * accept/answer/callback times; one rating in 97 made invalid by an appeal; a third name a service item.
 */
async function load(ds: DataSource, n: number): Promise<void> {
  await ds.query(`
    INSERT INTO item (channel, external_id, received_at, text, rating, rating_valid, dimension, unit_id, window_id,
      service_item_id, raw, routing_reason, routing_rule, status, tracking_code, accept_due_at, answer_due_at,
      accepted_at, answered_at, callback_due_at, callback_satisfied, closed_at)
    SELECT ch, 'b' || g, recv, '窗口排队时间太长，材料要求前后不一致', rating, g % 97 <> 0,
      (ARRAY['D1','D2','D3','D4','D5','none'])[1 + g % 6], units[1 + g % cardinality(units)],
      CASE WHEN ch = 'qr' THEN windows[1 + g % cardinality(windows)] END,
      CASE WHEN g % 3 = 0 THEN sitems[1 + g % cardinality(sitems)] END,
      '{}'::jsonb, 'bench', (ARRAY['window','assigned_unit','service_item','unit_named','learned','triage'])[1 + g % 6],
      st, 'B' || lpad(g::text, 11, '0'), recv + interval '1 day', recv + interval '10 days',
      CASE WHEN st IN ('accepted','answered','closed','reopened') THEN recv + (g % 40) * interval '1 hour' END,
      CASE WHEN st IN ('answered','closed') THEN recv + (g % 300) * interval '1 hour' END,
      CASE WHEN st = 'answered' THEN recv + interval '14 days' END,
      CASE WHEN st = 'closed' AND g % 5 <> 0 THEN g % 7 <> 0 END,
      CASE WHEN st = 'closed' THEN recv + interval '15 days' END
    FROM (
      SELECT g, ch, recv, rating,
        CASE WHEN recv < timestamptz '2026-10-17 00:00+08' AND g % 200 <> 0 THEN 'closed'
             ELSE (ARRAY['closed','closed','closed','closed','answered','accepted','assigned','closed','reopened','returned'])[1 + (g / 7) % 10]
        END AS st
      FROM (
        SELECT g,
          (ARRAY['qr','hotline','email','suggestion_box','phone','walkthrough','qr','hotline','qr','hotline'])[1 + g % 10] AS ch,
          timestamptz '2026-01-01 00:00+08' + (g::double precision / $1) * interval '320 days' AS recv,
          CASE WHEN g % 10 IN (0, 6, 8) THEN 1 + (g / 10) % 5 END AS rating
        FROM generate_series(1, $1) AS g
      ) a
    ) s,
    (SELECT array_agg(id ORDER BY code) AS units FROM unit) u,
    (SELECT array_agg(id ORDER BY code) AS windows FROM service_window) w,
    (SELECT array_agg(id ORDER BY code) AS sitems FROM service_item) si`,
    [n],
  );
}

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ median: number; best: number }> {
  await fn(); // warm the cache and the plans
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    await fn();
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)]!, best: t[0]! };
}

const fmt = (r: { median: number; best: number }) => `median ${r.median.toFixed(1).padStart(7)} ms   best ${r.best.toFixed(1).padStart(7)} ms`;

async function main(): Promise<void> {
  const db = await benchDatabase('reports');
  let ds: DataSource | null = null;
  try {
    ds = await openDatabase(db.url);
    const cache = new CatalogCache(ds);
    await new CatalogImportService(ds, cache).importText(readFileSync(path.join(PROJECT_ROOT, 'config', 'catalog.sample.yaml'), 'utf8'));
    const stats = new ItemStatsService(ds, { define: () => undefined } as unknown as JobsService);
    const clock = new Clock();
    const reports = new ReportsService(ds, cache, new DeadlinesService(clock), stats, clock);

    let s = process.hrtime.bigint();
    await load(ds, ITEMS);
    const loadMs = Number(process.hrtime.bigint() - s) / 1e6;
    s = process.hrtime.bigint();
    await ds.query(`VACUUM ANALYZE item`);
    const vacuumMs = Number(process.hrtime.bigint() - s) / 1e6;
    const [{ size }] = await ds.query(`SELECT pg_size_pretty(pg_total_relation_size('item')) AS size`);
    const [{ workers }] = await ds.query(`SELECT current_setting('max_parallel_workers_per_gather') AS workers`);
    console.log(`items: ${ITEMS.toLocaleString('en')} loaded in ${(loadMs / 1000).toFixed(1)} s, VACUUM ANALYZE ${(vacuumMs / 1000).toFixed(1)} s; item table with indexes ${size}; parallel workers per gather ${workers}`);

    s = process.hrtime.bigint();
    const deltas = await stats.refresh();
    const rollupMs = Number(process.hrtime.bigint() - s) / 1e6;
    const [{ rows }] = await ds.query(`SELECT count(*)::int AS rows FROM item_stats`);
    console.log(`day roll-up built from ${deltas.toLocaleString('en')} item deltas in ${(rollupMs / 1000).toFixed(1)} s (${rows.toLocaleString('en')} rows); VACUUM ANALYZE again`);
    await ds.query(`VACUUM ANALYZE`);

    const period = (from?: string, to?: string, unit?: string): Period => ({ from: parseBound(from, 'from'), to: parseBound(to, 'to'), unit: unit ?? null });
    const baseline = await time(() => ds!.query(`SELECT count(*) FROM item`));
    const all = await time(() => reports.summary(period()));
    const year = await time(() => reports.summary(period('2026-01-01', '2026-12-31')));
    const month = await time(() => reports.summary(period('2026-10-01', '2026-10-31')));
    const unit = await time(() => reports.summary(period(undefined, undefined, 'RS')));
    const street = await time(() => reports.summary(period('2026-07-01', '2026-09-30', 'JD-DC')));
    // the office works while the figures are read: 200 callbacks recorded on items of as many days since the last refresh
    let round = 0;
    const changed = await time(async () => {
      round++;
      await ds!.query(
        `UPDATE item SET callback_satisfied = NOT coalesce(callback_satisfied, false), updated_at = now()
         WHERE id IN (SELECT generate_series($1::bigint, $2::bigint, $3::bigint))`,
        [round, ITEMS, Math.floor(ITEMS / 200)],
      );
      return reports.summary(period());
    });
    const live = await time(() => reports.summary(period(), { live: true }), 3);
    const liveMonth = await time(() => reports.summary(period('2026-10-01T00:00:00+08:00', '2026-10-31T12:00:00+08:00')));
    const overdue = await time(() => reports.overdue(period(undefined, undefined, 'RS'), 100));
    const x = (r: { median: number }) => `${(r.median / baseline.median).toFixed(1)}× baseline`;
    console.log(`baseline  SELECT count(*) FROM item                        ${fmt(baseline)}`);
    console.log(`summary   all items, all units                            ${fmt(all)}   ${x(all)}`);
    console.log(`summary   2026, all units                                 ${fmt(year)}   ${x(year)}`);
    console.log(`summary   one month (2026-10), all units                  ${fmt(month)}   ${x(month)}`);
    console.log(`summary   one unit (RS), all time                         ${fmt(unit)}   ${x(unit)}`);
    console.log(`summary   a street and its communities, Q3               ${fmt(street)}   ${x(street)}`);
    console.log(`summary   all items, after 200 callbacks on 200 days      ${fmt(changed)}   ${x(changed)}  (UPDATE included)`);
    console.log(`summary   all items, counted live (no roll-up)            ${fmt(live)}   ${x(live)}`);
    console.log(`summary   a month with times of day (live path)           ${fmt(liveMonth)}   ${x(liveMonth)}`);
    console.log(`overdue   one unit, first 100                             ${fmt(overdue)}`);
    const a = await reports.summary(period());
    const b = await reports.summary(period(), { live: true });
    console.log(`check: total ${a.items.total}, valid ratings ${a.ratings.total}, overdue now ${a.overdueNow}, good share ${a.ratings.goodShare}; roll-up = live: ${isDeepStrictEqual(a, b)}`);
    if (!isDeepStrictEqual(a, b)) console.log(JSON.stringify({ rollup: a, live: b }));
  } finally {
    if (ds?.isInitialized) await ds.destroy();
    if (process.env.BENCH_KEEP) console.log(`kept: ${db.url}`);
    else await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
