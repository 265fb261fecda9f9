import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type pg from 'pg';
import type { EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { ClassificationService } from '../classification/classification.service.js';
import { Clock } from '../common/clock.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import type { IntakeDraft } from '../intake/intake.types.js';
import { OutboxService } from '../notification/outbox.service.js';
import { bestMatch, type Match, type MatterFacts } from './decide.js';
import { matterColumns, matterText, matterWords, sharedWords, type MatterColumns } from './matter.js';
import { personKeys } from './person-key.js';
import { loadRepeatsConfig, type RepeatsConfig } from './repeats.config.js';

/** A key on this many items is not one person (a switchboard, a test number): it is not used to link repeats. */
const MAX_ITEMS_PER_PERSON = 200;

/** The columns intake writes with each item, so the check and the hot-spot job read them from the row. */
export interface RepeatColumns {
  person_keys: string[];
  matter_tokens: number[];
  matter_bands: number[];
  /** waiting for the hot-spot job: items that need handling and say something */
  cluster_pending: boolean;
}

export interface RepeatLink {
  itemId: number;
  leadId: number;
  similarity: number;
  words: string[];
  context: string[];
  afterClose: boolean;
}

interface Row {
  id: string;
  person_keys: string[];
  matter_tokens: number[];
  subject: string | null;
  text: string;
  window_id: string | null;
  service_item_id: string | null;
  received_at: Date;
  tracking_code: string;
  channel: string;
}

interface CandidateRow extends Row {
  lead_id: string | null;
  status: string;
  lead_status: string;
  lead_tracking_code: string;
}

/**
 * Same person, same matter → one case. `linkRepeats(m, ids)` runs inside the transaction that inserted the items
 * (store and storeBatch call it; a rewritten import path calls it per batch): it takes a transaction-scoped advisory
 * lock on every person key of the batch (sorted, so two batches never deadlock), then links each item to the lead of
 * an earlier item of the same person on the same matter. Two channels delivering one person's repeats at once are
 * serialised by the lock: the second sees the first once it commits, so they link and never both lead.
 */
@Injectable()
export class RepeatsService {
  private readonly logger = new Logger(RepeatsService.name);
  readonly config: RepeatsConfig;

  constructor(
    @Inject(HUB_CONFIG) private readonly hub: HubConfig,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    /** cuts the evidence words on the process's classification thread (absent: here) */
    @Optional() private readonly classification?: ClassificationService,
  ) {
    this.config = loadRepeatsConfig();
  }

  /**
   * The words two items' texts share (evidence shown to people), at most `limit`. The thread that classifies cuts
   * them, so the process keeps no segmenter of its own (~40 MB); the same function as in-process.
   */
  async sharedWordsOf(a: { subject: string | null; text: string }, b: { subject: string | null; text: string }, limit: number): Promise<string[]> {
    const texts = [matterText(a.subject, a.text), matterText(b.subject, b.text)];
    const [wa, wb] = this.classification ? await this.classification.matterWords(texts) : texts.map((t) => matterWords(t));
    return sharedWords(wa, wb).slice(0, limit);
  }

  /**
   * What intake stores beside the item (no database). `matter`: the text's matter columns when a classification
   * thread has already computed them (matterColumns of the same subject and text).
   */
  columnsFor(d: Pick<IntakeDraft, 'contact' | 'caseNo' | 'text' | 'subject'>, status: string, matter?: MatterColumns): RepeatColumns {
    const keys = this.config.enabled ? personKeys(this.hub.secret, { phone: d.contact?.phone, email: d.contact?.email, caseNo: d.caseNo, text: d.text }) : [];
    const { matter_tokens, matter_bands } = matter ?? matterColumns(d.subject, d.text);
    return { person_keys: keys, matter_tokens, matter_bands, cluster_pending: this.config.enabled && status !== 'closed' && matter_tokens.length > 0 };
  }

  /** The person keys of a phone number or mail address (the office's look-up; privacy erasure). */
  keysOf(f: { phone?: string | null; email?: string | null; caseNo?: string | null }): string[] {
    return personKeys(this.hub.secret, f);
  }

  async linkRepeats(m: EntityManager, itemIds: readonly number[]): Promise<RepeatLink[]> {
    if (!this.config.enabled || !itemIds.length) return [];
    // the new items that may be repeats: a person is known, something is to be handled, not linked yet
    // one round trip: their ids and keys, and a transaction-scoped lock on each key in sorted order (the candidates
    // are read by later statements, whose snapshots are taken after the locks are held); the rest of a row is read
    // below, only for the few whose person has other items
    const keyed: { id: string; person_keys: string[]; locked: number }[] = await named(
      m,
      'repeats-lock',
      `WITH r AS (SELECT id, person_keys FROM item
         WHERE id = ANY($1::bigint[]) AND person_keys <> '{}' AND status <> 'closed' AND lead_id IS NULL),
       l AS MATERIALIZED (SELECT count(pg_advisory_xact_lock(('x' || substr(k, 1, 16))::bit(64)::bigint)) AS n
         FROM (SELECT DISTINCT unnest(person_keys) AS k FROM r ORDER BY 1) s)
       SELECT r.*, l.n AS locked FROM r, l ORDER BY r.id`,
      [itemIds],
    );
    if (!keyed.length) return [];
    // How many items hold each key (capped): 1 is the new item alone — nothing to compare, the usual case in a big
    // import of first-time callers, which then costs no query per item; MAX_ITEMS_PER_PERSON or more is a switchboard,
    // a test number or an agency, not one person, and links nothing. One statement for the batch, each key counted
    // through the GIN index (planned for this call, not cached: a plan cached while the table was small would scan it).
    const held = new Map<string, number>();
    // no JIT for the rest of this transaction: on a big table the planner's estimate for this count passes
    // jit_above_cost, and compiling it cost PostgreSQL ~15 ms a call — 85 % of the statement's time in a 12345 import
    // (pg_stat_statements, docs/benchmarks.md) — for a statement that then runs in about 2 ms
    await m.query(`SET LOCAL jit = off`);
    const counted: { k: string; n: number }[] = await m.query(
      `SELECT k, (SELECT count(*) FROM (SELECT 1 FROM item WHERE person_keys <> '{}' AND person_keys && ARRAY[k] LIMIT $2) x)::int AS n
       FROM unnest($1::text[]) AS k`,
      [[...new Set(keyed.flatMap((r) => r.person_keys))], MAX_ITEMS_PER_PERSON],
    );
    for (const c of counted) held.set(c.k, c.n);
    const crowded = new Set(counted.filter((c) => c.n >= MAX_ITEMS_PER_PERSON).map((c) => c.k));
    if (crowded.size) this.logger.warn({ keys: crowded.size, over: MAX_ITEMS_PER_PERSON }, 'person keys shared by too many items: not used to link repeats');
    const usable = (keys: readonly string[]): string[] => keys.filter((k) => !crowded.has(k) && (held.get(k) ?? 0) > 1);
    // the new items whose person has other items: their matter, to compare
    const asked = keyed.filter((r) => usable(r.person_keys).length).map((r) => r.id);
    if (!asked.length) return [];
    const rows: Row[] = await m.query(
      `SELECT id, person_keys, matter_tokens, subject, text, window_id, service_item_id, received_at, tracking_code, channel FROM item
       WHERE id = ANY($1::bigint[]) ORDER BY id`,
      [asked],
    );
    // a new item is compared with what came before it: the batch's later items are not its candidates
    const later = new Set(keyed.map((r) => r.id));
    const out: RepeatLink[] = [];
    const now = this.clock.now();
    const days = this.config.windowDays;
    let passed = 0; // keyed is in id order, like rows
    for (const r of rows) {
      while (passed < keyed.length && Number(keyed[passed].id) <= Number(r.id)) later.delete(keyed[passed++].id);
      const keys = usable(r.person_keys);
      if (!keys.length) continue;
      // the person's items, through the (partial) GIN index alone — a person has few — and each one's lead by its key
      // (one statement whose plan cannot turn to a range scan of the dates: a plan cached while the table was small
      // or unanalysed, as in a first big import, once hashed every item of the month for every new item)
      const candidates: CandidateRow[] = await named(
        m,
        'repeats-candidates',
        `WITH p AS MATERIALIZED (SELECT id, lead_id, matter_tokens, subject, text, window_id, service_item_id, received_at, status, tracking_code,
               channel, answer_text IS NOT NULL AS answered
             FROM item WHERE person_keys <> '{}' AND person_keys && $1::text[])
         SELECT p.id, p.lead_id, p.matter_tokens, p.subject, p.text, p.window_id, p.service_item_id, p.received_at, p.status, p.tracking_code, p.channel,
           coalesce(l.status, p.status) AS lead_status, coalesce(l.tracking_code, p.tracking_code) AS lead_tracking_code
         FROM p LEFT JOIN LATERAL (SELECT status, tracking_code FROM item WHERE id = p.lead_id OFFSET 0) l ON true
         WHERE p.id <> $2 AND NOT (p.id = ANY($3::bigint[]))
           AND p.received_at BETWEEN $4::timestamptz - make_interval(days => $5) AND $4::timestamptz + make_interval(days => $5)
           AND (p.status <> 'closed' OR p.answered)
         ORDER BY p.received_at DESC, p.id DESC LIMIT 50`,
        [keys, r.id, [...later], r.received_at, days],
      );
      if (!candidates.length) continue;
      // the stored tokens decide; the words (evidence shown to people) are cut only for the match
      const facts = (x: Row): MatterFacts => ({ id: x.id, words: [], tokens: x.matter_tokens, windowId: x.window_id, serviceItemId: x.service_item_id });
      const match = bestMatch(facts(r), candidates.map(facts), this.config.repeat);
      if (!match) continue;
      const c = candidates.find((x) => x.id === match.id) as CandidateRow;
      match.words = await this.sharedWordsOf(r, c, 12);
      const leadId = c.lead_id ?? c.id;
      const afterClose = c.lead_status === 'closed';
      await this.link(m, { id: r.id, trackingCode: r.tracking_code, channel: r.channel }, { id: leadId, trackingCode: c.lead_tracking_code }, match, afterClose, null, now);
      out.push({ itemId: Number(r.id), leadId: Number(leadId), similarity: match.similarity, words: match.words, context: match.context, afterClose });
    }
    if (out.length) this.logger.log({ links: out.map((l) => [l.itemId, l.leadId]) }, 'repeats linked');
    return out;
  }

  /**
   * Makes `item` a repeat of `lead` (by the check, or by the office with `actor`): no deadlines of its own, out of
   * the queues, its unit's "new work" mail withdrawn while unsent; both timelines say why.
   */
  async link(
    m: EntityManager,
    item: { id: string; trackingCode: string; channel: string },
    lead: { id: string; trackingCode: string },
    match: Pick<Match, 'similarity' | 'words' | 'context'> | null,
    afterClose: boolean,
    actor: Actor | null,
    now: Date = this.clock.now(),
  ): Promise<void> {
    const evidence = { lead: Number(lead.id), similarity: match?.similarity ?? null, words: match?.words ?? [], context: match?.context ?? [], afterClose, by: actor ? 'staff' : 'check' };
    await m.query(
      `UPDATE item SET lead_id = $2, repeat_evidence = $3::jsonb, accept_due_at = NULL, answer_due_at = NULL, callback_due_at = NULL,
         rectify_due_at = NULL, deadline_basis = '{}'::jsonb, cluster_pending = false, reminded_at = NULL, overdue_notified_at = NULL,
         reported_at = NULL, updated_at = now() WHERE id = $1`,
      [item.id, lead.id, JSON.stringify(evidence)],
    );
    // outbox rows not yet sent are withdrawn: the unit has no second job for this case
    await m.query(`DELETE FROM outbox WHERE item_id = $1 AND kind = 'assigned' AND status = 'pending' AND attempts = 0`, [item.id]);
    await m.query(`DELETE FROM hot_spot_item WHERE item_id = $1`, [item.id]);
    await m.query(
      `INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES
         ($1, $3, $4, 'repeat_of', $5::jsonb, $7), ($2, $3, $4, 'repeat_linked', $6::jsonb, $7)`,
      [
        item.id,
        lead.id,
        actor?.id ?? null,
        actor?.username ?? 'system',
        JSON.stringify({ ...evidence, leadTrackingCode: lead.trackingCode }),
        JSON.stringify({ ...evidence, repeat: Number(item.id), repeatTrackingCode: item.trackingCode, channel: item.channel }),
        now,
      ],
    );
  }

  /**
   * The lead was answered: every repeat still waiting is answered with the same text, and each person hears it on
   * the channel they used (a mail for mailbox items through the outbox; the hotline's results export carries the
   * answer; QR ratings and calls are called back by staff on the lead). Inside the answer's transaction.
   */
  async answerRepeats(m: EntityManager, leadId: string, answer: string, actor: Actor, now: Date): Promise<number> {
    const rows: { id: string; channel: string; external_id: string; subject: string | null; contact_email: string | null; tracking_code: string }[] = await m.query(
      `WITH u AS (UPDATE item SET status = 'answered', answer_text = $2, answered_at = $3, updated_at = now()
         WHERE lead_id = $1 AND status NOT IN ('answered', 'closed')
         RETURNING id, channel, external_id, subject, contact_email, tracking_code) SELECT * FROM u`,
      [leadId, answer, now],
    );
    for (const r of rows) {
      await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'answered_with_lead', $4::jsonb, $5)`, [
        r.id,
        actor.id,
        actor.username,
        JSON.stringify({ lead: Number(leadId), note: answer }),
        now,
      ]);
      if (r.channel === 'email' && r.contact_email) {
        await this.outbox.enqueue(m, {
          kind: 'answer',
          dedupeKey: `repeat-answer:${r.id}:${leadId}:${now.getTime()}`,
          itemId: Number(r.id),
          to: r.contact_email,
          subject: `答复：${r.subject ?? '您反映的问题'}（查询码 ${r.tracking_code}）`,
          text: ['您好：', '', '您反映的问题（与您此前反映的同一事项一并办理），办理答复如下：', '', answer, '', `查询码：${r.tracking_code}`, '如对答复不满意，可直接回复本邮件。'].join('\n'),
          inReplyTo: /^<[^<>\s]+>$/.test(r.external_id) ? r.external_id : null,
        });
      }
    }
    return rows.length;
  }

  /** The lead was closed: its answered repeats close with it. */
  async closeRepeats(m: EntityManager, leadId: string, actor: Actor, now: Date): Promise<number> {
    const rows: { id: string }[] = await m.query(
      `WITH u AS (UPDATE item SET status = 'closed', closed_at = $2, updated_at = now() WHERE lead_id = $1 AND status = 'answered' RETURNING id) SELECT id FROM u`,
      [leadId, now],
    );
    for (const r of rows) {
      await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'closed_with_lead', $4::jsonb, $5)`, [
        r.id,
        actor.id,
        actor.username,
        JSON.stringify({ lead: Number(leadId) }),
        now,
      ]);
    }
    return rows.length;
  }
}

/**
 * A hot statement as a named prepared statement on the transaction's own connection: planned once per connection
 * (the plan of these two is a third of the check's time otherwise). Outside a transaction, the manager's query.
 */
async function named<T>(m: EntityManager, name: string, text: string, values: unknown[]): Promise<T[]> {
  const client = (m.queryRunner as unknown as { databaseConnection?: pg.PoolClient } | undefined)?.databaseConnection;
  if (!client) return m.query(text, values);
  const r = await client.query({ name, text, values });
  return r.rows as T[];
}
