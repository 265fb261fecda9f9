import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobsService } from '../jobs/jobs.service.js';

export const STATS_JOB = 'reports.item-stats';

/**
 * The per-item conditions behind the figures, one each, over an alias `i` with the item's columns: the live query
 * counts the items meeting them, the roll-up sums the signs of the deltas meeting them.
 */
export const CONDITIONS = {
  n: `true`,
  valid_ratings: `i.rating IS NOT NULL AND i.rating_valid`,
  /** a problem item: classified into a dimension, or a valid bad review */
  problems: `(i.dimension IS NOT NULL AND i.dimension <> 'none') OR (i.rating <= 2 AND i.rating_valid)`,
  good: `i.rating >= 4 AND i.rating_valid`,
  bad: `i.rating <= 2 AND i.rating_valid`,
  bad_rectified: `i.rating <= 2 AND i.rating_valid AND i.answered_at IS NOT NULL`,
  invalid: `i.rating IS NOT NULL AND NOT i.rating_valid`,
  accepted: `i.accepted_at IS NOT NULL`,
  accepted_on_time: `i.accepted_at <= i.accept_due_at`,
  answered: `i.answered_at IS NOT NULL`,
  answered_on_time: `i.answered_at <= i.answer_due_at`,
  callbacks: `i.callback_satisfied IS NOT NULL`,
  satisfied: `i.callback_satisfied`,
} as const;
export const COUNTERS = Object.fromEntries(
  Object.entries(CONDITIONS).map(([k, c]) => [k, `count(*) FILTER (WHERE ${c})`]),
) as Record<keyof typeof CONDITIONS, string>;
const SUMS = Object.fromEntries(
  Object.entries(CONDITIONS).map(([k, c]) => [k, `coalesce(sum(i.sign) FILTER (WHERE ${c}), 0)`]),
) as Record<keyof typeof CONDITIONS, string>;
export type Counter = keyof typeof CONDITIONS;
export const COUNTER_NAMES = Object.keys(CONDITIONS) as Counter[];

/**
 * The day roll-up of the figures (`item_stats`): per China day and unit, the counters in total and by channel,
 * dimension, rating, window and service item. A trigger appends every change to an item that moves a figure to
 * `item_stats_delta` as its old row (-1) and its new row (+1): an append, so writers never wait on each other.
 * `refresh()` folds the deltas in.
 *
 * Why it is exact: one statement deletes the deltas it can see (those of committed changes) and adds their sums to
 * the roll-up; a change still in flight keeps its deltas for the next refresh. Refreshes take an advisory lock, so
 * two copies of the service never fold at once. The cost is proportional to the changes since the last refresh.
 */
@Injectable()
export class ItemStatsService implements OnModuleInit {
  private readonly logger = new Logger(ItemStatsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    // the figures refresh before answering anyway; the job keeps that refresh small
    this.jobs.define({ name: STATS_JOB, policy: 'singleton', cron: '* * * * *', handler: () => this.refresh().then(() => undefined) });
  }

  /** Folds every visible delta into the roll-up; returns how many deltas. */
  async refresh(): Promise<number> {
    const [{ pending }] = await this.ds.query(`SELECT EXISTS (SELECT 1 FROM item_stats_delta) AS pending`);
    if (!pending) return 0;
    const folded = await this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('feedback-hub:item-stats'))`);
      const cols = COUNTER_NAMES.join(', ');
      const [{ n }] = await m.query(
        `WITH i AS (DELETE FROM item_stats_delta RETURNING *),
         up AS (
           INSERT INTO item_stats (day, unit_id, kind, key, ${cols})
           SELECT i.day, i.unit_id,
             CASE WHEN GROUPING(i.channel) = 0 THEN 'channel' WHEN GROUPING(i.dimension) = 0 THEN 'dimension'
                  WHEN GROUPING(i.rating) = 0 THEN 'rating' WHEN GROUPING(i.window_id) = 0 THEN 'window'
                  WHEN GROUPING(i.service_item_id) = 0 THEN 'service_item' ELSE 'all' END,
             CASE WHEN GROUPING(i.channel) = 0 THEN i.channel WHEN GROUPING(i.dimension) = 0 THEN i.dimension
                  WHEN GROUPING(i.rating) = 0 THEN i.rating::text WHEN GROUPING(i.window_id) = 0 THEN i.window_id::text
                  WHEN GROUPING(i.service_item_id) = 0 THEN i.service_item_id::text END,
             ${COUNTER_NAMES.map((c) => `${SUMS[c]}::int`).join(', ')}
           FROM i
           GROUP BY GROUPING SETS ((i.day, i.unit_id), (i.day, i.unit_id, i.channel), (i.day, i.unit_id, i.dimension),
             (i.day, i.unit_id, i.rating), (i.day, i.unit_id, i.window_id), (i.day, i.unit_id, i.service_item_id))
           ON CONFLICT (day, unit_id, kind, key) DO UPDATE SET
             ${COUNTER_NAMES.map((c) => `${c} = item_stats.${c} + EXCLUDED.${c}`).join(', ')}
           RETURNING 1)
         SELECT (SELECT count(*)::int FROM i) AS n`,
      );
      // a group no item is in any more (moved to another unit, say) stays at zero: the figures skip empty groups
      return n as number;
    });
    if (folded > 0) this.logger.debug?.({ deltas: folded }, 'figures updated');
    return folded;
  }
}
