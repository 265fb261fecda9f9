import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';

export interface JobDefinition<T extends object> {
  name: string;
  handler: (data: T, jobId: string) => Promise<void>;
  /** 'singleton': at most one queued and one running at a time, across every copy of the service */
  policy?: 'standard' | 'singleton' | 'stately';
  /** cron (minute granularity, China time) for repeating work */
  cron?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  expireInSeconds?: number;
}

/**
 * Background work on a PostgreSQL-backed queue (pg-boss), on the service's own connection pool: the embedded
 * default and a multi-copy deployment work alike, and each job runs once whichever copy takes it.
 * Features register their jobs at start-up; `send` queues one (after the caller's commit).
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly definitions: JobDefinition<object>[] = [];
  private boss: PgBoss | null = null;

  /** set once the queue has stopped (the data source closes next) */
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  define<T extends object>(def: JobDefinition<T>): void {
    this.definitions.push(def as JobDefinition<object>);
  }

  get running(): boolean {
    return this.boss !== null;
  }

  async send(name: string, data: object = {}, options: PgBoss.SendOptions = {}): Promise<string | null> {
    if (!this.boss) return null;
    return this.boss.send(name, data, options);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.jobs) return;
    const pool = (this.ds.driver as unknown as { master: pg.Pool }).master;
    const boss = new PgBoss({
      // once stopped, a job still running past the graceful wait cannot record its end on a closed pool: pg-boss would
      // reject unhandled; the job is left to expire and run again (every job here is idempotent or resumable)
      // (the pool may also end between the check and the query while the app closes: the same answer then)
      db: {
        executeSql: (text, values) =>
          this.stopped
            ? Promise.resolve(answerWhenClosed(text))
            : pool.query(text, values).catch((e: Error) => {
                if (this.stopped || /after calling end on the pool/.test(e.message)) return answerWhenClosed(text);
                throw e;
              }),
      },
      schema: 'pgboss',
      supervise: true,
      schedule: this.definitions.some((d) => d.cron),
      migrate: true,
    });
    boss.on('error', (e) => this.logger.error({ err: e }, 'job queue error'));
    await boss.start();
    for (const def of this.definitions) {
      await boss.createQueue(def.name, {
        name: def.name,
        policy: def.policy ?? 'standard',
        retryLimit: def.retryLimit ?? 3,
        retryDelay: def.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: def.expireInSeconds ?? 15 * 60,
      });
      await boss.work<object>(def.name, { batchSize: 1, pollingIntervalSeconds: 2 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await def.handler(job.data, job.id);
          } catch (e) {
            // one failing job never stops the others; pg-boss retries it with back-off
            this.logger.error({ err: e, job: def.name, id: job.id }, 'job failed');
            throw e;
          }
        }
      });
      if (def.cron) await boss.schedule(def.name, def.cron, {}, { tz: 'Asia/Shanghai' });
    }
    this.boss = boss;
  }

  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    // graceful: running jobs finish (up to the timeout); the pool is closed by the data source afterwards
    await boss?.stop({ graceful: true, close: false, timeout: 10_000, wait: true }).catch(() => undefined);
    this.stopped = true;
  }
}

/**
 * What a statement pg-boss sends after the pool closed answers: no rows, except that its job commands (complete, fail,
 * cancel…) end in `SELECT COUNT(*) FROM results` and read `rows[0].count` — for them, nothing affected.
 */
export function answerWhenClosed(text: string): { rows: unknown[] } {
  return /SELECT COUNT\(\*\) FROM results\s*$/i.test(text) ? { rows: [{ count: 0 }] } : { rows: [] };
}
