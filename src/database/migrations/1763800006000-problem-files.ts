import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Evidence files of a problem (整改佐证: photos, PDFs, office documents), kept in PostgreSQL so one store serves the
 * embedded default and several copies of the hub alike; and the office's refusal at verification (验收不通过), which
 * sends a problem back to its unit with the reason.
 */
export class ProblemFiles1763800006000 implements MigrationInterface {
  name = 'ProblemFiles1763800006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE problem_file (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        problem_id bigint NOT NULL REFERENCES problem(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        content_type text NOT NULL,
        size integer NOT NULL CHECK (size > 0 AND size <= 10485760),
        data bytea NOT NULL,
        uploaded_by uuid REFERENCES app_user(id),
        uploader text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now()
      )`);
    // photos and PDFs are compressed already: store them out of line without trying again
    await q.query(`ALTER TABLE problem_file ALTER COLUMN data SET STORAGE EXTERNAL`);
    await q.query(`CREATE INDEX problem_file_problem_idx ON problem_file (problem_id, id)`);
    await q.query(`
      ALTER TABLE problem
        ADD COLUMN return_reason text,
        ADD COLUMN returned_at timestamptz,
        ADD COLUMN returned_by uuid REFERENCES app_user(id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE problem DROP COLUMN returned_by, DROP COLUMN returned_at, DROP COLUMN return_reason`);
    await q.query(`DROP TABLE problem_file`);
  }
}
