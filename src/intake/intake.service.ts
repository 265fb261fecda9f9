import { Injectable, Logger } from '@nestjs/common';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { initialStatus } from './initial-status.js';
import { ItemAssessor, type Assessment, type IntakeDraft, type IntakeResult } from './intake.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';

export interface IntakeOptions {
  /**
   * Flood control: count this submission under `key` (e.g. address + window) and store nothing past `perMinute` in
   * the current minute. Counted in the database, so every copy of the service shares the count.
   */
  admission?: { key: string; perMinute: number };
}

export interface BatchResult {
  externalId: string;
  id: number;
  created: boolean;
  trackingCode: string;
  /** for a row that was not written: the fingerprint stored with the existing item */
  previousHash: string | null;
}

/**
 * A batch as `storeBatch` writes it (encodeBatch): the rows' COPY text in one buffer outside the JS heap, and per row
 * only what the answers need — a file import holds a few of these while earlier batches are written.
 */
export interface EncodedBatch {
  n: number;
  payload: Buffer;
  channels: string[];
  externalIds: string[];
  hashes: (string | null)[];
  /** dimension, misconduct and routing rule of each row: the received-items metric */
  assessed: [dimension: string | null, misconduct: boolean, rule: string][];
}

export interface PreparedItem {
  draft: IntakeDraft;
  snap: CatalogSnapshot;
  windowId: string | null;
  a: Assessment;
  /** the text's matter tokens and bands (repeats), when a classification thread already computed them */
  matter?: MatterColumns;
}
import { newTrackingCode } from './tracking-code.js';
import { preparedQuery } from '../database/prepared.js';
import { OutboxService } from '../notification/outbox.service.js';
import { DeadlinesService, type DeadlineBasis } from '../workflow/deadlines.service.js';
import { CHANNEL_NAMES } from '../items/item.types.js';
import { Clock } from '../common/clock.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { RepeatsService, type RepeatColumns } from '../repeats/repeats.service.js';
import type { MatterColumns } from '../repeats/matter.js';
import { GroupCommit, type GroupAnswer } from './group-commit.js';
import { CopyWriter, STAGE_COPY, STAGE_PREPARE, STAGED_EVENT_DATA } from './batch-stage.js';

export const MAX_TEXT = 100_000;

/** One item as a row of a multi-row write (`jsonb_to_recordset`): the columns `itemRow` fills. */
const ROW_RECORD = `ord int, actor_id uuid, actor text, accept_due_at timestamptz, answer_due_at timestamptz, callback_due_at timestamptz,
  rectify_due_at timestamptz, channel text, external_id text, received_at timestamptz, subject text, text text, rating smallint,
  tags text[], appeal_type text, source text, case_no text, window_id uuid, service_item_id uuid,
  contact_name text, contact_phone text, contact_email text, raw jsonb, dimension text, secondary text[],
  misconduct boolean, confidence real, evidence jsonb, unit_id uuid, supervision_unit_id uuid,
  routing_reason text, routing_rule text, status text, tracking_code text, source_hash text, deadline_basis jsonb,
  ev_received jsonb, ev_classified jsonb, ev_routed jsonb, notice_to text, notice_subject text, notice_text text,
  person_keys text[], matter_tokens int[], matter_bands int[], cluster_pending boolean`;

/** The item insert of a multi-row write, selecting from a CTE's rows (`at`: the parameter holding the time of writing). */
const insertItems = (at: string): string => `INSERT INTO item (channel, external_id, received_at, subject, text, rating, tags, appeal_type, source, case_no,
    window_id, service_item_id, contact_name, contact_phone, contact_email, raw, dimension, secondary, misconduct,
    confidence, evidence, unit_id, supervision_unit_id, routing_reason, routing_rule, status, tracking_code,
    created_by, closed_at, source_hash, accept_due_at, answer_due_at, callback_due_at, rectify_due_at, created_at, deadline_basis,
    person_keys, matter_tokens, matter_bands, cluster_pending)
  SELECT channel, external_id, received_at, subject, text, rating, tags, appeal_type, source, case_no, window_id,
    service_item_id, contact_name, contact_phone, contact_email, raw, dimension, secondary, misconduct, confidence,
    evidence, unit_id, supervision_unit_id, routing_reason, routing_rule, status, tracking_code, actor_id,
    CASE WHEN status = 'closed' THEN ${at}::timestamptz END, source_hash, accept_due_at, answer_due_at, callback_due_at, rectify_due_at,
    ${at}::timestamptz, deadline_basis, person_keys, matter_tokens, matter_bands, cluster_pending`;

/**
 * The first timeline entries and the unit's notice of each inserted row (CTEs `ins` and `src`; `at` and `domain` the
 * parameters holding the time of writing and the mail domain); `data` gives each entry's data as an expression over `src`.
 */
function firstEventsAndNotice(data: { received: string; classified: string; routed: string }, at: string, domain: string): string {
  return `ev AS (INSERT INTO item_event (item_id, actor_id, actor, kind, data, at)
    SELECT ins.id, e.actor_id, e.actor, e.kind, e.data, ${at}::timestamptz
    FROM ins JOIN src USING (channel, external_id)
    CROSS JOIN LATERAL (VALUES (src.actor_id, src.actor, 'received', ${data.received}),
      (NULL::uuid, 'system', 'classified', ${data.classified}),
      (NULL::uuid, 'system', 'routed', ${data.routed})) AS e(actor_id, actor, kind, data)),
  ob AS (INSERT INTO outbox (kind, dedupe_key, item_id, to_addr, subject, body_text, message_id)
    SELECT 'assigned', 'assigned:' || ins.id || ':' || src.unit_id, ins.id, src.notice_to, src.notice_subject, src.notice_text,
      '<hub-assigned-' || ins.id || '-' || md5(random()::text) || '@' || ${domain}::text || '>'
    FROM ins JOIN src USING (channel, external_id) WHERE src.notice_to IS NOT NULL)`;
}

/** A file batch from the staging table (batch-stage.ts): rows repeated within it are written once, the first. */
const STAGED_INSERT = `WITH src AS (
    SELECT DISTINCT ON (channel, external_id) * FROM intake_stage ORDER BY channel, external_id, ord),
  ins AS (${insertItems('$1')} FROM src ORDER BY ord
    ON CONFLICT (channel, external_id) DO NOTHING
    RETURNING id, channel, external_id, tracking_code),
  ${firstEventsAndNotice(STAGED_EVENT_DATA, '$1', '$2')}
  SELECT id, channel, external_id, tracking_code FROM ins`;

/**
 * Single submissions written together (GroupCommit): the flood limit counted per key for the whole batch in one upsert,
 * each row admitted by its place among its key's rows in the batch (the k-th of a key is admitted when the count
 * before the batch plus k is within its limit — what k statements one after another would decide); then the
 * admitted rows as in a file batch. Keys within a batch are unique (GroupCommit), so ON CONFLICT finds earlier items.
 */
// eslint-disable-next-line no-restricted-syntax -- the flood limit counts per minute on the database clock that every copy shares; not business time
const GROUP_INSERT = `WITH given AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS s(${ROW_RECORD}, adm_key text, adm_limit int)),
  keyed AS (SELECT adm_key, count(*)::int AS c FROM given WHERE adm_key IS NOT NULL GROUP BY adm_key),
  adm AS (INSERT INTO rate_counter (key, bucket, n) SELECT adm_key, date_trunc('minute', now()), c FROM keyed
    ON CONFLICT (key, bucket) DO UPDATE SET n = rate_counter.n + EXCLUDED.n RETURNING key, n),
  src AS (SELECT given.*, given.adm_key IS NULL
      OR adm.n - keyed.c + row_number() OVER (PARTITION BY given.adm_key ORDER BY given.ord) <= given.adm_limit AS admitted
    FROM given LEFT JOIN keyed ON keyed.adm_key = given.adm_key LEFT JOIN adm ON adm.key = given.adm_key),
  ins AS (${insertItems('$2')} FROM src WHERE admitted ORDER BY ord
    ON CONFLICT (channel, external_id) DO NOTHING
    RETURNING id, channel, external_id, tracking_code),
  ${firstEventsAndNotice({ received: 'src.ev_received', classified: 'src.ev_classified', routed: 'src.ev_routed' }, '$2', '$3')}
  SELECT src.ord, src.admitted, ins.id, ins.tracking_code FROM src LEFT JOIN ins USING (channel, external_id)`;

interface GroupInput {
  p: PreparedItem;
  actor: Actor;
  opts: IntakeOptions;
  status: ItemStatus;
  cols: RepeatColumns;
}

/**
 * The one entry point every channel calls. Idempotent on (channel, external id) through the unique index and
 * ON CONFLICT, never by looking first. Classification and routing are decided first; then the item and its timeline
 * (what decided, by whom, when) are written in one statement.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);
  /** single submissions outside a transaction: written together while a statement is in flight (see GroupCommit) */
  private readonly group = new GroupCommit<GroupInput, IntakeResult>((batch) => this.writeGroup(batch), groupKey, {
    maxBatch: 64,
    maxInFlight: 2,
  });

  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
    private readonly assessor: ItemAssessor,
    private readonly outbox: OutboxService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly repeats: RepeatsService,
  ) {}

  /**
   * Classification and routing happen before a connection is taken: they may refresh the catalogue or the model
   * from the store, and doing that while holding a transaction's connection can exhaust the pool under load.
   */
  async intake(draft: IntakeDraft, actor: Actor, opts: IntakeOptions = {}): Promise<IntakeResult> {
    const prepared = await this.prepare(draft);
    return this.store(this.ds.manager, prepared, actor, opts);
  }

  /** Validates the draft and decides its classification and unit; no connection is held. */
  async prepare(draft: IntakeDraft): Promise<PreparedItem> {
    const snap = await this.catalog.get();
    const windowId = checkDraft(draft, snap);
    if (this.assessor.assessMany) {
      // the classification thread also gives the text's matter for repeats
      const [answer] = await this.assessor.assessMany([draft], snap);
      if (!answer.ok) throw new Error(answer.error);
      return { draft, snap, windowId, a: answer.a, matter: answer.matter };
    }
    const a = await this.assessor.assess(draft, snap);
    return { draft, snap, windowId, a };
  }

  /**
   * `prepare` for many drafts (a file import's batch): the same checks, the classification and routing in one call
   * when the assessor takes many (the classifying one: on the classification thread), else one by one. Each draft
   * comes back prepared or with what made it fail, in order.
   */
  async prepareMany(drafts: IntakeDraft[]): Promise<({ ok: true; p: PreparedItem } | { ok: false; error: unknown })[]> {
    if (!this.assessor.assessMany || !drafts.length) {
      const out: ({ ok: true; p: PreparedItem } | { ok: false; error: unknown })[] = [];
      for (const d of drafts) {
        try {
          out.push({ ok: true, p: await this.prepare(d) });
        } catch (error) {
          out.push({ ok: false, error });
        }
      }
      return out;
    }
    const snap = await this.catalog.get();
    const checked = drafts.map((d) => {
      try {
        return { ok: true as const, windowId: checkDraft(d, snap) };
      } catch (error) {
        return { ok: false as const, error };
      }
    });
    const valid = drafts.filter((_, i) => checked[i].ok);
    const answers = await this.assessor.assessMany(valid, snap);
    let k = 0;
    return drafts.map((draft, i) => {
      const c = checked[i];
      if (!c.ok) return { ok: false, error: c.error };
      const r = answers[k++];
      return r.ok ? { ok: true, p: { draft, snap, windowId: c.windowId, a: r.a, matter: r.matter } } : { ok: false, error: new Error(r.error) };
    });
  }

  /**
   * Writes a prepared item: one atomic statement, so it needs no transaction; a batch import may pass its own. An
   * item of a known person that needs handling is written in a transaction with the repeat check (`linkRepeats`).
   */
  async store(m: EntityManager, p: PreparedItem, actor: Actor, opts: IntakeOptions = {}): Promise<IntakeResult> {
    const { draft, a } = p;
    const status: ItemStatus = initialStatus({ ...draft, dimension: a.dimension, misconduct: a.misconduct, atTriage: a.routingRule === 'triage', junk: a.routingRule === 'junk' });
    const cols = this.repeats.columnsFor(draft, status, p.matter);
    if (!cols.person_keys.length || status === 'closed') {
      // outside a caller's transaction, concurrent submissions share a statement and a commit (GroupCommit)
      return m.queryRunner ? this.storeOne(m, p, actor, opts, status, cols) : this.group.submit({ p, actor, opts, status, cols });
    }
    const run = async (tm: EntityManager): Promise<IntakeResult> => {
      const r = await this.storeOne(tm, p, actor, opts, status, cols);
      if (r.created) await this.repeats.linkRepeats(tm, [r.id]);
      return r;
    };
    return m.queryRunner?.isTransactionActive ? run(m) : this.ds.transaction(run);
  }

  /** One submission (in the caller's transaction, or as a fallback) through the same statement as a group of them. */
  private async storeOne(m: EntityManager, p: PreparedItem, actor: Actor, opts: IntakeOptions, status: ItemStatus, cols: RepeatColumns): Promise<IntakeResult> {
    const [answer] = await this.writeRows(m, [{ p, actor, opts, status, cols }]);
    if (!answer.ok) throw answer.error;
    return answer.value;
  }

  /** Working-day deadlines from the channel's own time of receipt; an item that closes itself has none. */
  /** …with how each was counted (the policy's working days from receipt), so a new calendar can count it again. */
  private dueDates(
    d: IntakeDraft,
    a: Assessment,
    status: ItemStatus,
  ): { acceptDueAt: Date | null; answerDueAt: Date | null; callbackDueAt: Date | null; rectifyDueAt: Date | null; basis: DeadlineBasis } {
    if (status === 'closed') return { acceptDueAt: null, answerDueAt: null, callbackDueAt: null, rectifyDueAt: null, basis: {} };
    return this.deadlines.forNewItem({ channel: d.channel, appealType: d.appealType ?? null, rating: d.rating ?? null, misconduct: a.misconduct, receivedAt: d.receivedAt });
  }

  /**
   * A batch of single submissions in one statement (GROUP_INSERT). If the statement fails, each is written on its own
   * so that one bad row fails alone with its own error.
   */
  private async writeGroup(batch: GroupInput[]): Promise<GroupAnswer<IntakeResult>[]> {
    try {
      return await this.writeRows(this.ds.manager, batch);
    } catch (error) {
      if (batch.length === 1) return [{ ok: false, error }];
      return Promise.all(
        batch.map((g) => this.writeRows(this.ds.manager, [g]).then(([a]) => a, (e: unknown): GroupAnswer<IntakeResult> => ({ ok: false, error: e }))),
      );
    }
  }

  /** Submissions written by GROUP_INSERT on `m` (a caller's transaction, or the pool), answered in order. */
  private async writeRows(m: EntityManager, batch: GroupInput[]): Promise<GroupAnswer<IntakeResult>[]> {
    const rows = batch.map((g, ord) => ({
      ...this.itemRow(g.p, ord, g.actor, { notify: true, status: g.status, cols: g.cols }),
      adm_key: g.opts.admission?.key ?? null,
      adm_limit: g.opts.admission?.perMinute ?? null,
    }));
    const out: { ord: number; admitted: boolean; id: string | null; tracking_code: string | null }[] = await preparedQuery(this.ds, m, 'intake-group', GROUP_INSERT, [
      JSON.stringify(rows),
      this.clock.now(),
      this.outbox.domain,
    ]);
    const byOrd = new Map(out.map((r) => [r.ord, r]));
    // admitted but not inserted: the (channel, external id) was there already (a double tap): its stored item
    const known = rows.filter((r) => byOrd.get(r.ord)?.admitted && byOrd.get(r.ord)?.id === null);
    const existing = new Map<string, { id: string; tracking_code: string }>();
    if (known.length) {
      const found: { id: string; channel: string; external_id: string; tracking_code: string }[] = await m.query(
        `SELECT id, channel, external_id, tracking_code FROM item WHERE (channel, external_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [known.map((r) => r.channel), known.map((r) => r.external_id)],
      );
      for (const f of found) existing.set(`${f.channel}\u0000${f.external_id}`, f);
    }
    let notices = false;
    const answers = batch.map((g, ord): GroupAnswer<IntakeResult> => {
      const r = byOrd.get(ord);
      if (!r) return { ok: false, error: new Error('intake: the group statement returned no row for a submission') };
      if (!r.admitted) return { ok: true, value: { id: 0, created: false, trackingCode: '', admitted: false } };
      const { draft, a } = g.p;
      if (r.id === null) {
        const e = existing.get(`${draft.channel}\u0000${draft.externalId}`);
        if (!e) return { ok: false, error: new Error(`intake: ${draft.channel} ${draft.externalId} neither stored nor found`) };
        return { ok: true, value: { id: Number(e.id), created: false, trackingCode: e.tracking_code, admitted: true } };
      }
      this.logger.log({ itemId: Number(r.id), channel: draft.channel, unit: a.unit, rule: a.routingRule }, 'item received');
      this.metrics.itemReceived(draft.channel, a.dimension, a.misconduct, a.routingRule);
      if (rows[ord].notice_to) notices = true;
      return { ok: true, value: { id: Number(r.id), created: true, trackingCode: r.tracking_code as string, admitted: true } };
    });
    if (notices) this.outbox.kickSoon();
    return answers;
  }

  /**
   * What a prepared item's row holds beyond the draft and the assessment: unit ids, the first status, a tracking code,
   * deadlines, repeats' columns and the unit's notice (only when `notify`: a file import tells each unit once, in a
   * digest). Shared by both write paths (`itemRow`'s JSON and `encodeBatch`'s COPY text).
   */
  private rowValues(p: PreparedItem, o: { notify: boolean; status?: ItemStatus; cols?: RepeatColumns }) {
    const { draft, snap, a } = p;
    const unitId = snap.unitIdByCode.get(a.unit);
    if (!unitId) throw new Error(`assessor chose unknown unit ${a.unit}`);
    const status: ItemStatus =
      o.status ?? initialStatus({ ...draft, dimension: a.dimension, misconduct: a.misconduct, atTriage: a.routingRule === 'triage', junk: a.routingRule === 'junk' });
    const trackingCode = newTrackingCode();
    const unit = o.notify && status !== 'closed' ? snap.catalog.units.find((u) => u.code === a.unit) : undefined;
    const notice = unit?.email ? assignedNotice(unit.name, unit.email, draft, a, trackingCode) : null;
    const serviceItemCode = draft.serviceItem ?? a.serviceItem;
    return {
      unitId,
      supervisionUnitId: a.supervisionUnit ? (snap.unitIdByCode.get(a.supervisionUnit) ?? null) : null,
      serviceItemId: serviceItemCode ? (snap.itemIdByCode.get(serviceItemCode) ?? null) : null,
      status,
      trackingCode,
      notice,
      due: this.dueDates(draft, a, status),
      rc: o.cols ?? this.repeats.columnsFor(draft, status, p.matter),
    };
  }

  /** A prepared single submission as one row of GROUP_INSERT's JSON (ROW_RECORD); file batches are encoded by encodeBatch. */
  private itemRow(p: PreparedItem, ord: number, actor: Actor, o: { notify: boolean; status?: ItemStatus; cols?: RepeatColumns }) {
    const { draft, windowId, a } = p;
    const { unitId, supervisionUnitId, serviceItemId, status, trackingCode, notice, due, rc } = this.rowValues(p, o);
    return {
      ord,
      actor_id: actor.id,
      actor: actor.username,
      person_keys: rc.person_keys,
      matter_tokens: rc.matter_tokens,
      matter_bands: rc.matter_bands,
      cluster_pending: rc.cluster_pending,
      accept_due_at: due.acceptDueAt?.toISOString() ?? null,
      answer_due_at: due.answerDueAt?.toISOString() ?? null,
      callback_due_at: due.callbackDueAt?.toISOString() ?? null,
      rectify_due_at: due.rectifyDueAt?.toISOString() ?? null,
      channel: draft.channel,
      external_id: draft.externalId,
      received_at: draft.receivedAt.toISOString(),
      subject: draft.subject ?? null,
      text: draft.text,
      rating: draft.rating ?? null,
      tags: draft.tags ?? [],
      appeal_type: draft.appealType ?? null,
      source: draft.source ?? null,
      case_no: draft.caseNo ?? null,
      window_id: windowId,
      service_item_id: serviceItemId,
      contact_name: draft.contact?.name ?? null,
      contact_phone: draft.contact?.phone ?? null,
      contact_email: draft.contact?.email ?? null,
      raw: draft.raw ?? null,
      dimension: a.dimension,
      secondary: a.secondary,
      misconduct: a.misconduct,
      confidence: a.confidence,
      evidence: a.evidence,
      unit_id: unitId,
      supervision_unit_id: supervisionUnitId,
      routing_reason: a.routingReason,
      routing_rule: a.routingRule,
      status,
      tracking_code: trackingCode,
      source_hash: null, // single submissions carry no file fingerprint
      deadline_basis: due.basis,
      ev_received: { channel: draft.channel, externalId: draft.externalId, source: draft.source ?? null },
      ev_classified: { dimension: a.dimension, secondary: a.secondary, misconduct: a.misconduct, confidence: a.confidence },
      ev_routed: { unit: a.unit, supervisionUnit: a.supervisionUnit, rule: a.routingRule, reason: a.routingReason, status },
      notice_to: notice?.to ?? null,
      notice_subject: notice?.subject ?? null,
      notice_text: notice?.text ?? null,
    };
  }

  /**
   * Writes many prepared items in one statement (a batch of a file import): items, their first timeline entries and
   * the units' notices; then `afterInsert`, if given, before the repeat check and anything else the batch reads.
   * Idempotent like `store`: rows whose (channel, external id) exists, or that repeat within the batch, are not
   * written and come back with `created: false` and the stored item's id.
   */
  async storeBatch(
    m: EntityManager,
    items: { p: PreparedItem; hash?: string | null }[],
    actor: Actor,
    opts: { notify?: boolean; afterInsert?: () => Promise<void> } = {},
  ): Promise<BatchResult[]> {
    return this.storeEncoded(m, this.encodeBatch(items, actor, opts), opts);
  }

  /**
   * The first half of `storeBatch`: the rows as they will be written (tracking codes, deadlines, person keys, the COPY
   * text), in a compact form a file import holds while earlier batches are written. `rawJson`, when given, is the
   * draft's `raw` already as JSON.
   */
  encodeBatch(items: { p: PreparedItem; hash?: string | null; rawJson?: string }[], actor: Actor, opts: { notify?: boolean } = {}): EncodedBatch {
    const n = items.length;
    // about what a hotline row takes (1.3k characters, mostly CJK): one growth at most in the usual batch
    const w = new CopyWriter(n * 3 * 1024);
    const channels: string[] = new Array<string>(n);
    const externalIds: string[] = new Array<string>(n);
    const hashes: (string | null)[] = new Array<string | null>(n);
    const assessed: EncodedBatch['assessed'] = new Array<EncodedBatch['assessed'][number]>(n);
    const notify = opts.notify !== false;
    for (let ord = 0; ord < n; ord++) {
      const { p, hash, rawJson } = items[ord];
      const { draft, windowId, a } = p;
      const { unitId, supervisionUnitId, serviceItemId, status, trackingCode, notice, due, rc } = this.rowValues(p, { notify });
      // one field per STAGE_COLUMNS entry, in its order
      w.plain(String(ord)).nullable(actor.id).nullable(actor.username);
      w.nullable(due.acceptDueAt?.toISOString()).nullable(due.answerDueAt?.toISOString());
      w.nullable(due.callbackDueAt?.toISOString()).nullable(due.rectifyDueAt?.toISOString());
      w.text(draft.channel).text(draft.externalId).plain(draft.receivedAt.toISOString()).nullable(draft.subject).text(draft.text);
      w.number(draft.rating).textArray(draft.tags ?? []).nullable(draft.appealType).nullable(draft.source).nullable(draft.caseNo);
      w.nullable(windowId).nullable(serviceItemId);
      w.nullable(draft.contact?.name).nullable(draft.contact?.phone).nullable(draft.contact?.email);
      if (rawJson === undefined) w.json(draft.raw);
      else w.jsonText(rawJson);
      w.nullable(a.dimension).textArray(a.secondary).bool(a.misconduct).number(a.confidence).json(a.evidence);
      w.plain(unitId).nullable(supervisionUnitId);
      w.nullable(a.routingReason).nullable(a.routingRule).plain(status).plain(trackingCode).nullable(hash).json(due.basis);
      w.text(a.unit).nullable(a.supervisionUnit);
      w.nullable(notice?.to).nullable(notice?.subject).nullable(notice?.text);
      w.textArray(rc.person_keys).intArray(rc.matter_tokens).intArray(rc.matter_bands).bool(rc.cluster_pending);
      w.end();
      channels[ord] = draft.channel;
      externalIds[ord] = draft.externalId;
      hashes[ord] = hash ?? null;
      assessed[ord] = [a.dimension, a.misconduct, a.routingRule];
    }
    return { n, payload: w.done(), channels, externalIds, hashes, assessed };
  }

  /**
   * The second half of `storeBatch`: COPY into the session's staging table, then one statement writes the items,
   * their first timeline entries and the notices (STAGED_INSERT). Runs in the caller's transaction (or its own).
   */
  async storeEncoded(m: EntityManager, enc: EncodedBatch, opts: { afterInsert?: () => Promise<void> } = {}): Promise<BatchResult[]> {
    if (!enc.n) {
      await opts.afterInsert?.();
      return [];
    }
    const qr = m.queryRunner;
    // the staged rows live in one session until its commit: outside a transaction, one of its own
    if (!qr?.isTransactionActive) return this.ds.transaction((tm) => this.storeEncoded(tm, enc, opts));
    await m.query(STAGE_PREPARE);
    const client = (await qr.connect()) as pg.ClientBase;
    const copy = client.query(copyFrom(STAGE_COPY));
    copy.end(enc.payload);
    await finished(copy);
    const created: { id: string; external_id: string; tracking_code: string; channel: string }[] = await m.query(STAGED_INSERT, [
      this.clock.now(),
      this.outbox.domain,
    ]);
    // a pipelined import waits here for the previous batch's commit (see HotlineImportService.runLocked)
    await opts.afterInsert?.();
    // same person, same matter: linked inside the caller's transaction (a rewritten write path calls this per batch)
    if (created.length) await this.repeats.linkRepeats(m, created.map((c) => Number(c.id)));
    const key = (channel: string, externalId: string): string => `${channel}\u0000${externalId}`;
    const made = new Map(created.map((c) => [key(c.channel, c.external_id), c]));
    const missing: number[] = [];
    for (let i = 0; i < enc.n; i++) if (!made.has(key(enc.channels[i], enc.externalIds[i]))) missing.push(i);
    const existing = new Map<string, { id: string; tracking_code: string; source_hash: string | null }>();
    if (missing.length) {
      const found: { id: string; channel: string; external_id: string; tracking_code: string; source_hash: string | null }[] = await m.query(
        `SELECT id, channel, external_id, tracking_code, source_hash FROM item
         WHERE (channel, external_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
        [missing.map((i) => enc.channels[i]), missing.map((i) => enc.externalIds[i])],
      );
      for (const f of found) existing.set(key(f.channel, f.external_id), f);
    }
    if (created.length) this.outbox.kickSoon();
    // the metric counts a created item with the assessment of the last row of its key, as it always has
    const lastOf = new Map<string, number>();
    for (let i = 0; i < enc.n; i++) lastOf.set(key(enc.channels[i], enc.externalIds[i]), i);
    for (const c of created) {
      const i = lastOf.get(key(c.channel, c.external_id));
      if (i !== undefined) this.metrics.itemReceived(c.channel, ...enc.assessed[i]);
    }
    const seen = new Set<string>();
    const out: BatchResult[] = new Array<BatchResult>(enc.n);
    for (let i = 0; i < enc.n; i++) {
      const k = key(enc.channels[i], enc.externalIds[i]);
      const externalId = enc.externalIds[i];
      const c = made.get(k);
      if (c && !seen.has(k)) {
        seen.add(k);
        out[i] = { externalId, id: Number(c.id), created: true, trackingCode: c.tracking_code, previousHash: null };
        continue;
      }
      const e = existing.get(k) ?? (c ? { id: c.id, tracking_code: c.tracking_code, source_hash: enc.hashes[i] } : undefined);
      out[i] = { externalId, id: Number(e?.id ?? 0), created: false, trackingCode: e?.tracking_code ?? '', previousHash: e?.source_hash ?? null };
    }
    return out;
  }
}



/** The mail a unit gets for a new item: no personal data (units see phone numbers masked anyway). */
function assignedNotice(unitName: string, to: string, d: IntakeDraft, a: Assessment, trackingCode: string): { to: string; subject: string; text: string } {
  const excerpt = Array.from(`${d.subject ? `${d.subject}：` : ''}${d.text}`).slice(0, 300).join('');
  const bad = typeof d.rating === 'number' && d.rating <= 2 ? `（差评，${d.rating}分）` : '';
  return {
    to,
    subject: `【待签收】${CHANNEL_NAMES[d.channel] ?? d.channel}${bad} ${trackingCode}`,
    text: [
      `${unitName}：`,
      '',
      `有一件新的${CHANNEL_NAMES[d.channel] ?? ''}事项分派给您单位，请在1个工作日内登录系统签收。`,
      `查询码：${trackingCode}`,
      `分派理由：${a.routingReason}`,
      a.misconduct ? '（涉及廉政问题，已同时抄送督查部门）' : '',
      '',
      `内容摘要：${excerpt}`,
    ]
      .filter((l) => l !== null)
      .join('\n'),
  };
}

/** The checks `prepare` makes before classifying; returns the draft's window id. */
function checkDraft(draft: IntakeDraft, snap: CatalogSnapshot): string | null {
  validateDraft(draft);
  const windowId = draft.window ? snap.windowIdByCode.get(draft.window) : null;
  if (draft.window && !windowId) throw new DomainError(ErrorCode.ValidationFailed, `window: unknown window "${draft.window}"`);
  if (draft.serviceItem && !snap.itemIdByCode.has(draft.serviceItem)) {
    throw new DomainError(ErrorCode.ValidationFailed, `item: unknown service item "${draft.serviceItem}"`);
  }
  return windowId ?? null;
}

function validateDraft(d: IntakeDraft): void {
  const problems: string[] = [];
  if (!d.externalId || d.externalId.length > 500) problems.push('externalId: required, at most 500 characters');
  if (!(d.receivedAt instanceof Date) || Number.isNaN(d.receivedAt.getTime())) problems.push('receivedAt: not a valid time');
  if (typeof d.text !== 'string') problems.push('text: required');
  else if (d.text.length > MAX_TEXT) problems.push(`text: longer than ${MAX_TEXT} characters`);
  if (d.rating !== undefined && d.rating !== null && !(Number.isInteger(d.rating) && d.rating >= 1 && d.rating <= 5)) {
    problems.push('rating: a whole number from 1 to 5');
  }
  if (problems.length) throw new DomainError(ErrorCode.ValidationFailed, problems.join('; '), { problems });
}

/** Submissions with the same (channel, external id) never share a group statement. */
function groupKey(g: GroupInput): string {
  return `${g.p.draft.channel}\u0000${g.p.draft.externalId}`;
}
