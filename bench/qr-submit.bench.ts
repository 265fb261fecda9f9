/**
 * Load on `POST /q/{token}` (a citizen submitting a rating) beside a baseline in the same run: a bare node:http
 * server inserting the same row into the same database (bench/baseline-server.ts). autocannon, 50 connections.
 *   npm run bench:qr            (needs PostgreSQL: DATABASE_URL, or the server on 127.0.0.1:5432)
 *   BENCH_HUB_BEFORE=/path/to/an/older/checkout npm run bench:qr
 *                               also runs that checkout's built hub (its dist/main.js, started in its own directory)
 *                               on its own database, measured in the same rounds: a before/after in one run
 * Each request carries a fresh signed nonce and its own client address (X-Forwarded-For), as real phones would,
 * so every request stores a new item rather than hitting the duplicate or rate-limit paths.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { openDatabase } from '../src/database/data-source.js';
import { issueNonce, signWindowToken } from '../src/intake/qr/qr-token.js';
import { benchDatabase } from './bench-database.js';

const SECRET = 'bench-secret-bench-secret-bench-secret-0001';
const DURATION = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);


function start(cmd: string[], env: Record<string, string>, readyText: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, cmd, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (b: Buffer) => {
      out += b.toString();
      if (out.includes(readyText)) resolve(p);
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** user + system CPU seconds of each process now (threads included), from /proc; by pid, with its parent and name */
function processes(): Map<number, { ppid: number; name: string; cpu: number }> {
  const out = new Map<number, { ppid: number; name: string; cpu: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const raw = readFileSync(`/proc/${d}/stat`, 'utf8');
      const name = raw.slice(raw.indexOf('(') + 1, raw.lastIndexOf(')'));
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), { ppid: Number(f[1]), name, cpu: (Number(f[11]) + Number(f[12])) / 100 });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds used so far, by pid, of a server (the process and its descendants: the hub's workers and their
 * threads), of the PostgreSQL backends serving the server's database (the server is local; other databases' work
 * and the shared WAL writer and checkpointer are left out)
 * and of this process (autocannon, pid 0). Differences over a run, per request, tell where a request's CPU goes on a
 * shared machine.
 */
type CpuSample = Map<number, { kind: 'server' | 'postgres' | 'load'; cpu: number }>;
async function cpuNow(serverPid: number, backends: () => Promise<Set<number>>): Promise<CpuSample> {
  const serving = await backends();
  const ps = processes();
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; hops++) {
      if (p === serverPid) return true;
      p = ps.get(p)?.ppid ?? 0;
    }
    return false;
  };
  const out: CpuSample = new Map();
  for (const [pid, p] of ps) {
    if (pid === process.pid) continue;
    if (inTree(pid)) out.set(pid, { kind: 'server', cpu: p.cpu });
    else if (serving.has(pid)) out.set(pid, { kind: 'postgres', cpu: p.cpu });
  }
  const own = process.cpuUsage();
  out.set(0, { kind: 'load', cpu: (own.user + own.system) / 1e6 });
  return out;
}

/** CPU seconds by kind between two samples: a process's growth, or all of it if it started in between (one that
 * ended in between is lost: its share is not counted) */
function cpuSpent(a: CpuSample, b: CpuSample): Record<'server' | 'postgres' | 'load', number> {
  const out = { server: 0, postgres: 0, load: 0 };
  for (const [pid, p] of b) out[p.kind] += p.cpu - (a.get(pid)?.cpu ?? 0);
  return out;
}

interface Run {
  result: autocannon.Result;
  /** CPU µs per answered request: the server's processes, PostgreSQL's, the load generator's */
  cpu: { server: number; postgres: number; load: number };
}

async function measured(serverPid: number, backends: () => Promise<Set<number>>, run: () => Promise<autocannon.Result>): Promise<Run> {
  const a = await cpuNow(serverPid, backends);
  const result = await run();
  const spent = cpuSpent(a, await cpuNow(serverPid, backends));
  const n = Math.max(1, result.requests.total);
  const per = (x: number) => (x * 1e6) / n;
  return { result, cpu: { server: per(spent.server), postgres: per(spent.postgres), load: per(spent.load) } };
}

let ipCounter = 0;
const nextIp = () => {
  ipCounter++;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
};

async function load(url: string, duration = DURATION, connections = CONNECTIONS): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration,
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': nextIp() },
          body: new URLSearchParams({
            nonce: issueNonce(SECRET, 'W-A01', Date.now()),
            rating: '2',
            tags: 'wait_long',
            comment: '排队等了一个多小时，窗口只开了两个，希望高峰期多开窗口',
          }).toString(),
        }),
      },
    ],
  });
}

const fmt = ({ result: r, cpu }: Run) =>
  `${Math.round(r.requests.average).toString().padStart(6)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ` +
  `${r['2xx']} ok, ${r.non2xx} other, ${r.errors} errors   CPU/request: server ${Math.round(cpu.server)} µs, PostgreSQL ${Math.round(cpu.postgres)} µs, autocannon ${Math.round(cpu.load)} µs`;

async function main(): Promise<void> {
  const db = await benchDatabase('qr');
  const ds = await openDatabase(db.url);
  await ds.destroy();
  const env = { DATABASE_URL: db.url, HUB_SECRET: SECRET, HUB_ADMIN_PASSWORD: 'bench-admin-pw', LOG_LEVEL: 'warn', DB_POOL_MAX: process.env.DB_POOL_MAX ?? '10', HUB_DATA_DIR: path.join(os.tmpdir(), 'hub-bench') };
  // BENCH_PROFILE=dir: the hub's workers write CPU profiles there (node --cpu-prof) when they stop
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const hub = await start([...profile, 'dist/main.js'], { ...env, PORT: '38181' }, 'ready in');
  const baseline = await start(['dist-bench/bench/baseline-server.js'], { ...env, PORT: '38182' }, 'ready');
  const beforeDir = process.env.BENCH_HUB_BEFORE;
  const beforeDb = beforeDir ? await benchDatabase('qr_before') : null;
  const before = beforeDir && beforeDb ? await start([path.join(beforeDir, 'dist/main.js')], { ...env, DATABASE_URL: beforeDb.url, PORT: '38183' }, 'ready in') : null;
  try {
    const token = signWindowToken(SECRET, 'W-A01', 1);
    process.stdout.write(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, node ${process.version}; ${CONNECTIONS} connections, ${DURATION} s each; database pool ${env.DB_POOL_MAX} connections in both servers\n`);
    // warm both up, then measure; the order alternates so neither always runs on a warmer database
    await autocannon({ url: 'http://127.0.0.1:38182/', connections: 10, duration: 3, requests: [{ method: 'POST', body: `nonce=warm${Date.now()}&rating=5` }] });
    // the hub too: each worker builds its classifier (jieba dictionary, catalogue index) on its first rating
    await load(`http://127.0.0.1:38181/q/${token}`, 3, 10);
    if (before) await load(`http://127.0.0.1:38183/q/${token}`, 3, 10);
    const monitor = new pg.Client({ connectionString: db.url });
    await monitor.connect();
    const serving = (name: string) => async () =>
      new Set(((await monitor.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name])).rows as { pid: number }[]).map((r) => r.pid));
    const mainDb = serving(new URL(db.url).pathname.slice(1));
    const beforeDbName = beforeDb ? serving(new URL(beforeDb.url).pathname.slice(1)) : mainDb;
    const hubUrl = `http://127.0.0.1:38181/q/${token}`;
    const beforeUrl = `http://127.0.0.1:38183/q/${token}`;
    const b1 = await measured(baseline.pid ?? 0, mainDb, () => load('http://127.0.0.1:38182/'));
    const h1 = await measured(hub.pid ?? 0, mainDb, () => load(hubUrl));
    const o1 = before ? await measured(before.pid ?? 0, beforeDbName, () => load(beforeUrl)) : null;
    const o2 = before ? await measured(before.pid ?? 0, beforeDbName, () => load(beforeUrl)) : null;
    const h2 = await measured(hub.pid ?? 0, mainDb, () => load(hubUrl));
    const b2 = await measured(baseline.pid ?? 0, mainDb, () => load('http://127.0.0.1:38182/'));
    await monitor.end();
    const b = Math.max(b1.result.requests.average, b2.result.requests.average);
    const h = Math.max(h1.result.requests.average, h2.result.requests.average);
    process.stdout.write(`baseline (node:http + one INSERT)  run 1: ${fmt(b1)}\n`);
    process.stdout.write(`baseline (node:http + one INSERT)  run 2: ${fmt(b2)}\n`);
    process.stdout.write(`hub POST /q/{token}                run 1: ${fmt(h1)}\n`);
    process.stdout.write(`hub POST /q/{token}                run 2: ${fmt(h2)}\n`);
    if (o1 && o2) {
      process.stdout.write(`hub before (${beforeDir})  run 1: ${fmt(o1)}\n`);
      process.stdout.write(`hub before (${beforeDir})  run 2: ${fmt(o2)}\n`);
      const o = Math.max(o1.result.requests.average, o2.result.requests.average);
      process.stdout.write(`hub before / baseline (best runs): ${(o / b).toFixed(2)}×; its p99 best run ${Math.min(o1.result.latency.p99, o2.result.latency.p99)} ms\n`);
    }
    process.stdout.write(`hub / baseline (best runs): ${(h / b).toFixed(2)}×; hub p99 best run ${Math.min(h1.result.latency.p99, h2.result.latency.p99)} ms\n`);
    const total = (r: Run) => r.cpu.server + r.cpu.postgres + r.cpu.load;
    const cores = os.cpus().length;
    process.stdout.write(
      `CPU per request, all processes (median of the two runs): baseline ${Math.round((total(b1) + total(b2)) / 2)} µs, hub ${Math.round((total(h1) + total(h2)) / 2)} µs` +
        ` — at full use of ${cores} cores that allows ${Math.round((cores * 1e6 * 2) / (total(b1) + total(b2)))} and ${Math.round((cores * 1e6 * 2) / (total(h1) + total(h2)))} req/s\n`,
    );
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM item WHERE routing_reason <> 'baseline'`);
    await c.end();
    const n = rows[0].n as number;
    process.stdout.write(`items stored by the hub: ${n} (its 2xx responses: ${h1.result['2xx'] + h2.result['2xx']})\n`);
  } finally {
    hub.kill('SIGTERM');
    baseline.kill('SIGTERM');
    before?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await db.drop();
    await beforeDb?.drop();
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
