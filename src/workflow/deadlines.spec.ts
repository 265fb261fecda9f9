import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCalendar, type WorkingCalendar } from './calendar.js';
import {
  addWorkingDays,
  deadlinesFor,
  type DeadlinePolicy,
  extendDeadline,
  loadDeadlinePolicy,
  overdueState,
  parseDeadlinePolicy,
  reminderAt,
  resolveAppealType,
  workingDaysBetween,
} from './deadlines.js';

const warnings: number[] = [];
const cal: WorkingCalendar = loadCalendar(path.resolve('config/calendar'), { warn: (_m, y) => warnings.push(y) });
const policy: DeadlinePolicy = loadDeadlinePolicy(path.resolve('config/deadlines.yaml'));

/** An instant written in China time. */
const cn = (local: string): Date => new Date(`${local}+08:00`);
/** The end of a China day, as addWorkingDays returns it. */
const endOf = (date: string): string => cn(`${date}T23:59:59.999`).toISOString();
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

describe('addWorkingDays', () => {
  it('the issue example: a 咨询 received Friday 2026-10-09 is due at the end of Tuesday 10-13 (Saturday 10-10 works)', () => {
    const due = addWorkingDays(cal, cn('2026-10-09T10:00'), 3);
    expect(due.toISOString()).toBe('2026-10-13T15:59:59.999Z');
    expect(iso(due)).toBe(endOf('2026-10-13'));
  });

  it('counts from the day after receipt and ends at the end of the Nth working day', () => {
    expect(iso(addWorkingDays(cal, cn('2026-03-09T08:00'), 1))).toBe(endOf('2026-03-10')); // Mon → Tue
    expect(iso(addWorkingDays(cal, cn('2026-03-13T17:00'), 1))).toBe(endOf('2026-03-16')); // Fri → Mon
    expect(iso(addWorkingDays(cal, cn('2026-03-14T11:00'), 1))).toBe(endOf('2026-03-16')); // Sat → Mon
    expect(iso(addWorkingDays(cal, cn('2026-03-09T08:00'), 10))).toBe(endOf('2026-03-23'));
  });

  it('skips the Spring Festival and counts its 调休 Saturdays', () => {
    // Fri 02-13 → Sat 02-14 (working) → 02-15…02-23 off → Tue 02-24
    expect(iso(addWorkingDays(cal, cn('2026-02-13T10:00'), 1))).toBe(endOf('2026-02-14'));
    expect(iso(addWorkingDays(cal, cn('2026-02-13T10:00'), 2))).toBe(endOf('2026-02-24'));
    // 02-24 … 02-27 are 4 working days, Saturday 02-28 is the fifth
    expect(iso(addWorkingDays(cal, cn('2026-02-13T10:00'), 6))).toBe(endOf('2026-02-28'));
    // 2025: received Fri 01-24 → Sun 01-26 (working), Mon 01-27, then 01-28…02-04 off → Wed 02-05
    expect(iso(addWorkingDays(cal, cn('2025-01-24T10:00'), 3))).toBe(endOf('2025-02-05'));
  });

  it('a receipt at 23:59 and one at 00:01 the next China day differ by that day (holiday eve)', () => {
    // Friday 02-13 23:59: the 调休 Saturday 02-14 is the first working day after receipt
    expect(iso(addWorkingDays(cal, cn('2026-02-13T23:59'), 1))).toBe(endOf('2026-02-14'));
    // Saturday 02-14 00:01: received on the 调休 day itself, so the count starts after the festival
    expect(iso(addWorkingDays(cal, cn('2026-02-14T00:01'), 1))).toBe(endOf('2026-02-24'));
    // the eve of National Day and the first holiday share a deadline: the first working day after both is 10-08
    expect(iso(addWorkingDays(cal, cn('2026-09-30T23:59'), 3))).toBe(endOf('2026-10-10'));
    expect(iso(addWorkingDays(cal, cn('2026-10-01T00:01'), 3))).toBe(endOf('2026-10-10'));
  });

  it('crosses the year boundary 2025 → 2026 (元旦 1.1–1.3 off, Sunday 1.4 works)', () => {
    expect(iso(addWorkingDays(cal, cn('2025-12-31T23:59'), 1))).toBe(endOf('2026-01-04'));
    expect(iso(addWorkingDays(cal, cn('2026-01-01T00:01'), 1))).toBe(endOf('2026-01-04'));
    expect(iso(addWorkingDays(cal, cn('2025-12-30T09:00'), 3))).toBe(endOf('2026-01-05'));
  });

  it('runs into a year without a file on plain weekends, and reports that year', () => {
    warnings.length = 0;
    // Thu 2026-12-31 → Fri 2027-01-01 (no 2027 file: a weekday), Mon 01-04, Tue 01-05
    expect(iso(addWorkingDays(cal, cn('2026-12-31T10:00'), 3))).toBe(endOf('2027-01-05'));
    expect(warnings).toEqual([2027]);
  });

  it('n = 0 is the day of receipt, or the next working day when received on a day off', () => {
    expect(iso(addWorkingDays(cal, cn('2026-03-09T10:00'), 0))).toBe(endOf('2026-03-09'));
    expect(iso(addWorkingDays(cal, cn('2026-10-03T10:00'), 0))).toBe(endOf('2026-10-08'));
  });

  it('refuses a count that is not a whole number of days', () => {
    expect(() => addWorkingDays(cal, cn('2026-03-09T10:00'), -1)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, cn('2026-03-09T10:00'), 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, cn('2026-03-09T10:00'), 100000)).toThrow(RangeError);
    expect(() => addWorkingDays(cal, new Date('nope'), 1)).toThrow(RangeError);
  });

  it('never reads the machine TZ: the same answers with every local-time method of Date broken', () => {
    // Jest sandboxes process.env, so TZ cannot be switched in-process; instead prove no local-time reading happens.
    const cases: [string, number][] = [
      ['2026-02-13T23:59:00+08:00', 1],
      ['2026-02-13T16:01:00Z', 1], // 00:01 on the 14th in China
      ['2026-10-09T10:00:00+08:00', 3],
      ['2025-12-31T20:00:00-05:00', 2], // already 2026-01-01 09:00 in China
      ['2026-03-08T23:30:00-08:00', 10],
    ];
    const run = (): string[] =>
      cases.map(([t, n]) => {
        const at = new Date(t);
        const due = addWorkingDays(cal, at, n);
        return [
          due.toISOString(),
          workingDaysBetween(cal, at, cn('2026-12-01T12:00')),
          cal.isWorkingDay(at),
          reminderAt(cal, due).toISOString(),
          extendDeadline(cal, due, 2).toISOString(),
        ].join(' ');
      });
    const plain = run();
    const local = [
      'getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes', 'getSeconds', 'getTimezoneOffset',
      'setFullYear', 'setMonth', 'setDate', 'setHours', 'toString', 'toDateString', 'toTimeString', 'toLocaleString',
      'toLocaleDateString', 'toLocaleTimeString',
    ] as const;
    const proto = Date.prototype as unknown as Record<string, unknown>;
    const saved = local.map((k) => proto[k]);
    try {
      for (const k of local) {
        proto[k] = () => {
          throw new Error(`local-time Date.${k} used`);
        };
      }
      expect(run()).toEqual(plain);
    } finally {
      local.forEach((k, i) => (proto[k] = saved[i]));
    }
    expect(plain[0]!.startsWith(endOf('2026-02-14'))).toBe(true);
    expect(plain[1]!.startsWith(endOf('2026-02-24'))).toBe(true);
    expect(plain[3]!.startsWith(endOf('2026-01-05'))).toBe(true); // 01-01 in China: 01-04, 01-05
  });
});

describe('workingDaysBetween and overdue', () => {
  it('is the inverse of addWorkingDays', () => {
    let t = cn('2025-01-01T08:30').getTime();
    for (let i = 0; i < 300; i++) {
      t += 29 * 3_600_000 + 17 * 60_000; // walks through every hour of the day over the two years
      const n = 1 + (i % 16);
      const due = addWorkingDays(cal, new Date(t), n);
      expect(workingDaysBetween(cal, new Date(t), due)).toBe(n);
    }
  });

  it('counts working days after the first day up to and including the second, negative backwards', () => {
    expect(workingDaysBetween(cal, cn('2026-10-09T10:00'), cn('2026-10-13T08:00'))).toBe(3);
    expect(workingDaysBetween(cal, cn('2026-10-13T08:00'), cn('2026-10-09T10:00'))).toBe(-3);
    expect(workingDaysBetween(cal, cn('2026-10-09T01:00'), cn('2026-10-09T23:00'))).toBe(0);
    expect(workingDaysBetween(cal, cn('2026-09-30T10:00'), cn('2026-10-07T10:00'))).toBe(0); // all holiday
  });

  it('tells overdue by working days and reaches 通报 at five', () => {
    const due = addWorkingDays(cal, cn('2026-10-09T10:00'), 3); // end of Tue 10-13
    expect(overdueState(cal, due, cn('2026-10-13T23:59'))).toEqual({ overdue: false, workingDays: 0, report: false });
    expect(overdueState(cal, due, cn('2026-10-14T09:00'))).toEqual({ overdue: true, workingDays: 1, report: false });
    expect(overdueState(cal, due, cn('2026-10-19T09:00'))).toEqual({ overdue: true, workingDays: 4, report: false });
    expect(overdueState(cal, due, cn('2026-10-20T09:00'))).toEqual({ overdue: true, workingDays: 5, report: true });
    // due Friday, now Saturday: past the deadline, no working day lost yet
    const fri = addWorkingDays(cal, cn('2026-10-15T10:00'), 1);
    expect(overdueState(cal, fri, cn('2026-10-17T10:00'))).toEqual({ overdue: true, workingDays: 0, report: false });
  });
});

describe('reminderAt and extendDeadline', () => {
  it('reminds at 09:00 China time on the working day before the deadline', () => {
    expect(iso(reminderAt(cal, cn('2026-10-13T23:59:59.999')))).toBe(cn('2026-10-12T09:00').toISOString());
    // due Tuesday after the Spring Festival: the working day before is the 调休 Saturday 02-14
    expect(iso(reminderAt(cal, cn('2026-02-24T23:59:59.999')))).toBe(cn('2026-02-14T09:00').toISOString());
    // due on the 调休 Sunday 2026-01-04: the working day before is 2025-12-31
    expect(iso(reminderAt(cal, cn('2026-01-04T23:59:59.999')))).toBe(cn('2025-12-31T09:00').toISOString());
  });

  it('never reminds before the item arrived', () => {
    const received = cn('2026-10-12T15:00');
    const due = addWorkingDays(cal, received, 1);
    expect(iso(reminderAt(cal, due, { notBefore: received }))).toBe(received.toISOString());
    expect(iso(reminderAt(cal, due, { hour: 14, before: 1 }))).toBe(cn('2026-10-12T14:00').toISOString());
  });

  it('extends by working days after the deadline day', () => {
    expect(iso(extendDeadline(cal, cn('2026-09-30T23:59:59.999'), 3))).toBe(endOf('2026-10-10'));
    expect(iso(extendDeadline(cal, cn('2026-10-13T23:59:59.999'), 5))).toBe(endOf('2026-10-20'));
    expect(() => extendDeadline(cal, cn('2026-10-13T23:59:59.999'), 0)).toThrow(RangeError);
  });
});

describe('deadlinesFor with the shipped policy', () => {
  const at = cn('2026-10-09T10:00'); // Friday before the 调休 Saturday
  const ends = (d: ReturnType<typeof deadlinesFor>): Record<string, string | null> =>
    Object.fromEntries(
      (['acceptDueAt', 'answerDueAt', 'callbackDueAt', 'rectifyDueAt'] as const)
        .filter((k) => d[k] !== undefined)
        .map((k) => [k, d[k] ? d[k].toISOString().slice(0, 10) : null]),
    );
  // working days after 10-09: 10-10, 10-12, 10-13, 10-14, 10-15, 10-16, 10-19, 10-20, 10-21, 10-22, 10-23, 10-26, 10-27,
  // 10-28, 10-29
  it.each([
    ['咨询', 3, '2026-10-13'],
    ['求助', 3, '2026-10-13'],
    ['投诉', 10, '2026-10-22'],
    ['举报', 10, '2026-10-22'],
    ['建议', 13, '2026-10-27'],
    ['检举', 10, '2026-10-22'], // alias
    ['投诉类', 10, '2026-10-22'], // contains a type
    ['其他', 10, '2026-10-22'], // unknown: the hotline default
  ])('hotline %s: answer in %i working days', (appealType, days, date) => {
    const d = deadlinesFor({ channel: 'hotline', appealType, receivedAt: at }, policy, cal);
    expect(ends(d)).toEqual({ acceptDueAt: '2026-10-10', answerDueAt: date });
    expect(d.days).toEqual({ accept: 1, answer: days });
    expect(d.answerDueAt!.toISOString()).toBe(endOf(date));
  });

  it('a QR bad review: callback in 1, rectified in 15, answered with the rectification', () => {
    const d = deadlinesFor({ channel: 'qr', rating: 1, receivedAt: at }, policy, cal);
    expect(ends(d)).toEqual({ acceptDueAt: '2026-10-10', answerDueAt: '2026-10-29', callbackDueAt: '2026-10-10', rectifyDueAt: '2026-10-29' });
    expect(d.basis).toBe('差评');
    expect(deadlinesFor({ channel: 'qr', rating: 2, receivedAt: at }, policy, cal).basis).toBe('差评');
  });

  it('a QR rating of 3–5 with a problem is a suggestion', () => {
    const d = deadlinesFor({ channel: 'qr', rating: 3, receivedAt: at }, policy, cal);
    expect(ends(d)).toEqual({ acceptDueAt: '2026-10-10', answerDueAt: '2026-10-27' });
    expect(d.basis).toBe('建议');
  });

  it('channels without an appeal type use their documented defaults', () => {
    const of = (channel: 'email' | 'suggestion_box' | 'phone' | 'walkthrough') =>
      deadlinesFor({ channel, receivedAt: at }, policy, cal);
    expect([of('email').basis, ends(of('email')).answerDueAt]).toEqual(['投诉', '2026-10-22']);
    expect([of('suggestion_box').basis, ends(of('suggestion_box')).answerDueAt]).toEqual(['建议', '2026-10-27']);
    expect([of('phone').basis, ends(of('phone')).answerDueAt]).toEqual(['投诉', '2026-10-22']);
    expect(ends(of('walkthrough'))).toEqual({ acceptDueAt: '2026-10-10', answerDueAt: '2026-10-29', rectifyDueAt: '2026-10-29' });
  });

  it('misconduct is handled as a report whatever the stated type', () => {
    const d = deadlinesFor({ channel: 'hotline', appealType: '咨询', misconduct: true, receivedAt: at }, policy, cal);
    expect(d.basis).toBe('举报');
    expect(ends(d).answerDueAt).toBe('2026-10-22');
  });

  it('a bad review with a stated type answers by the type and still owes callback and rectification', () => {
    const d = deadlinesFor({ channel: 'hotline', appealType: '咨询', rating: 2, receivedAt: at }, policy, cal);
    expect(ends(d)).toEqual({ acceptDueAt: '2026-10-10', answerDueAt: '2026-10-13', callbackDueAt: '2026-10-10', rectifyDueAt: '2026-10-29' });
  });

  it('praise owes no answer', () => {
    const d = deadlinesFor({ channel: 'hotline', appealType: '表扬', receivedAt: at }, policy, cal);
    expect(d.answerDueAt).toBeNull();
    expect(deadlinesFor({ channel: 'hotline', appealType: '感谢信', receivedAt: at }, policy, cal).answerDueAt).toBeNull();
  });

  it('follows per-channel and per-appeal-type overrides', () => {
    const text = readFileSync(path.resolve('config/deadlines.yaml'), 'utf8').replace(
      '  email: {appealType: 投诉}',
      '  email: {appealType: 投诉, accept: 2, appealTypes: {咨询: {answer: 1}}}',
    );
    const r = parseDeadlinePolicy(text);
    expect(r.problems).toEqual([]);
    const d = deadlinesFor({ channel: 'email', appealType: '咨询', receivedAt: at }, r.policy!, cal);
    expect(ends(d)).toEqual({ acceptDueAt: '2026-10-12', answerDueAt: '2026-10-10' });
    // the hotline keeps the general rule
    expect(ends(deadlinesFor({ channel: 'hotline', appealType: '咨询', receivedAt: at }, r.policy!, cal)).answerDueAt).toBe('2026-10-13');
  });
});

describe('parseDeadlinePolicy', () => {
  it('has the DESIGN.md defaults in the shipped file', () => {
    expect(policy.accept).toBe(1);
    expect(policy.badReview).toEqual({ callback: 1, rectify: 15 });
    expect(policy.escalation).toEqual({ remindBefore: 1, reportAfter: 5 });
    expect(Object.fromEntries(Object.entries(policy.appealTypes).map(([k, v]) => [k, v.answer]))).toEqual({
      咨询: 3, 求助: 3, 投诉: 10, 举报: 10, 建议: 13, 表扬: null,
    });
    expect(resolveAppealType(policy, ' 意见 ')).toBe('建议');
    expect(resolveAppealType(policy, '')).toBeNull();
  });

  it('reports every problem with its path', () => {
    const r = parseDeadlinePolicy(
      `
accept: -1
escalation: {remindBefore: 0, reportAfter: 5}
badReview: {callback: 1, rectify: fifteen}
appealTypes:
  咨询: {answer: 3, aliases: [问]}
  求助: {answer: 2.5, aliases: [问]}
  投诉: {}
misconduct: 贿赂
channels:
  qr: {appealType: 夸奖}
  fax: {appealType: 咨询}
  email: {answer: 3, colour: red}
`,
      'deadlines.yaml',
    );
    expect(r.policy).toBeNull();
    expect(r.problems.map((p) => p.path)).toEqual([
      'accept',
      'escalation.remindBefore',
      'badReview.rectify',
      'appealTypes.求助.answer',
      'appealTypes.求助',
      'appealTypes.投诉.answer',
      'appealTypes.投诉.answer',
      'misconduct',
      'channels.qr.appealType',
      'channels.fax',
      'channels.email.colour',
      'channels.hotline',
      'channels.suggestion_box',
      'channels.phone',
      'channels.walkthrough',
    ]);
    expect(r.problems.every((p) => p.file === 'deadlines.yaml')).toBe(true);
  });
});
