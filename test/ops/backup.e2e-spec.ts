import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findTool, serverMajor } from '../../src/database/backup.js';
import { newItem } from '../support/factories.js';
import { createTestContext, createTestDatabase, type TestContext } from '../support/test-app.js';

/** `npm run cli -- backup` and `restore`, as an operator runs them (the built CLI), against the server the tests use. */
const CLI = path.resolve('dist/cli.js');

describe('backup and restore', () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    dir = mkdtempSync(path.join(tmpdir(), 'hub-backup-'));
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[], url: string) =>
    spawnSync(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, HUB_DATA_DIR: dir, HUB_SECRET: 'backup-test-secret-backup-test-secret-01' },
      encoding: 'utf8',
      timeout: 120_000,
    });

  it('round trip: items created, backup, restore into an empty database, every item present', async () => {
    for (let i = 0; i < 25; i++) await newItem(ctx, { text: `第${i}件：窗口排队时间太长`, contact: { name: '张三', phone: `1380000${String(i).padStart(4, '0')}` } });
    const dbUrl = ctx.ds.options as { url: string };
    const file = path.join(dir, 'hub.dump');
    const b = cli(['backup', file], dbUrl.url);
    expect(b.stderr).toBe('');
    expect(b.status).toBe(0);
    expect(b.stdout).toMatch(/backup written to .*hub\.dump .* with .*pg_dump/);
    expect(statSync(file).size).toBeGreaterThan(1000);

    const empty = await createTestDatabase();
    try {
      const r = cli(['restore', file], empty.url);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const items = async (url: string) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          const q = await c.query(`SELECT id, channel, external_id, text, contact_phone, tracking_code, status, unit_id FROM item ORDER BY id`);
          const ev = await c.query(`SELECT count(*)::int AS n FROM item_event`);
          const mig = await c.query(`SELECT count(*)::int AS n FROM migrations`);
          return { items: q.rows, events: ev.rows[0].n, migrations: mig.rows[0].n };
        } finally {
          await c.end();
        }
      };
      const original = await items(dbUrl.url);
      expect(original.items.length).toBeGreaterThanOrEqual(25);
      expect(await items(empty.url)).toEqual(original);

      // a second restore over a database that has data is refused unless asked to replace it
      const again = cli(['restore', file], empty.url);
      expect(again.status).not.toBe(0);
      expect(again.stderr).toMatch(/not empty .* --replace/);
    } finally {
      await empty.drop();
    }
  }, 180_000);

  it('chooses a pg_dump that can read the server: the same major version, else the oldest newer one', async () => {
    const major = await serverMajor((ctx.ds.options as { url: string }).url);
    expect(findTool('pg_dump', major).major).toBeGreaterThanOrEqual(major);
    expect(() => findTool('pg_dump', 99)).toThrow(/no pg_dump for PostgreSQL 99 or newer .*postgresql-client-99/);
  });
});
