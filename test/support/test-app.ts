import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { INestApplication, Provider } from '@nestjs/common';
import pg from 'pg';
import request from 'supertest';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { AuthService } from '../../src/auth/auth.service.js';
import type { Role } from '../../src/auth/user.entity.js';
import { Clock } from '../../src/common/clock.js';
import { loadConfig, type HubConfig } from '../../src/config/config.js';
import { openDatabase } from '../../src/database/data-source.js';
import { CatalogImportService } from '../../src/org/catalog-import.service.js';

export const SHARED = path.resolve(process.cwd(), '..', 'shared');
export const SAMPLE_CATALOG_TEXT = (): string => readFileSync(path.join(SHARED, 'data/org/anping.yaml'), 'utf8');
export const ADMIN_PASSWORD = 'admin-test-password';

/** A database of its own for one test file, on the real server the global setup found, with migrations applied. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_PG_ADMIN_URL;
  if (!admin) throw new Error('TEST_PG_ADMIN_URL is not set: run the tests through `npm test`');
  const name = `hub_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

export interface TestContext {
  app: INestApplication;
  ds: DataSource;
  config: HubConfig;
  /** the hub's clock: tests that care about time set it (`ctx.clock.set('2026-11-03T09:00:00+08:00')`) */
  clock: Clock;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
  /** a signed-in user of the given role (unit_staff needs a unit code) */
  login: (role: Role, unit?: string) => Promise<string>;
  adminToken: () => Promise<string>;
  newUser: (opts: { role: Role; unit?: string; username?: string; password?: string }) => Promise<{ username: string; password: string }>;
}

export async function createTestContext(
  opts: { catalog?: string | null; env?: Record<string, string>; assessor?: Provider; logStream?: Writable } = {},
): Promise<TestContext> {
  const db = await createTestDatabase();
  const config = loadConfig({
    HUB_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'hub-data-')),
    HUB_SECRET: 'test-secret-test-secret-test-secret-0123',
    HUB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const ds = await openDatabase(db.url);
  const app = await createApp({ config, dataSource: ds, quiet: true, assessor: opts.assessor, logStream: opts.logStream });
  const clock = app.get(Clock);
  startTestClock(clock);
  await app.init();
  await app.get(AuthService).ensureAdmin();
  const catalog = opts.catalog === undefined ? SAMPLE_CATALOG_TEXT() : opts.catalog;
  if (catalog) await app.get(CatalogImportService).importText(catalog);
  const server = app.getHttpServer();
  let counter = 0;
  const tokens = new Map<string, string>();
  const ctx: TestContext = {
    app,
    ds,
    config,
    clock,
    http: () => request(server),
    close: async () => {
      await app.close();
      if (ds.isInitialized) await ds.destroy();
      await db.drop();
    },
    newUser: async ({ role, unit, username, password }) => {
      const u = username ?? `${role}${++counter}${unit ? `_${unit}` : ''}`.toLowerCase();
      const p = password ?? `pw-${u}-secret`;
      await app.get(AuthService).createUser({ username: u, password: p, role, unit });
      return { username: u, password: p };
    },
    adminToken: async () => {
      const r = await request(server).post('/api/auth/login').send({ username: 'admin', password: ADMIN_PASSWORD });
      return r.body.token as string;
    },
    login: async (role, unit) => {
      const key = `${role}:${unit ?? ''}`;
      const cached = tokens.get(key);
      if (cached) return cached;
      const { username, password } = await ctx.newUser({ role, unit });
      const r = await request(server).post('/api/auth/login').send({ username, password });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
      tokens.set(key, r.body.token);
      return r.body.token as string;
    },
  };
  return ctx;
}

/**
 * `HUB_TEST_NOW=2027-01-04T09:00:00+08:00 npm test` runs every test app as if it were that instant (the clock then
 * runs on from there), so the suite can be proved to hold on another date. Tests that care about the time set it
 * themselves; this only moves "now" for those that do not.
 */
export function startTestClock(clock: Clock): void {
  const at = process.env.HUB_TEST_NOW;
  if (!at) return;
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`HUB_TEST_NOW is not an instant: ${at}`);
  clock.set(ms);
}
