import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.js';

describe('embedded PostgreSQL', () => {
  it('starts, keeps data across a restart, and stops', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'hub-emb-'));
    chmodSync(base, 0o711); // as HUB_DATA_DIR is made: others may pass through, not list
    try {
      const first = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 's3cret' });
      let c = new pg.Client({ connectionString: first.url });
      await c.connect();
      await c.query('create table kept (v text)');
      await c.query("insert into kept values ('still here')");
      await c.end();
      await first.stop();

      const second = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 's3cret' });
      c = new pg.Client({ connectionString: second.url });
      await c.connect();
      const r = await c.query('select v from kept');
      await c.end();
      await second.stop();
      expect(r.rows).toEqual([{ v: 'still here' }]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('test database server', () => {
  it('is announced to test files by the global setup', () => {
    expect(process.env.TEST_PG_ADMIN_URL).toMatch(/^postgres:\/\//);
  });
});

describe('embedded PostgreSQL as root', () => {
  const asRoot = process.getuid?.() === 0;
  const query = async (url: string, sql: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('keeps the data where the postgres user can reach it when the folder is private (a clone under /root)', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'hub-emb-private-')); // mode 0700, like /root
    const fallbackRoot = mkdtempSync(path.join(tmpdir(), 'hub-emb-fallback-'));
    chmodSync(fallbackRoot, 0o755);
    try {
      const first = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 'x', fallbackRoot });
      if (asRoot) expect(first.dataDir.startsWith(path.join(fallbackRoot, 'data'))).toBe(true);
      await query(first.url, `CREATE TABLE kept AS SELECT 'still here'::text AS v`);
      await first.stop();
      const second = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 'x', fallbackRoot });
      expect(second.dataDir).toBe(first.dataDir);
      expect(await query(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'still here' }]);
      await second.stop();
    } finally {
      rmSync(base, { recursive: true, force: true });
      rmSync(fallbackRoot, { recursive: true, force: true });
    }
  });

  it('runs the server from a copy of its binaries when the checkout itself is out of reach', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'hub-emb-reloc-'));
    chmodSync(base, 0o711);
    const fallbackRoot = mkdtempSync(path.join(tmpdir(), 'hub-emb-bin-'));
    chmodSync(fallbackRoot, 0o755);
    try {
      const db = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 'y', fallbackRoot, forceRelocate: true });
      if (asRoot) expect(readdirSync(fallbackRoot).some((n) => n.startsWith('postgres-'))).toBe(true);
      expect(await query(db.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await db.stop();
      // and again, on the same data
      const again = await startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 'y', fallbackRoot, forceRelocate: true });
      expect(await query(again.url, 'SELECT current_database() AS db')).toEqual([{ db: 'hub' }]);
      await again.stop();
    } finally {
      rmSync(base, { recursive: true, force: true });
      rmSync(fallbackRoot, { recursive: true, force: true });
    }
  });
});
