import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Running it for real (issue 15): the last known state of the outside servers (mailbox, SMTP) that every copy's
 * readiness and metrics read; the audit of who opened unmasked personal data; and the mark on an item whose
 * personal data was erased (retention or a person's request), so erasure runs once and says when.
 */
export class Operations1763800011000 implements MigrationInterface {
  name = 'Operations1763800011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE component_state (
        name text PRIMARY KEY CHECK (name IN ('mailbox', 'smtp')),
        ok boolean NOT NULL,
        at timestamptz NOT NULL,
        last_ok_at timestamptz,
        detail text
      )`);
    await q.query(`
      CREATE TABLE personal_data_access (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_id uuid REFERENCES app_user(id),
        actor text NOT NULL,
        role text NOT NULL,
        action text NOT NULL CHECK (action IN ('item_view', 'items_export', 'person_export', 'person_erase', 'retention_erase')),
        item_ids bigint[] NOT NULL DEFAULT '{}',
        subject text,
        detail jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX personal_data_access_at_idx ON personal_data_access (at DESC, id DESC)`);
    await q.query(`ALTER TABLE item ADD COLUMN personal_data_erased_at timestamptz`);
    // the retention job's search: closed items not yet erased, oldest first
    await q.query(`CREATE INDEX item_retention_idx ON item (closed_at) WHERE status = 'closed' AND personal_data_erased_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX item_retention_idx`);
    await q.query(`ALTER TABLE item DROP COLUMN personal_data_erased_at`);
    await q.query(`DROP TABLE personal_data_access`);
    await q.query(`DROP TABLE component_state`);
  }
}
