/**
 * The decisions, pure: is a new item a repeat of one of its person's earlier items; does an item of another person
 * belong with a hot spot. Thresholds from config/repeats.yaml.
 */
import { sharedWords, similarity } from './matter.js';

export interface MatterFacts {
  id: string;
  tokens: readonly number[];
  words: readonly string[];
  windowId: string | null;
  serviceItemId: string | null;
}

export interface Match {
  id: string;
  similarity: number;
  words: string[];
  /** what else the two share: 'window', 'serviceItem' */
  context: ('window' | 'serviceItem')[];
}

export interface Thresholds {
  similarity: number;
  similarityWithContext: number;
}

export function compare(a: MatterFacts, b: MatterFacts): Match {
  const context: Match['context'] = [];
  if (a.windowId && a.windowId === b.windowId) context.push('window');
  if (a.serviceItemId && a.serviceItemId === b.serviceItemId) context.push('serviceItem');
  return { id: b.id, similarity: Math.round(similarity(a.tokens, b.tokens) * 1000) / 1000, words: sharedWords([...a.words], [...b.words]).slice(0, 12), context };
}

export function sameMatter(m: Match, t: Thresholds): boolean {
  return m.similarity >= t.similarity || (m.context.length > 0 && m.similarity >= t.similarityWithContext);
}

/** The best candidate on the same matter (most similar; the earlier on a tie, candidates come earliest first), or null. */
export function bestMatch(item: MatterFacts, candidates: readonly MatterFacts[], t: Thresholds): Match | null {
  let best: Match | null = null;
  for (const c of candidates) {
    const m = compare(item, c);
    if (!sameMatter(m, t)) continue;
    const score = m.similarity + (m.context.length ? 0.05 : 0);
    const bestScore = best ? best.similarity + (best.context.length ? 0.05 : 0) : -1;
    if (score > bestScore) best = m;
  }
  return best;
}
