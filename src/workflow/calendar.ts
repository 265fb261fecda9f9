/**
 * The working-day calendar: China's public holidays and the weekend days that become working days (调休), one YAML
 * file a year under config/calendar/<year>.yaml. Every date here is a China date (Asia/Shanghai, UTC+8 all year,
 * no daylight saving), computed from the instant's epoch milliseconds so the machine's TZ never matters.
 *
 * A year without a file falls back to plain weekends and says so, once per year, through the injected `warn`:
 * deadlines a day off are a real harm to people, so the gap must never be silent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, parseDocument, type Node as YamlNode } from 'yaml';

const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

/** A China calendar day as a whole number of days since 1970-01-01 (China date); cheap to compare and step. */
export type ChinaDay = number;

export function chinaDayOf(instant: Date): ChinaDay {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  return Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS);
}

/** 'YYYY-MM-DD' of a China day. */
export function chinaDateKey(day: ChinaDay): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The China day of 'YYYY-MM-DD', or null when it is not a real date (2026-02-30, 2026-2-3…). */
export function parseChinaDate(key: string): ChinaDay | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  // Date.UTC rolls 02-30 over into March; a round trip catches it
  if (new Date(ms).toISOString().slice(0, 10) !== key) return null;
  return ms / DAY_MS;
}

/** 00:00:00.000 China time of the day. */
export function startOfChinaDay(day: ChinaDay): Date {
  return new Date(day * DAY_MS - CHINA_OFFSET_MS);
}

/** 23:59:59.999 China time of the day: deadlines end there. */
export function endOfChinaDay(day: ChinaDay): Date {
  return new Date((day + 1) * DAY_MS - CHINA_OFFSET_MS - 1);
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function weekdayOf(day: ChinaDay): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function yearOf(day: ChinaDay): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export interface CalendarYear {
  year: number;
  /** where it came from, for messages */
  file?: string;
  source?: string;
  /** China date → holiday name: days off */
  holidays: ReadonlyMap<string, string>;
  /** China date → name: weekend days that are working days */
  workdays: ReadonlyMap<string, string>;
}

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted_workday';

export interface DayInfo {
  date: string;
  working: boolean;
  kind: DayKind;
  /** the holiday or 调休 name from the file */
  name: string | null;
  /** true when the year has no calendar file and plain weekends were assumed */
  fallback: boolean;
}

export interface CalendarOptions {
  /** told once per year that has no file; defaults to a process warning so it is never silent */
  warn?: (message: string, year: number) => void;
}

const defaultWarn = (message: string): void => {
  process.emitWarning(message, { code: 'HUB_CALENDAR_FALLBACK' });
};

export class WorkingCalendar {
  /** every listed date of every file, so a 元旦 that starts on 12-30 of the year before is found */
  private readonly off = new Map<string, string>();
  private readonly work = new Map<string, string>();
  private readonly covered = new Set<number>();
  private readonly warned = new Set<number>();
  /** what each day asked about is (infoOf) */
  private readonly known = new Map<ChinaDay, DayInfo>();
  private readonly warn: (message: string, year: number) => void;

  /** Throws CalendarConfigError when two years disagree about a day or a year is given twice. */
  constructor(years: readonly CalendarYear[], options: CalendarOptions = {}) {
    const problems = mergeProblems(years);
    if (problems.length > 0) throw new CalendarConfigError(problems);
    for (const y of years) {
      this.covered.add(y.year);
      for (const [k, v] of y.holidays) this.off.set(k, v);
      for (const [k, v] of y.workdays) this.work.set(k, v);
    }
    this.warn = options.warn ?? defaultWarn;
  }

  /** Years that have a calendar file, ascending. */
  get years(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }

  /** Years that were asked about but have no file (each already reported once). */
  get fallbackYears(): number[] {
    return [...this.warned].sort((a, b) => a - b);
  }

  hasYear(year: number): boolean {
    return this.covered.has(year);
  }

  /** Is this instant's China day (or this 'YYYY-MM-DD' China date) a working day? */
  isWorkingDay(date: Date | string): boolean {
    return this.isWorkingChinaDay(toChinaDay(date));
  }

  isWorkingChinaDay(day: ChinaDay): boolean {
    return this.infoOf(day).working;
  }

  dayInfo(date: Date | string): DayInfo {
    return this.infoOf(toChinaDay(date));
  }

  /**
   * What a day is, once per day per calendar (deadlines walk the same few weeks for every item; a file import asks
   * about the same days hundreds of thousands of times). A changed calendar is a new WorkingCalendar.
   */
  private infoOf(day: ChinaDay): DayInfo {
    let info = this.known.get(day);
    if (!info) {
      info = Object.freeze(this.lookUp(day));
      if (this.known.size < 20_000) this.known.set(day, info);
    }
    return info;
  }

  private lookUp(day: ChinaDay): DayInfo {
    const key = chinaDateKey(day);
    const holiday = this.off.get(key);
    if (holiday !== undefined) return { date: key, working: false, kind: 'holiday', name: holiday, fallback: false };
    const adjusted = this.work.get(key);
    if (adjusted !== undefined) {
      return { date: key, working: true, kind: 'adjusted_workday', name: adjusted, fallback: false };
    }
    const weekend = weekdayOf(day) === 0 || weekdayOf(day) === 6;
    const year = yearOf(day);
    const fallback = !this.covered.has(year);
    if (fallback && !this.warned.has(year)) {
      this.warned.add(year);
      this.warn(
        `no working-day calendar for ${year} (config/calendar/${year}.yaml): counting Saturdays and Sundays as the ` +
          `only days off, public holidays and 调休 are ignored until the file is added`,
        year,
      );
    }
    return { date: key, working: !weekend, kind: weekend ? 'weekend' : 'workday', name: null, fallback };
  }
}

/** Two files must not disagree about a day, and a year comes once. */
function mergeProblems(years: readonly CalendarYear[]): CalendarProblem[] {
  const problems: CalendarProblem[] = [];
  const seen = new Map<number, string>();
  const off = new Map<string, string>();
  const work = new Map<string, string>();
  for (const y of years) {
    const file = y.file ?? String(y.year);
    const other = seen.get(y.year);
    if (other !== undefined) problems.push({ file, path: 'year', message: `${y.year} is also given by ${other}` });
    seen.set(y.year, file);
    for (const k of y.holidays.keys()) {
      const w = work.get(k);
      if (w !== undefined) problems.push({ file, path: 'holidays', message: `${k} is a working day in ${w}` });
      off.set(k, file);
    }
    for (const k of y.workdays.keys()) {
      const o = off.get(k);
      if (o !== undefined) problems.push({ file, path: 'workdays', message: `${k} is a day off in ${o}` });
      work.set(k, file);
    }
  }
  return problems;
}

function toChinaDay(date: Date | string): ChinaDay {
  if (typeof date !== 'string') return chinaDayOf(date);
  const day = parseChinaDate(date);
  if (day === null) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return day;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the year files

export interface CalendarProblem {
  file: string;
  /** where in the file, e.g. `holidays[2].to`; '' for the file itself */
  path: string;
  message: string;
}

export class CalendarConfigError extends Error {
  constructor(readonly problems: CalendarProblem[]) {
    super(
      `working-day calendar is invalid:\n` +
        problems.map((p) => `  ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n'),
    );
    this.name = 'CalendarConfigError';
  }
}

const ROOT_KEYS = new Set(['year', 'source', 'holidays', 'workdays']);
const HOLIDAY_KEYS = new Set(['name', 'date', 'from', 'to']);
const WORKDAY_KEYS = new Set(['name', 'date']);
/** the longest public holiday so far is 9 days; a longer range is a typo */
const MAX_HOLIDAY_DAYS = 15;

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses one year file and reports every problem with its path. `expectedYear` comes from the file name; the year
 * inside must agree, so a copied file that was not edited is caught.
 */
export function parseCalendarYear(
  text: string,
  file: string,
  expectedYear?: number,
): { year: CalendarYear | null; problems: CalendarProblem[] } {
  const problems: CalendarProblem[] = [];
  const problem = (p: string, message: string): void => {
    problems.push({ file, path: p, message });
  };
  // The core schema keeps 2026-01-01 a string (YAML 1.1 would turn it into a timestamp in UTC).
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problem('', `not valid YAML: ${e.message}`);
    return { year: null, problems };
  }
  if (!isMap(doc.contents as YamlNode | null)) {
    problem('', 'expected a mapping with year, holidays and workdays');
    return { year: null, problems };
  }
  const root = doc.toJS() as Loose;
  for (const k of Object.keys(root)) if (!ROOT_KEYS.has(k)) problem(k, `unknown key (expected ${[...ROOT_KEYS].join(', ')})`);

  const year = root.year;
  let yearOk = false;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1990 || year > 2200) {
    problem('year', `must be a four-digit year, got ${JSON.stringify(year)}`);
  } else if (expectedYear !== undefined && year !== expectedYear) {
    problem('year', `says ${year} but the file is for ${expectedYear}`);
  } else {
    yearOk = true;
  }
  if (root.source !== undefined && typeof root.source !== 'string') problem('source', 'must be text');

  const holidays = new Map<string, string>();
  const holidayWhere = new Map<string, string>();
  const workdays = new Map<string, string>();

  const dateIn = (v: unknown, p: string): ChinaDay | null => {
    if (typeof v !== 'string') {
      problem(p, `must be a date written 'YYYY-MM-DD', got ${JSON.stringify(v)}`);
      return null;
    }
    const day = parseChinaDate(v);
    if (day === null) {
      problem(p, `not a real date (YYYY-MM-DD): ${v}`);
      return null;
    }
    // A notice for year Y may start 元旦 (and its 调休) in the last days of Y-1, as the 2024 one did (12-30…01-01).
    const y = year as number; // checked when yearOk
    if (yearOk && !(day >= (parseChinaDate(`${y - 1}-12-25`) ?? 0) && yearOf(day) <= y)) {
      problem(p, `${v} is not in ${String(year)}`);
      return null;
    }
    return day;
  };
  const nameOf = (e: Loose, p: string): string => {
    if (typeof e.name !== 'string' || e.name.trim() === '') {
      problem(`${p}.name`, 'must name the holiday');
      return '';
    }
    return e.name.trim();
  };

  const holidayList = listAt(root, 'holidays', problem);
  holidayList.forEach((e, i) => {
    const p = `holidays[${i}]`;
    if (!isRecord(e)) return problem(p, 'expected {name, date} or {name, from, to}');
    for (const k of Object.keys(e)) if (!HOLIDAY_KEYS.has(k)) problem(`${p}.${k}`, 'unknown key');
    const name = nameOf(e, p);
    let from: ChinaDay | null;
    let to: ChinaDay | null;
    if (e.date !== undefined) {
      if (e.from !== undefined || e.to !== undefined) problem(p, 'give either date or from/to, not both');
      from = to = dateIn(e.date, `${p}.date`);
    } else if (e.from !== undefined && e.to !== undefined) {
      from = dateIn(e.from, `${p}.from`);
      to = dateIn(e.to, `${p}.to`);
    } else {
      return problem(p, 'needs date, or from and to');
    }
    if (from === null || to === null) return;
    if (to < from) return problem(`${p}.to`, `${chinaDateKey(to)} is before ${chinaDateKey(from)}`);
    if (to - from + 1 > MAX_HOLIDAY_DAYS) {
      return problem(p, `${to - from + 1} days off in a row; no public holiday is longer than ${MAX_HOLIDAY_DAYS}`);
    }
    for (let d = from; d <= to; d++) {
      const key = chinaDateKey(d);
      const earlier = holidayWhere.get(key);
      if (earlier !== undefined) problem(p, `${key} is already a day off in ${earlier}`);
      else {
        holidays.set(key, name);
        holidayWhere.set(key, p);
      }
    }
  });

  const workdayList = listAt(root, 'workdays', problem);
  workdayList.forEach((e, i) => {
    const p = `workdays[${i}]`;
    if (!isRecord(e)) return problem(p, 'expected {name, date}');
    for (const k of Object.keys(e)) if (!WORKDAY_KEYS.has(k)) problem(`${p}.${k}`, 'unknown key');
    const name = nameOf(e, p);
    const day = dateIn(e.date, `${p}.date`);
    if (day === null) return;
    const key = chinaDateKey(day);
    const off = holidayWhere.get(key);
    if (off !== undefined) return problem(`${p}.date`, `${key} is both a day off (${off}) and a working day`);
    const wd = weekdayOf(day);
    if (wd !== 0 && wd !== 6) return problem(`${p}.date`, `${key} is a weekday; only a Saturday or Sunday can be made a working day`);
    if (workdays.has(key)) return problem(`${p}.date`, `${key} is listed twice`);
    workdays.set(key, name);
  });

  if (problems.length > 0 || typeof year !== 'number') return { year: null, problems };
  return {
    year: { year, file, source: typeof root.source === 'string' ? root.source : undefined, holidays, workdays },
    problems,
  };
}

function listAt(root: Loose, key: string, problem: (p: string, m: string) => void): unknown[] {
  const v = root[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    problem(key, 'must be a list');
    return [];
  }
  return v;
}

const YEAR_FILE = /^(\d{4})\.ya?ml$/;

/**
 * Reads every `<year>.yaml` in the folder and builds the calendar, or throws CalendarConfigError listing every
 * problem in every file (start-up should stop on a wrong calendar rather than compute wrong deadlines).
 */
export function loadCalendar(dir: string, options: CalendarOptions = {}): WorkingCalendar {
  const problems: CalendarProblem[] = [];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new CalendarConfigError([{ file: dir, path: '', message: `cannot read the folder: ${(e as Error).message}` }]);
  }
  const years: CalendarYear[] = [];
  const seen = new Map<number, string>();
  for (const name of names) {
    if (!/\.ya?ml$/.test(name)) continue; // READMEs and the like
    const file = path.join(dir, name);
    const m = YEAR_FILE.exec(name);
    if (!m) {
      problems.push({ file, path: '', message: 'calendar files are named <year>.yaml, e.g. 2026.yaml' });
      continue;
    }
    const expected = Number(m[1]);
    const other = seen.get(expected);
    if (other !== undefined) {
      problems.push({ file, path: '', message: `a second file for ${expected} (also ${other})` });
      continue;
    }
    seen.set(expected, file);
    const r = parseCalendarYear(readFileSync(file, 'utf8'), file, expected);
    problems.push(...r.problems);
    if (r.year) years.push(r.year);
  }
  if (problems.length > 0) throw new CalendarConfigError(problems);
  return new WorkingCalendar(years, options);
}
