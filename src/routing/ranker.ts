/**
 * The last step of text routing: weighing the evidence. The router's rules give every unit scores by kind of
 * evidence (the service item, the unit named as the one that acted, a duty, a window's number, the routing memory…);
 * the hand-set weights add them up. The ranker is a conditional logit over the units that have evidence (and the
 * triage unit, always a candidate): its utility for a unit is a weighted sum of those per-kind scores and a few
 * facts about the unit (a locality, the hall, its depth), trained on labelled routings of catalogues the hub is
 * never scored on (the tuning sets, `train:ranker`), shrunk towards the hand weights (its prior: the hand score
 * with weight one), so where the data say little the hand weights decide. The chosen unit's probability is the
 * routing's confidence; below the ranker's threshold the item goes to triage with the candidates.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { charBigrams, isCjkCode } from '../classification/normalize.js';
import { PROJECT_ROOT } from '../config/config.js';

/** Kinds of evidence the router's rules give (each `give` names one). */
export const EVIDENCE_KINDS = [
  'item',
  'local_item',
  'negated',
  'asserted',
  'unit_actor',
  'unit_named',
  'unit_referred',
  'core_actor',
  'core_named',
  'core_referred',
  'window_actor',
  'window_named',
  'window_referred',
  'local_actor',
  'local_named',
  'local_referred',
  /** a locality named as the issuer of a paper ("柳树村开的居住证明") */
  'local_issuer',
  'localref_actor',
  'localref_named',
  'localref_referred',
  'body_actor',
  'body_named',
  'body_referred',
  'staff_title',
  'counter_owner',
  'counter_acts',
  'counter_duty',
  'chain_first',
  'local_served',
  'own_step',
  'facility_unit',
  'facility_hall',
  'facility_floor',
  'window_number',
  'duty',
  'duty_local',
  'duty_hall',
  'memory',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];
export const KIND_INDEX: Readonly<Record<EvidenceKind, number>> = Object.fromEntries(EVIDENCE_KINDS.map((k, i) => [k, i])) as Record<EvidenceKind, number>;

/** Facts about a candidate, after the evidence kinds in the feature vector. */
export const FACT_FEATURES = [
  /** the hand weights' total for the unit (the prior's only feature) */
  'hand',
  /** first by the hand weights */
  'hand_top',
  /** the hand total minus the best one's (≤ 0) */
  'hand_gap',
  'triage',
  'supervision',
  'town',
  'community',
  'depth',
  /** staff conduct (D5) and the unit is a locality */
  'conduct_local',
  /** staff conduct and the unit was named as acting */
  'conduct_actor',
  /** the unit was named as the one that acted */
  'actor',
  /** how many kinds of evidence point at the unit */
  'kinds',
] as const;
export const FEATURES: readonly string[] = [...EVIDENCE_KINDS.map((k) => `k:${k}`), ...FACT_FEATURES];
const F = Object.fromEntries(FEATURES.map((f, i) => [f, i])) as Record<string, number>;
export const FEATURE_COUNT = FEATURES.length;

export interface CandidateFacts {
  unit: string;
  /** the unit's evidence by kind, sparse: kind index, score, kind index, score… (a kind may repeat: its scores add) */
  kinds: readonly number[];
  hand: number;
  triage: boolean;
  supervision: boolean;
  level: string | null;
  depth: number;
  actor: boolean;
}

const TOWN = new Set(['town', 'township', 'street']);
const COMMUNITY = new Set(['community', 'village']);

/** The best hand total among the candidates (the triage unit counts only with evidence of its own). */
function handTop(list: readonly CandidateFacts[]): number {
  let top = -Infinity;
  for (const c of list) if (!c.triage || c.hand > 0) top = Math.max(top, c.hand);
  return top === -Infinity ? 0 : top;
}

/**
 * Every non-zero feature of a candidate, given to `add` (index, value): the one definition of the features, for the
 * dense vectors of training and for the router's utilities (no vector made per candidate).
 */
function eachFeature(c: CandidateFacts, top: number, conduct: boolean, add: (k: number, v: number) => void): void {
  let kinds = 0;
  for (let i = 0; i < c.kinds.length; i += 2) {
    const k = c.kinds[i]!;
    add(k, c.kinds[i + 1]!);
    // a kind met for the first time (the list is short: a unit has a few pieces of evidence)
    let first = true;
    for (let j = 0; j < i && first; j += 2) if (c.kinds[j] === k) first = false;
    if (first) kinds++;
  }
  const town = TOWN.has(c.level ?? '');
  const community = COMMUNITY.has(c.level ?? '');
  add(F.hand!, c.hand);
  // units tied at the top share it (the hand order between equals says nothing)
  if (c.hand === top && c.hand > 0) add(F.hand_top!, 1);
  add(F.hand_gap!, c.hand - top);
  if (c.triage) add(F.triage!, 1);
  if (c.supervision) add(F.supervision!, 1);
  if (town) add(F.town!, 1);
  if (community) add(F.community!, 1);
  add(F.depth!, Math.min(c.depth, 4));
  if (conduct && (town || community)) add(F.conduct_local!, 1);
  if (conduct && c.actor) add(F.conduct_actor!, 1);
  if (c.actor) add(F.actor!, 1);
  add(F.kinds!, kinds);
}

/** The feature vector of each candidate (for training and inspection). */
export function candidateVectors(list: readonly CandidateFacts[], conduct: boolean): Float64Array[] {
  const top = handTop(list);
  return list.map((c) => {
    const x = new Float64Array(FEATURE_COUNT);
    eachFeature(c, top, conduct, (k, v) => (x[k] = x[k]! + v));
    return x;
  });
}

/** The ranker's utility of each candidate: the weights times its features, as `rank` over `candidateVectors`. */
export function utilities(ranker: CompiledRanker, list: readonly CandidateFacts[], conduct: boolean): number[] {
  const top = handTop(list);
  const w = ranker.w;
  return list.map((c) => {
    let u = 0;
    eachFeature(c, top, conduct, (k, v) => (u += w[k]! * v));
    return u;
  });
}

/** The distinct CJK character bigrams of a text (the triage unit's words): the classifier's, of two BMP characters. */
export function textBigrams(text: string): string[] {
  return [...new Set(charBigrams(text).filter((b) => b.length === 2))];
}

/** The triage unit's utility from the words: the sum of their weights (measured better than scaling by their number). */
export function textUtility(ranker: CompiledRanker, bigrams: readonly string[]): number {
  if (!ranker.text || !bigrams.length) return 0;
  let u = 0;
  for (const b of bigrams) u += ranker.text.get(b) ?? 0;
  return u;
}

/**
 * The word weights as an open-addressing table keyed by a bigram's two code units, with a stamp per entry so a
 * bigram met twice counts once: the router's path makes no string and no set per text.
 */
interface WordTable {
  keys: Int32Array; // -1: empty
  slots: Int32Array; // entry of the key
  mask: number;
  weights: Float64Array;
  seen: Uint32Array;
  gen: number;
}
const wordTables = new WeakMap<CompiledRanker, WordTable | null>();

function wordTable(ranker: CompiledRanker): WordTable | null {
  let t = wordTables.get(ranker);
  if (t !== undefined) return t;
  t = null;
  if (ranker.text?.size) {
    let size = 16;
    while (size < ranker.text.size * 2) size *= 2;
    t = { keys: new Int32Array(size).fill(-1), slots: new Int32Array(size), mask: size - 1, weights: new Float64Array(ranker.text.size), seen: new Uint32Array(ranker.text.size), gen: 0 };
    let n = 0;
    for (const [bg, w] of ranker.text) {
      if (bg.length !== 2) continue; // a bigram of two BMP characters (all the router makes)
      const key = (bg.charCodeAt(0) << 16) | bg.charCodeAt(1);
      let h = hash(key) & t.mask;
      while (t.keys[h] !== -1) h = (h + 1) & t.mask;
      t.keys[h] = key;
      t.slots[h] = n;
      t.weights[n++] = w;
    }
  }
  wordTables.set(ranker, t);
  return t;
}

const hash = (key: number): number => Math.imul(key ^ (key >>> 15), 0x2c1b3c6d) >>> 0;

/** `textUtility` of `textBigrams(text)`, without making them. */
export function textUtilityOf(ranker: CompiledRanker, text: string): number {
  const t = wordTable(ranker);
  if (!t) return 0;
  if (++t.gen === 0xffffffff) {
    t.seen.fill(0);
    t.gen = 1;
  }
  let u = 0;
  let prev = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const cjk = isCjkCode(c); // a surrogate ends the run, as a pair with a character beyond the BMP is not read
    if (cjk && prev) {
      const key = (prev << 16) | c;
      let h = hash(key) & t.mask;
      for (let k = t.keys[h]!; k !== -1; h = (h + 1) & t.mask, k = t.keys[h]!) {
        if (k !== key) continue;
        const e = t.slots[h]!;
        if (t.seen[e] !== t.gen) {
          t.seen[e] = t.gen;
          u += t.weights[e]!;
        }
        break;
      }
    }
    prev = cjk ? c : 0;
  }
  return u;
}

/** Softmax of utilities. */
export function probabilities(utility: readonly number[]): number[] {
  const max = Math.max(...utility);
  const e = utility.map((u) => Math.exp(u - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

export interface Ranker {
  version: 1;
  /** feature name → weight (features not listed weigh 0) */
  weights: Record<string, number>;
  /** below this probability the choice goes to triage */
  threshold: number;
  /** the best unit's probability must exceed the runner-up's by this much, or a person decides (default 0) */
  margin?: number;
  /**
   * the triage unit's utility from the matter's words (CJK character bigrams of the text, catalogue names masked):
   * what tells a matter of the hall as a whole, or of no unit, from a unit's own (its facilities, its website)
   */
  triageText?: Record<string, number>;
  /** how it was trained (for the record) */
  trained?: Record<string, unknown>;
}

export interface CompiledRanker {
  w: Float64Array;
  threshold: number;
  margin: number;
  /** the triage unit's words: CJK bigram → weight (none: no word weights) */
  text?: Map<string, number> | null;
}

export function compileRanker(r: Ranker): CompiledRanker {
  if (r.version !== 1) throw new Error(`ranker: unknown version ${String(r.version)}`);
  const w = new Float64Array(FEATURE_COUNT);
  for (const [name, v] of Object.entries(r.weights)) {
    const i = F[name];
    if (i === undefined) throw new Error(`ranker: unknown feature "${name}"`);
    if (!Number.isFinite(v)) throw new Error(`ranker: weight of "${name}" is not a number`);
    w[i] = v;
  }
  let text: Map<string, number> | null = null;
  if (r.triageText) {
    text = new Map();
    for (const [bg, v] of Object.entries(r.triageText)) {
      if (!Number.isFinite(v)) throw new Error(`ranker: weight of "${bg}" is not a number`);
      text.set(bg, v);
    }
  }
  return { w, threshold: r.threshold, margin: r.margin ?? 0, text };
}

/** Utility of each candidate's vector and the softmax probabilities. */
export function rank(ranker: CompiledRanker, xs: readonly Float64Array[]): { utility: number[]; probability: number[] } {
  const utility = xs.map((x) => {
    let u = 0;
    for (let k = 0; k < FEATURE_COUNT; k++) u += ranker.w[k]! * x[k]!;
    return u;
  });
  return { utility, probability: probabilities(utility) };
}

/**
 * The choice among the candidates by their probabilities: the chosen one's index, or -1 when a person decides —
 * the triage unit first without evidence of its own, two units nearly alike (within the margin), or the best below
 * the threshold. The router and the training's accuracy both decide here.
 */
export function decide(probability: readonly number[], triage: number, triageEvidenced: boolean, d: { threshold: number; margin: number }): number {
  let best = -1;
  let second = -1;
  for (let i = 0; i < probability.length; i++) {
    if (best < 0 || probability[i]! > probability[best]!) [second, best] = [best, i];
    else if (second < 0 || probability[i]! > probability[second]!) second = i;
  }
  if (best < 0 || (best === triage && !triageEvidenced)) return -1;
  if (second >= 0 && probability[best]! - probability[second]! < d.margin) return -1;
  return probability[best]! >= d.threshold ? best : -1;
}

/** The routing memory's weight in all (see TrainOptions.memoryWeight). */
export const MEMORY_WEIGHT = 1.5;

/** The hand weights as a ranker: utility = hand score, the triage unit's needing the hand minimum over it. */
export function priorWeights(): Float64Array {
  const w = new Float64Array(FEATURE_COUNT);
  w[F.hand!] = 1;
  w[F.triage!] = 1.5;
  return w;
}

export interface RankerGroup {
  xs: Float64Array[];
  /** index of the right candidate */
  answer: number;
  /** which labelled set the row came from (for leaving one set out) */
  set?: string;
  /** whether the hand weights alone routed it right */
  hand?: boolean;
  /** the matter's distinct bigrams, their ids in the training vocabulary, the triage unit's place among the candidates */
  bigrams?: string[];
  words?: number[];
  triage?: number;
}

export interface TrainOptions {
  /** L2 strength pulling the weights towards the prior */
  l2?: number;
  /** L2 strength on the triage unit's word weights (towards 0); without `vocabulary`, no word weights */
  textL2?: number;
  /** how many bigrams the groups' `words` ids range over */
  vocabulary?: number;
  iterations?: number;
  rate?: number;
  /**
   * the routing memory's weight in all (the hand total's weight plus its own), set rather than learned: in training
   * the memory holds other catalogues' rows matched by name, so the data cannot say what a staff correction in the
   * same catalogue is worth — and a correction must move the next similar item (default 1.5: half again the prior's)
   */
  memoryWeight?: number;
}

/**
 * Maximum-likelihood conditional logit with an L2 pull towards the prior weights (and of the triage unit's word
 * weights towards zero), by Adam over full batches.
 */
export function trainRanker(groups: readonly RankerGroup[], options: TrainOptions = {}): { w: Float64Array; text: Float64Array } {
  const l2 = options.l2 ?? 0.01;
  const textL2 = options.textL2 ?? 0.01;
  const V = options.vocabulary ?? 0;
  const iterations = options.iterations ?? 400;
  const rate = options.rate ?? 0.05;
  const prior = priorWeights();
  const memoryWeight = options.memoryWeight ?? MEMORY_WEIGHT;
  const MEM = F['k:memory']!;
  const HAND = F.hand!;
  const P = FEATURE_COUNT + V; // the features' weights, then the words'
  const theta = new Float64Array(P);
  theta.set(prior);
  theta[MEM] = memoryWeight - theta[HAND]!;
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const n = Math.max(1, groups.length);
  const w = theta.subarray(0, FEATURE_COUNT);
  for (let t = 1; t <= iterations; t++) {
    const g = new Float64Array(P);
    for (const grp of groups) {
      const wordsOf = V && grp.words?.length && grp.triage !== undefined && grp.triage >= 0 ? grp.words : null;
      const utility = grp.xs.map((x) => {
        let u = 0;
        for (let k = 0; k < FEATURE_COUNT; k++) u += w[k]! * x[k]!;
        return u;
      });
      if (wordsOf) {
        let u = 0;
        for (const id of wordsOf) u += theta[FEATURE_COUNT + id]!;
        utility[grp.triage!] = utility[grp.triage!]! + u;
      }
      const probability = probabilities(utility);
      grp.xs.forEach((x, i) => {
        const d = probability[i]! - (i === grp.answer ? 1 : 0);
        if (d === 0) return;
        for (let k = 0; k < FEATURE_COUNT; k++) g[k]! += (d * x[k]!) / n;
        if (wordsOf && i === grp.triage) for (const id of wordsOf) g[FEATURE_COUNT + id]! += d / n;
      });
    }
    for (let k = 0; k < P; k++) {
      const gk = g[k]! + (k < FEATURE_COUNT ? l2 * (theta[k]! - prior[k]!) : textL2 * theta[k]!);
      if (gk === 0 && m[k] === 0) continue;
      m[k] = 0.9 * m[k]! + 0.1 * gk;
      v[k] = 0.999 * v[k]! + 0.001 * gk * gk;
      const mh = m[k]! / (1 - 0.9 ** t);
      const vh = v[k]! / (1 - 0.999 ** t);
      theta[k] = theta[k]! - (rate * mh) / (Math.sqrt(vh) + 1e-8);
    }
    theta[MEM] = memoryWeight - theta[HAND]!;
  }
  return { w: Float64Array.from(w), text: theta.slice(FEATURE_COUNT) };
}

/** Weights as the JSON map (zeros left out). */
export function weightsToJson(w: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  FEATURES.forEach((f, i) => {
    if (Math.abs(w[i]!) > 1e-6) out[f] = Math.round(w[i]! * 10_000) / 10_000;
  });
  return out;
}

export const RANKER_PATH = path.join(PROJECT_ROOT, 'config', 'routing', 'ranker.json');

let shipped: CompiledRanker | null | undefined;
/** The shipped ranker (config/routing/ranker.json), read once per process; none if the file is absent. */
export function defaultRanker(): CompiledRanker | null {
  if (shipped === undefined) shipped = existsSync(RANKER_PATH) ? compileRanker(JSON.parse(readFileSync(RANKER_PATH, 'utf8')) as Ranker) : null;
  return shipped;
}

