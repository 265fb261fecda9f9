/**
 * Training the ranker (src/routing/ranker.ts) from labelled sets: each text-routed row is routed with the hand
 * weights alone, exactly as `eval` routes it (the shipped model classifies it first; the routing memory holds the
 * shipped rows, less the set's own), and its candidates' feature vectors become one group whose answer is the
 * labelled unit. Rows whose unit is among no candidate teach nothing and are counted apart.
 */
import { createClassifier } from '../classification/classifier.js';
import { lexiconPhrases, type Lexicon } from '../classification/lexicon.js';
import type { Model } from '../classification/model.js';
import { normalizeText } from '../classification/normalize.js';
import type { LabelledRow } from '../classification/evaluate.js';
import { createSegmenter } from '../classification/segmenter.js';
import type { Catalog } from '../org/catalog.types.js';
import { buildCatalogIndex } from './catalog-index.js';
import { RoutingMemory, rowsForCatalog } from './memory.js';
import { compileRanker, decide, FEATURES, probabilities, rank, textBigrams, textUtility, trainRanker, weightsToJson, type RankerGroup, type Ranker, type TrainOptions } from './ranker.js';
import { route } from './router.js';

export interface LabelledSet {
  name: string;
  rows: LabelledRow[];
  catalog: Catalog;
}

export interface GatherOptions {
  lexicon: Lexicon;
  model: Model;
  /** rows whose confirmed units seed the routing memory (those also in the set are left out), and their catalogue */
  baseRows: LabelledRow[];
  baseCatalog: Catalog;
}

/** One group per text-routed row whose unit is among its candidates; `unreachable` counts the others. */
export function gatherGroups(set: LabelledSet, options: GatherOptions): { groups: RankerGroup[]; unreachable: number; routed: number } {
  const segmenter = createSegmenter({ catalog: set.catalog, words: lexiconPhrases(options.lexicon) });
  const classifier = createClassifier({ lexicon: options.lexicon, segmenter });
  classifier.setModel(options.model);
  const index = buildCatalogIndex(set.catalog);
  const scored = new Set(set.rows.map((r) => normalizeText(r.text)));
  const memory = new RoutingMemory();
  const base = options.baseRows.filter((r) => !scored.has(normalizeText(r.text))) as Array<LabelledRow & { unit?: string | null; window?: string | null }>;
  for (const r of rowsForCatalog(base, options.baseCatalog, set.catalog)) if (r.unit && !r.window) memory.add(r.subject ? `${r.subject}。${r.text}` : r.text, r.unit);
  const groups: RankerGroup[] = [];
  let unreachable = 0;
  let routed = 0;
  for (const row of set.rows as Array<LabelledRow & { unit?: string | null; window?: string | null; assignedUnit?: string | null }>) {
    if (typeof row.text !== 'string' || row.junk === true || !row.unit) continue;
    const c = classifier.classify({ text: row.text, subject: row.subject, channel: row.channel, rating: row.rating, tags: row.tags });
    let units: string[] = [];
    let xs: Float64Array[] = [];
    let matter = '';
    const r = route(
      { text: row.text, subject: row.subject, channel: row.channel, window: row.window, assignedUnit: row.assignedUnit, classification: c },
      index,
      { memory, ranker: null, onCandidates: (u, v, m) => ((units = u), (xs = v), (matter = m)) },
    );
    if (!xs.length) continue; // the window or the hotline's assigned unit decided, or junk
    routed++;
    const answer = units.indexOf(row.unit);
    if (answer < 0) unreachable++;
    else groups.push({ xs, answer, set: set.name, hand: r.unit === row.unit, bigrams: textBigrams(matter), triage: units.indexOf(index.triage.code) });
  }
  return { groups, unreachable, routed };
}

/** A ranker being trained or tested: the weights, the triage unit's word weights by bigram, the decision. */
export interface Fitted extends Decision {
  w: Float64Array;
  text: Map<string, number> | null;
}

/** Share of groups whose answer the ranker chooses (as the router chooses: see chosenIndex). */
export function accuracy(groups: readonly RankerGroup[], fit: Fitted): number {
  let right = 0;
  for (const g of groups) right += chosenIndex(g, fit) === g.answer ? 1 : 0;
  return groups.length ? right / groups.length : 0;
}

/** When a choice is left to a person: below the threshold, or within the margin of the runner-up. */
export interface Decision {
  threshold: number;
  margin: number;
}

/** The router's choice (see `decide`); a person deciding is the triage unit. */
function chosenIndex(g: RankerGroup, fit: Fitted): number {
  const { utility } = rank(fit, g.xs);
  const triage = triageOf(g);
  if (fit.text && g.bigrams) utility[triage] = utility[triage]! + textUtility(fit, g.bigrams);
  const at = decide(probabilities(utility), triage, g.xs[triage]![HAND]! > 0, fit);
  return at >= 0 ? at : triage;
}

const TRIAGE = FEATURES.indexOf('triage');
const HAND = FEATURES.indexOf('hand');
/** the triage unit's place among a group's candidates */
export const triageOf = (g: RankerGroup): number => g.xs.findIndex((x) => x[TRIAGE] === 1);

/**
 * The decision is a product setting, not learned: below 40 % (the ranker's probabilities are calibrated: see
 * docs/benchmarks.md) or within 2 points of the runner-up (two units the evidence cannot tell apart), the dispatcher decides with both candidates in front of them.
 */
export const DECISION: Decision = { threshold: 0.4, margin: 0.02 };

export interface FitOptions extends TrainOptions {
  /** a bigram teaches the triage unit's words only when this many training groups hold it (0: no word weights) */
  minWordCount?: number;
}

export function fitRanker(groups: readonly RankerGroup[], options: FitOptions = {}): Fitted {
  const minCount = options.minWordCount ?? 0;
  const vocab = new Map<string, number>();
  if (minCount > 0) {
    const df = new Map<string, number>();
    for (const g of groups) for (const b of g.bigrams ?? []) df.set(b, (df.get(b) ?? 0) + 1);
    for (const [b, c] of df) if (c >= minCount) vocab.set(b, vocab.size);
  }
  const withIds = groups.map((g) => ({ ...g, words: vocab.size ? (g.bigrams ?? []).map((b) => vocab.get(b)).filter((i): i is number => i !== undefined) : undefined }));
  const trained = trainRanker(withIds, { ...options, vocabulary: vocab.size });
  let text: Map<string, number> | null = null;
  if (vocab.size) {
    text = new Map();
    for (const [b, i] of vocab) if (Math.abs(trained.text[i]!) >= 1e-3) text.set(b, Math.round(trained.text[i]! * 10_000) / 10_000);
  }
  return { w: trained.w, text, ...DECISION };
}

export function rankerJson(fit: Fitted, trained: Record<string, unknown>): Ranker {
  const r: Ranker = {
    version: 1,
    weights: weightsToJson(fit.w),
    threshold: fit.threshold,
    margin: fit.margin,
    ...(fit.text ? { triageText: Object.fromEntries([...fit.text].sort((a, b) => a[0].localeCompare(b[0]))) } : {}),
    trained,
  };
  compileRanker(r); // every name known
  return r;
}
