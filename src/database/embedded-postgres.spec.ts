import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
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
  it('names the folder and what to do when the server user cannot reach the data (root only; else it starts)', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'hub-emb-private-')); // mode 0700
    try {
      const start = startEmbeddedPostgres({ dataDir: path.join(base, 'pg'), password: 'x' });
      if (process.getuid?.() === 0) {
        await expect(start).rejects.toThrow(/cannot reach the data folder .*HUB_DATA_DIR.*DATABASE_URL/);
      } else {
        await (await start).stop(); // an ordinary user runs the server itself and owns the folder
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
