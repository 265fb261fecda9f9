import type { MigrationInterface, QueryRunner } from 'typeorm';

/** QR ratings: a key version per window (revoking printed codes), rating validity, and rate-limit counters. */
export class QrChannel1763800002000 implements MigrationInterface {
  name = 'QrChannel1763800002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE service_window ADD COLUMN qr_version integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE item ADD COLUMN rating_valid boolean NOT NULL DEFAULT true`);
    await q.query(`
      CREATE TABLE rate_counter (
        key text NOT NULL,
        bucket timestamptz NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (key, bucket)
      )`);
    await q.query(`CREATE INDEX rate_counter_bucket_idx ON rate_counter (bucket)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_counter`);
    await q.query(`ALTER TABLE item DROP COLUMN rating_valid`);
    await q.query(`ALTER TABLE service_window DROP COLUMN qr_version`);
  }
}
