import { DataSource, type DataSourceOptions } from 'typeorm';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema.js';
import { ClassificationStore1763800001000 } from './migrations/1763800001000-classification-store.js';
import { QrChannel1763800002000 } from './migrations/1763800002000-qr-channel.js';
import { MailAndImports1763800003000 } from './migrations/1763800003000-mail-and-imports.js';
import { SourceHash1763800005000 } from './migrations/1763800005000-source-hash.js';
import { Workflow1763800004000 } from './migrations/1763800004000-workflow.js';
import { ProblemFiles1763800006000 } from './migrations/1763800006000-problem-files.js';
import { ImportProgress1763800008000 } from './migrations/1763800008000-import-progress.js';
import { CalendarStore1763800010000 } from './migrations/1763800010000-calendar-store.js';
import { Operations1763800011000 } from './migrations/1763800011000-operations.js';
import { AckLimits1763800013000 } from './migrations/1763800013000-ack-limits.js';
import { QrCaseCheck1763800014000 } from './migrations/1763800014000-qr-case-check.js';
import { Repeats1763800015000 } from './migrations/1763800015000-repeats.js';
import { BulkStatsDeltas1763800016000 } from './migrations/1763800016000-bulk-stats-deltas.js';
import { UnitDepartment1763800017000 } from './migrations/1763800017000-unit-department.js';
import { entities } from './entities.js';

export const migrations = [InitialSchema1763800000000, ClassificationStore1763800001000, QrChannel1763800002000, MailAndImports1763800003000, Workflow1763800004000, SourceHash1763800005000, ProblemFiles1763800006000, ImportProgress1763800008000, CalendarStore1763800010000, Operations1763800011000, AckLimits1763800013000, QrCaseCheck1763800014000, Repeats1763800015000, BulkStatsDeltas1763800016000, UnitDepartment1763800017000];

/** Migrations are reviewed SQL, run at start-up; the schema is never synchronised from the entities. */
export function dataSourceOptions(url: string, extra: Partial<DataSourceOptions> = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'all',
    // a stalled pool answers with an error after 10 s instead of hanging
    extra: { max: 10, connectionTimeoutMillis: 10_000, application_name: 'feedback-hub' },
    ...extra,
  } as DataSourceOptions;
}

export async function openDatabase(url: string, poolMax = 10): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url, { extra: { max: poolMax, connectionTimeoutMillis: 10_000, application_name: 'feedback-hub' } }));
  await ds.initialize();
  // Several copies of the hub may start at once against one database: serialise the migrations.
  // The lock is per session, so it is taken and released on one dedicated connection.
  const lock = ds.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('feedback-hub:migrations'))`);
    await ds.runMigrations({ transaction: 'all' });
  } finally {
    await lock.query(`SELECT pg_advisory_unlock(hashtext('feedback-hub:migrations'))`).catch(() => undefined);
    await lock.release();
  }
  return ds;
}
