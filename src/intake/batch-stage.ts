// A batch of prepared items travels to PostgreSQL as COPY text into a session-local staging table, and one
// INSERT … SELECT writes the items, their first timeline entries and the notices from it (IntakeService.storeBatch).
// Why (issue 14): the batch used to be one JSON document parsed by jsonb_to_recordset; building it cost the hub an
// object and a JSON string per row, and pg measured the whole string again before sending it. COPY text is one escape
// pass per field, and an encoded batch waits for its write as one buffer outside the JS heap, not as hundreds of objects
// the garbage collector copies while other batches are read and classified. Pure: no I/O.

/** The staging table's columns in COPY order, with their types (what IntakeService.encodeBatch writes, field by field). */
export const STAGE_COLUMNS: readonly (readonly [string, string])[] = [
  ['ord', 'int'],
  ['actor_id', 'uuid'],
  ['actor', 'text'],
  ['accept_due_at', 'timestamptz'],
  ['answer_due_at', 'timestamptz'],
  ['callback_due_at', 'timestamptz'],
  ['rectify_due_at', 'timestamptz'],
  ['channel', 'text'],
  ['external_id', 'text'],
  ['received_at', 'timestamptz'],
  ['subject', 'text'],
  ['text', 'text'],
  ['rating', 'smallint'],
  ['tags', 'text[]'],
  ['appeal_type', 'text'],
  ['source', 'text'],
  ['case_no', 'text'],
  ['window_id', 'uuid'],
  ['service_item_id', 'uuid'],
  ['contact_name', 'text'],
  ['contact_phone', 'text'],
  ['contact_email', 'text'],
  ['raw', 'jsonb'],
  ['dimension', 'text'],
  ['secondary', 'text[]'],
  ['misconduct', 'boolean'],
  // numeric, not real: the 'classified' timeline entry shows the number exactly as the classifier gave it (as the
  // JSON did); the item's real column takes it by the same text-to-real conversion as before
  ['confidence', 'numeric'],
  ['evidence', 'jsonb'],
  ['unit_id', 'uuid'],
  ['supervision_unit_id', 'uuid'],
  ['routing_reason', 'text'],
  ['routing_rule', 'text'],
  ['status', 'text'],
  ['tracking_code', 'text'],
  ['source_hash', 'text'],
  ['deadline_basis', 'jsonb'],
  // the codes the 'routed' timeline entry names (the item keeps the units' ids)
  ['unit_code', 'text'],
  ['supervision_code', 'text'],
  ['notice_to', 'text'],
  ['notice_subject', 'text'],
  ['notice_text', 'text'],
  ['person_keys', 'text[]'],
  ['matter_tokens', 'int[]'],
  ['matter_bands', 'int[]'],
  ['cluster_pending', 'boolean'],
];

/**
 * Created once per database session (a pooled connection keeps it), emptied at every commit, and emptied first in
 * case a transaction stages twice. A rolled-back transaction that created it takes it away: the next one creates it again.
 * A staged row (the item with its notice and timeline data) is often over 2 kB, where PostgreSQL tries to compress its
 * largest values before storing; the rows live until the commit, so toast_tuple_target lets them be stored as they are.
 */
export const STAGE_PREPARE = `CREATE TEMP TABLE IF NOT EXISTS intake_stage (${STAGE_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')}) WITH (toast_tuple_target = 8160) ON COMMIT DELETE ROWS;
  DELETE FROM intake_stage`;

export const STAGE_COPY = `COPY intake_stage (${STAGE_COLUMNS.map(([c]) => c).join(', ')}) FROM STDIN`;

/** The first timeline entries' data, built from the staged columns (jsonb: the same values the JSON carried). */
export const STAGED_EVENT_DATA = {
  received: `jsonb_build_object('channel', src.channel, 'externalId', src.external_id, 'source', src.source)`,
  classified: `jsonb_build_object('dimension', src.dimension, 'secondary', src.secondary, 'misconduct', src.misconduct, 'confidence', src.confidence)`,
  routed: `jsonb_build_object('unit', src.unit_code, 'supervisionUnit', src.supervision_code, 'rule', src.routing_rule, 'reason', src.routing_reason, 'status', src.status)`,
};

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPED: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const ARRAY_SPECIAL = /[\\"]/g;

/** Fields shorter than this are gathered into one string and written together (a write call costs more than a copy). */
const SHORT = 256;

/**
 * Writes a batch's rows in COPY's text format, UTF-8, straight into one growing buffer: a row costs no string of its
 * own (an import's garbage collector had to copy and promote those), only its short fields are joined before they
 * are written. Rows are written field by field in STAGE_COLUMNS order; `end()` closes a row.
 */
export class CopyWriter {
  private buf: Buffer;
  private at = 0;
  /** short fields not yet written, each after its separator */
  private pending = '';
  private first = true;

  constructor(expectedBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(1024, expectedBytes));
  }

  /** Room for `bytes` more, growing by doubling. */
  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.at + bytes));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  private write(s: string): void {
    this.room(s.length * 3);
    this.at += this.buf.write(s, this.at, 'utf8');
  }

  /** Text as it is, known to need no escaping (digits, uuids, ISO times, codes this service makes). */
  plain(s: string): this {
    const field = this.first ? s : `\t${s}`;
    this.first = false;
    if (s.length < SHORT) this.pending += field;
    else {
      if (this.pending) this.write(this.pending);
      this.pending = '';
      this.write(field);
    }
    return this;
  }

  /**
   * A text field: backslash, tab and line breaks escaped. A lone UTF-16 surrogate cannot be stored: the JSON the batch
   * used to travel as made PostgreSQL refuse the whole batch, and so does this (UTF-8 would replace it silently).
   */
  text(s: string): this {
    if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) {
      throw new Error('intake: a batch holds text with a lone UTF-16 surrogate, which is not valid Unicode');
    }
    return this.plain(SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPED[c]) : s);
  }

  /** A nullable text field. */
  nullable(s: string | null | undefined): this {
    return s === null || s === undefined ? this.plain(COPY_NULL) : this.text(s);
  }

  /** A jsonb field from its JSON text ('null' is SQL NULL, as jsonb_to_recordset made it). JSON has no raw tab or line break. */
  jsonText(json: string | undefined): this {
    if (json === undefined || json === 'null') return this.plain(COPY_NULL);
    return this.plain(json.includes('\\') ? json.replace(/\\/g, '\\\\') : json);
  }

  /** A jsonb field: the JSON text of a value; null and a missing value are SQL NULL. */
  json(v: unknown): this {
    return v === null || v === undefined ? this.plain(COPY_NULL) : this.jsonText(JSON.stringify(v));
  }

  /** A number field (JSON's rule: a number that is not finite is null). */
  number(n: number | null | undefined): this {
    return this.plain(typeof n === 'number' && Number.isFinite(n) ? String(n) : COPY_NULL);
  }

  bool(b: boolean | null | undefined): this {
    return this.plain(b === null || b === undefined ? COPY_NULL : b ? 't' : 'f');
  }

  /** A text[] field: every element quoted, so commas, braces, spaces and the word NULL stay text. */
  textArray(items: readonly string[] | null | undefined): this {
    if (!items) return this.plain(COPY_NULL);
    if (!items.length) return this.plain('{}');
    let s = '{';
    for (let i = 0; i < items.length; i++) s += `${i ? ',' : ''}"${items[i].replace(ARRAY_SPECIAL, '\\$&')}"`;
    return this.text(`${s}}`);
  }

  /** An int[] field. */
  intArray(items: readonly number[] | null | undefined): this {
    return this.plain(items ? `{${items.join(',')}}` : COPY_NULL);
  }

  /** Ends a row. */
  end(): void {
    this.write(`${this.pending}\n`);
    this.pending = '';
    this.first = true;
  }

  /** The rows written, in a buffer of their own size (the batch may wait a while for its turn). */
  done(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }
}

/** COPY text's NULL. */
export const COPY_NULL = '\\N';
