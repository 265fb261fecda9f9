import type { Classification, ClassifyInput, Classifier } from '../classifier.js';
import { route, type CatalogIndex, type RouteInput, type RouteResult } from '../../routing/index.js';
import type { RoutingMemory } from '../../routing/memory.js';

/** What classifying and routing one text needs: the classifier, the catalogue's index and the routing memory. */
export interface EngineParts {
  classifier: Classifier;
  index: CatalogIndex;
  memory: RoutingMemory;
}

/**
 * Classify, then route with the classification (misconduct goes to supervision, junk to no unit): the one sequence
 * both the classification thread and the in-process fallback run.
 */
export function classifyAndRoute(
  e: EngineParts,
  input: ClassifyInput & Omit<RouteInput, 'classification'>,
): { c: Classification; r: RouteResult } {
  const c = e.classifier.classify(input);
  return { c, r: route({ ...input, classification: c }, e.index, { memory: e.memory }) };
}
