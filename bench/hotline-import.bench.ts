/**
 * Importing a 12345 export: N realistic GBK rows (bench/hotline-generate.ts) through the hub's import (streamed,
 * classified, routed, written in batches) beside `psql \copy` of the same file into a table of the same width, in
 * the same run. Peak RSS of the importing process is sampled every 50 ms.
 *   npm run bench:build && node dist-bench/bench/hotline-import.bench.js [rows=200000]
 * Needs PostgreSQL: DATABASE_URL, or the server on 127.0.0.1:5432; and psql on the PATH.
 * The import runs with the heap settings and allocator environment `npm start` gives each worker (WORKER_HEAP_FLAGS,
 * WORKER_ENV: the bench starts itself again with them); BENCH_PLAIN_NODE=1 runs it with node's defaults instead, for comparison.
 * BENCH_KEEP_DB=1 keeps the database afterwards (its URL is printed) to study the written rows with EXPLAIN.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../src/app.factory.js';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/database/data-source.js';
import { HotlineImportService } from '../src/intake/hotline/hotline-import.service.js';
import { CatalogImportService } from '../src/org/catalog-import.service.js';
import { benchDatabase } from './bench-database.js';
import { generateHotlineCsv } from './hotline-generate.js';
import { workerEnv, workerExecArgv } from '../src/supervisor.js';

const N = Number(process.argv[2] ?? 200_000);

/**
 * CPU seconds (user + system) each PostgreSQL backend serving this database has used so far, by pid: read from
 * /proc (the server is local), so the import's cost in the database is known however loaded the machine is.
 */
async function backendCpu(ds: { query: (q: string) => Promise<{ pid: number }[]> }): Promise<Map<number, number>> {
  const tick = 100; // USER_HZ on Linux
  const out = new Map<number, number>();
  for (const { pid } of await ds.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, (Number(f[11]) + Number(f[12])) / tick);
    } catch {
      // not readable here (another machine's server): no figure
    }
  }
  return out;
}

/** Runs this script again as a hub worker would run (its heap settings), unless it already does or is told not to. */
function asWorker(): boolean {
  const argv = workerExecArgv();
  const env = workerEnv();
  if (process.env.BENCH_PLAIN_NODE === '1' || (argv.length === process.execArgv.length && !Object.keys(env).length)) return false;
  const r = spawnSync(process.execPath, [...argv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, ...env } });
  process.exit(r.status ?? 1);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hub-bench-import-'));
  const file = path.join(dir, `orders-${N}.csv`);
  let t = Date.now();
  await generateHotlineCsv(N, file, { encoding: 'gbk', seed: 7 });
  process.stdout.write(`generated ${N} rows (${(statSync(file).size / 1e6).toFixed(1)} MB, GBK) in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);

  const db = await benchDatabase('import');
  const url = db.url;
  try {
    // baseline: psql \copy of the same file into a table of the same width
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    const header = spawnSync('sh', ['-c', `head -1 '${file}' | iconv -f GBK -t UTF-8`], { encoding: 'utf8' }).stdout.trim().split(',');
    await c.query(`CREATE TABLE copy_target (${header.map((_, i) => `c${i} text`).join(', ')})`);
    await c.end();
    t = Date.now();
    const copy = spawnSync('psql', [url, '-qc', `\\copy copy_target FROM '${file}' WITH (FORMAT csv, HEADER true, ENCODING 'GBK')`], { encoding: 'utf8' });
    const copySecs = (Date.now() - t) / 1000;
    if (copy.status !== 0) throw new Error(copy.stderr);

    // the hub
    const config = loadConfig({ DATABASE_URL: url, HUB_DATA_DIR: dir, HUB_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', HUB_JOBS: 'false' });
    const ds = await openDatabase(url);
    const app = await createApp({ config, dataSource: ds, quiet: true });
    await app.init();
    await app.get(CatalogImportService).importText(spawnSync('cat', ['config/catalog.sample.yaml'], { encoding: 'utf8' }).stdout);
    const baseRss = process.memoryUsage().rss;
    let peak = baseRss;
    let atPeak = process.memoryUsage();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > peak) [peak, atPeak] = [m.rss, m];
    }, 50);
    const cpuBefore = process.cpuUsage();
    const pgBefore = await backendCpu(ds);
    t = Date.now();
    const imports = app.get(HotlineImportService);
    const id = await imports.start({ path: file, originalName: path.basename(file), copy: true }, { id: null, username: 'bench', role: 'operator', unitId: null }, { inline: true });
    const hubSecs = (Date.now() - t) / 1000;
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpuBefore);
    const pgAfter = await backendCpu(ds);
    const pgSecs = [...pgAfter].reduce((sum, [pid, v]) => sum + v - (pgBefore.get(pid) ?? 0), 0);
    const s = await imports.status(id);
    await app.close();
    if (ds.isInitialized) await ds.destroy();

    process.stdout.write(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version} ${process.execArgv.join(' ') || '(no node flags)'}\n`);
    process.stdout.write(`psql \\copy (same rows, same width):   ${copySecs.toFixed(1)} s  (${Math.round(N / copySecs)} rows/s)\n`);
    process.stdout.write(`hub import (parse, classify, route, store): ${hubSecs.toFixed(1)} s  (${Math.round(N / hubSecs)} rows/s) = ${(hubSecs / copySecs).toFixed(1)}× the copy\n`);
    const us = (secs: number): string => `${Math.round((secs * 1e6) / N)} µs`;
    process.stdout.write(
      `  CPU per row: hub process ${us((cpu.user + cpu.system) / 1e6)} (all its threads), PostgreSQL backends ${us(pgSecs)} — what 2 cores allow at best: ${Math.round((2 * N) / ((cpu.user + cpu.system) / 1e6 + pgSecs))} rows/s\n`,
    );
    process.stdout.write(`  result: total ${s.total}, created ${s.created}, duplicates ${s.duplicates}, rejected ${s.rejectedCount}\n`);
    process.stdout.write(`  peak RSS ${(peak / 1e6).toFixed(0)} MB (process before the import: ${(baseRss / 1e6).toFixed(0)} MB)\n`);
    const mb = (n: number): string => `${(n / 1e6).toFixed(0)} MB`;
    process.stdout.write(`  at the peak: main heap ${mb(atPeak.heapUsed)} used of ${mb(atPeak.heapTotal)}, external ${mb(atPeak.external)} (the rest: code, native libraries, jieba dictionaries, the classification thread)\n`);
  } finally {
    if (process.env.BENCH_KEEP_DB) process.stdout.write(`kept ${db.url}\n`);
    else await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (!asWorker()) main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
