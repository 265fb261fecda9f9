import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing mail through an outbox written in the same transaction as its cause; the mailbox's checkpoint and a
 * record of every mail seen (idempotent on Message-ID and on UIDVALIDITY+UID); hotline file imports as resumable jobs.
 */
export class MailAndImports1763800003000 implements MigrationInterface {
  name = 'MailAndImports1763800003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        dedupe_key text NOT NULL UNIQUE,
        item_id bigint REFERENCES item(id) ON DELETE SET NULL,
        to_addr text NOT NULL,
        subject text NOT NULL,
        body_text text NOT NULL,
        in_reply_to text,
        message_id text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`
      CREATE TABLE mailbox_state (
        mailbox text PRIMARY KEY,
        uid_validity bigint NOT NULL,
        last_uid bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE mail_message (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        mailbox text NOT NULL,
        uid_validity bigint NOT NULL,
        uid bigint NOT NULL,
        message_id text,
        outcome text NOT NULL CHECK (outcome IN ('item', 'threaded', 'automatic', 'failed', 'duplicate')),
        item_id bigint REFERENCES item(id) ON DELETE SET NULL,
        from_addr text,
        subject text,
        reason text,
        source bytea,
        retries integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mail_message_uid_key UNIQUE (mailbox, uid_validity, uid)
      )`);
    await q.query(`CREATE UNIQUE INDEX mail_message_message_id_idx ON mail_message (message_id) WHERE message_id IS NOT NULL AND outcome <> 'duplicate'`);
    await q.query(`CREATE INDEX mail_message_failed_idx ON mail_message (id) WHERE outcome = 'failed'`);
    await q.query(`
      CREATE TABLE hotline_import (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        file_name text NOT NULL,
        file_path text NOT NULL,
        file_bytes bigint NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
        rows_read integer NOT NULL DEFAULT 0,
        total integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        duplicates integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        rejected jsonb NOT NULL DEFAULT '[]',
        rejected_count integer NOT NULL DEFAULT 0,
        error text,
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE hotline_import`);
    await q.query(`DROP TABLE mail_message`);
    await q.query(`DROP TABLE mailbox_state`);
    await q.query(`DROP TABLE outbox`);
  }
}
