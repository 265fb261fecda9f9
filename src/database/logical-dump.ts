import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions, migrations } from './data-source.js';

/**
 * The hub's own backup format, for when no pg_dump can read the server (the embedded PostgreSQL 18: its npm package
 * ships no client tools). Gzipped JSON lines: a header naming the migrations the schema was at, then each table's
 * rows as `row_to_json`, read in one REPEATABLE READ snapshot (consistent while the hub runs). A restore builds the
 * schema from this build's migrations up to that point, loads the rows with triggers and foreign-key checks off
 * (the day roll-up is restored as it was, not recounted), sets the identity sequences, then runs any later migration.
 * The job queue (schema `pgboss`) is not kept: pg-boss recreates it and the schedules are registered at start.
 */
export const FORMAT = 'feedback-hub-dump';
const FETCH = 2000;
const INSERT_BATCH = 1000;

interface Header {
  format: typeof FORMAT;
  version: 1;
  migrations: string[];
  serverVersion: string;
  tables: string[];
}

export class DumpError extends Error {}

/** Tables of the schema `public`, but the migrations bookkeeping (a restore makes its own). */
async function tables(c: pg.ClientBase): Promise<string[]> {
  const r = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'migrations' ORDER BY tablename`);
  return r.rows.map((x: { tablename: string }) => x.tablename);
}

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export async function dumpDatabase(url: string, file: string): Promise<{ bytes: number; rows: number }> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const gz = createGzip();
  const out = createWriteStream(file, { mode: 0o600 });
  gz.pipe(out);
  const write = async (obj: unknown): Promise<void> => {
    if (!gz.write(JSON.stringify(obj) + '\n')) await once(gz, 'drain');
  };
  let rows = 0;
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const names = await tables(c);
    const hasMigrations = (await c.query(`SELECT to_regclass('public.migrations') IS NOT NULL AS ok`)).rows[0].ok as boolean;
    const applied = hasMigrations ? (await c.query(`SELECT name FROM migrations ORDER BY id`)).rows.map((r: { name: string }) => r.name) : [];
    const [{ v }] = (await c.query(`SELECT current_setting('server_version') AS v`)).rows;
    const header: Header = { format: FORMAT, version: 1, migrations: applied, serverVersion: v, tables: names };
    await write(header);
    for (const t of names) {
      await write({ table: t });
      await c.query(`DECLARE dump_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${ident(t)} t`);
      for (;;) {
        const batch = await c.query(`FETCH ${FETCH} FROM dump_rows`);
        for (const r of batch.rows as { j: string }[]) {
          if (!gz.write(r.j + '\n')) await once(gz, 'drain');
          rows++;
        }
        if (batch.rows.length < FETCH) break;
      }
      await c.query('CLOSE dump_rows');
    }
    await write({ end: true, rows });
    await c.query('COMMIT');
  } finally {
    await c.end();
    gz.end();
    await once(out, 'finish');
  }
  return { bytes: statSync(file).size, rows };
}

export async function isLogicalDump(file: string): Promise<boolean> {
  const s = createReadStream(file, { start: 0, end: 1 });
  const [chunk] = (await s.toArray()) as Buffer[];
  return chunk?.[0] === 0x1f && chunk?.[1] === 0x8b;
}

/** Loads a dump into an empty database (the caller checks it is empty). */
export async function restoreDump(url: string, file: string): Promise<{ rows: number }> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  const header = (first.done ? null : JSON.parse(first.value)) as Header | null;
  if (!header || header.format !== FORMAT) throw new DumpError(`${file} is not a feedback-hub backup`);
  const known = migrations.map((m) => new m().name as string);
  const upTo = header.migrations.length;
  if (header.migrations.some((n, i) => known[i] !== n)) {
    throw new DumpError(`the backup's schema (${header.migrations.at(-1)}) is not one this version of the hub knows: restore it with the version that made it`);
  }
  // the schema as it was when the backup was taken
  const ds = new DataSource(dataSourceOptions(url, { migrations: migrations.slice(0, upTo) }));
  await ds.initialize();
  await ds.runMigrations({ transaction: 'all' });
  await ds.destroy();

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let rows = 0;
  try {
    await c.query('BEGIN');
    // no triggers (the roll-up is restored as it was) and no foreign-key checks until the end: needs a superuser
    await c.query(`SET LOCAL session_replication_role = replica`).catch(() => {
      throw new DumpError('restoring this format needs a superuser connection (to load rows with triggers off)');
    });
    let table: string | null = null;
    let columns: string[] = [];
    let batch: string[] = [];
    let batchBytes = 0;
    const flush = async (): Promise<void> => {
      if (!table || !batch.length) return;
      const cols = columns.map(ident).join(', ');
      await c.query(
        `INSERT INTO ${ident(table)} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM json_populate_recordset(NULL::${ident(table)}, $1::json)`,
        [`[${batch.join(',')}]`],
      );
      rows += batch.length;
      batch = [];
      batchBytes = 0;
    };
    for (let next = await it.next(); !next.done; next = await it.next()) {
      const line = next.value;
      if (line.startsWith('{"table":')) {
        await flush();
        table = (JSON.parse(line) as { table: string }).table;
        // the columns a row can set: not dropped, not generated (computed again from the others)
        const r = await c.query(
          `SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum`,
          [`public.${ident(table)}`],
        );
        columns = r.rows.map((x: { attname: string }) => x.attname);
        continue;
      }
      if (line.startsWith('{"end":')) break;
      batch.push(line);
      batchBytes += line.length;
      // rows may be large (evidence files are stored in the database): batches are bounded by size too
      if (batch.length >= INSERT_BATCH || batchBytes >= 16 * 1024 * 1024) await flush();
    }
    await flush();
    // identity columns go on from the largest restored id
    const seqs = await c.query(
      `SELECT c.relname AS t, a.attname AS col FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND a.attidentity <> '' AND NOT a.attisdropped`,
    );
    for (const s of seqs.rows as { t: string; col: string }[]) {
      await c.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(${ident(s.col)}) FROM ${ident(s.t)}), 0) + 1, false)`,
        [`public.${ident(s.t)}`, s.col],
      );
    }
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
  // migrations newer than the backup bring the data forward
  const rest = new DataSource(dataSourceOptions(url));
  await rest.initialize();
  await rest.runMigrations({ transaction: 'all' });
  await rest.destroy();
  return { rows };
}
