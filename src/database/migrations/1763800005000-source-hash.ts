import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A fingerprint of what a channel sent for an item, so a re-sent but changed record (a hotline order) is noticed. */
export class SourceHash1763800005000 implements MigrationInterface {
  name = 'SourceHash1763800005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item ADD COLUMN source_hash text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item DROP COLUMN source_hash`);
  }
}
