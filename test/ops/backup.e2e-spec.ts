import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findTool, serverMajor } from '../../src/database/backup.js';
import { dumpDatabase, isLogicalDump, restoreDump } from '../../src/database/logical-dump.js';
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

describe("the hub's own backup format (when no pg_dump can read the server)", () => {
  let ctx: TestContext;
  let dir: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    dir = mkdtempSync(path.join(tmpdir(), 'hub-dump-'));
  });
  afterAll(async () => {
    await ctx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round trip: every row of every table, the roll-up as it was, generated columns, identities going on', async () => {
    for (let i = 0; i < 30; i++) await newItem(ctx, { text: `第${i}件：窗口排队时间太长`, contact: { name: '张三', phone: `1390000${String(i).padStart(4, '0')}` }, raw: { bytes: 'x'.repeat(i) } });
    const url = (ctx.ds.options as { url: string }).url;
    const file = path.join(dir, 'hub.jsonl.gz');
    const d = await dumpDatabase(url, file);
    expect(d.rows).toBeGreaterThan(100);
    expect(await isLogicalDump(file)).toBe(true);

    const empty = await createTestDatabase();
    try {
      const r = await restoreDump(empty.url, file);
      expect(r.rows).toBe(d.rows);
      const snapshot = async (u: string) => {
        const c = new pg.Client({ connectionString: u });
        await c.connect();
        try {
          const out: Record<string, unknown> = {};
          const tables = (await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map((x) => x.tablename as string);
          for (const t of tables) out[t] = (await c.query(`SELECT row_to_json(t)::text AS j FROM "${t}" t ORDER BY 1`)).rows.map((x) => x.j);
          return out;
        } finally {
          await c.end();
        }
      };
      const [a, b] = [await snapshot(url), await snapshot(empty.url)];
      expect(Object.keys(b)).toEqual(Object.keys(a));
      for (const t of Object.keys(a)) expect({ t, rows: b[t] }).toEqual({ t, rows: a[t] });
      // a new row after the restore takes the next id
      const c = new pg.Client({ connectionString: empty.url });
      await c.connect();
      const [{ max }] = (await c.query(`SELECT max(id)::int AS max FROM item_event`)).rows;
      const [{ id }] = (await c.query(`INSERT INTO item_event (item_id, actor, kind) SELECT min(id), 'test', 'note' FROM item RETURNING id::int`)).rows;
      await c.end();
      expect(id).toBe(max + 1);
    } finally {
      await empty.drop();
    }
  }, 120_000);
});

describe('backup of the embedded database (npm start with no DATABASE_URL)', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'hub-embedded-backup-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('backs up the embedded PostgreSQL 18 without pg_dump 18 and restores it into another server', async () => {
    const env = { PATH: process.env.PATH ?? '', HUB_DATA_DIR: dir };
    const run = (args: string[], extra: Record<string, string> = {}) =>
      spawnSync(process.execPath, [CLI, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 120_000 });
    // the CLI starts the embedded server, migrates and imports, and stops it again
    const imp = run(['org:import', path.resolve('test/fixtures/org/qinghe.yaml')]);
    // on failure, what the command said is in the message
    expect({ status: imp.status, said: imp.status === 0 ? '' : imp.stderr.slice(-1500) }).toEqual({ status: 0, said: '' });
    expect(imp.stdout).toMatch(/7 units, 3 windows, 2 service items/);
    const file = path.join(dir, 'embedded.backup');
    const b = run(['backup', file]);
    expect({ status: b.status, said: b.status === 0 ? '' : b.stderr.slice(-1500) }).toEqual({ status: 0, said: '' });
    expect(b.stdout).toMatch(/backup written to .* with the hub's own dump/);
    const empty = await createTestDatabase();
    try {
      const r = run(['restore', file], { DATABASE_URL: empty.url });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const c = new pg.Client({ connectionString: empty.url });
      await c.connect();
      const units = (await c.query(`SELECT code FROM unit ORDER BY code`)).rows.map((x) => x.code);
      await c.end();
      expect(units).toHaveLength(7);
    } finally {
      await empty.drop();
    }
    // nothing left running on the data folder
    expect(existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 180_000);
});
