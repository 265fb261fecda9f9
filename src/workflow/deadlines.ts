/**
 * Working-day deadline arithmetic and the deadline policy (config/deadlines.yaml). Pure: the calendar and the
 * policy come in as values, "now" comes in as an argument.
 *
 * Counting rule (次日起算): N working days start on the first working day AFTER the day of receipt and end at
 * 23:59:59.999 China time of the Nth one. A receipt at 23:59 and one at 00:01 the next day therefore differ by the
 * day of receipt, in China time, whatever the machine's TZ.
 */
import { readFileSync } from 'node:fs';
import { isMap, parseDocument, type Node as YamlNode } from 'yaml';
import { CHANNELS, type Channel } from '../items/item.types.js';
import {
  type ChinaDay,
  chinaDayOf,
  endOfChinaDay,
  startOfChinaDay,
  type WorkingCalendar,
} from './calendar.js';

/** far beyond any real limit; stops a typo (10000) from looping for minutes */
const MAX_WORKING_DAYS = 1000;

function checkDays(n: number, what: string, min = 0): void {
  if (!Number.isInteger(n) || n < min || n > MAX_WORKING_DAYS) {
    throw new RangeError(`${what} must be a whole number of working days from ${min} to ${MAX_WORKING_DAYS}, got ${n}`);
  }
}

/** The Nth working day after `day` (n ≥ 1), or `day` itself / the next working day for n = 0. */
function nthWorkingDayAfter(calendar: WorkingCalendar, day: ChinaDay, n: number): ChinaDay {
  let d = day;
  if (n === 0) {
    while (!calendar.isWorkingChinaDay(d)) d++;
    return d;
  }
  for (let count = 0; count < n; ) {
    d++;
    if (calendar.isWorkingChinaDay(d)) count++;
  }
  return d;
}

/**
 * Due time of N working days from receipt: the end (23:59:59.999 China time) of the Nth working day after the day
 * of receipt. n = 0 ("on the spot") is the end of the day of receipt, or of the next working day when received on a
 * day off.
 */
export function addWorkingDays(calendar: WorkingCalendar, receivedAt: Date, n: number): Date {
  checkDays(n, 'n');
  return endOfChinaDay(nthWorkingDayAfter(calendar, chinaDayOf(receivedAt), n));
}

/**
 * Working days after `from`'s China day up to and including `to`'s (negative when `to` is earlier). The inverse of
 * addWorkingDays: workingDaysBetween(c, t, addWorkingDays(c, t, n)) === n for n ≥ 1. For a deadline and now it is
 * how many working days overdue the item is (the day in progress counts: due Tuesday, now Wednesday 09:00 → 1).
 */
export function workingDaysBetween(calendar: WorkingCalendar, from: Date, to: Date): number {
  const a = chinaDayOf(from);
  const b = chinaDayOf(to);
  const [lo, hi, sign] = a <= b ? [a, b, 1] : [b, a, -1];
  let count = 0;
  for (let d = lo + 1; d <= hi; d++) if (calendar.isWorkingChinaDay(d)) count++;
  return sign * count;
}

/**
 * 催办: the start of the working day `before` working days ahead of the deadline's day, at `hour` China time (default
 * 09:00, when the office is open), never earlier than `notBefore` (an item due the next working day is reminded on
 * receipt, not in the past).
 */
export function reminderAt(
  calendar: WorkingCalendar,
  due: Date,
  options: { before?: number; hour?: number; notBefore?: Date } = {},
): Date {
  const before = options.before ?? 1;
  const hour = options.hour ?? 9;
  checkDays(before, 'before', 1);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new RangeError(`hour must be 0–23, got ${hour}`);
  let d = chinaDayOf(due);
  for (let count = 0; count < before; ) {
    d--;
    if (calendar.isWorkingChinaDay(d)) count++;
  }
  const at = new Date(startOfChinaDay(d).getTime() + hour * 3_600_000);
  if (options.notBefore && at < options.notBefore) return new Date(options.notBefore.getTime());
  return at;
}

/** An approved extension: `extraWorkingDays` more working days after the deadline's day, ending at that day's end. */
export function extendDeadline(calendar: WorkingCalendar, due: Date, extraWorkingDays: number): Date {
  checkDays(extraWorkingDays, 'extraWorkingDays', 1);
  return endOfChinaDay(nthWorkingDayAfter(calendar, chinaDayOf(due), extraWorkingDays));
}

export interface OverdueState {
  /** past the deadline */
  overdue: boolean;
  /** working days past it (0 when the deadline passed on a day off or earlier today) */
  workingDays: number;
  /** 督办 reached: overdue at all; 通报 reached: at least `reportAfter` working days overdue */
  report: boolean;
}

/** Where an item stands against one deadline: the overdue jobs (督办, 通报) read this. */
export function overdueState(calendar: WorkingCalendar, due: Date, now: Date, reportAfter = 5): OverdueState {
  if (now.getTime() <= due.getTime()) return { overdue: false, workingDays: 0, report: false };
  const workingDays = Math.max(0, workingDaysBetween(calendar, due, now));
  return { overdue: true, workingDays, report: workingDays >= reportAfter };
}

// ---------------------------------------------------------------------------------------------------------------
// Policy

export interface AppealTypeRule {
  /** working days to answer; null: nothing is owed (praise) */
  answer: number | null;
  aliases: string[];
}

export interface ChannelRule {
  /** the appeal type an item of this channel is handled as when it carries none (or an unknown one) */
  appealType?: string;
  /** answer days for this channel when no appeal type applies (overrides appealType) */
  answer?: number | null;
  accept?: number;
  callback?: number;
  rectify?: number;
  /** per channel and appeal type: answer days */
  appealTypes?: Record<string, { answer: number | null }>;
}

export interface DeadlinePolicy {
  accept: number;
  escalation: { remindBefore: number; reportAfter: number };
  badReview: { callback: number; rectify: number };
  /** in listing order: the order in which a type is searched for inside a longer one */
  appealTypes: Record<string, AppealTypeRule>;
  misconduct: string;
  channels: Partial<Record<Channel, ChannelRule>>;
}

export interface DeadlineProblem {
  file: string;
  path: string;
  message: string;
}

export class DeadlinePolicyError extends Error {
  constructor(readonly problems: DeadlineProblem[]) {
    super(
      'deadline policy is invalid:\n' +
        problems.map((p) => `  ${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n'),
    );
    this.name = 'DeadlinePolicyError';
  }
}

type Loose = Record<string, unknown>;
const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks the policy, reporting every problem with its path. */
export function parseDeadlinePolicy(
  text: string,
  file = 'deadlines.yaml',
): { policy: DeadlinePolicy | null; problems: DeadlineProblem[] } {
  const problems: DeadlineProblem[] = [];
  const problem = (p: string, message: string): void => {
    problems.push({ file, path: p, message });
  };
  const doc = parseDocument(text, { schema: 'core', prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problem('', `not valid YAML: ${e.message}`);
    return { policy: null, problems };
  }
  if (!isMap(doc.contents as YamlNode | null)) {
    problem('', 'expected a mapping');
    return { policy: null, problems };
  }
  const root = doc.toJS() as Loose;
  const known = ['accept', 'escalation', 'badReview', 'appealTypes', 'misconduct', 'channels'];
  for (const k of Object.keys(root)) if (!known.includes(k)) problem(k, `unknown key (expected ${known.join(', ')})`);

  const days = (v: unknown, p: string, opts: { min?: number; nullable?: boolean } = {}): number | null => {
    if (v === null && opts.nullable) return null;
    const min = opts.min ?? 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_WORKING_DAYS) {
      problem(p, `must be a whole number of working days (${min}–${MAX_WORKING_DAYS})${opts.nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
      return null;
    }
    return v;
  };
  const section = (v: unknown, p: string): Loose => {
    if (isRecord(v)) return v;
    problem(p, 'must be a mapping');
    return {};
  };

  const accept = days(root.accept, 'accept') ?? 1;
  const esc = section(root.escalation, 'escalation');
  const escalation = {
    remindBefore: days(esc.remindBefore, 'escalation.remindBefore', { min: 1 }) ?? 1,
    reportAfter: days(esc.reportAfter, 'escalation.reportAfter', { min: 1 }) ?? 5,
  };
  const bad = section(root.badReview, 'badReview');
  const badReview = {
    callback: days(bad.callback, 'badReview.callback') ?? 1,
    rectify: days(bad.rectify, 'badReview.rectify') ?? 15,
  };

  const appealTypes: Record<string, AppealTypeRule> = {};
  const aliasOwner = new Map<string, string>();
  for (const [name, raw] of Object.entries(section(root.appealTypes, 'appealTypes'))) {
    const p = `appealTypes.${name}`;
    const r = section(raw, p);
    for (const k of Object.keys(r)) if (k !== 'answer' && k !== 'aliases') problem(`${p}.${k}`, 'unknown key');
    if (!('answer' in r)) problem(`${p}.answer`, 'missing (a number of working days, or null)');
    const answer = days(r.answer, `${p}.answer`, { nullable: true });
    const aliases: string[] = [];
    if (r.aliases !== undefined) {
      if (!Array.isArray(r.aliases) || r.aliases.some((a) => typeof a !== 'string' || a.trim() === '')) {
        problem(`${p}.aliases`, 'must be a list of names');
      } else aliases.push(...(r.aliases as string[]).map((a) => a.trim()));
    }
    for (const n of [name, ...aliases]) {
      const owner = aliasOwner.get(n);
      if (owner !== undefined && owner !== name) problem(p, `${n} already names ${owner}`);
      aliasOwner.set(n, name);
    }
    appealTypes[name] = { answer, aliases };
  }
  if (Object.keys(appealTypes).length === 0) problem('appealTypes', 'lists no appeal type');

  const misconduct = typeof root.misconduct === 'string' ? root.misconduct : '';
  if (!appealTypes[misconduct]) problem('misconduct', `must name one of the appealTypes, got ${JSON.stringify(root.misconduct)}`);

  const channels: Partial<Record<Channel, ChannelRule>> = {};
  for (const [name, raw] of Object.entries(section(root.channels, 'channels'))) {
    const p = `channels.${name}`;
    if (!(CHANNELS as readonly string[]).includes(name)) {
      problem(p, `unknown channel (expected ${CHANNELS.join(', ')})`);
      continue;
    }
    const r = section(raw, p);
    const rule: ChannelRule = {};
    for (const k of Object.keys(r)) {
      if (!['appealType', 'answer', 'accept', 'callback', 'rectify', 'appealTypes'].includes(k)) problem(`${p}.${k}`, 'unknown key');
    }
    if (r.appealType !== undefined) {
      if (typeof r.appealType !== 'string' || !appealTypes[r.appealType]) {
        problem(`${p}.appealType`, `must name one of the appealTypes, got ${JSON.stringify(r.appealType)}`);
      } else rule.appealType = r.appealType;
    }
    if (r.answer !== undefined) rule.answer = days(r.answer, `${p}.answer`, { nullable: true });
    if (r.appealType === undefined && r.answer === undefined) {
      problem(p, 'needs appealType or answer: what an item of this channel without an appeal type is');
    }
    for (const k of ['accept', 'callback', 'rectify'] as const) {
      if (r[k] !== undefined) {
        const v = days(r[k], `${p}.${k}`);
        if (v !== null) rule[k] = v;
      }
    }
    if (r.appealTypes !== undefined) {
      rule.appealTypes = {};
      for (const [t, tr] of Object.entries(section(r.appealTypes, `${p}.appealTypes`))) {
        if (!appealTypes[t]) problem(`${p}.appealTypes.${t}`, 'not one of the appealTypes');
        const answer = days(section(tr, `${p}.appealTypes.${t}`).answer, `${p}.appealTypes.${t}.answer`, { nullable: true });
        rule.appealTypes[t] = { answer };
      }
    }
    channels[name as Channel] = rule;
  }
  for (const c of CHANNELS) if (!channels[c] && !problems.some((x) => x.path.startsWith(`channels.${c}`))) {
    problem(`channels.${c}`, 'missing: every channel needs a default for items without an appeal type');
  }

  if (problems.length > 0) return { policy: null, problems };
  return { policy: { accept, escalation, badReview, appealTypes, misconduct, channels }, problems };
}

export function loadDeadlinePolicy(file: string): DeadlinePolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DeadlinePolicyError([{ file, path: '', message: `cannot read: ${(e as Error).message}` }]);
  }
  const r = parseDeadlinePolicy(text, file);
  if (!r.policy) throw new DeadlinePolicyError(r.problems);
  return r.policy;
}

/** The configured appeal type a stated one means: by name or alias, then by containing one, in listing order. */
export function resolveAppealType(policy: DeadlinePolicy, stated: string | null | undefined): string | null {
  const s = stated?.trim();
  if (!s) return null;
  const entries = Object.entries(policy.appealTypes);
  for (const [name, r] of entries) if (name === s || r.aliases.includes(s)) return name;
  for (const [name, r] of entries) if ([name, ...r.aliases].some((n) => s.includes(n))) return name;
  return null;
}

export interface DeadlineInput {
  channel: Channel;
  appealType?: string | null;
  rating?: number | null;
  misconduct?: boolean;
  receivedAt: Date;
}

export interface Deadlines {
  acceptDueAt: Date;
  /** null when nothing is owed (praise) */
  answerDueAt: Date | null;
  /** bad reviews: verified and the person called back */
  callbackDueAt?: Date;
  /** bad reviews and walk-through findings: rectified and the fix reported */
  rectifyDueAt?: Date;
  /** the policy rule that applied, as the appeal type name or 差评 / the channel */
  basis: string;
  /** the working-day counts behind the dates, for the timeline */
  days: { accept: number; answer: number | null; callback?: number; rectify?: number };
}

/** Ratings 1–2 are a bad review (national 好差评 rules); not configurable. */
export const isBadReview = (rating: number | null | undefined): boolean =>
  typeof rating === 'number' && rating >= 1 && rating <= 2;

/**
 * The deadlines of a new item. Order of rules: misconduct → the policy's misconduct type; a stated appeal type that
 * the policy knows; a bad review without one → answer with the rectification; else the channel's default.
 * A bad review always gets the callback and rectification deadlines besides.
 */
export function deadlinesFor(input: DeadlineInput, policy: DeadlinePolicy, calendar: WorkingCalendar): Deadlines {
  const channel = policy.channels[input.channel] ?? {};
  const bad = isBadReview(input.rating);
  const stated = resolveAppealType(policy, input.appealType);

  let basis: string;
  let answer: number | null;
  const typeAnswer = (t: string): number | null => {
    const perChannel = channel.appealTypes?.[t];
    if (perChannel) return perChannel.answer;
    return policy.appealTypes[t]?.answer ?? null;
  };
  if (input.misconduct) {
    basis = policy.misconduct;
    answer = typeAnswer(policy.misconduct);
  } else if (stated) {
    basis = stated;
    answer = typeAnswer(stated);
  } else if (bad) {
    basis = '差评';
    answer = channel.rectify ?? policy.badReview.rectify;
  } else if (channel.answer !== undefined) {
    basis = input.channel;
    answer = channel.answer;
  } else if (channel.appealType) {
    basis = channel.appealType;
    answer = typeAnswer(channel.appealType);
  } else {
    // a policy built by hand without this channel: the complaint limit is the cautious middle
    basis = policy.misconduct;
    answer = typeAnswer(policy.misconduct);
  }

  const accept = channel.accept ?? policy.accept;
  const out: Deadlines = {
    acceptDueAt: addWorkingDays(calendar, input.receivedAt, accept),
    answerDueAt: answer === null ? null : addWorkingDays(calendar, input.receivedAt, answer),
    basis,
    days: { accept, answer },
  };
  const callback = bad ? policy.badReview.callback : channel.callback;
  if (callback !== undefined) {
    out.callbackDueAt = addWorkingDays(calendar, input.receivedAt, callback);
    out.days.callback = callback;
  }
  const rectify = bad ? (channel.rectify ?? policy.badReview.rectify) : channel.rectify;
  if (rectify !== undefined) {
    out.rectifyDueAt = addWorkingDays(calendar, input.receivedAt, rectify);
    out.days.rectify = rectify;
  }
  return out;
}
