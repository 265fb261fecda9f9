import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts of mail acknowledgements per sender address and per sender domain in a time window, so a forged `From:`
 * cannot make the hub mail any address from the government domain (issue 13). Apart from rate_counter, which the
 * QR channel empties after ten minutes.
 */
export class AckLimits1763800013000 implements MigrationInterface {
  name = 'AckLimits1763800013000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ack_counter (
        key text NOT NULL,
        bucket timestamptz NOT NULL,
        n integer NOT NULL,
        PRIMARY KEY (key, bucket)
      )`);
    await q.query(`CREATE INDEX ack_counter_bucket_idx ON ack_counter (bucket)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ack_counter`);
  }
}
