import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * QR ratings that give the same case number at the same window are no longer folded into the first (issue 13): each
 * is its own item, and the pair is flagged for the office (`case_check = 'shared'`), which verifies the real one
 * ('verified'; the others 'rejected', their rating no longer counted). The index finds the other ratings of a case.
 */
export class QrCaseCheck1763800014000 implements MigrationInterface {
  name = 'QrCaseCheck1763800014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item ADD COLUMN case_check text CHECK (case_check IN ('shared', 'verified', 'rejected'))`);
    await q.query(`CREATE INDEX item_qr_case_idx ON item (window_id, case_no) WHERE channel = 'qr' AND case_no IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX item_qr_case_idx`);
    await q.query(`ALTER TABLE item DROP COLUMN case_check`);
  }
}
