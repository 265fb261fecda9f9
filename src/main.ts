import 'reflect-metadata';
import cluster from 'node:cluster';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createApp } from './app.factory.js';
import { seed } from './bootstrap.js';
import { ConfigError, ensureDataDir, loadConfig, type HubConfig } from './config/config.js';
import { openDatabase } from './database/data-source.js';
import { connectDatabase, type DatabaseHandle } from './database/database-connection.js';
import { EmbeddedDatabaseError } from './database/embedded-postgres.js';
import { supervise, type WorkerMessage } from './supervisor.js';

const say = (msg: string): void => void process.stdout.write(`[hub] ${msg}\n`);

async function main(): Promise<void> {
  const t0 = performance.now();
  let config: HubConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`[hub] cannot start: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  ensureDataDir(config.dataDir);
  // a worker of the supervisor is told the database by it (DATABASE_URL): it never starts the embedded server itself
  const worker = cluster.isWorker;

  const db = await connectDatabase(config, {
    role: 'server',
    log: (line) => {
      if (/^(no DATABASE_URL|stopping|the postgres user|creating the system user|initialising)/.test(line) || config.logLevel === 'debug') say(line);
    },
  });

  if (!worker && config.workers > 1) {
    // HUB_WORKERS > 1 (a worker per core by default): this process only supervises; the embedded database (if any)
    // is started above, once, and stopped by it after every worker has stopped
    return supervise({ config, db, t0, say, onBeforeExit: () => releaseDb(db) });
  }
  await serve(config, db, t0, worker);
}

async function releaseDb(db: DatabaseHandle): Promise<void> {
  if (!db.embedded) return;
  await db.release().catch(() => undefined);
  say('embedded PostgreSQL stopped');
}

/** One hub process serving HTTP: the whole hub (HUB_WORKERS=1), or one worker of the supervisor. */
async function serve(config: HubConfig, db: DatabaseHandle, t0: number, worker: boolean): Promise<void> {
  let ds: DataSource | null = null;
  let app: INestApplication | null = null;
  let stopping = false;
  const stop = async (signal: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (!worker) say(`${signal}: stopping`);
    await app?.close().catch(() => undefined);
    if (ds?.isInitialized) await ds.destroy().catch(() => undefined);
    if (!worker) await releaseDb(db);
    process.exit(code);
  };
  // main owns shutdown: embedded-postgres installs an exit hook that calls process.exit() as soon as its own hooks are
  // done, which would cut our orderly stop (app, then database) short
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // a worker whose supervisor is gone (killed) stops too, rather than serving on alone
  if (worker) process.once('disconnect', () => void stop('supervisor gone'));

  ds = await openDatabase(db.url, config.dbPoolMax);
  app = await createApp({ config, dataSource: ds });
  const report = await seed(app, config);
  if (report.catalogImported) {
    const c = report.catalogImported;
    say(`imported the catalogue ${config.catalogPath}: ${c.units} units, ${c.windows} windows, ${c.items} service items`);
  }
  if (report.admin.generatedPassword) {
    say(`created the account "admin" with the password: ${report.admin.generatedPassword}`);
    say('(shown this once; set HUB_ADMIN_PASSWORD to reset it)');
  } else if (report.admin.reset) {
    say('reset the password of "admin" from HUB_ADMIN_PASSWORD');
  }
  try {
    await app.listen(config.port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`[hub] port ${config.port} is in use by another program: stop it, or set PORT to a free port\n`);
      await stop('start-up failed', 1);
    }
    throw e;
  }
  const base = config.publicUrl;
  const lines = [
    `  console:  ${base}/console   (sign in as "admin"${report.admin.generatedPassword ? ' with the password above' : ''})`,
    `  API docs: ${base}/api/docs`,
    `  health:   ${base}/health/ready   metrics: ${base}/metrics${config.metricsToken ? ' (bearer token)' : ''}`,
  ];
  if (worker) {
    const m: WorkerMessage = { type: 'hub:ready', lines };
    process.send?.(m);
    return;
  }
  say(`ready in ${((performance.now() - t0) / 1000).toFixed(1)} s at http://localhost:${config.port}`);
  for (const l of lines) say(l);
}

main().catch((e: unknown) => {
  const msg = e instanceof EmbeddedDatabaseError || e instanceof ConfigError ? e.message : (e as Error)?.stack ?? String(e);
  process.stderr.write(`[hub] cannot start: ${msg}\n`);
  process.exit(1);
});
