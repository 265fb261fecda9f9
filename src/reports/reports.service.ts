import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { endOfChinaDay, parseChinaDate, startOfChinaDay } from '../workflow/calendar.js';
import { DeadlinesService } from '../workflow/deadlines.service.js';

export interface Period {
  from: Date | null;
  to: Date | null;
  /** unit code; the unit and every unit below it */
  unit: string | null;
}

export interface Scope {
  from: Date | null;
  to: Date | null;
  unit: string | null;
  /** ids of the unit and its subtree; null = every unit */
  unitIds: string[] | null;
  unitCodes: string[] | null;
}

const share = (n: number, of: number): number | null => (of > 0 ? Math.round((n / of) * 10_000) / 10_000 : null);

/** 'YYYY-MM-DD' (China day; `to` includes the whole day) or an ISO time with an offset. */
export function parseBound(v: string | undefined, what: 'from' | 'to'): Date | null {
  if (v === undefined || v === '') return null;
  const day = parseChinaDate(v);
  if (day !== null) return what === 'from' ? startOfChinaDay(day) : endOfChinaDay(day);
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(v)) {
    const d = new Date(v);
    if (!Number.isNaN(d.getTime())) return d;
  }
  throw new DomainError(ErrorCode.ValidationFailed, `${what}: a date (2026-10-01) or a time with an offset`);
}

export interface Summary {
  period: { from: string | null; to: string | null; unit: string | null };
  items: {
    total: number;
    byChannel: Record<string, number>;
    byDimension: Record<string, number>;
    byUnit: { unit: string; name: string; items: number }[];
  };
  ratings: {
    /** valid ratings only (an upheld appeal makes a rating invalid) */
    total: number;
    distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
    good: number;
    goodShare: number | null;
    bad: number;
    badRectified: number;
    badRectifiedShare: number | null;
    invalid: number;
  };
  onTime: {
    acceptDue: number;
    acceptedOnTime: number;
    acceptedOnTimeShare: number | null;
    answerDue: number;
    answeredOnTime: number;
    answeredOnTimeShare: number | null;
  };
  callbacks: { total: number; satisfied: number; satisfiedShare: number | null };
  problems: { found: number; solved: number; verified: number };
  overdueNow: number;
  misroutes: { rule: string; returns: number }[];
  topWindows: { window: string; name: string; problems: number }[];
  topServiceItems: { serviceItem: string; name: string; problems: number }[];
}

/** A problem item: classified into a dimension, or a valid bad review. */
const IS_PROBLEM = `((dimension IS NOT NULL AND dimension <> 'none') OR (rating <= 2 AND rating_valid))`;

/**
 * Figures (DESIGN.md "Figures people expect") over one pass of the item table: GROUPING SETS give the totals, the
 * splits by channel, dimension, unit, rating, window and service item together; problems and misroutes come from
 * their own small tables.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
  ) {}

  async scope(p: Period): Promise<Scope> {
    if (p.from && p.to && p.from > p.to) throw new DomainError(ErrorCode.ValidationFailed, 'from: after to');
    if (!p.unit) return { ...p, unitIds: null, unitCodes: null };
    const snap = await this.catalog.get();
    const id = snap.unitIdByCode.get(p.unit);
    if (!id) throw new DomainError(ErrorCode.ValidationFailed, `unit: unknown unit "${p.unit}"`);
    const rows: { id: string; code: string }[] = await this.ds.query(
      `WITH RECURSIVE scope(id) AS (SELECT id FROM unit WHERE id = $1 UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
       SELECT u.id, u.code FROM unit u JOIN scope s ON s.id = u.id`,
      [id],
    );
    return { ...p, unitIds: rows.map((r) => r.id), unitCodes: rows.map((r) => r.code) };
  }

  /** WHERE over `item` for the scope; parameters start at $1. */
  itemWhere(s: Scope, alias = ''): { sql: string; params: unknown[] } {
    const a = alias ? `${alias}.` : '';
    const where: string[] = [];
    const params: unknown[] = [];
    if (s.from) {
      params.push(s.from);
      where.push(`${a}received_at >= $${params.length}`);
    }
    if (s.to) {
      params.push(s.to);
      where.push(`${a}received_at <= $${params.length}`);
    }
    if (s.unitIds) {
      params.push(s.unitIds);
      where.push(`${a}unit_id = ANY($${params.length}::uuid[])`);
    }
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
  }

  async summary(p: Period): Promise<Summary> {
    const s = await this.scope(p);
    const snap = await this.catalog.get();
    const w = this.itemWhere(s);
    type G = {
      g_channel: number;
      g_dimension: number;
      g_unit: number;
      g_rating: number;
      g_window: number;
      g_item: number;
      channel: string | null;
      dimension: string | null;
      unit_id: string | null;
      rating: number | null;
      window_id: string | null;
      service_item_id: string | null;
      n: number;
      valid_ratings: number;
      problems: number;
      good: number;
      bad: number;
      bad_rectified: number;
      invalid: number;
      accept_due: number;
      accepted_on_time: number;
      answer_due: number;
      answered_on_time: number;
      callbacks: number;
      satisfied: number;
      overdue: number;
    };
    const groups: G[] = await this.ds.query(
      `SELECT GROUPING(channel) AS g_channel, GROUPING(dimension) AS g_dimension, GROUPING(unit_id) AS g_unit,
         GROUPING(rating) AS g_rating, GROUPING(window_id) AS g_window, GROUPING(service_item_id) AS g_item,
         channel, dimension, unit_id, rating, window_id, service_item_id,
         count(*)::int AS n,
         count(*) FILTER (WHERE rating IS NOT NULL AND rating_valid)::int AS valid_ratings,
         count(*) FILTER (WHERE ${IS_PROBLEM})::int AS problems,
         count(*) FILTER (WHERE rating >= 4 AND rating_valid)::int AS good,
         count(*) FILTER (WHERE rating <= 2 AND rating_valid)::int AS bad,
         count(*) FILTER (WHERE rating <= 2 AND rating_valid AND answered_at IS NOT NULL)::int AS bad_rectified,
         count(*) FILTER (WHERE rating IS NOT NULL AND NOT rating_valid)::int AS invalid,
         count(*) FILTER (WHERE accepted_at IS NOT NULL OR (accept_due_at < now() AND status IN ('new', 'assigned', 'returned')))::int AS accept_due,
         count(*) FILTER (WHERE accepted_at <= accept_due_at)::int AS accepted_on_time,
         count(*) FILTER (WHERE answered_at IS NOT NULL OR (answer_due_at < now() AND status NOT IN ('answered', 'closed')))::int AS answer_due,
         count(*) FILTER (WHERE answered_at <= answer_due_at)::int AS answered_on_time,
         count(callback_satisfied)::int AS callbacks,
         count(*) FILTER (WHERE callback_satisfied)::int AS satisfied,
         count(*) FILTER (WHERE due_at < now())::int AS overdue
       FROM item ${w.sql}
       GROUP BY GROUPING SETS ((), (channel), (dimension), (unit_id), (rating), (window_id), (service_item_id))`,
      w.params,
    );
    const total = groups.find((g) => g.g_channel && g.g_dimension && g.g_unit && g.g_rating && g.g_window && g.g_item);
    const only = (k: 'g_channel' | 'g_dimension' | 'g_unit' | 'g_rating' | 'g_window' | 'g_item') =>
      groups.filter((g) => g[k] === 0);
    const byChannel: Record<string, number> = {};
    for (const g of only('g_channel')) byChannel[g.channel ?? 'unknown'] = g.n;
    const byDimension: Record<string, number> = {};
    for (const g of only('g_dimension')) byDimension[g.dimension ?? 'unclassified'] = g.n;
    const unitById = new Map(snap.catalog.units.map((u) => [snap.unitIdByCode.get(u.code), u]));
    const byUnit = only('g_unit')
      .map((g) => ({ unit: snap.unitCodeById.get(g.unit_id ?? '') ?? String(g.unit_id), name: unitById.get(g.unit_id ?? '')?.name ?? '', items: g.n }))
      .sort((a, b) => b.items - a.items || a.unit.localeCompare(b.unit));
    const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    for (const g of only('g_rating')) if (g.rating !== null) distribution[String(g.rating) as keyof typeof distribution] = g.valid_ratings;

    const windowName = new Map(snap.catalog.windows.map((x) => [snap.windowIdByCode.get(x.code), x]));
    const itemById = new Map(snap.catalog.items.map((x) => [snap.itemIdByCode.get(x.code), x]));
    const topWindows = only('g_window')
      .filter((g) => g.window_id !== null && g.problems > 0)
      .sort((a, b) => b.problems - a.problems)
      .slice(0, 10)
      .map((g) => ({ window: windowName.get(g.window_id ?? '')?.code ?? String(g.window_id), name: windowName.get(g.window_id ?? '')?.name ?? '', problems: g.problems }));
    const topServiceItems = only('g_item')
      .filter((g) => g.service_item_id !== null && g.problems > 0)
      .sort((a, b) => b.problems - a.problems)
      .slice(0, 10)
      .map((g) => ({
        serviceItem: itemById.get(g.service_item_id ?? '')?.code ?? String(g.service_item_id),
        name: itemById.get(g.service_item_id ?? '')?.name ?? '',
        problems: g.problems,
      }));

    // problems found in the period (by their creation) and solved (done or verified)
    const pw: string[] = [];
    const pp: unknown[] = [];
    if (s.from) pw.push(`created_at >= $${pp.push(s.from)}`);
    if (s.to) pw.push(`created_at <= $${pp.push(s.to)}`);
    if (s.unitCodes) pw.push(`units && $${pp.push(s.unitCodes)}::text[]`);
    const [pr] = await this.ds.query(
      `SELECT count(*)::int AS found, count(*) FILTER (WHERE status IN ('done', 'verified'))::int AS solved,
         count(*) FILTER (WHERE status = 'verified')::int AS verified
       FROM problem ${pw.length ? `WHERE ${pw.join(' AND ')}` : ''}`,
      pp,
    );

    // misroutes per routing rule: returns recorded on the timeline in the period
    const ew: string[] = [`e.kind = 'returned'`];
    const ep: unknown[] = [];
    if (s.from) ew.push(`e.at >= $${ep.push(s.from)}`);
    if (s.to) ew.push(`e.at <= $${ep.push(s.to)}`);
    if (s.unitCodes) ew.push(`e.data->'misroute'->>'unit' = ANY($${ep.push(s.unitCodes)}::text[])`);
    const misroutes: { rule: string; returns: number }[] = await this.ds.query(
      `SELECT coalesce(e.data->'misroute'->>'routingRule', 'unknown') AS rule, count(*)::int AS returns
       FROM item_event e WHERE ${ew.join(' AND ')} GROUP BY 1 ORDER BY 2 DESC, 1`,
      ep,
    );

    const t = total ?? ({} as Partial<G>);
    const rated = Object.values(distribution).reduce((a, b) => a + b, 0);
    return {
      period: { from: s.from?.toISOString() ?? null, to: s.to?.toISOString() ?? null, unit: s.unit },
      items: { total: t.n ?? 0, byChannel, byDimension, byUnit },
      ratings: {
        total: rated,
        distribution,
        good: t.good ?? 0,
        goodShare: share(t.good ?? 0, rated),
        bad: t.bad ?? 0,
        badRectified: t.bad_rectified ?? 0,
        badRectifiedShare: share(t.bad_rectified ?? 0, t.bad ?? 0),
        invalid: t.invalid ?? 0,
      },
      onTime: {
        acceptDue: t.accept_due ?? 0,
        acceptedOnTime: t.accepted_on_time ?? 0,
        acceptedOnTimeShare: share(t.accepted_on_time ?? 0, t.accept_due ?? 0),
        answerDue: t.answer_due ?? 0,
        answeredOnTime: t.answered_on_time ?? 0,
        answeredOnTimeShare: share(t.answered_on_time ?? 0, t.answer_due ?? 0),
      },
      callbacks: { total: t.callbacks ?? 0, satisfied: t.satisfied ?? 0, satisfiedShare: share(t.satisfied ?? 0, t.callbacks ?? 0) },
      problems: { found: pr.found, solved: pr.solved, verified: pr.verified },
      overdueNow: t.overdue ?? 0,
      misroutes,
      topWindows,
      topServiceItems,
    };
  }

  /** Open items past the deadline they are held to now, most overdue first, with working days overdue and 通报. */
  async overdue(p: Period, limit = 1000): Promise<{ total: number; items: OverdueRow[] }> {
    const s = await this.scope(p);
    const w = this.itemWhere(s, 'i');
    const cond = `${w.sql ? `${w.sql} AND` : 'WHERE'} i.due_at IS NOT NULL AND i.due_at < now()`;
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM item i ${cond}`, w.params);
    const rows: {
      id: string;
      tracking_code: string;
      channel: string;
      status: string;
      received_at: Date;
      due_at: Date;
      reported_at: Date | null;
      overdue_notified_at: Date | null;
      unit_code: string;
      unit_name: string;
      text: string;
    }[] = await this.ds.query(
      `SELECT i.id, i.tracking_code, i.channel, i.status, i.received_at, i.due_at, i.reported_at, i.overdue_notified_at,
         u.code AS unit_code, u.name AS unit_name, left(i.text, 200) AS text
       FROM item i JOIN unit u ON u.id = i.unit_id ${cond} ORDER BY i.due_at, i.id LIMIT ${Math.max(1, Math.min(limit, 100_000))}`,
      w.params,
    );
    const now = new Date();
    return {
      total,
      items: rows.map((r) => {
        const o = this.deadlines.overdue(r.due_at, now);
        return {
          id: Number(r.id),
          trackingCode: r.tracking_code,
          channel: r.channel,
          status: r.status,
          unit: r.unit_code,
          unitName: r.unit_name,
          receivedAt: r.received_at.toISOString(),
          dueAt: r.due_at.toISOString(),
          workingDaysOverdue: o.workingDays,
          reported: r.reported_at !== null || o.report,
          reportedAt: r.reported_at?.toISOString() ?? null,
          supervisedAt: r.overdue_notified_at?.toISOString() ?? null,
          text: r.text,
        };
      }),
    };
  }
}

export interface OverdueRow {
  id: number;
  trackingCode: string;
  channel: string;
  status: string;
  unit: string;
  unitName: string;
  receivedAt: string;
  dueAt: string;
  workingDaysOverdue: number;
  /** named in the 通报 (five working days past the deadline) */
  reported: boolean;
  reportedAt: string | null;
  supervisedAt: string | null;
  text: string;
}
