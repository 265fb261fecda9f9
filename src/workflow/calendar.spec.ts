import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import chineseDays from 'chinese-days';
import {
  CalendarConfigError,
  chinaDateKey,
  chinaDayOf,
  endOfChinaDay,
  loadCalendar,
  parseCalendarYear,
  parseChinaDate,
  startOfChinaDay,
  weekdayOf,
  WorkingCalendar,
} from './calendar.js';

const CONFIG = path.resolve('config/calendar');

function calendar(warn: (m: string, y: number) => void = () => undefined): WorkingCalendar {
  return loadCalendar(CONFIG, { warn });
}

describe('China days', () => {
  it('takes the China date of an instant, whatever its offset', () => {
    // 2026-02-14 00:01 in Beijing is still 02-13 in UTC
    expect(chinaDateKey(chinaDayOf(new Date('2026-02-14T00:01:00+08:00')))).toBe('2026-02-14');
    expect(chinaDateKey(chinaDayOf(new Date('2026-02-13T16:01:00Z')))).toBe('2026-02-14');
    expect(chinaDateKey(chinaDayOf(new Date('2026-02-13T23:59:59.999+08:00')))).toBe('2026-02-13');
    expect(chinaDateKey(chinaDayOf(new Date('2026-02-13T10:00:00-05:00')))).toBe('2026-02-13'); // 23:00 in China
    expect(chinaDateKey(chinaDayOf(new Date('2026-02-13T11:00:00-05:00')))).toBe('2026-02-14'); // 00:00 in China
  });

  it('gives the day bounds in China time', () => {
    const d = parseChinaDate('2026-10-13')!;
    expect(startOfChinaDay(d).toISOString()).toBe('2026-10-12T16:00:00.000Z');
    expect(endOfChinaDay(d).toISOString()).toBe('2026-10-13T15:59:59.999Z');
    expect(weekdayOf(d)).toBe(2); // Tuesday
    expect(weekdayOf(parseChinaDate('1969-12-28')!)).toBe(0); // before the epoch too
  });

  it('refuses dates that are not real', () => {
    expect(parseChinaDate('2026-02-29')).toBeNull();
    expect(parseChinaDate('2026-2-3')).toBeNull();
    expect(parseChinaDate('2026-13-01')).toBeNull();
    expect(parseChinaDate('2028-02-29')).not.toBeNull();
  });
});

describe('the shipped calendar files', () => {
  it('agree with chinese-days on every day of 2025 and 2026', () => {
    const cal = calendar();
    const disagree: string[] = [];
    for (let d = parseChinaDate('2025-01-01')!; d <= parseChinaDate('2026-12-31')!; d++) {
      const key = chinaDateKey(d);
      if (cal.isWorkingDay(key) !== chineseDays.isWorkday(key)) disagree.push(key);
    }
    expect(disagree).toEqual([]);
    expect(cal.years).toEqual([2025, 2026]);
    expect(cal.fallbackYears).toEqual([]);
  });

  it('knows the 2026 notice as the issue quotes it', () => {
    const cal = calendar();
    const off = ['2026-01-01', '2026-01-02', '2026-02-15', '2026-02-23', '2026-04-06', '2026-05-05', '2026-06-19', '2026-09-25', '2026-10-07'];
    const work = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];
    for (const d of off) expect([d, cal.isWorkingDay(d)]).toEqual([d, false]);
    for (const d of work) expect([d, cal.isWorkingDay(d)]).toEqual([d, true]);
    expect(cal.dayInfo('2026-02-14')).toEqual({ date: '2026-02-14', working: true, kind: 'adjusted_workday', name: '春节调休', fallback: false });
    expect(cal.dayInfo('2026-02-17')).toMatchObject({ working: false, kind: 'holiday', name: '春节' });
    expect(cal.dayInfo('2026-03-07')).toMatchObject({ working: false, kind: 'weekend' }); // an ordinary Saturday
    expect(cal.dayInfo('2026-03-09')).toMatchObject({ working: true, kind: 'workday' });
  });

  it('knows the 2025 Spring Festival and its 调休 Sunday and Saturday', () => {
    const cal = calendar();
    expect(cal.isWorkingDay('2025-01-26')).toBe(true); // Sunday
    expect(cal.isWorkingDay('2025-01-27')).toBe(true);
    for (const d of ['2025-01-28', '2025-01-31', '2025-02-04']) expect(cal.isWorkingDay(d)).toBe(false);
    expect(cal.isWorkingDay('2025-02-08')).toBe(true); // Saturday
    expect(cal.isWorkingDay('2025-02-09')).toBe(false);
    expect(cal.isWorkingDay('2025-10-08')).toBe(false);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true);
  });

  it('answers for an instant by its China date, not the machine date', () => {
    const cal = calendar();
    // Saturday 2026-02-14 (working) begins at 16:00 UTC on Friday the 13th; Sunday 02-15 (holiday) at 16:00 UTC Saturday
    expect(cal.isWorkingDay(new Date('2026-02-13T16:30:00Z'))).toBe(true);
    expect(cal.isWorkingDay(new Date('2026-02-14T15:59:59.999Z'))).toBe(true);
    expect(cal.isWorkingDay(new Date('2026-02-14T16:00:00Z'))).toBe(false);
  });
});

describe('a year without a file', () => {
  it('falls back to plain weekends and says so once per year', () => {
    const warnings: [string, number][] = [];
    const cal = calendar((m, y) => warnings.push([m, y]));
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Friday; the real 元旦 is unknown without the file
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
    expect(cal.dayInfo('2027-01-04')).toMatchObject({ working: true, fallback: true });
    expect(cal.isWorkingDay('2024-12-31')).toBe(true);
    expect(warnings.map((w) => w[1])).toEqual([2027, 2024]);
    expect(warnings[0]![0]).toContain('2027');
    expect(warnings[0]![0]).toContain('config/calendar/2027.yaml');
    expect(cal.fallbackYears).toEqual([2024, 2027]);
  });

  it('warns through a process warning when no one injected a warn', () => {
    const cal = new WorkingCalendar([]);
    const calls: unknown[][] = [];
    const original = process.emitWarning;
    process.emitWarning = ((...args: unknown[]) => void calls.push(args)) as typeof process.emitWarning;
    try {
      cal.isWorkingDay('2030-05-01');
      cal.isWorkingDay('2030-05-02');
    } finally {
      process.emitWarning = original;
    }
    expect(calls).toHaveLength(1);
    expect(String(calls[0]![0])).toContain('2030');
    expect(calls[0]![1]).toEqual({ code: 'HUB_CALENDAR_FALLBACK' });
  });
});

describe('parseCalendarYear', () => {
  const ok = `
year: 2026
holidays:
  - {name: 元旦, from: '2026-01-01', to: '2026-01-03'}
workdays:
  - {name: 元旦调休, date: '2026-01-04'}
`;

  it('reads a good file', () => {
    const r = parseCalendarYear(ok, '2026.yaml', 2026);
    expect(r.problems).toEqual([]);
    expect([...r.year!.holidays.keys()]).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
    expect([...r.year!.workdays.entries()]).toEqual([['2026-01-04', '元旦调休']]);
  });

  it('keeps unquoted dates as dates (no UTC timestamp conversion)', () => {
    const r = parseCalendarYear('year: 2026\nholidays:\n  - {name: 元旦, date: 2026-01-01}\n', 'f', 2026);
    expect(r.problems).toEqual([]);
    expect(r.year!.holidays.has('2026-01-01')).toBe(true);
  });

  it('reports every problem with the file and the path', () => {
    const r = parseCalendarYear(
      `
year: 2026
holidays:
  - {name: 春节, from: '2026-02-15', to: '2026-02-30'}
  - {name: 劳动节, from: '2026-05-05', to: '2026-05-01'}
  - {name: 清明, date: '2025-04-04'}
  - {date: '2026-06-19'}
  - {name: 国庆, from: '2026-10-01', to: '2026-10-07'}
  - {name: 国庆又一次, date: '2026-10-03'}
workdays:
  - {name: 国庆调休, date: '2026-10-05'}
  - {name: 周三, date: '2026-03-04'}
  - {name: 调休, date: '2026-13-01'}
holliday: []
`,
      'config/calendar/2026.yaml',
      2026,
    );
    expect(r.year).toBeNull();
    const got = r.problems.map((p) => `${p.file} ${p.path}: ${p.message}`);
    expect(got).toEqual([
      'config/calendar/2026.yaml holliday: unknown key (expected year, source, holidays, workdays)',
      'config/calendar/2026.yaml holidays[0].to: not a real date (YYYY-MM-DD): 2026-02-30',
      'config/calendar/2026.yaml holidays[1].to: 2026-05-01 is before 2026-05-05',
      'config/calendar/2026.yaml holidays[2].date: 2025-04-04 is not in 2026',
      'config/calendar/2026.yaml holidays[3].name: must name the holiday',
      'config/calendar/2026.yaml holidays[5]: 2026-10-03 is already a day off in holidays[4]',
      'config/calendar/2026.yaml workdays[0].date: 2026-10-05 is both a day off (holidays[4]) and a working day',
      'config/calendar/2026.yaml workdays[1].date: 2026-03-04 is a weekday; only a Saturday or Sunday can be made a working day',
      'config/calendar/2026.yaml workdays[2].date: not a real date (YYYY-MM-DD): 2026-13-01',
    ]);
  });

  it('catches a file whose year disagrees with its name', () => {
    const r = parseCalendarYear(ok, '2027.yaml', 2027);
    expect(r.problems[0]).toEqual({ file: '2027.yaml', path: 'year', message: 'says 2026 but the file is for 2027' });
  });

  it('accepts a 元旦 holiday that starts in the last days of the year before, as the 2024 notice did', () => {
    const r = parseCalendarYear(
      "year: 2024\nholidays:\n  - {name: 元旦, from: '2023-12-30', to: '2024-01-01'}\n",
      '2024.yaml',
      2024,
    );
    expect(r.problems).toEqual([]);
    const cal = new WorkingCalendar([r.year!], { warn: () => undefined });
    expect(cal.isWorkingDay('2023-12-30')).toBe(false);
    expect(parseCalendarYear("year: 2024\nholidays:\n  - {name: x, date: '2023-11-30'}\n", 'f', 2024).problems).toHaveLength(1);
  });

  it('reports broken YAML instead of throwing', () => {
    const r = parseCalendarYear('year: [2026', 'bad.yaml', 2026);
    expect(r.year).toBeNull();
    expect(r.problems[0]!.message).toMatch(/not valid YAML/);
  });
});

describe('loadCalendar', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'calendar-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('collects the problems of every file before failing', () => {
    writeFileSync(path.join(dir, '2025.yaml'), 'year: 2024\n');
    writeFileSync(path.join(dir, '2026.yaml'), "year: 2026\nworkdays:\n  - {name: x, date: '2026-03-04'}\n");
    writeFileSync(path.join(dir, 'holidays.yaml'), 'year: 2026\n');
    writeFileSync(path.join(dir, 'README.md'), 'ignored');
    let err: unknown;
    try {
      loadCalendar(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CalendarConfigError);
    const problems = (err as CalendarConfigError).problems;
    expect(problems.map((p) => [path.basename(p.file), p.path])).toEqual([
      ['2025.yaml', 'year'],
      ['2026.yaml', 'workdays[0].date'],
      ['holidays.yaml', ''],
    ]);
    expect((err as Error).message).toContain('2025.yaml year: says 2024 but the file is for 2025');
  });

  it('refuses two files that disagree about a day', () => {
    writeFileSync(path.join(dir, '2023.yaml'), "year: 2023\nworkdays:\n  - {name: x, date: '2023-12-30'}\n");
    writeFileSync(path.join(dir, '2024.yaml'), "year: 2024\nholidays:\n  - {name: 元旦, from: '2023-12-30', to: '2024-01-01'}\n");
    expect(() => loadCalendar(dir)).toThrow(/2023-12-30 is a working day/);
  });

  it('names a folder it cannot read', () => {
    expect(() => loadCalendar(path.join(dir, 'nope'))).toThrow(CalendarConfigError);
  });
});
