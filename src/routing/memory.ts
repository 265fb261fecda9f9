/**
 * The routing memory: every confirmed routing and staff correction, searchable by similarity (BM25 over the
 * character bigrams of the normalised text — no dictionary needed, so a new county's place names and
 * dialect words count from the first correction). A query returns the unit the most similar past items went to,
 * with a vote share and a similarity in 0–1 (the best match's BM25 against the query's own).
 *
 * Adding a row is incremental (no retraining), so a correction counts for the very next item. Bigrams that occur
 * in a large share of the rows ("反映", "窗口") are skipped at query time: they carry no routing information and
 * would make the query touch every row.
 */
import { normalizeText } from '../classification/normalize.js';

export interface MemoryGuess {
  unit: string;
  /** share of the neighbours' votes the unit got */
  probability: number;
  /** the best neighbour's score against the query's own, 0–1 */
  similarity: number;
  /** the most similar remembered text (first 40 characters) */
  example: string;
}

const K1 = 1.2;
const B = 0.75;
const NEIGHBOURS = 5;

function bigrams(text: string): string[] {
  const out = new Set<string>();
  const t = text.replace(/[\s，,。.!！?？;；:：、~…"“”'‘’()（）[\]【】《》<>0-9]/g, '|');
  for (let i = 0; i + 1 < t.length; i++) {
    const a = t[i] as string;
    const b = t[i + 1] as string;
    if (a === '|' || b === '|') continue;
    out.add(a + b);
  }
  return [...out];
}

export class RoutingMemory {
  private readonly units: string[] = [];
  private readonly lengths: number[] = [];
  private readonly examples: string[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly keyed = new Map<string, number>();
  private totalLength = 0;
  /** per row, the BM25 length normalisation for the current average length (kept while no row is added) */
  private denoms = new Float64Array(0);
  private denomsFor = -1;
  /** a query's scores by row id, all 0 between queries, and the ids it touched */
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);

  private denominators(): Float64Array {
    const n = this.units.length;
    if (this.denomsFor !== n) {
      const avg = this.totalLength / n;
      this.denoms = new Float64Array(n);
      for (let id = 0; id < n; id++) this.denoms[id] = 1 + K1 * (1 - B + (B * (this.lengths[id] as number)) / avg);
      this.denomsFor = n;
    }
    return this.denoms;
  }

  private scratch(n: number): Float64Array {
    if (this.scores.length < n) {
      this.scores = new Float64Array(Math.max(n, this.scores.length * 2));
      this.touched = new Int32Array(this.scores.length);
    }
    return this.scores;
  }

  get size(): number {
    return this.units.length;
  }

  /**
   * Remembers that text of this kind belongs to `unit`. A later row with the same `key` (an item corrected
   * again) replaces the earlier one's unit.
   */
  add(text: string, unit: string, key?: string): void {
    if (key !== undefined) {
      const prev = this.keyed.get(key);
      if (prev !== undefined) {
        this.units[prev] = unit;
        return;
      }
    }
    const norm = normalizeText(text).slice(0, 2000);
    const grams = bigrams(norm);
    if (!grams.length) return;
    const id = this.units.length;
    this.units.push(unit);
    this.lengths.push(grams.length);
    this.examples.push(norm.slice(0, 40));
    this.totalLength += grams.length;
    for (const g of grams) {
      const list = this.postings.get(g);
      if (list) list.push(id);
      else this.postings.set(g, [id]);
    }
    if (key !== undefined) this.keyed.set(key, id);
  }

  query(normalizedText: string, allowed: (unit: string) => boolean = () => true): MemoryGuess | null {
    const n = this.units.length;
    if (!n) return null;
    const grams = bigrams(normalizedText.slice(0, 2000));
    if (!grams.length) return null;
    const denoms = this.denominators();
    const scores = this.scratch(n);
    const touched = this.touched;
    let count = 0;
    let self = 0;
    const common = Math.max(50, n * 0.2);
    for (const g of grams) {
      const list = this.postings.get(g);
      if (!list) continue;
      const df = list.length;
      if (df > common) continue;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      self += idf;
      const num = idf * (K1 + 1);
      for (const id of list) {
        // every score is > 0 (idf > 0), so 0 means not yet touched; ids are kept in the order first touched
        if (scores[id] === 0) touched[count++] = id;
        scores[id] += num / (denoms[id] as number);
      }
    }
    // the best NEIGHBOURS allowed rows by score, ties in the order first touched (as a stable sort of them would give)
    const top: Array<[number, number]> = [];
    for (let i = 0; i < count; i++) {
      const id = touched[i] as number;
      const s = scores[id] as number;
      scores[id] = 0;
      if (top.length === NEIGHBOURS && s <= (top[NEIGHBOURS - 1] as [number, number])[1]) continue;
      if (!allowed(this.units[id] as string)) continue;
      let at = top.length;
      while (at > 0 && (top[at - 1] as [number, number])[1] < s) at--;
      top.splice(at, 0, [id, s]);
      if (top.length > NEIGHBOURS) top.pop();
    }
    if (!count || self === 0) return null;
    if (!top.length) return null;
    const votes = new Map<string, number>();
    let sum = 0;
    for (const [id, s] of top) {
      const u = this.units[id] as string;
      votes.set(u, (votes.get(u) ?? 0) + s);
      sum += s;
    }
    const [unit, v] = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const bestOfUnit = top.find(([id]) => this.units[id] === unit)!;
    // the query's own score with an average-length document: 1 when a row shares all of its informative bigrams
    const similarity = Math.min(1, bestOfUnit[1] / (self * ((K1 + 1) / (1 + K1))));
    return { unit, probability: v / sum, similarity, example: this.examples[bestOfUnit[0]] as string };
  }
}

/**
 * Rows labelled against one catalogue (the shipped rows: the sample catalogue) teach the memory of another only for
 * units that are the same there — same code and same name. Another county whose codes happen to coincide ("RS",
 * "SW") learns nothing from them: its memory starts from its own confirmations.
 */
export function rowsForCatalog<T extends { unit?: string | null }>(
  rows: readonly T[],
  labelledAgainst: { units: ReadonlyArray<{ code: string; name: string }> },
  target: { units: ReadonlyArray<{ code: string; name: string }> },
): T[] {
  const source = new Map(labelledAgainst.units.map((u) => [u.code, u.name]));
  const same = new Set(target.units.filter((u) => source.get(u.code) === u.name).map((u) => u.code));
  return rows.filter((r) => !!r.unit && same.has(r.unit));
}
