import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The working-day calendar in the store, so the office can enter next year's holidays and make-up working days when
 * the State Council publishes them, without a release; the shipped config/calendar files seed the years they cover.
 * `version` moves on every write so every copy of the hub sees the change.
 *
 * Each item also keeps the basis of its deadlines (from which instant, how many working days), so deadlines already
 * set can be counted again on a new calendar exactly as they were first counted.
 */
export class CalendarStore1763800010000 implements MigrationInterface {
  name = 'CalendarStore1763800010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE calendar_version_seq`);
    await q.query(`
      CREATE TABLE calendar_year (
        year int PRIMARY KEY CHECK (year BETWEEN 1990 AND 2200),
        document text NOT NULL,
        source text,
        origin text NOT NULL CHECK (origin IN ('file', 'entered')),
        holidays int NOT NULL,
        workdays int NOT NULL,
        entered_by text,
        entered_at timestamptz NOT NULL,
        version bigint NOT NULL DEFAULT nextval('calendar_version_seq')
      )`);
    await q.query(`ALTER TABLE item ADD COLUMN deadline_basis jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE item DROP COLUMN deadline_basis`);
    await q.query(`DROP TABLE calendar_year`);
    await q.query(`DROP SEQUENCE calendar_version_seq`);
  }
}
