import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A unit may say which kind of department it is (`department` in the catalogue: tax, real_estate_registration, …,
 * the types of config/routing/duties). Empty means the router infers the type from the unit's name, aliases and the
 * items it holds.
 */
export class UnitDepartment1763800017000 implements MigrationInterface {
  name = 'UnitDepartment1763800017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE unit ADD COLUMN department text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE unit DROP COLUMN department`);
  }
}
