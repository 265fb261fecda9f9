import type { Classification, ClassifyInput, Classifier } from '../classifier.js';
import { route, type CatalogIndex, type RouteInput, type RouteResult } from '../../routing/index.js';
import type { RoutingMemory } from '../../routing/memory.js';
import { matterColumns } from '../../repeats/matter.js';
import { toAssessment, type AssessAnswer, type AssessInput } from './assess-types.js';

/** What classifying and routing one text needs: the classifier, the catalogue's index and the routing memory. */
export interface EngineParts {
  classifier: Classifier;
  index: CatalogIndex;
  memory: RoutingMemory;
}

type Input = ClassifyInput & Omit<RouteInput, 'classification'>;

/**
 * Classify, then route with the classification (misconduct goes to supervision, junk to no unit): the one sequence
 * both the classification thread and the in-process fallback run.
 */
export function classifyAndRoute(e: EngineParts, input: Input): { c: Classification; r: RouteResult } {
  const c = e.classifier.classify(input);
  return { c, r: route({ ...input, classification: c }, e.index, { memory: e.memory }) };
}

/** One input's outcome in a batch: its classification and routing, or the message of what threw. */
export type BatchOutcome<T> = { ok: true; c: Classification; r: RouteResult; extra: T } | { ok: false; error: string };

/**
 * `classifyAndRoute` over a batch, with the same answers in the same order, but in two passes: every input
 * classified first, then every one routed. Both halves are bound by memory reads (the cue and duty tries, the model's
 * weights, jieba's dictionary) and each evicts the other's cache lines, so alternating them item by item costs ~10–15 %
 * more CPU than running each over the batch (docs/benchmarks.md, issue 14, session 34). `afterClassify` runs right
 * after an input's classification, while the segmenter still holds that text's cut (repeats' matter words). An input
 * that throws gets its error and the others go on.
 */
export function classifyAndRouteMany<I extends Input, T = undefined>(
  e: EngineParts,
  inputs: readonly I[],
  afterClassify?: (input: I) => T,
): Array<BatchOutcome<T>> {
  const out: Array<BatchOutcome<T>> = [];
  const classified: Array<{ c: Classification; extra: T } | null> = [];
  for (const input of inputs) {
    try {
      const c = e.classifier.classify(input);
      classified.push({ c, extra: afterClassify ? afterClassify(input) : (undefined as T) });
      out.push({ ok: false, error: '' }); // replaced in the second pass
    } catch (err) {
      classified.push(null);
      out.push({ ok: false, error: (err as Error).message });
    }
  }
  for (let i = 0; i < inputs.length; i++) {
    const done = classified[i];
    if (!done) continue;
    try {
      const r = route({ ...(inputs[i] as I), classification: done.c }, e.index, { memory: e.memory });
      out[i] = { ok: true, c: done.c, r, extra: done.extra };
    } catch (err) {
      out[i] = { ok: false, error: (err as Error).message };
    }
  }
  return out;
}

/**
 * Intake's compact answers for a batch (an import's piece, or one submission): each input's assessment and its
 * matter columns for repeats, cut by the engine's segmenter right after the classification cut the same text.
 */
export function assessBatch(e: EngineParts, inputs: readonly AssessInput[]): AssessAnswer[] {
  const matter = (input: AssessInput) => matterColumns(input.subject, input.text, e.classifier.segmenter);
  return classifyAndRouteMany(e, inputs, matter).map((o): AssessAnswer => (o.ok ? { ok: true, a: toAssessment(o.c, o.r), matter: o.extra } : o));
}
