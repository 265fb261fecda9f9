/**
 * Back-traced rectification (倒推整改): walks a case's step log (办件) backwards from its result against the service
 * item's approval chain in the catalogue and proposes the blocked step(s), each with its dimension, the units
 * responsible, a reason in plain Chinese for the people who act on it, and the figures as evidence. Pure: the
 * calendar comes in, and "now" only when open steps should be measured. Staff confirm or change the proposal.
 *
 * Rules (DIMENSIONS.md "Telling neighbours apart", kept simple so staff can predict them):
 * - a step that took more working days than committed:
 *     in a co-operating unit (not the service item's own unit) → D4, the case was stuck between units;
 *     in the item's own unit → D5, nothing outside held it up, so someone sat on it.
 *   (D2, "the committed limit itself is too long", is proposed only when every step kept its limit: see below.)
 * - returns for more material (退回补正…) at one step two or more times → D2, no one-time notice (一次性告知).
 * - a gap of more than one working day between one step's end and the next step's start, in different units → D4.
 *   A gap after a return is the applicant's time and does not count.
 * - a catalogue step absent from the log while a later step is there → D3, done outside the system (体外循环).
 * - a logged step that is not in the catalogue chain → D2, the process is longer than the published guide.
 * - nothing of the above, the case complete, and a step committed to `longCommitmentDays` or more → D2 on the
 *   longest: each step kept its promise, so if people find it slow the promise is what to shorten.
 * Durations count like deadlines (次日起算): working days after the start day up to and including the end day, so a
 * step committed to N days is on time exactly when it ends by addWorkingDays(start, N).
 */
import type { CatalogStep } from '../org/catalog.types.js';
import { chinaDateKey, chinaDayOf, type WorkingCalendar } from '../workflow/calendar.js';
import { workingDaysBetween } from '../workflow/deadlines.js';

export interface CaseStep {
  /** 环节 as logged */
  step: string;
  /** 承办单位: a unit code (map names to codes before, or pass `sameUnit`) */
  unit: string;
  startedAt: Date;
  /** null while the step is still open */
  endedAt: Date | null;
  /** 结果: 通过, 退回补正, 办结… */
  result?: string | null;
}

export interface BacktraceInput {
  chain: readonly CatalogStep[];
  steps: readonly CaseStep[];
  calendar: WorkingCalendar;
  /** the service item's own unit; defaults to the first step's unit */
  leadUnit?: string;
  /** measures open steps up to now; without it open steps are not judged */
  now?: Date;
  /** how a logged unit matches a catalogue unit; defaults to equal codes (case and spaces ignored) */
  sameUnit?: (logged: string, catalogue: string) => boolean;
  /** a complete case whose longest step is committed to this many working days or more gets the D2 proposal */
  longCommitmentDays?: number;
}

export type BacktraceDimension = 'D2' | 'D3' | 'D4' | 'D5';
export type BacktraceFinding =
  | 'overrun'
  | 'return_loop'
  | 'slow_handoff'
  | 'missing_step'
  | 'unknown_step'
  | 'long_commitment';

export interface BacktraceEvidence {
  /** committed working days of the step (catalogue) */
  committedDays?: number;
  /** working days the step actually took (summed over its rows; to now when still open) */
  actualDays?: number;
  /** returns for more material at the step */
  returns?: number;
  /** working days between the previous step's end and this step's start */
  gapDays?: number;
  /** the whole case, first start to last end, in working days */
  totalDays?: number;
  /** the step still open */
  open?: boolean;
  /** the step before the gap, or the later step that shows a missing one was passed */
  otherStep?: { step: string; unit: string };
  /** start and end of the relevant stretch, ISO 8601 */
  from?: string;
  to?: string | null;
  /** indexes into the input `steps` that this finding rests on */
  rows: number[];
}

export interface BlockedStep {
  /** the catalogue step's name (the logged name for a step not in the catalogue) */
  step: string;
  /** the unit where it got stuck */
  unit: string;
  /** every unit with a part in it (both sides of a hand-off) */
  units: string[];
  dimension: BacktraceDimension;
  finding: BacktraceFinding;
  /** for people, in Chinese */
  reason: string;
  evidence: BacktraceEvidence;
}

export type StepTraceStatus = 'ok' | 'overrun' | 'open' | 'missing' | 'not_reached';

/** One catalogue step against the log, in chain order. */
export interface StepTrace {
  step: string;
  unit: string;
  committedDays: number;
  actualDays: number | null;
  returns: number;
  rows: number[];
  status: StepTraceStatus;
}

export interface BacktraceResult {
  /** proposals in the order of the walk: from the result backwards */
  blocked: BlockedStep[];
  steps: StepTrace[];
  /** log rows matching no catalogue step */
  unmatched: number[];
  /** rows that could not be measured (an end before the start) */
  warnings: string[];
}

/** results that send the applicant back for material; 驳回 (refused) is a decision, not a return */
const RETURN = /退回|补正|补齐|补充|补件|补交|补材料/;
const isReturn = (r: CaseStep): boolean => RETURN.test(r.result ?? '');

/** Normalised name: NFKC, no spaces or punctuation, no trailing 环节/阶段. */
export function normalizeStepName(name: string): string {
  return name
    .normalize('NFKC')
    .replace(/[\s\p{P}\p{S}]/gu, '')
    .replace(/(环节|阶段)$/u, '');
}

/** 1 for equal, 0.8 when one contains the other, else the Dice coefficient over characters (names are short). */
export function stepNameSimilarity(a: string, b: string): number {
  const x = normalizeStepName(a);
  const y = normalizeStepName(b);
  if (!x || !y) return 0;
  if (x === y) return 1;
  if ((x.includes(y) && y.length >= 2) || (y.includes(x) && x.length >= 2)) return 0.8;
  const count = new Map<string, number>();
  for (const c of x) count.set(c, (count.get(c) ?? 0) + 1);
  let common = 0;
  for (const c of y) {
    const n = count.get(c) ?? 0;
    if (n > 0) {
      common++;
      count.set(c, n - 1);
    }
  }
  return (2 * common) / ([...x].length + [...y].length);
}

const defaultSameUnit = (a: string, b: string): boolean => a.trim().toUpperCase() === b.trim().toUpperCase();

/**
 * Which chain step each row is: the best name match, helped by the unit. A near-equal name (≥ 0.8) matches in any
 * unit; a looser one (≥ 0.5) only in the same unit. Ties go to the step at or after the last one matched, so a
 * chain with the same name twice (受理 at two units) follows the log's order.
 */
function matchRows(chain: readonly CatalogStep[], rows: readonly CaseStep[], sameUnit: (a: string, b: string) => boolean): (number | null)[] {
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.startedAt.getTime() - rows[b]!.startedAt.getTime() || a - b);
  const out: (number | null)[] = rows.map(() => null);
  let last = 0;
  for (const i of order) {
    const r = rows[i]!;
    let bestIdx = -1;
    let bestScore = 0;
    for (const [idx, c] of chain.entries()) {
      const name = stepNameSimilarity(r.step, c.name);
      const unit = sameUnit(r.unit, c.unit);
      if (name < 0.5 || (name < 0.8 && !unit)) continue;
      const score = name + (unit ? 0.3 : 0) + (idx >= last ? 0.01 : 0);
      if (score > bestScore) {
        bestIdx = idx;
        bestScore = score;
      }
    }
    if (bestIdx >= 0) {
      out[i] = bestIdx;
      last = bestIdx;
    }
  }
  return out;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function backtrace(input: BacktraceInput): BacktraceResult {
  const { chain, steps: rows, calendar, now } = input;
  const sameUnit = input.sameUnit ?? defaultSameUnit;
  const lead = input.leadUnit ?? chain[0]?.unit ?? '';
  const longDays = input.longCommitmentDays ?? 10;
  const warnings: string[] = [];
  const day = (d: Date): string => chinaDateKey(chinaDayOf(d));

  if (rows.length === 0) {
    return {
      blocked: [],
      steps: chain.map((c) => ({ step: c.name, unit: c.unit, committedDays: c.days, actualDays: null, returns: 0, rows: [], status: 'not_reached' })),
      unmatched: [],
      warnings,
    };
  }

  /** working days a row took; null when open and no `now` */
  const rowDays = (i: number): number | null => {
    const r = rows[i]!;
    const end = r.endedAt ?? now ?? null;
    if (!end) return null;
    const d = workingDaysBetween(calendar, r.startedAt, end);
    if (d < 0) {
      warnings.push(`第 ${i + 1} 行「${r.step}」结束时间早于开始时间, 按 0 个工作日计`);
      return 0;
    }
    return d;
  };

  const matched = matchRows(chain, rows, sameUnit);
  const rowsOf = chain.map((_, idx) =>
    matched
      .map((m, i) => (m === idx ? i : -1))
      .filter((i) => i >= 0)
      .sort((a, b) => rows[a]!.startedAt.getTime() - rows[b]!.startedAt.getTime()),
  );
  const lastLogged = rowsOf.reduce((acc, rs, idx) => (rs.length > 0 ? idx : acc), -1);

  // Per chain step: its figures and status.
  const traces: StepTrace[] = chain.map((c, idx) => {
    const rs = rowsOf[idx]!;
    if (rs.length === 0) {
      return { step: c.name, unit: c.unit, committedDays: c.days, actualDays: null, returns: 0, rows: [], status: idx < lastLogged ? 'missing' : 'not_reached' };
    }
    const days = rs.map(rowDays);
    const open = rs.some((i) => rows[i]!.endedAt === null);
    const actual = days.some((d) => d === null) ? null : days.reduce<number>((s, d) => s + (d ?? 0), 0);
    const status: StepTraceStatus = actual !== null && actual > c.days ? 'overrun' : open ? 'open' : 'ok';
    return { step: c.name, unit: c.unit, committedDays: c.days, actualDays: actual, returns: rs.filter((i) => isReturn(rows[i]!)).length, rows: rs, status };
  });

  // Hand-offs over the whole log in time order, matched or not; attached to the row that received the case.
  const chrono = rows.map((_, i) => i).sort((a, b) => rows[a]!.startedAt.getTime() - rows[b]!.startedAt.getTime() || a - b);
  const handoffInto = new Map<number, BlockedStep>();
  for (let k = 1; k < chrono.length; k++) {
    const prev = rows[chrono[k - 1]!]!;
    const cur = rows[chrono[k]!]!;
    const samePlace = matched[chrono[k - 1]!] !== null && matched[chrono[k - 1]!] === matched[chrono[k]!];
    if (samePlace || !prev.endedAt || isReturn(prev) || sameUnit(prev.unit, cur.unit)) continue;
    const gap = workingDaysBetween(calendar, prev.endedAt, cur.startedAt);
    if (gap <= 1) continue;
    const idx = matched[chrono[k]!];
    const name = idx !== null && idx !== undefined ? chain[idx]!.name : cur.step;
    const prevIdx = matched[chrono[k - 1]!];
    const prevName = prevIdx !== null && prevIdx !== undefined ? chain[prevIdx]!.name : prev.step;
    handoffInto.set(chrono[k]!, {
      step: name,
      unit: cur.unit,
      units: [prev.unit, cur.unit],
      dimension: 'D4',
      finding: 'slow_handoff',
      reason:
        `「${prevName}」(${prev.unit}) 于 ${day(prev.endedAt)} 办完, 「${name}」(${cur.unit}) 到 ${day(cur.startedAt)} 才开始, ` +
        `中间隔了 ${gap} 个工作日: 单位之间交接不畅, 件在两个单位之间停留。`,
      evidence: { gapDays: gap, otherStep: { step: prevName, unit: prev.unit }, from: iso(prev.endedAt)!, to: iso(cur.startedAt), rows: [chrono[k - 1]!, chrono[k]!] },
    });
  }

  // Stations in chain order, with logged steps that are not in the chain placed after the chain step before them.
  type Station = { kind: 'chain'; idx: number } | { kind: 'extra'; rows: number[] };
  const stations: Station[] = chain.map((_, idx) => ({ kind: 'chain', idx }));
  const unmatched = chrono.filter((i) => matched[i] === null);
  const extras = new Map<string, number[]>();
  for (const i of unmatched) {
    const key = `${normalizeStepName(rows[i]!.step)}|${rows[i]!.unit.trim().toUpperCase()}`;
    extras.set(key, [...(extras.get(key) ?? []), i]);
  }
  for (const rs of extras.values()) {
    const start = rows[rs[0]!]!.startedAt.getTime();
    let after = -1;
    rowsOf.forEach((chainRows, idx) => {
      if (chainRows.length > 0 && rows[chainRows[0]!]!.startedAt.getTime() <= start) after = Math.max(after, idx);
    });
    const pos = after < 0 ? 0 : stations.findIndex((s) => s.kind === 'chain' && s.idx === after) + 1;
    // after any extras already placed there, to keep time order
    let at = pos;
    while (at < stations.length && stations[at]!.kind === 'extra') at++;
    stations.splice(at, 0, { kind: 'extra', rows: rs });
  }

  // The walk: from the result backwards.
  const blocked: BlockedStep[] = [];
  for (let s = stations.length - 1; s >= 0; s--) {
    const st = stations[s]!;
    if (st.kind === 'extra') {
      const r = rows[st.rows[0]!]!;
      const days = st.rows.map(rowDays);
      const actual = days.some((d) => d === null) ? undefined : days.reduce<number>((a, d) => a + (d ?? 0), 0);
      for (const i of [...st.rows].reverse()) {
        const h = handoffInto.get(i);
        if (h) blocked.push(h);
      }
      blocked.push({
        step: r.step,
        unit: r.unit,
        units: [r.unit],
        dimension: 'D2',
        finding: 'unknown_step',
        reason:
          `办件记录中有「${r.step}」(${r.unit})${actual !== undefined ? `, 用了 ${actual} 个工作日` : ''}, ` +
          `但该事项的审批环节中没有这一步: 流程比公布的办事指南多出环节, 或指南已过时。`,
        evidence: { ...(actual !== undefined ? { actualDays: actual } : {}), from: iso(r.startedAt)!, to: iso(rows[st.rows.at(-1)!]!.endedAt), rows: st.rows },
      });
      continue;
    }
    const c = chain[st.idx]!;
    const t = traces[st.idx]!;
    const rs = t.rows;
    if (t.status === 'missing') {
      const laterIdx = rowsOf.findIndex((x, idx) => idx > st.idx && x.length > 0);
      const later = chain[laterIdx]!;
      blocked.push({
        step: c.name,
        unit: c.unit,
        units: [c.unit],
        dimension: 'D3',
        finding: 'missing_step',
        reason:
          `「${c.name}」(${c.unit}) 在办件记录中没有, 但其后的「${later.name}」已经办理: ` +
          `这一步可能在系统外办理(体外循环), 过程和时限都无从查考。`,
        evidence: { committedDays: c.days, otherStep: { step: later.name, unit: later.unit }, rows: rowsOf[laterIdx]!.slice(0, 1) },
      });
      continue;
    }
    if (rs.length === 0) continue;
    const first = rows[rs[0]!]!;
    const lastRow = rows[rs.at(-1)!]!;
    const open = rs.some((i) => rows[i]!.endedAt === null);
    if (t.status === 'overrun' && t.actualDays !== null) {
      const own = sameUnit(c.unit, lead);
      const over = t.actualDays - c.days;
      const took = open ? `至今(${day(now!)})已用 ${t.actualDays} 个工作日仍未办结` : `实际用了 ${t.actualDays} 个工作日`;
      blocked.push({
        step: c.name,
        unit: c.unit,
        units: [c.unit],
        dimension: own ? 'D5' : 'D4',
        finding: 'overrun',
        reason:
          `「${c.name}」由 ${c.unit} 办理, 承诺 ${c.days === 0 ? '即办' : `${c.days} 个工作日`}, ${took}, 超出 ${over} 个工作日: ` +
          (own
            ? '超时发生在本单位自己的环节, 没有外部等待, 属办理人员拖延。'
            : `件卡在协办单位 ${c.unit}, 部门之间衔接不畅。`),
        evidence: { committedDays: c.days, actualDays: t.actualDays, ...(open ? { open: true } : {}), from: iso(first.startedAt)!, to: iso(lastRow.endedAt), rows: rs },
      });
    }
    if (t.returns >= 2) {
      const returnRows = rs.filter((i) => isReturn(rows[i]!));
      const end = lastRow.endedAt ?? now ?? null;
      const span = end ? workingDaysBetween(calendar, first.startedAt, end) : null;
      const dates = returnRows.map((i) => day(rows[i]!.endedAt ?? rows[i]!.startedAt)).join('、');
      blocked.push({
        step: c.name,
        unit: c.unit,
        units: [c.unit],
        dimension: 'D2',
        finding: 'return_loop',
        reason:
          `「${c.name}」(${c.unit}) 先后 ${t.returns} 次退回要求补正材料(${dates})` +
          (span !== null ? `, 从第一次办理到办完共 ${span} 个工作日` : '') +
          `: 没有一次性告知所需材料, 群众多次往返。`,
        evidence: { committedDays: c.days, returns: t.returns, ...(span !== null ? { totalDays: span } : {}), from: iso(first.startedAt)!, to: iso(lastRow.endedAt), rows: returnRows },
      });
    }
    for (const i of [...rs].reverse()) {
      const h = handoffInto.get(i);
      if (h) blocked.push(h);
    }
  }

  // Nothing wrong step by step: the limits themselves may be what people feel.
  const complete = chain.length > 0 && traces.every((t) => t.rows.length > 0) && rows.every((r) => r.endedAt !== null);
  if (blocked.length === 0 && complete) {
    const longest = chain.reduce((a, c) => (c.days > a.days ? c : a), chain[0]!);
    if (longest.days >= longDays) {
      const starts = rows.map((r) => r.startedAt.getTime());
      const ends = rows.map((r) => r.endedAt!.getTime());
      const total = workingDaysBetween(calendar, new Date(Math.min(...starts)), new Date(Math.max(...ends)));
      const idx = chain.indexOf(longest);
      blocked.push({
        step: longest.name,
        unit: longest.unit,
        units: [longest.unit],
        dimension: 'D2',
        finding: 'long_commitment',
        reason:
          `各环节都在承诺时限内办完, 全程 ${total} 个工作日; 其中「${longest.name}」(${longest.unit}) 承诺 ${longest.days} 个工作日, ` +
          `为最长环节: 若群众反映办理慢, 问题在承诺时限本身, 可研究压缩。`,
        evidence: { committedDays: longest.days, actualDays: traces[idx]!.actualDays ?? undefined, totalDays: total, rows: traces[idx]!.rows },
      });
    }
  }

  return { blocked, steps: traces, unmatched, warnings };
}
