/**
 * Step 5 of routing: what past, staff-confirmed routings of similar text say. Multinomial naive Bayes over words
 * → unit code; naive Bayes suits this job because it trains in one pass (cheap to rebuild after every batch of
 * confirmations) and copes with units that have only a handful of confirmed rows.
 */
import { normalizeText } from '../classification/normalize.js';
import type { Segmenter } from '../classification/segmenter.js';

export interface RoutingRow {
  text: string;
  subject?: string | null;
  unit: string;
}

export interface LearnedRouter {
  version: 1;
  units: string[];
  /** log prior per unit */
  prior: number[];
  /** word → log likelihood per unit */
  likelihood: Map<string, Float64Array>;
  /** log likelihood of an unseen word per unit */
  unseen: number[];
}

export interface LearnedRouterJson {
  version: 1;
  units: string[];
  prior: number[];
  unseen: number[];
  words: Record<string, number[]>;
}

export interface LearnedRoute {
  unit: string;
  probability: number;
  words: string[];
}

function routingWords(segmenter: Segmenter, text: string): string[] {
  // Single characters say little about the unit; entity names (unit, item) are kept — they say the most.
  return [...new Set(segmenter.cut(text).filter((w) => Array.from(w).length >= 2 && !/^[0-9.]+$/.test(w)))];
}

export function trainRouter(rows: RoutingRow[], segmenter: Segmenter, options: { alpha?: number; minCount?: number } = {}): LearnedRouter {
  const alpha = options.alpha ?? 0.5;
  const minCount = options.minCount ?? 2;
  const units = [...new Set(rows.map((r) => r.unit))].sort();
  const uIndex = new Map(units.map((u, i) => [u, i]));
  const docs = rows.map((r) => routingWords(segmenter, normalizeText(r.subject ? `${r.subject}。${r.text}` : r.text)));
  const df = new Map<string, number>();
  docs.forEach((d) => d.forEach((w) => df.set(w, (df.get(w) ?? 0) + 1)));
  const vocab = [...df.entries()].filter(([, c]) => c >= minCount).map(([w]) => w);
  const vIndex = new Map(vocab.map((w, i) => [w, i]));
  const counts = units.map(() => new Float64Array(vocab.length));
  const totals = new Float64Array(units.length);
  const docCount = new Float64Array(units.length);
  rows.forEach((r, n) => {
    const u = uIndex.get(r.unit) as number;
    docCount[u]!++;
    for (const w of docs[n]!) {
      const v = vIndex.get(w);
      if (v === undefined) continue;
      counts[u]![v]!++;
      totals[u]!++;
    }
  });
  const V = vocab.length + 1;
  const likelihood = new Map<string, Float64Array>();
  vocab.forEach((w, v) => {
    likelihood.set(w, Float64Array.from(units, (_, u) => Math.log((counts[u]![v]! + alpha) / (totals[u]! + alpha * V))));
  });
  return {
    version: 1,
    units,
    prior: units.map((_, u) => Math.log((docCount[u]! + 1) / (rows.length + units.length))),
    likelihood,
    unseen: units.map((_, u) => Math.log(alpha / (totals[u]! + alpha * V))),
  };
}

/** The most likely unit among `allowed` (active units of the current catalogue) with its posterior. */
export function predictRoute(router: LearnedRouter, segmenter: Segmenter, normalizedText: string, allowed: (code: string) => boolean): LearnedRoute | null {
  const idx = router.units.map((u, i) => (allowed(u) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return null;
  const words = routingWords(segmenter, normalizedText).filter((w) => router.likelihood.has(w));
  if (words.length === 0) return null;
  const scores = idx.map((u) => {
    let s = router.prior[u] as number;
    for (const w of words) s += (router.likelihood.get(w) as Float64Array)[u] as number;
    return s;
  });
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  let best = 0;
  for (let i = 1; i < exp.length; i++) if ((exp[i] as number) > (exp[best] as number)) best = i;
  const u = idx[best] as number;
  const top = words
    .map((w) => ({ w, s: ((router.likelihood.get(w) as Float64Array)[u] as number) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, 3)
    .map((x) => x.w);
  return { unit: router.units[u] as string, probability: (exp[best] as number) / sum, words: top };
}

export function routerToJson(router: LearnedRouter): LearnedRouterJson {
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  const words: Record<string, number[]> = {};
  for (const [w, l] of router.likelihood) words[w] = Array.from(l, r);
  return { version: 1, units: router.units, prior: router.prior.map(r), unseen: router.unseen.map(r), words };
}

export function routerFromJson(json: unknown): LearnedRouter {
  const j = json as Partial<LearnedRouterJson> | null;
  if (!j || j.version !== 1 || !Array.isArray(j.units) || !Array.isArray(j.prior) || !Array.isArray(j.unseen) || !j.words) {
    throw new Error('router JSON: expected {version: 1, units, prior, unseen, words}');
  }
  const n = j.units.length;
  const likelihood = new Map<string, Float64Array>();
  for (const [w, l] of Object.entries(j.words)) {
    if (!Array.isArray(l) || l.length !== n) throw new Error(`router JSON: words["${w}"] must have ${n} numbers`);
    likelihood.set(w, Float64Array.from(l));
  }
  return { version: 1, units: j.units, prior: j.prior, likelihood, unseen: j.unseen };
}
