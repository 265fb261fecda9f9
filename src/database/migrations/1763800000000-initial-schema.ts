import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The spine: organisation catalogue, accounts, items with their timeline. */
export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE unit (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        aliases text[] NOT NULL DEFAULT '{}',
        parent_id uuid REFERENCES unit(id),
        level text NOT NULL,
        role text CHECK (role IN ('triage', 'supervision')),
        email text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX unit_parent_idx ON unit (parent_id)`);
    await q.query(`
      CREATE TABLE service_window (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        unit_id uuid NOT NULL REFERENCES unit(id),
        name text NOT NULL,
        location text,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE service_item (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        aliases text[] NOT NULL DEFAULT '{}',
        unit_id uuid NOT NULL REFERENCES unit(id),
        steps jsonb NOT NULL DEFAULT '[]',
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        username text NOT NULL,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'supervisor', 'operator', 'unit_staff')),
        unit_id uuid REFERENCES unit(id),
        active boolean NOT NULL DEFAULT true,
        token_version integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_unit_staff_has_unit CHECK (role <> 'unit_staff' OR unit_id IS NOT NULL)
      )`);
    await q.query(`CREATE UNIQUE INDEX app_user_username_idx ON app_user (lower(username))`);
    await q.query(`
      CREATE TABLE login_failure (
        key text PRIMARY KEY,
        failures integer NOT NULL,
        last_failure_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE item (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        channel text NOT NULL,
        external_id text NOT NULL,
        received_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        subject text,
        text text NOT NULL,
        rating smallint CHECK (rating BETWEEN 1 AND 5),
        tags text[] NOT NULL DEFAULT '{}',
        appeal_type text,
        source text,
        case_no text,
        window_id uuid REFERENCES service_window(id),
        service_item_id uuid REFERENCES service_item(id),
        contact_name text,
        contact_phone text,
        contact_email text,
        raw jsonb NOT NULL,
        dimension text CHECK (dimension IN ('D1', 'D2', 'D3', 'D4', 'D5', 'none')),
        secondary text[] NOT NULL DEFAULT '{}',
        misconduct boolean NOT NULL DEFAULT false,
        confidence real,
        evidence jsonb NOT NULL DEFAULT '[]',
        unit_id uuid NOT NULL REFERENCES unit(id),
        supervision_unit_id uuid REFERENCES unit(id),
        routing_reason text NOT NULL,
        routing_rule text NOT NULL,
        status text NOT NULL CHECK (status IN ('new', 'assigned', 'accepted', 'answered', 'closed', 'returned', 'reopened')),
        accept_due_at timestamptz,
        answer_due_at timestamptz,
        closed_at timestamptz,
        tracking_code text NOT NULL UNIQUE,
        created_by uuid REFERENCES app_user(id),
        CONSTRAINT item_channel_external_id_key UNIQUE (channel, external_id)
      )`);
    await q.query(`CREATE INDEX item_unit_status_idx ON item (unit_id, status, received_at DESC)`);
    await q.query(`CREATE INDEX item_received_idx ON item (received_at DESC, id DESC)`);
    await q.query(`CREATE INDEX item_supervision_idx ON item (supervision_unit_id) WHERE supervision_unit_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE item_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        item_id bigint NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id uuid REFERENCES app_user(id),
        actor text NOT NULL,
        kind text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX item_event_item_idx ON item_event (item_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE item_event`);
    await q.query(`DROP TABLE item`);
    await q.query(`DROP TABLE login_failure`);
    await q.query(`DROP TABLE app_user`);
    await q.query(`DROP TABLE service_item`);
    await q.query(`DROP TABLE service_window`);
    await q.query(`DROP TABLE unit`);
  }
}
