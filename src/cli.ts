import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { DomainError } from './common/domain-error.js';
import { ConfigError, ensureDataDir, loadConfig } from './config/config.js';
import { openDatabase } from './database/data-source.js';
import { connectDatabase } from './database/database-connection.js';
import { CatalogImportService } from './org/catalog-import.service.js';

/**
 * `npm run cli -- <command> [args]`: the same services as the HTTP API, against DATABASE_URL or the embedded
 * database (a running hub's, when there is one).
 */
type Command = (app: INestApplication, args: string[]) => Promise<number>;

const COMMANDS: Record<string, { usage: string; run: Command }> = {
  'org:import': {
    usage: 'org:import <catalogue.yaml|json>   import or update the organisation catalogue (all or nothing)',
    run: async (app, [file]) => {
      const r = await app.get(CatalogImportService).importText(readInput(file, 'org:import'));
      out(`imported ${file}: ${r.units} units, ${r.windows} windows, ${r.items} service items`);
      out(`changes: ${r.changes.created} created, ${r.changes.updated} updated, ${r.changes.deactivated} deactivated, ${r.changes.reactivated} reactivated`);
      for (const w of r.warnings) out(`warning: ${w}`);
      return 0;
    },
  },
};

class UsageError extends Error {}

function readInput(file: string | undefined, command: string): string {
  if (!file) throw new UsageError(`${command} needs a file`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}
const out = (s: string): void => void process.stdout.write(`${s}\n`);
const err = (s: string): void => void process.stderr.write(`${s}\n`);

export async function runCli(argv: string[], extra: Record<string, Command> = {}): Promise<number> {
  const [name, ...args] = argv;
  const all = { ...Object.fromEntries(Object.entries(COMMANDS).map(([k, v]) => [k, v.run])), ...extra };
  if (!name || !all[name]) {
    err('usage: npm run cli -- <command> [args]\n');
    for (const c of Object.values(COMMANDS)) err(`  ${c.usage}`);
    return name ? 2 : 0;
  }
  const config = loadConfig();
  ensureDataDir(config.dataDir);
  const db = await connectDatabase(config, { role: 'cli', log: (m) => err(m) });
  const ds = await openDatabase(db.url);
  const app = await createApp({ config: { ...config, logLevel: 'warn' }, dataSource: ds, quiet: true });
  await app.init();
  try {
    return await all[name](app, args);
  } finally {
    await app.close();
    if (ds.isInitialized) await ds.destroy();
    await db.release();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof DomainError) {
        err(`${e.message}`);
        const problems = (e.details as { problems?: string[] } | undefined)?.problems ?? [];
        for (const p of problems) err(`  - ${p}`);
      } else if (e instanceof ConfigError || e instanceof UsageError) err(e.message);
      else err((e as Error)?.stack ?? String(e));
      process.exit(1);
    },
  );
}
