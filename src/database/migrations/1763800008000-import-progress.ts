import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far a 12345 import has read (0–1), committed with each batch, so a progress bar polled from any copy of the
 * hub moves, not only one polled from the copy running the import.
 */
export class ImportProgress1763800008000 implements MigrationInterface {
  name = 'ImportProgress1763800008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hotline_import ADD COLUMN progress real CHECK (progress BETWEEN 0 AND 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE hotline_import DROP COLUMN progress`);
  }
}
