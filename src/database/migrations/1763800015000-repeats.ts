import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One matter, one case (issue 16).
 * - `person_keys`: keyed hashes (HMAC-SHA256 with the hub's secret, truncated) of the person's normalised phone
 *   numbers, mail address and case number; no raw value is indexed. GIN, for "items of this person".
 * - `matter_tokens`: the item's words as sorted 32-bit hashes (jieba tokens, stop words dropped), for the similarity;
 *   `matter_bands`: a MinHash signature of them (GIN) that finds items of other people on the same wording.
 * - `lead_id`: a repeat points at its lead item; it has no deadlines and stays out of the units' queues.
 *   `repeat_evidence`: why it was linked (similarity, what matched, after the lead was closed or not).
 * - `cluster_pending`: waiting for the hot-spot job.
 * - `hot_spot` and `hot_spot_item`: items of different people on one matter.
 */
export class Repeats1763800015000 implements MigrationInterface {
  name = 'Repeats1763800015000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item
      ADD COLUMN person_keys text[] NOT NULL DEFAULT '{}',
      ADD COLUMN matter_tokens integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN matter_bands integer[] NOT NULL DEFAULT '{}',
      ADD COLUMN lead_id bigint REFERENCES item(id) ON DELETE SET NULL,
      ADD COLUMN repeat_evidence jsonb,
      ADD COLUMN cluster_pending boolean NOT NULL DEFAULT false`);
    await q.query(`CREATE INDEX item_person_keys_idx ON item USING gin (person_keys) WITH (fastupdate = off) WHERE person_keys <> '{}'`);
    await q.query(`CREATE INDEX item_matter_bands_idx ON item USING gin (matter_bands) WHERE matter_bands <> '{}'`);
    await q.query(`CREATE INDEX item_lead_idx ON item (lead_id) WHERE lead_id IS NOT NULL`);
    await q.query(`CREATE INDEX item_cluster_pending_idx ON item (id) WHERE cluster_pending`);
    await q.query(`CREATE INDEX item_window_recv_idx ON item (window_id, received_at) WHERE window_id IS NOT NULL`);
    await q.query(`CREATE INDEX item_service_item_recv_idx ON item (service_item_id, received_at) WHERE service_item_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE hot_spot (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        label text NOT NULL,
        words text[] NOT NULL DEFAULT '{}',
        window_id uuid REFERENCES service_window(id),
        service_item_id uuid REFERENCES service_item(id),
        first_at timestamptz NOT NULL,
        last_at timestamptz NOT NULL,
        problem_id bigint REFERENCES problem(id) ON DELETE SET NULL,
        problem_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE hot_spot_item (
        item_id bigint PRIMARY KEY REFERENCES item(id) ON DELETE CASCADE,
        hot_spot_id bigint NOT NULL REFERENCES hot_spot(id) ON DELETE CASCADE,
        similarity real NOT NULL,
        matched jsonb NOT NULL DEFAULT '{}',
        added_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX hot_spot_item_spot_idx ON hot_spot_item (hot_spot_id)`);
    await q.query(`CREATE INDEX hot_spot_last_idx ON hot_spot (last_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hot_spot_item`);
    await q.query(`DROP TABLE hot_spot`);
    await q.query(`DROP INDEX item_service_item_recv_idx`);
    await q.query(`DROP INDEX item_window_recv_idx`);
    await q.query(`ALTER TABLE item DROP COLUMN cluster_pending, DROP COLUMN repeat_evidence, DROP COLUMN lead_id,
      DROP COLUMN matter_bands, DROP COLUMN matter_tokens, DROP COLUMN person_keys`);
  }
}
