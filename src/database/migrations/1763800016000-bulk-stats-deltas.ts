import type { MigrationInterface, QueryRunner } from 'typeorm';

const COLS = `sign, day, unit_id, channel, dimension, rating, rating_valid, window_id, service_item_id, accepted_at, accept_due_at,
  answered_at, answer_due_at, callback_satisfied`;

/**
 * The reports' roll-up deltas of new items are written once per statement instead of once per row (issue 14): a
 * 500-row import batch appended its 500 deltas through 500 trigger calls; now one INSERT … SELECT over the
 * statement's new rows (a transition table) writes the same rows. Updates and deletes keep their row triggers.
 */
export class BulkStatsDeltas1763800016000 implements MigrationInterface {
  name = 'BulkStatsDeltas1763800016000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION item_stats_delta_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO item_stats_delta (${COLS})
        SELECT 1, (n.received_at AT TIME ZONE 'Asia/Shanghai')::date, n.unit_id, n.channel, n.dimension, n.rating,
          n.rating_valid, n.window_id, n.service_item_id, n.accepted_at, n.accept_due_at, n.answered_at, n.answer_due_at,
          n.callback_satisfied
        FROM inserted_items n;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER item_stats_insert ON item`);
    await q.query(
      `CREATE TRIGGER item_stats_insert AFTER INSERT ON item REFERENCING NEW TABLE AS inserted_items FOR EACH STATEMENT EXECUTE FUNCTION item_stats_delta_inserted()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER item_stats_insert ON item`);
    await q.query(`DROP FUNCTION item_stats_delta_inserted()`);
    await q.query(`CREATE TRIGGER item_stats_insert AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION item_stats_delta()`);
  }
}
