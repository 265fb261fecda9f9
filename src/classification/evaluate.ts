/**
 * Evaluation of classification and routing on labelled rows. When the rows are also what the model learns from,
 * scoring is k-fold cross-validation: the model and the learned router are trained on k-1 folds and score the
 * held-out fold (the lexicon is fixed configuration). `baseRows` (e.g. the seed training data) join every fold's
 * training set, minus any row whose text is also being scored, so nothing is scored on what it was trained on.
 */
import type { Catalog } from '../org/catalog.types.js';
import { buildCatalogIndex } from '../routing/catalog-index.js';
import { trainRouter, type LearnedRouter } from '../routing/learned-router.js';
import { route, type RouteRule } from '../routing/router.js';
import { createClassifier, type ClassifierTuning } from './classifier.js';
import { isLabel, LABELS, type Label } from './dimensions.js';
import { lexiconPhrases, type Lexicon } from './lexicon.js';
import { trainModel, type Model, type TrainingRow } from './model.js';
import { normalizeText } from './normalize.js';
import { createSegmenter, type Segmenter } from './segmenter.js';
import { seededRandom } from '../common/seeded-random.js';

export interface LabelledRow {
  id?: string;
  channel?: string | null;
  subject?: string | null;
  text: string;
  rating?: number | null;
  window?: string | null;
  tags?: string[] | null;
  /** 承办单位 given by the hotline, when the row carries one */
  assignedUnit?: string | null;
  dimension: Label;
  secondary?: string[];
  misconduct?: boolean;
  unit?: string | null;
}

export interface EvaluateOptions {
  catalog: Catalog;
  lexicon: Lexicon;
  folds?: number;
  seed?: number;
  /** Extra training rows added to every fold (never scored). */
  baseRows?: TrainingRow[];
  /** Score with this model as is (rows are a held-out set): no cross-validation. */
  model?: Model | null;
  router?: LearnedRouter | null;
  segmenter?: Segmenter;
  tuning?: Partial<ClassifierTuning>;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Mistake {
  id: string;
  text: string;
  expected: string;
  got: string;
  kind: 'dimension' | 'unit' | 'misconduct';
  rule?: RouteRule;
}

export interface EvaluationResult {
  rows: number;
  mode: 'cross-validation' | 'held-out';
  folds: number;
  perClass: Record<Label, ClassMetrics>;
  macroF1: number;
  accuracy: number;
  /** confusion[expected][predicted] */
  confusion: Record<Label, Record<Label, number>>;
  routing: { scored: number; correct: number; accuracy: number; byRule: Record<string, { count: number; correct: number }> };
  misconduct: { precision: number; recall: number; truePositive: number; falsePositive: number; falseNegative: number };
  mistakes: Mistake[];
}

const mulberry32 = seededRandom;

/** Stratified fold assignment: each label spread evenly over the folds, order shuffled by the seed. */
export function assignFolds(labels: string[], folds: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const out = new Array<number>(labels.length).fill(0);
  let offset = 0;
  for (const idx of byLabel.values()) {
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    idx.forEach((row, k) => (out[row] = (k + offset) % folds));
    offset += idx.length;
  }
  return out;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function evaluate(rows: LabelledRow[], options: EvaluateOptions): EvaluationResult {
  const usable = rows.filter((r) => isLabel(r.dimension) && typeof r.text === 'string');
  const folds = options.model !== undefined ? 1 : Math.max(2, Math.min(options.folds ?? 5, usable.length));
  const seed = options.seed ?? 42;
  const segmenter = options.segmenter ?? createSegmenter({ catalog: options.catalog, words: lexiconPhrases(options.lexicon) });
  const classifier = createClassifier({ lexicon: options.lexicon, segmenter, tuning: options.tuning });
  const index = buildCatalogIndex(options.catalog);
  const scoredTexts = new Set(usable.map((r) => normalizeText(r.text)));
  const base = (options.baseRows ?? []).filter((r) => !scoredTexts.has(normalizeText(r.text)));
  const fold = options.model !== undefined ? usable.map(() => 0) : assignFolds(usable.map((r) => r.dimension), folds, seed);

  const predicted: Array<{ dimension: Label; misconduct: boolean; unit: string; rule: RouteRule }> = new Array(usable.length);
  for (let k = 0; k < folds; k++) {
    let model: Model | null;
    let router: LearnedRouter | null;
    if (options.model !== undefined) {
      model = options.model;
      router = options.router ?? null;
    } else {
      const train = usable.filter((_, i) => fold[i] !== k);
      model = trainModel([...train, ...base], segmenter, { seed });
      const routed = train.filter((r): r is LabelledRow & { unit: string } => !!r.unit && index.units.has(r.unit));
      router = routed.length ? trainRouter(routed, segmenter) : null;
    }
    classifier.setModel(model);
    usable.forEach((row, i) => {
      if (fold[i] !== k) return;
      const c = classifier.classify({ text: row.text, subject: row.subject, channel: row.channel, rating: row.rating, tags: row.tags });
      const r = route(
        { text: row.text, subject: row.subject, channel: row.channel, window: row.window, assignedUnit: row.assignedUnit, classification: c },
        index,
        { learned: router, segmenter },
      );
      predicted[i] = { dimension: c.dimension, misconduct: c.misconduct, unit: r.unit, rule: r.rule };
    });
  }

  const confusion = Object.fromEntries(LABELS.map((e) => [e, Object.fromEntries(LABELS.map((p) => [p, 0]))])) as Record<
    Label,
    Record<Label, number>
  >;
  const mistakes: Mistake[] = [];
  let correct = 0;
  let routed = 0;
  let routedOk = 0;
  const byRule: Record<string, { count: number; correct: number }> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  usable.forEach((row, i) => {
    const p = predicted[i]!;
    const id = row.id ?? String(i + 1);
    confusion[row.dimension][p.dimension]++;
    if (p.dimension === row.dimension) correct++;
    else mistakes.push({ id, text: row.text, expected: row.dimension, got: p.dimension, kind: 'dimension' });
    if (row.unit) {
      routed++;
      const ok = p.unit === row.unit;
      if (ok) routedOk++;
      else mistakes.push({ id, text: row.text, expected: row.unit, got: p.unit, kind: 'unit', rule: p.rule });
      const b = (byRule[p.rule] ??= { count: 0, correct: 0 });
      b.count++;
      if (ok) b.correct++;
    }
    const m = row.misconduct === true;
    if (m && p.misconduct) tp++;
    else if (!m && p.misconduct) fp++;
    else if (m && !p.misconduct) fn++;
    if (m !== p.misconduct) mistakes.push({ id, text: row.text, expected: String(m), got: String(p.misconduct), kind: 'misconduct' });
  });
  const perClass = Object.fromEntries(
    LABELS.map((l) => {
      const tpc = confusion[l][l];
      const predictedCount = LABELS.reduce((s, e) => s + confusion[e][l], 0);
      const support = LABELS.reduce((s, p) => s + confusion[l][p], 0);
      const precision = ratio(tpc, predictedCount);
      const recall = ratio(tpc, support);
      return [l, { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support }];
    }),
  ) as Record<Label, ClassMetrics>;
  const present = LABELS.filter((l) => perClass[l].support > 0 || LABELS.some((e) => confusion[e][l] > 0));
  return {
    rows: usable.length,
    mode: options.model !== undefined ? 'held-out' : 'cross-validation',
    folds,
    perClass,
    macroF1: ratio(present.reduce((s, l) => s + perClass[l].f1, 0), present.length),
    accuracy: ratio(correct, usable.length),
    confusion,
    routing: { scored: routed, correct: routedOk, accuracy: ratio(routedOk, routed), byRule },
    misconduct: { precision: ratio(tp, tp + fp), recall: tp + fn === 0 ? 1 : ratio(tp, tp + fn), truePositive: tp, falsePositive: fp, falseNegative: fn },
    mistakes,
  };
}

const pct = (v: number): string => (v * 100).toFixed(1).padStart(5);

export function formatReport(result: EvaluationResult, options: { mistakes?: number } = {}): string {
  const lines: string[] = [];
  lines.push(
    result.mode === 'cross-validation'
      ? `${result.rows} rows, ${result.folds}-fold cross-validation (model and learned router trained on the other folds)`
      : `${result.rows} rows, held-out scoring with the given model`,
  );
  lines.push('', 'label   precision  recall     F1  support');
  for (const l of LABELS) {
    const m = result.perClass[l];
    lines.push(`${l.padEnd(6)}  ${pct(m.precision)}%   ${pct(m.recall)}%  ${pct(m.f1)}%  ${String(m.support).padStart(6)}`);
  }
  lines.push(`macro-F1 ${(result.macroF1 * 100).toFixed(1)}%   accuracy ${(result.accuracy * 100).toFixed(1)}%`);
  lines.push('', `confusion (rows expected, columns predicted)`, `        ${LABELS.map((l) => l.padStart(5)).join('')}`);
  for (const e of LABELS) lines.push(`${e.padEnd(6)}  ${LABELS.map((p) => String(result.confusion[e][p]).padStart(5)).join('')}`);
  const r = result.routing;
  lines.push('', `routing accuracy ${(r.accuracy * 100).toFixed(1)}% (${r.correct}/${r.scored})`);
  for (const [rule, b] of Object.entries(r.byRule).sort((a, b2) => b2[1].count - a[1].count)) {
    lines.push(`  ${rule.padEnd(14)} ${String(b.count).padStart(4)} routed, ${pct(ratio(b.correct, b.count))}% right`);
  }
  const m = result.misconduct;
  lines.push(
    '',
    `misconduct precision ${(m.precision * 100).toFixed(1)}%  recall ${(m.recall * 100).toFixed(1)}%  (tp ${m.truePositive}, fp ${m.falsePositive}, fn ${m.falseNegative})`,
  );
  const limit = options.mistakes ?? 0;
  if (limit > 0 && result.mistakes.length) {
    lines.push('', `first ${Math.min(limit, result.mistakes.length)} of ${result.mistakes.length} mistakes:`);
    for (const x of result.mistakes.slice(0, limit)) {
      lines.push(`  ${x.id} [${x.kind}${x.rule ? `/${x.rule}` : ''}] expected ${x.expected}, got ${x.got}: ${x.text.replace(/\s+/g, ' ').slice(0, 70)}`);
    }
  }
  return lines.join('\n');
}
