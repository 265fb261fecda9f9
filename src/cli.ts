import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { BackupError, backupDatabase, restoreDatabase } from './database/backup.js';
import { PersonalDataService } from './privacy/personal-data.service.js';
import type { INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { DomainError } from './common/domain-error.js';
import { ConfigError, ensureDataDir, loadConfig } from './config/config.js';
import { openDatabase } from './database/data-source.js';
import { connectDatabase } from './database/database-connection.js';
import { ClassificationService, CLASSIFICATION_DIR } from './classification/classification.service.js';
import { evaluateFiles, loadModel, readLabelledJsonl, trainSeed } from './classification/seed.js';
import { loadLexicon } from './classification/lexicon.js';
import { loadCatalogYaml } from './routing/catalog-yaml.js';
import { accuracy, fitRanker, gatherGroups, rankerJson } from './routing/ranker-train.js';
import { RANKER_PATH, type RankerGroup } from './routing/ranker.js';
import { CatalogImportService } from './org/catalog-import.service.js';
import { HotlineImportService } from './intake/hotline/hotline-import.service.js';
import type { Actor } from './auth/actor.js';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, SAMPLE_CATALOG } from './config/config.js';
import { CalendarStore } from './workflow/calendar-store.service.js';

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
  'calendar:import': {
    usage: 'calendar:import <year.yaml> [--recount]   enter a year of the working-day calendar (format of config/calendar); --recount counts open items\' deadlines again',
    run: async (app, args) => {
      const file = args.find((a) => !a.startsWith('--'));
      const text = readInput(file, 'calendar:import');
      const m = /^\s*year:\s*(\d{4})\s*$/m.exec(text) ?? /(\d{4})\.ya?ml$/.exec(file ?? '');
      if (!m) throw new UsageError('calendar:import: the file must say its year (year: 2027) or be named <year>.yaml');
      const year = Number(m[1]);
      const actor: Actor = { id: null, username: 'cli', role: 'admin', unitId: null };
      const store = app.get(CalendarStore);
      const s = await store.save(year, text, actor);
      out(`calendar ${year} entered: ${s.holidays} days off, ${s.workdays} make-up working days${s.source ? ` (${s.source})` : ''}`);
      if (args.includes('--recount')) {
        const r = await store.recount(year, actor);
        out(`deadlines counted again: ${r.checked} open items looked at, ${r.changed} changed (each on its timeline)`);
      } else {
        out(`open items keep their deadlines until counted again: npm run cli -- calendar:recount ${year}`);
      }
      return 0;
    },
  },
  'calendar:recount': {
    usage: 'calendar:recount <year>               count the deadlines of open items again on the calendar in the store',
    run: async (app, [y]) => {
      if (!y || !/^\d{4}$/.test(y)) throw new UsageError('calendar:recount needs a year, e.g. 2027');
      const r = await app.get(CalendarStore).recount(Number(y), { id: null, username: 'cli', role: 'admin', unitId: null });
      out(`deadlines counted again: ${r.checked} open items looked at, ${r.changed} changed (each on its timeline)`);
      return 0;
    },
  },
  'hotline:import': {
    usage: 'hotline:import <export.csv|xlsx>        import a 12345 work-order export (progress shown; resumable)',
    run: async (app, [file]) => {
      readInput(file, 'hotline:import'); // says plainly when the file is missing
      const imports = app.get(HotlineImportService);
      const actor: Actor = { id: null, username: 'cli', role: 'operator', unitId: null };
      const started = performance.now();
      let id: string | null = null;
      const show = async (): Promise<void> => {
        const [row] = id ? [await imports.status(id)] : [];
        if (!row) return;
        const secs = (performance.now() - started) / 1000;
        const rate = row.rowsRead / Math.max(secs, 0.001);
        const width = 30;
        const filled = row.status === 'done' ? width : Math.min(width - 1, Math.floor((row.rowsRead % 10_000) / (10_000 / width)));
        process.stderr.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${row.rowsRead.toLocaleString('en-US')} rows  ` +
            `${row.created} new, ${row.duplicates} duplicates, ${row.updated} updated, ${row.rejectedCount} rejected  ${Math.round(rate)} rows/s   `,
        );
      };
      const timer = setInterval(() => void show(), 500);
      try {
        id = await imports.start({ path: file as string, originalName: path.basename(file as string), copy: true }, actor, { inline: true });
      } finally {
        clearInterval(timer);
      }
      await show();
      process.stderr.write('\n');
      const s = await imports.status(id);
      if (s.status === 'failed') {
        err(`the file could not be read: ${s.error}`);
        return 1;
      }
      out(JSON.stringify({ total: s.total, created: s.created, duplicates: s.duplicates, updated: s.updated, rejected: s.rejected }, null, 2));
      return 0;
    },
  },
  'retention:run': {
    usage: 'retention:run [months]                 erase names, phones and mail addresses of items closed more than HUB_PERSONAL_DATA_MONTHS (or months) ago',
    run: async (app, [months]) => {
      const m = months === undefined ? undefined : Number(months);
      if (m !== undefined && !(Number.isInteger(m) && m >= 1)) throw new UsageError('retention:run: months must be a whole number of 1 or more');
      const r = await app.get(PersonalDataService).runRetention(CLI_ADMIN, m);
      out(`erased the personal data of ${r.erased} items closed before ${r.cutoff} (${r.months} months)`);
      return 0;
    },
  },
  'personal:export': {
    usage: 'personal:export <phone|email> [file]   one person\'s data (items, timeline, mails) as JSON, to the file or stdout; audited',
    run: async (app, [person, file]) => {
      if (!person) throw new UsageError('personal:export needs a phone number or a mail address');
      const r = await app.get(PersonalDataService).exportPerson(CLI_ADMIN, person);
      const json = JSON.stringify(r, null, 2);
      if (file) {
        writeFileSync(file, json + '\n', { mode: 0o600 });
        err(`${r.items.length} items and ${r.mails.length} mails written to ${file}`);
      } else out(json);
      return 0;
    },
  },
  'personal:erase': {
    usage: 'personal:erase <phone|email>            erase one person\'s name, phone number and mail address everywhere; audited',
    run: async (app, [person]) => {
      if (!person) throw new UsageError('personal:erase needs a phone number or a mail address');
      const r = await app.get(PersonalDataService).erasePerson(CLI_ADMIN, person);
      out(`erased from ${r.items} items and ${r.mails} other mails`);
      return 0;
    },
  },
  train: {
    usage: 'train                                retrain the classifier and the learned router from the store (corrections included)',
    run: async (app) => {
      const r = await app.get(ClassificationService).retrain('cli');
      out(`trained on ${r.rows} labelled rows (${r.labels} corrections from the store), router on ${r.routingRows} routings`);
      out(`models ${r.modelId} (classifier) and ${r.routerId} (router) are live; running copies switch within seconds`);
      return 0;
    },
  },
};

/** The command line acts as an administrator of the machine: its audit entries say so. */
const CLI_ADMIN: Actor = { id: null, username: 'cli', role: 'admin', unitId: null };

/** Commands on the database itself, with no application opened (a restore needs an empty database). */
const DATABASE: Record<string, { usage: string; run: (url: string, args: string[]) => Promise<number> }> = {
  backup: {
    usage: 'backup <file>                        pg_dump of the database (custom format) to the file',
    run: async (url, [file]) => {
      if (!file) throw new UsageError('backup needs a file to write');
      const r = await backupDatabase(url, file);
      if (r.note) err(r.note);
      out(`backup written to ${file} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB) with ${r.tool?.path ?? "the hub's own dump"}`);
      return 0;
    },
  },
  restore: {
    usage: 'restore <file> [--replace]           pg_restore into an empty database (--replace: over the existing one; stop the hub first)',
    run: async (url, args) => {
      const file = args.find((a) => !a.startsWith('--'));
      if (!file) throw new UsageError('restore needs a backup file');
      const r = await restoreDatabase(url, file, { replace: args.includes('--replace') });
      out(`restored ${file} with ${r.tool?.path ?? "the hub's own restore"}`);
      return 0;
    },
  },
};

// the seed model learns from the shipped rows and from the tuning sets' rows (their dimensions, flags and junk; their
// units belong to other catalogues and teach no routing); the held-out sets never
const TUNING_DIR = path.resolve('test/fixtures/routing-tuning');
const jsonlIn = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f)) : []);
const trainingFiles = (): string[] => [...jsonlIn(path.join(CLASSIFICATION_DIR, 'training')), ...jsonlIn(TUNING_DIR)];

/** Commands that need no database. */
const OFFLINE: Record<string, { usage: string; run: (args: string[]) => number }> = {
  'train:seed': {
    usage: 'train:seed                           rebuild config/classification/model.json from config/classification/training/*.jsonl and the tuning sets (test/fixtures/routing-tuning)',
    run: () => {
      // names of every catalogue the rows were written against, so they are masked as entities
      // (the tuning sets' rows are training rows too: their catalogues' names are masked the same way)
      const extraCatalog = path.resolve('test/fixtures/classification/other-county.yaml');
      const tuningCatalogs = existsSync(TUNING_DIR) ? readdirSync(TUNING_DIR).filter((f) => f.endsWith('.yaml')).map((f) => path.join(TUNING_DIR, f)) : [];
      const r = trainSeed({
        trainingFiles: trainingFiles(),
        catalogFiles: [SAMPLE_CATALOG, ...(existsSync(extraCatalog) ? [extraCatalog] : []), ...tuningCatalogs],
        lexiconPath: path.join(CLASSIFICATION_DIR, 'lexicon.yaml'),
        outPath: path.join(CLASSIFICATION_DIR, 'model.json'),
      });
      out(`trained the seed model on ${r.rows} rows: ${(r.bytes / 1024).toFixed(0)} KiB written to config/classification/model.json`);
      return 0;
    },
  },
  'train:ranker': {
    usage: 'train:ranker [--cv] [--l2 0.01] [--text-l2 0.001] [--min-words 3] [--iterations 400]   rebuild config/routing/ranker.json (the evidence weigher) from the tuning sets\' routings; --cv leaves one set out at a time and writes nothing',
    run: (args) => {
      const opt = (name: string): string | undefined => {
        const i = args.indexOf(`--${name}`);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
      const model = loadModel(path.join(CLASSIFICATION_DIR, 'model.json'));
      const baseRows = trainingFiles().flatMap(readLabelledJsonl);
      const baseCatalog = loadCatalogYaml(SAMPLE_CATALOG);
      const train = { l2: Number(opt('l2') ?? 0.01), iterations: Number(opt('iterations') ?? 400), textL2: Number(opt('text-l2') ?? 0.001), minWordCount: Number(opt('min-words') ?? 3) };
      const sets = jsonlIn(TUNING_DIR)
        .sort()
        .map((file) => {
          const stem = path.basename(file, '.jsonl');
          const yaml = path.join(TUNING_DIR, `${stem}.yaml`);
          const set = { name: stem, rows: readLabelledJsonl(file), catalog: loadCatalogYaml(existsSync(yaml) ? yaml : SAMPLE_CATALOG) };
          return { name: stem, ...gatherGroups(set, { lexicon, model, baseRows, baseCatalog }) };
        });
      const all: RankerGroup[] = sets.flatMap((s) => s.groups);
      if (args.includes('--cv')) {
        const pct = (a: number, b: number): string => `${((a / Math.max(1, b)) * 100).toFixed(1)}%`;
        let [routed, hand, learned] = [0, 0, 0];
        out('set                      text-routed   hand weights   ranker (trained on the other sets)');
        for (const s of sets) {
          const fit = fitRanker(all.filter((g) => g.set !== s.name), train);
          const h = s.groups.filter((g) => g.hand).length;
          const l = Math.round(accuracy(s.groups, fit) * s.groups.length);
          routed += s.routed;
          hand += h;
          learned += l;
          out(`${s.name.padEnd(24)} ${String(s.routed).padStart(11)}   ${pct(h, s.routed).padStart(12)}   ${pct(l, s.routed).padStart(12)}`);
        }
        out(`${'all'.padEnd(24)} ${String(routed).padStart(11)}   ${pct(hand, routed).padStart(12)}   ${pct(learned, routed).padStart(12)}`);
        return 0;
      }
      const fit = fitRanker(all, train);
      const unreachable = sets.reduce((a, s) => a + s.unreachable, 0);
      const json = rankerJson(fit, { sets: sets.map((s) => s.name), groups: all.length, unreachable, ...train });
      writeFileSync(RANKER_PATH, `${JSON.stringify(json, null, 2)}\n`);
      out(`trained the ranker on ${all.length} routings of ${sets.length} tuning sets (${unreachable} more had their unit among no candidate), written to config/routing/ranker.json`);
      return 0;
    },
  },
  eval: {
    usage:
      'eval [<labelled.jsonl> [--catalog <org.yaml>] [--folds 5] [--held-out] [--mistakes N]]   precision/recall/F1, confusion, routing per rule and channel, calibration, misconduct and junk P/R; without a file, the standard suite (dev by cross-validation, the held-out and tuning sets as held-out)',
    run: (args) => {
      const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.match(/^--(catalog|folds|mistakes)$/));
      const opt = (name: string): string | undefined => {
        const i = args.indexOf(`--${name}`);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const lexiconPath = path.join(CLASSIFICATION_DIR, 'lexicon.yaml');
      const modelPath = path.join(CLASSIFICATION_DIR, 'model.json');
      const mistakes = Number(opt('mistakes') ?? 40);
      if (file) {
        const { report } = evaluateFiles({
          labelledPath: file,
          catalogPath: opt('catalog') ?? SAMPLE_CATALOG,
          lexiconPath,
          // the shipped training rows join every fold; rows also being scored are left out of them
          baseTrainingFiles: trainingFiles(),
          baseCatalogPath: SAMPLE_CATALOG,
          folds: Number(opt('folds') ?? 5),
          ...(args.includes('--held-out') ? { modelPath } : {}),
          mistakes,
        });
        out(report);
        return 0;
      }
      const suite = evalSuite();
      if (!suite.length) throw new UsageError('eval: no labelled sets found');
      const summary: string[] = ['set                                  rows  routing  text-only  macro-F1  misconduct P/R   junk P/R'];
      for (const s of suite) {
        const { result: r, report } = evaluateFiles({
          labelledPath: s.file,
          catalogPath: s.catalog,
          lexiconPath,
          baseTrainingFiles: trainingFiles(),
          baseCatalogPath: SAMPLE_CATALOG,
          ...(s.heldOut ? { modelPath } : { folds: 5 }),
          mistakes,
        });
        const how = !s.heldOut
          ? '5-fold cross-validation'
          : s.name.startsWith('tuning')
            ? 'tuning: shipped model, trained on these rows (dimension, flag and junk figures are training figures), routing memory of the shipped rows'
            : 'held-out: shipped model, routing memory of the shipped rows';
        out(`\n=== ${s.name} (${how}) ===\n${report}`);
        const p = (v: number): string => `${(v * 100).toFixed(1)}%`;
        summary.push(
          `${s.name.padEnd(36)} ${String(r.rows).padStart(4)}  ${p(r.routing.accuracy).padStart(7)}  ${p(r.routing.textOnly.count ? r.routing.textOnly.correct / r.routing.textOnly.count : 0).padStart(9)}  ${p(r.macroF1).padStart(8)}  ${`${p(r.misconduct.precision)}/${p(r.misconduct.recall)}`.padStart(14)}  ${`${p(r.junk.precision)}/${p(r.junk.recall)}`.padStart(12)}`,
        );
      }
      out(`\n${summary.join('\n')}`);
      return 0;
    },
  },
};

/** The labelled sets `eval` runs without arguments: name, rows, catalogue, and whether they are held out. */
function evalSuite(): Array<{ name: string; file: string; catalog: string; heldOut: boolean }> {
  const root = PROJECT_ROOT;
  const sets: Array<{ name: string; file: string; catalog: string; heldOut: boolean }> = [];
  const dev = path.resolve(root, '../shared/data/feedback/dev.jsonl');
  if (existsSync(dev)) sets.push({ name: 'dev (anping)', file: dev, catalog: SAMPLE_CATALOG, heldOut: false });
  const fixtures = path.join(root, 'test', 'fixtures');
  for (const [folder, kind] of [['routing-heldout', 'held-out'], ['routing-tuning', 'tuning']] as const) {
    const dir = path.join(fixtures, folder);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
      const stem = f.replace(/\.jsonl$/, '');
      const catalog = existsSync(path.join(dir, `${stem}.yaml`)) ? path.join(dir, `${stem}.yaml`) : SAMPLE_CATALOG;
      sets.push({ name: `${kind}: ${stem}`, file: path.join(dir, f), catalog, heldOut: true });
    }
  }
  const other = path.join(fixtures, 'classification', 'other-county.jsonl');
  if (existsSync(other)) sets.push({ name: 'other county (qinghe)', file: other, catalog: path.join(fixtures, 'classification', 'other-county.yaml'), heldOut: true });
  return sets;
}

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
  if (name && OFFLINE[name]) return OFFLINE[name].run(args);
  if (name && DATABASE[name]) {
    const config = loadConfig();
    ensureDataDir(config.dataDir);
    const db = await connectDatabase(config, { role: 'cli', log: (m) => err(m) });
    try {
      return await DATABASE[name].run(db.url, args);
    } finally {
      await db.release();
    }
  }
  const all = { ...Object.fromEntries(Object.entries(COMMANDS).map(([k, v]) => [k, v.run])), ...extra };
  if (!name || !all[name]) {
    err('usage: npm run cli -- <command> [args]\n');
    for (const c of [...Object.values(COMMANDS), ...Object.values(DATABASE), ...Object.values(OFFLINE)]) err(`  ${c.usage}`);
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
      } else if (e instanceof ConfigError || e instanceof UsageError || e instanceof BackupError) err(e.message);
      else err((e as Error)?.stack ?? String(e));
      process.exit(1);
    },
  );
}
