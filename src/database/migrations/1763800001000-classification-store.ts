import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff corrections kept as labels (they train the next model), and trained models kept in the store so every copy
 * of the service picks up a retrained model without a restart.
 */
export class ClassificationStore1763800001000 implements MigrationInterface {
  name = 'ClassificationStore1763800001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE item_label (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item_id bigint NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('classification', 'routing')),
        text text NOT NULL,
        dimension text CHECK (dimension IN ('D1', 'D2', 'D3', 'D4', 'D5', 'none')),
        secondary text[] NOT NULL DEFAULT '{}',
        misconduct boolean,
        unit_code text,
        actor_id uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX item_label_item_idx ON item_label (item_id, kind, id DESC)`);
    await q.query(`
      CREATE TABLE classifier_model (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('classifier', 'router')),
        model jsonb NOT NULL,
        rows integer NOT NULL,
        trained_at timestamptz NOT NULL DEFAULT now(),
        trained_by text NOT NULL
      )`);
    await q.query(`CREATE INDEX classifier_model_kind_idx ON classifier_model (kind, id DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE classifier_model`);
    await q.query(`DROP TABLE item_label`);
  }
}
