import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ProblemsService, PROBLEM_KINDS, type ProblemKind, type ProblemView } from '../rectification/problems.service.js';
import { bestMatch, type MatterFacts } from './decide.js';
import { RepeatsService } from './repeats.service.js';

export const HOT_SPOT_JOB = 'repeats.hot-spots';

export interface HotSpotSummary {
  id: number;
  label: string;
  words: string[];
  window: string | null;
  serviceItem: string | null;
  items: number;
  people: number;
  /** items received in the 7 days up to now, and before them */
  last7Days: number;
  before: number;
  units: string[];
  firstAt: string;
  lastAt: string;
  problem: number | null;
  samples: { id: number; trackingCode: string; channel: string; text: string }[];
}

export interface OpenProblem {
  title?: string;
  rootCause?: string;
  dimension?: string;
  kind?: ProblemKind;
  deadline?: string;
}

interface PendingRow {
  id: string;
  subject: string | null;
  text: string;
  matter_tokens: number[];
  matter_bands: number[];
  person_keys: string[];
  window_id: string | null;
  service_item_id: string | null;
  received_at: Date;
}

interface CandidateRow extends PendingRow {
  hot_spot_id: string | null;
}

const OFFICE = new Set(['supervisor', 'admin']);

/**
 * Many people, one matter → a hot spot. A job (one run at a time across every copy, and kicked after intake) takes
 * the items waiting (`cluster_pending`) in order and puts each with the most similar recent item of another person —
 * same window, same service item or similar wording — joining that item's hot spot or starting one with it. Off the
 * insert path: an import of 500 rows is not held up, and two copies never start two hot spots for one matter.
 */
@Injectable()
export class HotSpotsService implements OnModuleInit {
  private readonly logger = new Logger(HotSpotsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repeats: RepeatsService,
    private readonly problems: ProblemsService,
    private readonly jobs: JobsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.define({ name: HOT_SPOT_JOB, policy: 'singleton', cron: '* * * * *', handler: async () => void (await this.clusterPending()) });
  }

  /** Clusters the waiting items (up to `limit`); answers how many were looked at. */
  async clusterPending(limit = 2000): Promise<number> {
    let done = 0;
    while (done < limit) {
      const n = await this.ds.transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('hub:hot-spots'))`);
        const rows: PendingRow[] = await m.query(
          `SELECT id, subject, text, matter_tokens, matter_bands, person_keys, window_id, service_item_id, received_at
           FROM item WHERE cluster_pending ORDER BY id LIMIT 100`,
        );
        for (const r of rows) await this.place(m, r);
        return rows.length;
      });
      done += n;
      if (n < 100) break;
    }
    return done;
  }

  private async place(m: EntityManager, r: PendingRow): Promise<void> {
    const cfg = this.repeats.config;
    const candidates: CandidateRow[] = await m.query(
      `SELECT i.id, i.subject, i.text, i.matter_tokens, i.matter_bands, i.person_keys, i.window_id, i.service_item_id, i.received_at, hi.hot_spot_id
       FROM item i LEFT JOIN hot_spot_item hi ON hi.item_id = i.id
       WHERE i.id <> $1 AND i.lead_id IS NULL AND NOT i.cluster_pending AND i.matter_tokens <> '{}'
         AND (hi.hot_spot_id IS NOT NULL OR i.status <> 'closed' OR i.answer_text IS NOT NULL)
         AND i.received_at BETWEEN $2::timestamptz - make_interval(days => $3) AND $2::timestamptz + make_interval(days => $3)
         AND ((i.matter_bands <> '{}' AND i.matter_bands && $4::int[]) OR i.window_id = $5 OR i.service_item_id = $6)
         AND NOT (i.person_keys && $7::text[])
       ORDER BY i.received_at DESC LIMIT $8`,
      [r.id, r.received_at, cfg.windowDays, r.matter_bands, r.window_id, r.service_item_id, r.person_keys, cfg.hotSpot.candidates],
    );
    const facts = (x: PendingRow): MatterFacts => ({ id: x.id, tokens: x.matter_tokens, words: [], windowId: x.window_id, serviceItemId: x.service_item_id });
    const match = bestMatch(facts(r), candidates.map(facts), cfg.hotSpot);
    const now = this.clock.now();
    if (match) {
      const c = candidates.find((x) => x.id === match.id) as CandidateRow;
      const words = await this.repeats.sharedWordsOf(r, c, 8);
      const matched = { with: Number(c.id), words, context: match.context };
      let spot = c.hot_spot_id;
      if (!spot) {
        const label = words.slice(0, 4).join('、') || Array.from(r.text).slice(0, 20).join('');
        [{ id: spot }] = await m.query(
          `INSERT INTO hot_spot (label, words, window_id, service_item_id, first_at, last_at, created_at)
           VALUES ($1, $2, $3, $4, least($5::timestamptz, $6::timestamptz), greatest($5::timestamptz, $6::timestamptz), $7) RETURNING id`,
          [label, words, match.context.includes('window') ? r.window_id : null, match.context.includes('serviceItem') ? r.service_item_id : null, r.received_at, c.received_at, now],
        );
        await m.query(`INSERT INTO hot_spot_item (item_id, hot_spot_id, similarity, matched, added_at) VALUES ($1, $2, 1, '{}'::jsonb, $3)`, [c.id, spot, now]);
      }
      await m.query(`INSERT INTO hot_spot_item (item_id, hot_spot_id, similarity, matched, added_at) VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (item_id) DO NOTHING`, [
        r.id,
        spot,
        match.similarity,
        JSON.stringify(matched),
        now,
      ]);
      // a hot spot started on wording takes the window or service item its members turn out to share
      await m.query(
        `UPDATE hot_spot SET first_at = least(first_at, $2), last_at = greatest(last_at, $2),
           window_id = coalesce(window_id, $3), service_item_id = coalesce(service_item_id, $4) WHERE id = $1`,
        [spot, r.received_at, match.context.includes('window') ? r.window_id : null, match.context.includes('serviceItem') ? r.service_item_id : null],
      );
    }
    await m.query(`UPDATE item SET cluster_pending = false WHERE id = $1`, [r.id]);
  }

  /** Hot spots with at least `minItems` items, the most recent first (the office). */
  async list(actor: Actor, opts: { minItems?: number; limit?: number } = {}): Promise<HotSpotSummary[]> {
    this.office(actor);
    return this.summaries(null, opts.minItems ?? this.repeats.config.hotSpot.minItems, opts.limit ?? 100);
  }

  async get(actor: Actor, id: string): Promise<HotSpotSummary & { members: number[] }> {
    this.office(actor);
    if (!/^\d{1,18}$/.test(id)) throw notFound('hot spot');
    const [s] = await this.summaries(id, 1, 1);
    if (!s) throw notFound('hot spot');
    const members: { item_id: string }[] = await this.ds.query(`SELECT item_id FROM hot_spot_item WHERE hot_spot_id = $1 ORDER BY item_id`, [id]);
    return { ...s, members: members.map((x) => Number(x.item_id)) };
  }

  private async summaries(id: string | null, minItems: number, limit: number): Promise<HotSpotSummary[]> {
    const rows: {
      id: string;
      label: string;
      words: string[];
      window_code: string | null;
      item_code: string | null;
      items: number;
      people: number;
      last7: number;
      units: string[];
      first_at: Date;
      last_at: Date;
      problem_id: string | null;
      samples: { id: number; trackingCode: string; channel: string; text: string }[];
    }[] = await this.ds.query(
      `SELECT h.id, h.label, h.words, w.code AS window_code, si.code AS item_code, h.first_at, h.last_at, h.problem_id, st.*
       FROM hot_spot h LEFT JOIN service_window w ON w.id = h.window_id LEFT JOIN service_item si ON si.id = h.service_item_id,
       LATERAL (
         SELECT count(*)::int AS items,
           count(DISTINCT coalesce(i.person_keys[1], 'item:' || i.id))::int AS people,
           count(*) FILTER (WHERE i.received_at > $3::timestamptz - interval '7 days')::int AS last7,
           array_agg(DISTINCT u.code ORDER BY u.code) AS units,
           (SELECT jsonb_agg(s ORDER BY s.id DESC) FROM (SELECT i2.id, i2.tracking_code AS "trackingCode", i2.channel, left(i2.text, 200) AS text
              FROM hot_spot_item x2 JOIN item i2 ON i2.id = x2.item_id WHERE x2.hot_spot_id = h.id ORDER BY i2.id DESC LIMIT 3) s) AS samples
         FROM hot_spot_item x JOIN item i ON i.id = x.item_id JOIN unit u ON u.id = i.unit_id WHERE x.hot_spot_id = h.id) st
       WHERE ($1::bigint IS NULL OR h.id = $1) AND st.items >= $2
       ORDER BY h.last_at DESC, h.id DESC LIMIT $4`,
      [id, minItems, this.clock.now(), limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      label: r.label,
      words: r.words,
      window: r.window_code,
      serviceItem: r.item_code,
      items: r.items,
      people: r.people,
      last7Days: r.last7,
      before: r.items - r.last7,
      units: r.units,
      firstAt: r.first_at.toISOString(),
      lastAt: r.last_at.toISOString(),
      problem: r.problem_id === null ? null : Number(r.problem_id),
      samples: r.samples ?? [],
    }));
  }

  /**
   * 问题清单 from a hot spot in one step: a problem through the rectification module's own create path, with every
   * item of the hot spot and their repeats linked (the back-trace then runs over them).
   */
  async openProblem(actor: Actor, id: string, dto: OpenProblem): Promise<ProblemView> {
    const spot = await this.get(actor, id);
    if (spot.problem !== null) throw new DomainError(ErrorCode.Conflict, `hot spot ${id} already has problem ${spot.problem}`, { problem: spot.problem });
    if (dto.kind && !(PROBLEM_KINDS as readonly string[]).includes(dto.kind)) throw new DomainError(ErrorCode.ValidationFailed, 'kind: immediate, deadline or ledger');
    const rows: { id: string; dimension: string | null }[] = await this.ds.query(
      `SELECT i.id, i.dimension FROM item i WHERE i.id = ANY($1::bigint[]) OR i.lead_id = ANY($1::bigint[]) ORDER BY i.id`,
      [spot.members],
    );
    const counts = new Map<string, number>();
    for (const r of rows) if (r.dimension && /^D[1-5]$/.test(r.dimension)) counts.set(r.dimension, (counts.get(r.dimension) ?? 0) + 1);
    const dimension = dto.dimension ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'D1';
    const problem = await this.problems.create(actor, {
      title: dto.title ?? `热点：${spot.label}`,
      rootCause: dto.rootCause ?? `由热点生成：${spot.people}人反映${spot.items}件，待倒推查找卡点`,
      dimension,
      units: spot.units,
      kind: dto.kind ?? 'ledger',
      deadline: dto.deadline,
      items: rows.map((r) => Number(r.id)),
    });
    await this.ds.query(`UPDATE hot_spot SET problem_id = $2, problem_at = $3 WHERE id = $1`, [id, problem.id, this.clock.now()]);
    return problem;
  }

  private office(actor: Actor): void {
    if (!OFFICE.has(actor.role)) throw new DomainError(ErrorCode.Forbidden, 'hot spots are for the management office');
  }
}
