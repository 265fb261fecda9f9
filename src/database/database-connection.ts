import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HubConfig } from '../config/config.js';
import { embeddedPassword } from './embedded-password.js';
import { EmbeddedDatabaseError, embeddedDataDirFor, isAlive, startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  /** stops the embedded server when we started it; releases the lock */
  release(): Promise<void>;
}

/**
 * DATABASE_URL when given; otherwise the embedded server under HUB_DATA_DIR. Only one hub runs on one data folder
 * (hub.pid); a CLI command run beside a running hub connects to that hub's server instead of starting another.
 */
export async function connectDatabase(
  config: HubConfig,
  opts: { role: 'server' | 'cli'; log: (m: string) => void },
): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, release: async () => undefined };
  // a data folder the postgres user cannot reach (root, private parent) lives under /var/lib/feedback-hub instead
  const pgDir = embeddedDataDirFor(path.join(config.dataDir, 'pg'));
  const password = embeddedPassword(config.dataDir);
  const lockFile = path.join(config.dataDir, 'hub.pid');
  const holder = readPid(lockFile);
  if (holder && holder !== process.pid && isAlive(holder)) {
    const port = runningPort(pgDir);
    if (opts.role === 'server' || port === null) {
      throw new EmbeddedDatabaseError(
        `another hub (pid ${holder}) is running with the data in ${config.dataDir}; stop it first, or set HUB_DATA_DIR to another folder`,
      );
    }
    return { url: `postgres://hub:${encodeURIComponent(password)}@127.0.0.1:${port}/hub`, embedded: true, release: async () => undefined };
  }
  writeFileSync(lockFile, `${process.pid}\n`);
  opts.log(`no DATABASE_URL: using the embedded PostgreSQL in ${pgDir}`);
  const db = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'pg'), password, log: opts.log });
  return {
    url: db.url,
    embedded: true,
    release: async () => {
      await db.stop();
      if (readPid(lockFile) === process.pid) rmSync(lockFile, { force: true });
    },
  };
}

function readPid(file: string): number | null {
  if (!existsSync(file)) return null;
  const n = Number.parseInt(readFileSync(file, 'utf8'), 10);
  return Number.isInteger(n) && n > 0 ? n : null;
}


/** The port of a running embedded server, from its postmaster.pid (line 4). */
function runningPort(pgDir: string): number | null {
  const f = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(f)) return null;
  const lines = readFileSync(f, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  return isAlive(pid) && port > 0 ? port : null;
}
