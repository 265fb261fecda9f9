import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { chinaDateKey, chinaDayOf, endOfChinaDay, parseChinaDate, startOfChinaDay, weekdayOf } from '../workflow/calendar.js';
import { DeadlinesService } from '../workflow/deadlines.service.js';
import { CONDITIONS, COUNTER_NAMES, COUNTERS, type Counter, ItemStatsService } from './item-stats.service.js';
import { Clock } from '../common/clock.js';

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

type Counters = Record<Counter, number>;
interface CounterRow extends Counters {
  kind: 'all' | 'channel' | 'dimension' | 'rating' | 'window' | 'service_item';
  key: string | null;
  unit_id: string | null;
}

/** The period as whole China days ('YYYY-MM-DD', either end open), or null when a bound has a time of day. */
function wholeDays(s: Scope): { from: string | null; to: string | null } | null {
  if (s.from && startOfChinaDay(chinaDayOf(s.from)).getTime() !== s.from.getTime()) return null;
  if (s.to && endOfChinaDay(chinaDayOf(s.to)).getTime() !== s.to.getTime()) return null;
  return { from: s.from ? chinaDateKey(chinaDayOf(s.from)) : null, to: s.to ? chinaDateKey(chinaDayOf(s.to)) : null };
}

/**
 * Figures (DESIGN.md "Figures people expect"): the counters by channel, dimension, unit, rating, window and service
 * item from the day roll-up (item-stats.service.ts) or, for periods with times of day, one grouped pass over the
 * items; problems and misroutes from their own tables; overdue items from the deadline index.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
    private readonly stats: ItemStatsService,
    private readonly clock: Clock,
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

  /**
   * The figures. A period of whole China days (or none) reads the day roll-up after recomputing the days changed
   * since the last refresh (exact, and fast over millions of items); a period with times of day counts the items
   * themselves. "Overdue now" is counted live through the deadline index either way.
   */
  async summary(p: Period, opts: { live?: boolean } = {}): Promise<Summary> {
    const s = await this.scope(p);
    const snap = await this.catalog.get();
    const days = opts.live ? null : wholeDays(s);
    let rows: CounterRow[];
    if (days) {
      await this.stats.refresh();
      rows = await this.fromStats(s, days);
    } else {
      rows = await this.live(s);
    }
    const late = await this.lateNow(s);

    const sum = (rs: CounterRow[]): Counters => {
      const out = Object.fromEntries(COUNTER_NAMES.map((c) => [c, 0])) as Counters;
      for (const r of rs) for (const c of COUNTER_NAMES) out[c] += r[c];
      return out;
    };
    const of = (kind: CounterRow['kind']) => rows.filter((r) => r.kind === kind);
    // a kind's rows per key (the roll-up has one per day and unit; summed here)
    const byKey = (kind: CounterRow['kind']): Map<string | null, Counters> => {
      const m = new Map<string | null, CounterRow[]>();
      for (const r of of(kind)) m.set(r.key, [...(m.get(r.key) ?? []), r]);
      return new Map([...m].map(([k, rs]) => [k, sum(rs)]));
    };
    const t = sum(of('all'));

    const byChannel: Record<string, number> = {};
    for (const [k, c] of byKey('channel')) if (c.n > 0) byChannel[k ?? 'unknown'] = c.n;
    const byDimension: Record<string, number> = {};
    for (const [k, c] of byKey('dimension')) if (c.n > 0) byDimension[k ?? 'unclassified'] = c.n;
    const perUnit = new Map<string, number>();
    for (const r of of('all')) if (r.unit_id) perUnit.set(r.unit_id, (perUnit.get(r.unit_id) ?? 0) + r.n);
    const unitName = new Map(snap.catalog.units.map((u) => [u.code, u.name]));
    const byUnit = [...perUnit]
      .filter(([, n]) => n > 0)
      .map(([id, n]) => {
        const code = snap.unitCodeById.get(id) ?? id;
        return { unit: code, name: unitName.get(code) ?? '', items: n };
      })
      .sort((a, b) => b.items - a.items || a.unit.localeCompare(b.unit));
    const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    for (const [k, c] of byKey('rating')) if (k !== null && k in distribution) distribution[k as keyof typeof distribution] = c.valid_ratings;

    const windowById = new Map(snap.catalog.windows.map((x) => [snap.windowIdByCode.get(x.code), x]));
    const itemById = new Map(snap.catalog.items.map((x) => [snap.itemIdByCode.get(x.code), x]));
    const top = (kind: 'window' | 'service_item') =>
      [...byKey(kind)]
        .filter(([k, c]) => k !== null && c.problems > 0)
        .sort((a, b) => b[1].problems - a[1].problems || String(a[0]).localeCompare(String(b[0])))
        .slice(0, 10);
    const topWindows = top('window').map(([k, c]) => ({ window: windowById.get(k ?? '')?.code ?? String(k), name: windowById.get(k ?? '')?.name ?? '', problems: c.problems }));
    const topServiceItems = top('service_item').map(([k, c]) => ({
      serviceItem: itemById.get(k ?? '')?.code ?? String(k),
      name: itemById.get(k ?? '')?.name ?? '',
      problems: c.problems,
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

    const rated = Object.values(distribution).reduce((a, b) => a + b, 0);
    const acceptDue = t.accepted + late.accept_late;
    const answerDue = t.answered + late.answer_late;
    return {
      period: { from: s.from?.toISOString() ?? null, to: s.to?.toISOString() ?? null, unit: s.unit },
      items: { total: t.n, byChannel, byDimension, byUnit },
      ratings: {
        total: rated,
        distribution,
        good: t.good,
        goodShare: share(t.good, rated),
        bad: t.bad,
        badRectified: t.bad_rectified,
        badRectifiedShare: share(t.bad_rectified, t.bad),
        invalid: t.invalid,
      },
      onTime: {
        acceptDue,
        acceptedOnTime: t.accepted_on_time,
        acceptedOnTimeShare: share(t.accepted_on_time, acceptDue),
        answerDue,
        answeredOnTime: t.answered_on_time,
        answeredOnTimeShare: share(t.answered_on_time, answerDue),
      },
      callbacks: { total: t.callbacks, satisfied: t.satisfied, satisfiedShare: share(t.satisfied, t.callbacks) },
      problems: { found: pr.found, solved: pr.solved, verified: pr.verified },
      overdueNow: late.overdue,
      misroutes,
      topWindows,
      topServiceItems,
    };
  }

  /** The roll-up's rows for whole China days; 'all' rows keep their unit. */
  private async fromStats(s: Scope, days: { from: string | null; to: string | null }): Promise<CounterRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (days.from) where.push(`day >= $${params.push(days.from)}::date`);
    if (days.to) where.push(`day <= $${params.push(days.to)}::date`);
    if (s.unitIds) where.push(`unit_id = ANY($${params.push(s.unitIds)}::uuid[])`);
    return this.ds.query(
      `SELECT kind, key, CASE WHEN kind = 'all' THEN unit_id END AS unit_id,
         ${COUNTER_NAMES.map((c) => `sum(${c})::int AS ${c}`).join(', ')}
       FROM item_stats ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       GROUP BY 1, 2, 3`,
      params,
    );
  }

  /** The same rows counted from the items themselves, in one grouped pass. */
  private async live(s: Scope): Promise<CounterRow[]> {
    const w = this.itemWhere(s, 'i');
    return this.ds.query(
      `SELECT CASE WHEN GROUPING(i.channel) = 0 THEN 'channel' WHEN GROUPING(i.dimension) = 0 THEN 'dimension'
                WHEN GROUPING(i.rating) = 0 THEN 'rating' WHEN GROUPING(i.window_id) = 0 THEN 'window'
                WHEN GROUPING(i.service_item_id) = 0 THEN 'service_item' ELSE 'all' END AS kind,
              CASE WHEN GROUPING(i.channel) = 0 THEN i.channel WHEN GROUPING(i.dimension) = 0 THEN i.dimension
                WHEN GROUPING(i.rating) = 0 THEN i.rating::text WHEN GROUPING(i.window_id) = 0 THEN i.window_id::text
                WHEN GROUPING(i.service_item_id) = 0 THEN i.service_item_id::text END AS key,
              i.unit_id,
              ${COUNTER_NAMES.map((c) => `${COUNTERS[c]}::int AS ${c}`).join(', ')}
       FROM item i ${w.sql}
       GROUP BY GROUPING SETS ((i.unit_id), (i.channel), (i.dimension), (i.rating), (i.window_id), (i.service_item_id))`,
      w.params,
    );
  }

  /**
   * Items received, good and bad reviews per China week (from Monday) or day of a bounded period, with empty weeks
   * or days as zeros, so a chart shows the gaps. From the day roll-up for whole days, else from the items.
   */
  async trend(p: Period, grain: 'week' | 'day'): Promise<TrendPoint[]> {
    const s = await this.scope(p);
    if (!s.from || !s.to) throw new DomainError(ErrorCode.ValidationFailed, 'from, to: a trend needs both');
    const first = chinaDayOf(s.from);
    const last = chinaDayOf(s.to);
    const start = grain === 'week' ? first - ((weekdayOf(first) + 6) % 7) : first;
    const step = grain === 'week' ? 7 : 1;
    if ((last - start) / step > 600) throw new DomainError(ErrorCode.ValidationFailed, 'from, to: too many points for a trend');
    const trunc = grain === 'week' ? 'week' : 'day';
    const days = wholeDays(s);
    let rows: { start: string; n: number; good: number; bad: number }[];
    if (days) {
      await this.stats.refresh();
      const where = [`kind = 'all'`];
      const params: unknown[] = [];
      if (days.from) where.push(`day >= $${params.push(days.from)}::date`);
      if (days.to) where.push(`day <= $${params.push(days.to)}::date`);
      if (s.unitIds) where.push(`unit_id = ANY($${params.push(s.unitIds)}::uuid[])`);
      rows = await this.ds.query(
        `SELECT to_char(date_trunc('${trunc}', day::timestamp), 'YYYY-MM-DD') AS start, sum(n)::int AS n, sum(good)::int AS good, sum(bad)::int AS bad
         FROM item_stats WHERE ${where.join(' AND ')} GROUP BY 1`,
        params,
      );
    } else {
      const w = this.itemWhere(s, 'i');
      rows = await this.ds.query(
        `SELECT to_char(date_trunc('${trunc}', i.received_at AT TIME ZONE 'Asia/Shanghai'), 'YYYY-MM-DD') AS start,
           count(*)::int AS n, count(*) FILTER (WHERE ${CONDITIONS.good})::int AS good, count(*) FILTER (WHERE ${CONDITIONS.bad})::int AS bad
         FROM item i ${w.sql} GROUP BY 1`,
        w.params,
      );
    }
    const byStart = new Map(rows.map((r) => [r.start, r]));
    const out: TrendPoint[] = [];
    for (let d = start; d <= last; d += step) {
      const key = chinaDateKey(d);
      const r = byStart.get(key);
      out.push({ start: key, items: r?.n ?? 0, good: r?.good ?? 0, bad: r?.bad ?? 0 });
    }
    return out;
  }

  /** Items past the deadline they are held to now: from the deadline index alone (status, unit, receipt included). */
  private async lateNow(s: Scope): Promise<{ overdue: number; accept_late: number; answer_late: number }> {
    const w = this.itemWhere(s, 'i');
    const [r] = await this.ds.query(
      `SELECT count(*)::int AS overdue,
         count(*) FILTER (WHERE i.status IN ('new', 'assigned', 'returned'))::int AS accept_late,
         count(*) FILTER (WHERE i.status IN ('accepted', 'reopened'))::int AS answer_late
       FROM item i ${w.sql ? `${w.sql} AND` : 'WHERE'} i.due_at IS NOT NULL AND i.due_at < $${w.params.length + 1}`,
      [...w.params, this.clock.now()],
    );
    return r;
  }

  /** Open items past the deadline they are held to now, most overdue first, with working days overdue and 通报. */
  async overdue(p: Period, limit = 1000): Promise<{ total: number; items: OverdueRow[] }> {
    const s = await this.scope(p);
    const w = this.itemWhere(s, 'i');
    const now = this.clock.now();
    const params = [...w.params, now];
    const cond = `${w.sql ? `${w.sql} AND` : 'WHERE'} i.due_at IS NOT NULL AND i.due_at < $${params.length}`;
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM item i ${cond}`, params);
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
      params,
    );
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

export interface TrendPoint {
  /** first China day of the week (a Monday) or the day, 'YYYY-MM-DD' */
  start: string;
  items: number;
  good: number;
  bad: number;
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
