/**
 * Evaluation of classification and routing on labelled rows. When the rows are also what the model learns from,
 * scoring is k-fold cross-validation: the model and the learned router are trained on k-1 folds and score the
 * held-out fold (the lexicon is fixed configuration). `baseRows` (e.g. the seed training data) join every fold's
 * training set, minus any row whose text is also being scored, so nothing is scored on what it was trained on.
 */
import type { Catalog } from '../org/catalog.types.js';
import { buildCatalogIndex } from '../routing/catalog-index.js';
import type { LearnedRouter } from '../routing/learned-router.js';
import { RoutingMemory, rowsForCatalog } from '../routing/memory.js';
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
  /** an advert, spam or test: expected to stay with the office (unit null) */
  junk?: boolean;
  unit?: string | null;
}

export interface EvaluateOptions {
  catalog: Catalog;
  lexicon: Lexicon;
  folds?: number;
  seed?: number;
  /** Extra training rows added to every fold (never scored). */
  baseRows?: TrainingRow[];
  /** the catalogue the base rows were labelled against: they teach the routing memory only units that are the same */
  baseCatalog?: Catalog;
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
  kind: 'dimension' | 'unit' | 'misconduct' | 'junk';
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
  routing: {
    scored: number;
    correct: number;
    accuracy: number;
    byRule: Record<string, { count: number; correct: number }>;
    byChannel: Record<string, { count: number; correct: number }>;
    /** rows with no scanned window and no hotline-assigned unit: the text alone decides */
    textOnly: { count: number; correct: number };
    /** routed by the text (not window/assigned/junk): confidence bins → how many and how many right */
    calibration: Array<{ from: number; to: number; count: number; correct: number }>;
    /** sent to triage although a unit was expected: how often the right one was among the two candidates shown */
    triaged: { count: number; top2: number };
    /** expected unit → predicted unit → count, for the wrong ones */
    confusion: Record<string, Record<string, number>>;
  };
  junk: { precision: number; recall: number; truePositive: number; falsePositive: number; falseNegative: number };
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

  type Predicted = { dimension: Label; misconduct: boolean; junk: boolean; unit: string; rule: RouteRule; confidence: number; candidates: string[] };
  const predicted: Predicted[] = new Array(usable.length);
  // a rating's unit came from its window, not its words: only text-routed rows teach the memory
  const remember = (memory: RoutingMemory, list: Array<{ text: string; subject?: string | null; unit?: string | null; window?: string | null }>): void => {
    for (const r of list) if (r.unit && !r.window) memory.add(r.subject ? `${r.subject}。${r.text}` : r.text, r.unit);
  };
  for (let k = 0; k < folds; k++) {
    let model: Model | null;
    const memory = new RoutingMemory();
    const baseRouted = base as Array<TrainingRow & { unit?: string | null }>;
    remember(memory, options.baseCatalog ? rowsForCatalog(baseRouted, options.baseCatalog, options.catalog) : baseRouted);
    if (options.model !== undefined) {
      model = options.model;
    } else {
      const train = usable.filter((_, i) => fold[i] !== k);
      model = trainModel([...train, ...base], segmenter, { seed });
      remember(memory, train);
    }
    classifier.setModel(model);
    usable.forEach((row, i) => {
      if (fold[i] !== k) return;
      const c = classifier.classify({ text: row.text, subject: row.subject, channel: row.channel, rating: row.rating, tags: row.tags });
      const r = route(
        { text: row.text, subject: row.subject, channel: row.channel, window: row.window, assignedUnit: row.assignedUnit, classification: c },
        index,
        { memory },
      );
      predicted[i] = {
        dimension: c.dimension,
        misconduct: c.misconduct,
        junk: c.junk === true,
        unit: r.unit,
        rule: r.rule,
        confidence: r.confidence,
        candidates: r.candidates.slice(0, 2).map((x) => x.unit),
      };
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
  const byChannel: Record<string, { count: number; correct: number }> = {};
  const textOnly = { count: 0, correct: 0 };
  const calibration = [0, 0.5, 0.6, 0.7, 0.8, 0.9].map((from, i, a) => ({ from, to: a[i + 1] ?? 1, count: 0, correct: 0 }));
  const triaged = { count: 0, top2: 0 };
  const unitConfusion: Record<string, Record<string, number>> = {};
  const junk = { tp: 0, fp: 0, fn: 0 };
  const junkLabelled = usable.some((r) => typeof r.junk === 'boolean');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  usable.forEach((row, i) => {
    const p = predicted[i]!;
    const id = row.id ?? String(i + 1);
    confusion[row.dimension][p.dimension]++;
    if (p.dimension === row.dimension) correct++;
    else mistakes.push({ id, text: row.text, expected: row.dimension, got: p.dimension, kind: 'dimension' });
    const expectJunk = row.junk === true;
    if (expectJunk && p.junk) junk.tp++;
    else if (!expectJunk && p.junk && junkLabelled) junk.fp++;
    else if (expectJunk && !p.junk) junk.fn++;
    if (expectJunk !== p.junk && junkLabelled) mistakes.push({ id, text: row.text, expected: String(expectJunk), got: String(p.junk), kind: 'junk' });
    if (row.unit || expectJunk) {
      routed++;
      // junk stays with the triage unit: a set without junk labels expecting that unit counts it right
      const ok = expectJunk ? p.junk : p.unit === row.unit && (!p.junk || !junkLabelled);
      const got = p.junk ? 'junk' : p.unit;
      if (ok) routedOk++;
      else {
        mistakes.push({ id, text: row.text, expected: row.unit ?? 'junk', got, kind: 'unit', rule: p.rule });
        const e = (unitConfusion[row.unit ?? 'junk'] ??= {});
        e[got] = (e[got] ?? 0) + 1;
      }
      const b = (byRule[p.rule] ??= { count: 0, correct: 0 });
      b.count++;
      if (ok) b.correct++;
      const ch = (byChannel[row.channel ?? 'unknown'] ??= { count: 0, correct: 0 });
      ch.count++;
      if (ok) ch.correct++;
      if (!row.window && !row.assignedUnit) {
        textOnly.count++;
        if (ok) textOnly.correct++;
      }
      if (!['window', 'assigned_unit', 'junk', 'triage'].includes(p.rule)) {
        const bin = calibration.find((c) => p.confidence >= c.from && p.confidence < c.to) ?? calibration[calibration.length - 1]!;
        bin.count++;
        if (ok) bin.correct++;
      }
      if (p.rule === 'triage' && row.unit) {
        triaged.count++;
        if (p.candidates.includes(row.unit)) triaged.top2++;
      }
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
    routing: { scored: routed, correct: routedOk, accuracy: ratio(routedOk, routed), byRule, byChannel, textOnly, calibration, triaged, confusion: unitConfusion },
    junk: { precision: ratio(junk.tp, junk.tp + junk.fp), recall: junk.tp + junk.fn === 0 ? 1 : ratio(junk.tp, junk.tp + junk.fn), truePositive: junk.tp, falsePositive: junk.fp, falseNegative: junk.fn },
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
  lines.push(`  text only (no window, no assigned unit): ${pct(ratio(r.textOnly.correct, r.textOnly.count))}% (${r.textOnly.correct}/${r.textOnly.count})`);
  lines.push('  by rule:');
  for (const [rule, b] of Object.entries(r.byRule).sort((a, b2) => b2[1].count - a[1].count)) {
    lines.push(`    ${rule.padEnd(14)} ${String(b.count).padStart(4)} routed, ${pct(ratio(b.correct, b.count))}% right`);
  }
  lines.push('  by channel:');
  for (const [ch, b] of Object.entries(r.byChannel).sort((a, b2) => b2[1].count - a[1].count)) {
    lines.push(`    ${ch.padEnd(14)} ${String(b.count).padStart(4)} rows,   ${pct(ratio(b.correct, b.count))}% right`);
  }
  lines.push('  calibration (routed by the text: confidence → share right):');
  for (const c of r.calibration.filter((x) => x.count > 0)) {
    lines.push(`    ${c.from.toFixed(1)}–${c.to.toFixed(1)} ${String(c.count).padStart(4)} rows,   ${pct(ratio(c.correct, c.count))}% right`);
  }
  lines.push(`  sent to triage though a unit was expected: ${r.triaged.count}; the right unit among the two candidates shown: ${r.triaged.top2}`);
  const conf = Object.entries(r.confusion).flatMap(([e, m]) => Object.entries(m).map(([g, n]) => ({ e, g, n }))).sort((a, b) => b.n - a.n);
  if (conf.length) lines.push(`  most frequent confusions (expected → got): ${conf.slice(0, 10).map((x) => `${x.e}→${x.g} ×${x.n}`).join(', ')}`);
  const m = result.misconduct;
  const j = result.junk;
  lines.push(
    '',
    `misconduct precision ${(m.precision * 100).toFixed(1)}%  recall ${(m.recall * 100).toFixed(1)}%  (tp ${m.truePositive}, fp ${m.falsePositive}, fn ${m.falseNegative})`,
    `junk       precision ${(j.precision * 100).toFixed(1)}%  recall ${(j.recall * 100).toFixed(1)}%  (tp ${j.truePositive}, fp ${j.falsePositive}, fn ${j.falseNegative})`,
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
