import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unit's work and the office's oversight: workflow state and deadlines on the item, cases (办件) with their step
 * logs, problems (问题) with measures and linked items.
 *
 * `due_at` is the deadline the item is held to now, derived from its status by the database itself (a stored
 * generated column), so intake, the workflow and the jobs can never disagree about it: the accept deadline while it
 * waits for the unit (or triage), the answer deadline while the unit works on it, the callback deadline once answered.
 * The jobs scan it through partial indexes and claim rows with `… AND reminded_at IS NULL RETURNING`; the workflow
 * clears the three marks whenever the deadline the item is held to changes.
 */
export class Workflow1763800004000 implements MigrationInterface {
  name = 'Workflow1763800004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE item
        ADD COLUMN callback_due_at timestamptz,
        ADD COLUMN rectify_due_at timestamptz,
        ADD COLUMN extension_state text NOT NULL DEFAULT 'none'
          CHECK (extension_state IN ('none', 'requested', 'approved', 'refused')),
        ADD COLUMN extension_days integer CHECK (extension_days BETWEEN 1 AND 1000),
        ADD COLUMN appeal_state text NOT NULL DEFAULT 'none' CHECK (appeal_state IN ('none', 'pending', 'upheld', 'rejected')),
        ADD COLUMN return_reason text,
        ADD COLUMN accepted_at timestamptz,
        ADD COLUMN answer_text text,
        ADD COLUMN answered_at timestamptz,
        ADD COLUMN callback_satisfied boolean,
        ADD COLUMN callback_note text,
        ADD COLUMN callback_at timestamptz,
        ADD COLUMN reminded_at timestamptz,
        ADD COLUMN overdue_notified_at timestamptz,
        ADD COLUMN reported_at timestamptz,
        ADD COLUMN due_at timestamptz GENERATED ALWAYS AS (
          CASE
            WHEN status IN ('new', 'assigned', 'returned') THEN accept_due_at
            WHEN status IN ('accepted', 'reopened') THEN answer_due_at
            WHEN status = 'answered' THEN callback_due_at
          END) STORED`);
    // 督办 and 通报: overdue items not yet marked (old overdue items pile up, so these skip the ones already told)
    await q.query(`CREATE INDEX item_overdue_idx ON item (due_at) WHERE overdue_notified_at IS NULL AND due_at IS NOT NULL`);
    await q.query(`CREATE INDEX item_report_idx ON item (due_at) WHERE reported_at IS NULL AND due_at IS NOT NULL`);
    // 催办 (a range of the next days), overdue now (figures, lists, GET /api/reports/overdue); the included columns
    // let the figures count overdue items by status, unit and period from the index alone
    await q.query(`CREATE INDEX item_due_idx ON item (due_at) INCLUDE (status, unit_id, received_at) WHERE due_at IS NOT NULL`);
    await q.query(`CREATE INDEX item_case_no_idx ON item (case_no) WHERE case_no IS NOT NULL`);
    // misroutes per routing rule are counted from the timeline
    await q.query(`CREATE INDEX item_event_kind_idx ON item_event (kind, at)`);

    await q.query(`
      CREATE TABLE case_record (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_no text NOT NULL UNIQUE,
        service_item_code text,
        imported_at timestamptz NOT NULL DEFAULT now(),
        imported_by uuid REFERENCES app_user(id)
      )`);
    await q.query(`
      CREATE TABLE case_step (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        case_id bigint NOT NULL REFERENCES case_record(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        step text NOT NULL,
        unit_text text NOT NULL,
        unit_code text,
        started_at timestamptz NOT NULL,
        ended_at timestamptz,
        result text,
        CONSTRAINT case_step_seq_key UNIQUE (case_id, seq)
      )`);

    await q.query(`
      CREATE TABLE problem (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        title text NOT NULL,
        root_cause text NOT NULL,
        dimension text NOT NULL CHECK (dimension IN ('D1', 'D2', 'D3', 'D4', 'D5')),
        blocked_step text,
        kind text NOT NULL CHECK (kind IN ('immediate', 'deadline', 'ledger')),
        deadline timestamptz,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'rectifying', 'done', 'verified')),
        units text[] NOT NULL CHECK (cardinality(units) > 0),
        evidence text,
        created_by uuid REFERENCES app_user(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz,
        verified_at timestamptz,
        verified_by uuid REFERENCES app_user(id),
        CONSTRAINT problem_deadline_kind CHECK (kind <> 'deadline' OR deadline IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX problem_created_idx ON problem (created_at)`);
    await q.query(`CREATE INDEX problem_units_idx ON problem USING gin (units)`);
    await q.query(`
      CREATE TABLE problem_measure (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        problem_id bigint NOT NULL REFERENCES problem(id) ON DELETE CASCADE,
        text text NOT NULL,
        actor_id uuid REFERENCES app_user(id),
        actor text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX problem_measure_problem_idx ON problem_measure (problem_id, id)`);
    await q.query(`
      CREATE TABLE problem_item (
        problem_id bigint NOT NULL REFERENCES problem(id) ON DELETE CASCADE,
        item_id bigint NOT NULL REFERENCES item(id) ON DELETE CASCADE,
        linked_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (problem_id, item_id)
      )`);
    await q.query(`CREATE INDEX problem_item_item_idx ON problem_item (item_id)`);

    // Figures: per China day and unit, the counters in total and by channel, dimension, rating, window and service
    // item. Every change to an item that moves a figure appends its old row (-1) and its new row (+1) to
    // item_stats_delta (writers never wait on each other); the figures fold the deltas into item_stats before
    // answering (src/reports/item-stats.service.ts).
    await q.query(`
      CREATE TABLE item_stats (
        day date NOT NULL,
        unit_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('all', 'channel', 'dimension', 'rating', 'window', 'service_item')),
        key text,
        n integer NOT NULL,
        valid_ratings integer NOT NULL,
        problems integer NOT NULL,
        good integer NOT NULL,
        bad integer NOT NULL,
        bad_rectified integer NOT NULL,
        invalid integer NOT NULL,
        accepted integer NOT NULL,
        accepted_on_time integer NOT NULL,
        answered integer NOT NULL,
        answered_on_time integer NOT NULL,
        callbacks integer NOT NULL,
        satisfied integer NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX item_stats_key_idx ON item_stats (day, unit_id, kind, key) NULLS NOT DISTINCT`);
    await q.query(`
      CREATE TABLE item_stats_delta (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        sign smallint NOT NULL,
        day date NOT NULL,
        unit_id uuid NOT NULL,
        channel text,
        dimension text,
        rating smallint,
        rating_valid boolean,
        window_id uuid,
        service_item_id uuid,
        accepted_at timestamptz,
        accept_due_at timestamptz,
        answered_at timestamptz,
        answer_due_at timestamptz,
        callback_satisfied boolean
      )`);
    await q.query(`
      CREATE FUNCTION item_stats_delta() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO item_stats_delta (sign, day, unit_id, channel, dimension, rating, rating_valid, window_id,
            service_item_id, accepted_at, accept_due_at, answered_at, answer_due_at, callback_satisfied)
          VALUES (-1, (OLD.received_at AT TIME ZONE 'Asia/Shanghai')::date, OLD.unit_id, OLD.channel, OLD.dimension,
            OLD.rating, OLD.rating_valid, OLD.window_id, OLD.service_item_id, OLD.accepted_at, OLD.accept_due_at,
            OLD.answered_at, OLD.answer_due_at, OLD.callback_satisfied);
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO item_stats_delta (sign, day, unit_id, channel, dimension, rating, rating_valid, window_id,
            service_item_id, accepted_at, accept_due_at, answered_at, answer_due_at, callback_satisfied)
          VALUES (1, (NEW.received_at AT TIME ZONE 'Asia/Shanghai')::date, NEW.unit_id, NEW.channel, NEW.dimension,
            NEW.rating, NEW.rating_valid, NEW.window_id, NEW.service_item_id, NEW.accepted_at, NEW.accept_due_at,
            NEW.answered_at, NEW.answer_due_at, NEW.callback_satisfied);
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER item_stats_insert AFTER INSERT ON item FOR EACH ROW EXECUTE FUNCTION item_stats_delta()`);
    await q.query(`CREATE TRIGGER item_stats_delete AFTER DELETE ON item FOR EACH ROW EXECUTE FUNCTION item_stats_delta()`);
    // only changes that move a figure (not the deadline jobs' marks, not updated_at)
    await q.query(`
      CREATE TRIGGER item_stats_update AFTER UPDATE ON item FOR EACH ROW
      WHEN ((OLD.received_at, OLD.channel, OLD.dimension, OLD.unit_id, OLD.rating, OLD.rating_valid, OLD.window_id,
             OLD.service_item_id, OLD.accepted_at, OLD.accept_due_at, OLD.answered_at, OLD.answer_due_at,
             OLD.callback_satisfied)
        IS DISTINCT FROM (NEW.received_at, NEW.channel, NEW.dimension, NEW.unit_id, NEW.rating, NEW.rating_valid,
             NEW.window_id, NEW.service_item_id, NEW.accepted_at, NEW.accept_due_at, NEW.answered_at, NEW.answer_due_at,
             NEW.callback_satisfied))
      EXECUTE FUNCTION item_stats_delta()`);
    // items already stored count from the first refresh on
    await q.query(`
      INSERT INTO item_stats_delta (sign, day, unit_id, channel, dimension, rating, rating_valid, window_id, service_item_id,
        accepted_at, accept_due_at, answered_at, answer_due_at, callback_satisfied)
      SELECT 1, (received_at AT TIME ZONE 'Asia/Shanghai')::date, unit_id, channel, dimension, rating, rating_valid, window_id,
        service_item_id, accepted_at, accept_due_at, answered_at, answer_due_at, callback_satisfied
      FROM item`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER item_stats_update ON item`);
    await q.query(`DROP TRIGGER item_stats_delete ON item`);
    await q.query(`DROP TRIGGER item_stats_insert ON item`);
    await q.query(`DROP FUNCTION item_stats_delta()`);
    await q.query(`DROP TABLE item_stats_delta`);
    await q.query(`DROP TABLE item_stats`);
    await q.query(`DROP TABLE problem_item`);
    await q.query(`DROP TABLE problem_measure`);
    await q.query(`DROP TABLE problem`);
    await q.query(`DROP TABLE case_step`);
    await q.query(`DROP TABLE case_record`);
    await q.query(`DROP INDEX item_event_kind_idx`);
    await q.query(`DROP INDEX item_case_no_idx`);
    await q.query(`
      ALTER TABLE item
        DROP COLUMN due_at, DROP COLUMN callback_due_at, DROP COLUMN rectify_due_at, DROP COLUMN extension_state,
        DROP COLUMN extension_days, DROP COLUMN appeal_state, DROP COLUMN return_reason, DROP COLUMN accepted_at,
        DROP COLUMN answer_text, DROP COLUMN answered_at, DROP COLUMN callback_satisfied, DROP COLUMN callback_note,
        DROP COLUMN callback_at, DROP COLUMN reminded_at, DROP COLUMN overdue_notified_at, DROP COLUMN reported_at`);
  }
}
