import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import {
  CalendarConfigError,
  chinaDateKey,
  chinaDayOf,
  parseCalendarYear,
  parseChinaDate,
  startOfChinaDay,
  WorkingCalendar,
  yearOf,
  type CalendarProblem,
  type CalendarYear,
} from './calendar.js';
import { workingDaysBetween } from './deadlines.js';
import { CALENDAR_DIR, DEADLINE_KINDS, DeadlinesService, type DeadlineBasis } from './deadlines.service.js';

/** how often a copy looks for a calendar another copy saved */
const CHECK_EVERY_MS = 5_000;
const RECOUNT_BATCH = 500;
/** the console's warning is read at most this often per copy */
const WARNING_TTL_MS = 60_000;

export interface CalendarYearSummary {
  year: number;
  source: string | null;
  origin: 'file' | 'entered';
  holidays: number;
  workdays: number;
  enteredBy: string | null;
  enteredAt: string;
}

export interface CalendarYearView extends CalendarYearSummary {
  document: string;
  days: { date: string; kind: 'holiday' | 'workday'; name: string }[];
}

export interface RecountResult {
  /** open items looked at */
  checked: number;
  /** items with at least one deadline moved */
  changed: number;
  /** the first few, for the person who asked */
  sample: { id: number; trackingCode: string; before: Record<string, string>; after: Record<string, string> }[];
}

export interface CalendarWarning {
  /** this year and next, when the store has no calendar for them */
  missingYears: number[];
  /** open items with a deadline in a year without a calendar */
  items: { id: number; trackingCode: string; dueAt: string; year: number }[];
  total: number;
}

/**
 * The working-day calendar in the store. The shipped files (config/calendar/<year>.yaml) seed the years they cover;
 * the office enters a new year (the State Council notice, usually out in November) by the console, the API or the
 * CLI, in the same YAML format, checked the same way. Every copy reads the store's calendar at start and within
 * seconds of a change. Deadlines already set are counted again on request, from the basis each was counted on,
 * with the change on each item's timeline.
 */
@Injectable()
export class CalendarStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CalendarStore.name);
  private version: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private warning: { at: number; value: CalendarWarning } | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.seed();
    await this.refresh();
    await this.backfillBasis();
    const thisYear = yearOf(chinaDayOf(this.clock.now()));
    for (const y of [thisYear, thisYear + 1]) {
      if (!this.deadlines.calendar.hasYear(y)) {
        this.logger.warn(
          { year: y },
          `no working-day calendar for ${y}: plain weekends are used for that year until the office enters it (console 工作日历, PUT /api/calendar/${y}, or cli calendar:import)`,
        );
      }
    }
    this.timer = setInterval(() => {
      this.refresh().catch((e: Error) => this.logger.warn({ err: e.message }, 'could not read the calendar'));
    }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The shipped files seed the years the store does not have yet (a year entered by the office is never replaced). */
  async seed(dir = CALENDAR_DIR): Promise<void> {
    for (const name of readdirSync(dir).sort()) {
      const m = /^(\d{4})\.ya?ml$/.exec(name);
      if (!m) continue;
      const text = readFileSync(path.join(dir, name), 'utf8');
      const r = parseCalendarYear(text, path.join('config/calendar', name), Number(m[1]));
      if (!r.year) throw new CalendarConfigError(r.problems);
      await this.ds.query(
        `INSERT INTO calendar_year (year, document, source, origin, holidays, workdays, entered_by, entered_at)
         VALUES ($1, $2, $3, 'file', $4, $5, NULL, $6) ON CONFLICT (year) DO NOTHING`,
        [r.year.year, text, r.year.source ?? null, r.year.holidays.size, r.year.workdays.size, this.clock.now()],
      );
    }
  }

  /** Reads the store's calendar when it changed since the last look (any copy may have written it). */
  async refresh(): Promise<boolean> {
    const [{ v }] = await this.ds.query(`SELECT coalesce(max(version), 0)::text || ':' || count(*)::text AS v FROM calendar_year`);
    if (v === this.version) return false;
    const rows: { year: number; document: string }[] = await this.ds.query(`SELECT year, document FROM calendar_year ORDER BY year`);
    const years: CalendarYear[] = [];
    for (const r of rows) {
      const p = parseCalendarYear(r.document, `calendar_year ${r.year}`, r.year);
      if (p.year) years.push(p.year);
      else this.logger.error({ year: r.year, problems: p.problems }, 'a stored calendar year does not read; that year falls back to weekends');
    }
    try {
      this.deadlines.useCalendar(new WorkingCalendar(years, this.deadlines.calendarOptions));
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'the stored calendar years disagree; keeping the calendar in use');
      return false;
    }
    this.version = v;
    this.warning = null;
    return true;
  }

  async list(): Promise<CalendarYearSummary[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT year, source, origin, holidays, workdays, entered_by, entered_at FROM calendar_year ORDER BY year DESC`,
    );
    return rows.map(summary);
  }

  async get(year: number): Promise<CalendarYearView> {
    const [r]: (Row & { document: string })[] = await this.ds.query(
      `SELECT year, document, source, origin, holidays, workdays, entered_by, entered_at FROM calendar_year WHERE year = $1`,
      [year],
    );
    if (!r) throw new DomainError(ErrorCode.NotFound, `no calendar for ${year}`);
    const parsed = parseCalendarYear(r.document, String(year), year).year;
    const days = [
      ...[...(parsed?.holidays ?? [])].map(([date, name]) => ({ date, kind: 'holiday' as const, name })),
      ...[...(parsed?.workdays ?? [])].map(([date, name]) => ({ date, kind: 'workday' as const, name })),
    ].sort((a, b) => a.date.localeCompare(b.date));
    return { ...summary(r), document: r.document, days };
  }

  /**
   * Enters (or corrects) one year from its YAML text. Every problem is reported with its path, as for the files; a
   * year that contradicts a neighbour (a day off in one, a working day in the other) is refused too.
   */
  async save(year: number, text: string, actor: Actor): Promise<CalendarYearSummary> {
    if (text.length > 100_000) throw new DomainError(ErrorCode.ValidationFailed, 'the calendar text is too long (100 000 characters at most)');
    const r = parseCalendarYear(text, `${year}`, year);
    if (!r.year) throw invalid(r.problems);
    const others: CalendarYear[] = [];
    const rows: { year: number; document: string }[] = await this.ds.query(`SELECT year, document FROM calendar_year WHERE year <> $1`, [year]);
    for (const o of rows) {
      const p = parseCalendarYear(o.document, String(o.year), o.year);
      if (p.year) others.push(p.year);
    }
    try {
      new WorkingCalendar([...others, r.year]);
    } catch (e) {
      if (e instanceof CalendarConfigError) throw invalid(e.problems);
      throw e;
    }
    await this.ds.query(
      `INSERT INTO calendar_year (year, document, source, origin, holidays, workdays, entered_by, entered_at)
       VALUES ($1, $2, $3, 'entered', $4, $5, $6, $7)
       ON CONFLICT (year) DO UPDATE SET document = EXCLUDED.document, source = EXCLUDED.source, origin = 'entered',
         holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays, entered_by = EXCLUDED.entered_by,
         entered_at = EXCLUDED.entered_at, version = nextval('calendar_version_seq')`,
      [year, text, r.year.source ?? null, r.year.holidays.size, r.year.workdays.size, actor.username, this.clock.now()],
    );
    this.logger.log({ year, by: actor.username, holidays: r.year.holidays.size, workdays: r.year.workdays.size }, 'calendar year entered');
    await this.refresh();
    const [row]: Row[] = await this.ds.query(
      `SELECT year, source, origin, holidays, workdays, entered_by, entered_at FROM calendar_year WHERE year = $1`,
      [year],
    );
    return summary(row);
  }

  /**
   * Counts the deadlines of open items again on the calendar in use, from the basis each was counted on (so many
   * working days from receipt, or from the step that set it). Only deadlines from `year`'s eve on can move. Each
   * changed item gets a timeline entry with the old and new deadlines; a deadline that moves gets its 催办, 督办 and
   * 通报 afresh.
   */
  async recount(year: number, actor: Actor): Promise<RecountResult> {
    await this.refresh();
    // a notice for a year may start 元旦 on 12-30 of the year before (as 2024's did): from the 25th on
    const from = startOfChinaDay(parseChinaDate(`${year - 1}-12-25`) as number);
    const cal = this.deadlines.calendar;
    const result: RecountResult = { checked: 0, changed: 0, sample: [] };
    let after = '0';
    for (;;) {
      const changed = await this.ds.transaction(async (m) => {
        const rows: RecountRow[] = await m.query(
          `SELECT id, tracking_code, status, received_at, deadline_basis, accept_due_at, answer_due_at, callback_due_at, rectify_due_at, due_at
           FROM item
           WHERE id > $1 AND status <> 'closed'
             AND (accept_due_at >= $2 OR answer_due_at >= $2 OR callback_due_at >= $2 OR rectify_due_at >= $2)
           ORDER BY id LIMIT ${RECOUNT_BATCH} FOR UPDATE`,
          [after, from],
        );
        if (!rows.length) return null;
        after = rows[rows.length - 1]!.id;
        const now = this.clock.now();
        let n = 0;
        for (const r of rows) {
          result.checked++;
          const basis: DeadlineBasis = r.deadline_basis ?? {};
          const before: Record<string, string> = {};
          const next: Record<string, string> = {};
          const set: Record<string, Date> = {};
          for (const k of DEADLINE_KINDS) {
            const due = r[`${k}_due_at`];
            const b = basis[k];
            if (!due || !b || due < from) continue;
            const moved = this.deadlines.recount(b);
            if (moved.getTime() === due.getTime()) continue;
            before[k] = due.toISOString();
            next[k] = moved.toISOString();
            set[`${k}_due_at`] = moved;
          }
          const cols = Object.keys(set);
          if (!cols.length) continue;
          n++;
          const [{ due_at }] = await m.query(
            `UPDATE item SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1 RETURNING due_at`,
            [r.id, ...cols.map((c) => set[c])],
          );
          if ((due_at as Date | null)?.getTime() !== r.due_at?.getTime()) {
            await m.query(`UPDATE item SET reminded_at = NULL, overdue_notified_at = NULL, reported_at = NULL WHERE id = $1`, [r.id]);
          }
          await m.query(`INSERT INTO item_event (item_id, at, actor_id, actor, kind, data) VALUES ($1, $2, $3, $4, 'deadlines_recounted', $5::jsonb)`, [
            r.id,
            now,
            actor.id,
            actor.username,
            JSON.stringify({ year, before, after: next, note: `按${year}年工作日历重新计算期限` }),
          ]);
          if (result.sample.length < 20) result.sample.push({ id: Number(r.id), trackingCode: r.tracking_code, before, after: next });
        }
        return n;
      });
      if (changed === null) break;
      result.changed += changed;
    }
    this.logger.log({ year, by: actor.username, checked: result.checked, changed: result.changed, years: cal.years }, 'deadlines counted again');
    this.warning = null;
    return result;
  }

  /**
   * What the office must know while a year has no calendar: which years (this and next) are missing, and the open
   * items whose deadlines fall in a year without one (counted on plain weekends). Cached for a minute per copy.
   */
  async warningNow(): Promise<CalendarWarning> {
    const t = performance.now();
    if (this.warning && t - this.warning.at < WARNING_TTL_MS) return this.warning.value;
    const cal = this.deadlines.calendar;
    const thisYear = yearOf(chinaDayOf(this.clock.now()));
    const missingYears = [thisYear, thisYear + 1].filter((y) => !cal.hasYear(y));
    // deadlines from the first day of the first year without a calendar after this one
    let first = thisYear;
    while (cal.hasYear(first)) first++;
    const start = startOfChinaDay(parseChinaDate(`${first}-01-01`) as number);
    // the deadline each item is held to now (due_at, indexed)
    const rows: { id: string; tracking_code: string; due: Date; total: number }[] = await this.ds.query(
      `SELECT id, tracking_code, due_at AS due, count(*) OVER ()::int AS total
       FROM item WHERE due_at >= $1 AND status <> 'closed' ORDER BY due_at, id LIMIT 20`,
      [start],
    );
    const items = rows
      .map((r) => ({ id: Number(r.id), trackingCode: r.tracking_code, dueAt: r.due.toISOString(), year: yearOf(chinaDayOf(r.due)) }))
      .filter((i) => !cal.hasYear(i.year));
    const value: CalendarWarning = { missingYears, items, total: rows[0]?.total ?? 0 };
    this.warning = { at: t, value };
    return value;
  }

  /**
   * Items stored before deadlines kept their basis: counted from receipt, on the calendar in use at start (exact for
   * deadlines set at intake; for one set by a later step, the same number of working days since receipt).
   */
  private async backfillBasis(): Promise<void> {
    const cal = this.deadlines.calendar;
    for (;;) {
      const rows: RecountRow[] = await this.ds.query(
        `SELECT id, received_at, accept_due_at, answer_due_at, callback_due_at, rectify_due_at FROM item
         WHERE deadline_basis IS NULL AND status <> 'closed' ORDER BY id LIMIT ${RECOUNT_BATCH}`,
      );
      if (!rows.length) return;
      const bases = rows.map((r) => {
        const b: DeadlineBasis = {};
        for (const k of DEADLINE_KINDS) {
          const due = r[`${k}_due_at`];
          if (!due) continue;
          const days = workingDaysBetween(cal, r.received_at, due);
          if (days >= 0) b[k] = { from: r.received_at.toISOString(), days };
        }
        return JSON.stringify(b);
      });
      await this.ds.query(
        `UPDATE item i SET deadline_basis = v.b::jsonb FROM unnest($1::bigint[], $2::text[]) AS v(id, b)
         WHERE i.id = v.id AND i.deadline_basis IS NULL`,
        [rows.map((r) => r.id), bases],
      );
      this.logger.log({ items: rows.length }, 'deadline basis recorded for items stored before it was kept');
    }
  }
}

interface Row {
  year: number;
  source: string | null;
  origin: 'file' | 'entered';
  holidays: number;
  workdays: number;
  entered_by: string | null;
  entered_at: Date;
}

interface RecountRow {
  id: string;
  tracking_code: string;
  status: string;
  received_at: Date;
  deadline_basis: DeadlineBasis | null;
  accept_due_at: Date | null;
  answer_due_at: Date | null;
  callback_due_at: Date | null;
  rectify_due_at: Date | null;
  due_at: Date | null;
}

function summary(r: Row): CalendarYearSummary {
  return {
    year: r.year,
    source: r.source,
    origin: r.origin,
    holidays: r.holidays,
    workdays: r.workdays,
    enteredBy: r.entered_by,
    enteredAt: r.entered_at.toISOString(),
  };
}

function invalid(problems: CalendarProblem[]): DomainError {
  const lines = problems.map((p) => `${p.path ? `${p.path}: ` : ''}${p.message}`);
  return new DomainError(ErrorCode.ValidationFailed, `the calendar is not valid: ${lines.join('; ')}`, {
    problems: problems.map((p) => ({ path: p.path, message: p.message })),
  });
}

/** A year's YAML to start from: the format of config/calendar/<year>.yaml, for the office to fill in. */
export function calendarTemplate(year: number): string {
  const key = (d: number) => chinaDateKey(d);
  const jan1 = parseChinaDate(`${year}-01-01`) as number;
  return [
    `# ${year}年工作日历：按国务院办公厅关于${year}年部分节假日安排的通知填写`,
    `year: ${year}`,
    `source: 国务院办公厅关于${year}年部分节假日安排的通知`,
    'holidays:',
    `  - {name: 元旦, from: ${key(jan1)}, to: ${key(jan1)}}`,
    '  # - {name: 春节, from: YYYY-MM-DD, to: YYYY-MM-DD}',
    'workdays:',
    '  # 调休上班的周六、周日',
    '  # - {name: 春节调休, date: YYYY-MM-DD}',
    '',
  ].join('\n');
}
