/**
 * The routing memory: every confirmed routing and staff correction, searchable by similarity (BM25 over the
 * character bigrams of the normalised text — no dictionary needed, so a new county's place names and
 * dialect words count from the first correction). A query returns the unit the most similar past items went to,
 * with a vote share and a similarity in 0–1 (the best match's BM25 against the query's own).
 *
 * Adding a row is incremental (no retraining), so a correction counts for the very next item. Bigrams that occur
 * in a large share of the rows ("反映", "窗口") are skipped at query time: they carry no routing information and
 * would make the query touch every row.
 *
 * The memory grows with every dispatch and correction the store keeps, and walking every posting of a query's
 * bigrams grows with it (~7 µs per 1,000 rows). A query whose bigrams hold more postings than a budget finds its
 * candidates through its rarest bigrams within half the budget instead, and scores the best of them on all the
 * query's bigrams they hold: its cost stays bounded however large the memory grows. Within the budget (the shipped memory, most queries up to several
 * thousand rows) every posting is walked and the answer is the exact one.
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

/** BM25's idf of a bigram held by `df` of `n` rows */
const idf = (df: number, n: number): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));

export interface MemoryOptions {
  /**
   * postings a query walks in full at most (default 8,000: what a 100-character text walks in about 10,000 rows);
   * beyond, it finds its candidates through its rarest bigrams within half of it. Infinity always walks them all.
   */
  budget?: number;
  /** beyond the budget: how many of the best candidates by their rarest bigrams are scored in full (default 32) */
  candidates?: number;
}

/**
 * What ends a run of text for the bigrams: spaces, punctuation, brackets, digits, and "|" (the mark the first version
 * put in their place, so a "|" of the text was a break too).
 */
const BREAK = /[\s，,。.!！?？;；:：、~…"“”'‘’()（）[\]【】《》<>0-9|]/;
/** per UTF-16 code unit, 1 when BREAK matches it: the same test, made once, read at every character */
const breaks = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) if (BREAK.test(String.fromCharCode(c))) breaks[c] = 1;

/**
 * The memory's vocabulary: a character bigram (two UTF-16 code units, neither a break) → its number, in an
 * open-addressing table keyed by the pair as one 32-bit integer. A query looks up its ~90 bigrams here without
 * making a string of each (a string's hash and a Map probe were a third of a query's time).
 */
class GramTable {
  private keys = new Int32Array(1024);
  /** gram number + 1; 0 is an empty slot */
  private ids = new Int32Array(1024);
  private mask = 1023;
  size = 0;

  get(key: number): number {
    for (let h = slot(key, this.mask); ; h = (h + 1) & this.mask) {
      const id = this.ids[h] as number;
      if (id === 0) return -1;
      if (this.keys[h] === key) return id - 1;
    }
  }

  /** The gram's number, a new one when it is new. */
  add(key: number): number {
    const known = this.get(key);
    if (known >= 0) return known;
    if ((this.size + 1) * 2 > this.mask) this.grow();
    let h = slot(key, this.mask);
    while (this.ids[h] !== 0) h = (h + 1) & this.mask;
    this.keys[h] = key;
    this.ids[h] = ++this.size;
    return this.size - 1;
  }

  private grow(): void {
    const { keys, ids } = this;
    this.mask = this.mask * 2 + 1;
    this.keys = new Int32Array(this.mask + 1);
    this.ids = new Int32Array(this.mask + 1);
    for (let i = 0; i < keys.length; i++) {
      if (ids[i] === 0) continue;
      let h = slot(keys[i] as number, this.mask);
      while (this.ids[h] !== 0) h = (h + 1) & this.mask;
      this.keys[h] = keys[i] as number;
      this.ids[h] = ids[i] as number;
    }
  }
}

function slot(key: number, mask: number): number {
  const x = Math.imul(key, 0x9e3779b1);
  return (x ^ (x >>> 16)) & mask;
}

/** the two UTF-16 code units of a bigram as one 32-bit integer (the GramTable's key); -1 when either is a break */
function pairKey(text: string, i: number): number {
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return breaks[a] || breaks[b] ? -1 : (a << 16) | b;
}

/** How much of a text the memory reads (of the row's, and of the query's). */
const READ = 2000;

export class RoutingMemory {
  private readonly budget: number;
  private readonly candidates: number;
  private readonly units: string[] = [];
  private readonly lengths: number[] = [];
  private readonly examples: string[] = [];
  private readonly grams = new GramTable();
  /** per gram number, the rows that hold it, in increasing order */
  private readonly postings: number[][] = [];
  /**
   * per gram number, each posting's BM25 term score `idf·(K1+1) / denominator(row)` as a query adds it, and the
   * memory's size it was computed for: the same doubles the query would compute, so reading them gives the same
   * sums; recomputed for a gram when a query meets it after rows were added (idf and the average length moved)
   */
  private readonly impacts: Float64Array[] = [];
  private readonly impactsFor: number[] = [];
  private readonly keyed = new Map<string, number>();
  private totalLength = 0;
  /** per row, the BM25 length normalisation for the current average length (kept while no row is added) */
  private denoms = new Float64Array(0);
  private denomsFor = -1;
  /** a query's scores by row id, all 0 between queries, and the ids it touched */
  private scores = new Float64Array(0);
  private touched = new Int32Array(0);
  /** scratch: per gram number, the `stamp` of the last text it was met in; a query's gram numbers in order */
  private seen = new Int32Array(1024);
  private stamp = 0;
  private queryGrams: number[] = [];
  /** the query's informative grams' df and idf, beside `queryGrams` */
  private queryDf: number[] = [];
  private queryIdf: number[] = [];
  /** every row's distinct gram numbers, row after row: row `id`'s are `rowGrams[rowStart[id] … rowStart[id + 1])` */
  private rowGrams = new Int32Array(4096);
  private readonly rowStart: number[] = [0];
  /** postings the last query walked (for tests and benchmarks: the budget's effect), counted as they are walked */
  lastWalked = 0;

  constructor(options: MemoryOptions = {}) {
    this.budget = options.budget ?? 8000;
    this.candidates = Math.max(NEIGHBOURS, options.candidates ?? 32);
  }

  /** `seen` has an entry for every gram number */
  private fitSeen(): void {
    if (this.seen.length >= this.grams.size) return;
    const grown = new Int32Array(Math.max(this.grams.size, this.seen.length * 2));
    grown.set(this.seen);
    this.seen = grown;
  }

  /** a new stamp for the next text's bigrams (each gram counted once a text) */
  private nextStamp(): number {
    this.fitSeen();
    if (++this.stamp === 0x7fffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

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
      // one more than the rows: the loop stores a touched id before it knows whether to keep it
      this.touched = new Int32Array(this.scores.length + 1);
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
    const norm = normalizeText(text).slice(0, READ);
    // the row's distinct bigrams in order of first occurrence
    const grams: number[] = [];
    const stamp = this.nextStamp();
    for (let i = 0; i + 1 < norm.length; i++) {
      const k = pairKey(norm, i);
      if (k === -1) continue;
      const g = this.grams.add(k);
      this.fitSeen();
      if (this.seen[g] === stamp) continue;
      this.seen[g] = stamp;
      grams.push(g);
    }
    if (!grams.length) return;
    const id = this.units.length;
    this.units.push(unit);
    this.lengths.push(grams.length);
    this.examples.push(norm.slice(0, 40));
    this.totalLength += grams.length;
    const from = this.rowStart[id] as number;
    if (this.rowGrams.length < from + grams.length) {
      const grown = new Int32Array(Math.max(from + grams.length, this.rowGrams.length * 2));
      grown.set(this.rowGrams);
      this.rowGrams = grown;
    }
    for (let i = 0; i < grams.length; i++) this.rowGrams[from + i] = grams[i] as number;
    this.rowStart.push(from + grams.length);
    for (const g of grams) {
      const list = this.postings[g];
      if (list) list.push(id);
      else {
        this.postings[g] = [id];
        this.impacts[g] = new Float64Array(0);
        this.impactsFor[g] = -1;
      }
    }
    if (key !== undefined) this.keyed.set(key, id);
  }

  query(normalizedText: string, allowed: (unit: string) => boolean = () => true): MemoryGuess | null {
    const n = this.units.length;
    this.lastWalked = 0;
    if (!n) return null;
    // the text's bigrams that some row holds (a bigram no row holds adds nothing), in order of first occurrence
    const grams = this.queryGrams;
    grams.length = 0;
    const stamp = this.nextStamp();
    const { seen } = this;
    const end = Math.min(normalizedText.length, READ);
    for (let i = 0; i + 1 < end; i++) {
      const k = pairKey(normalizedText, i);
      if (k === -1) continue;
      const g = this.grams.get(k);
      if (g < 0 || seen[g] === stamp) continue;
      seen[g] = stamp;
      grams.push(g);
    }
    if (!grams.length) return null;
    // the informative ones (a bigram in more than a fifth of the rows is skipped), their postings in all, and the
    // query's own score (the sum of their idf, in order)
    const common = Math.max(50, n * 0.2);
    const { queryDf, queryIdf } = this;
    let self = 0;
    let postings = 0;
    let live = 0;
    for (const g of grams) {
      const df = (this.postings[g] as number[]).length;
      if (df > common) continue;
      const i = idf(df, n);
      queryDf[live] = df;
      queryIdf[live] = i;
      grams[live++] = g;
      self += i;
      postings += df;
    }
    grams.length = live;
    queryDf.length = live;
    queryIdf.length = live;
    if (!live) return null;
    let top: Array<[number, number]>;
    if (postings <= this.budget) {
      top = this.walkAll(grams, n, allowed);
    } else top = this.walkRarest(grams, n, allowed);
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

  /** each posting's term score for gram `g`, for the memory's current size (computed when rows were added since) */
  private impactsOf(g: number, n: number): Float64Array {
    const list = this.postings[g] as number[];
    const df = list.length;
    let impacts = this.impacts[g] as Float64Array;
    if (this.impactsFor[g] !== n) {
      const denoms = this.denominators();
      const num = idf(df, n) * (K1 + 1);
      impacts = this.impacts[g] = impacts.length === df ? impacts : new Float64Array(df);
      for (let k = 0; k < df; k++) impacts[k] = num / (denoms[list[k] as number] as number);
      this.impactsFor[g] = n;
    }
    return impacts;
  }

  /**
   * Adds the term scores of gram `g` to the rows that hold it, in `scores`; a row met for the first time is appended
   * to `touched`. Returns the new count of touched rows.
   */
  private accumulate(g: number, n: number, scores: Float64Array, touched: Int32Array, count: number): number {
    const list = this.postings[g] as number[];
    const impacts = this.impactsOf(g, n);
    const df = list.length;
    this.lastWalked += df;
    for (let k = 0; k < df; k++) {
      const id = list[k] as number;
      // every score is > 0 (idf > 0), so 0 means not yet touched; ids are kept in the order first touched. Written
      // without a branch (the id is stored either way and kept only when new): whether a row is new is a coin toss
      // the processor cannot predict, and the branch cost a fifth of the query.
      const s = scores[id] as number;
      touched[count] = id;
      count += +(s === 0);
      scores[id] = s + (impacts[k] as number);
    }
    return count;
  }

  /**
   * Every posting of the query's grams, in the query's order: each row's exact score. The best NEIGHBOURS allowed
   * rows, ties in the order first touched (as a stable sort of them would give); every touched row's score is reset.
   */
  private walkAll(grams: number[], n: number, allowed: (unit: string) => boolean): Array<[number, number]> {
    const scores = this.scratch(n);
    const touched = this.touched;
    let count = 0;
    for (const g of grams) count = this.accumulate(g, n, scores, touched, count);
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
    return top;
  }

  /**
   * Over the budget: the candidates are the rows holding the query's rarest grams, as many grams (rarest first) as
   * half the budget's postings allow, and at least one (half: walking them all would cost little more than the
   * candidates' scoring). The best `candidates` of them by those grams alone get the term
   * scores of the query's other grams they hold (looked up from the row's own grams), and the best NEIGHBOURS
   * allowed ones by that full score are the answer, ties by row id. A row that shares only common grams with the
   * query, or whose rare grams rank it outside the candidates, is missed; the sums are the full scores, added in
   * another order and through the denominator's reciprocal (they may differ from `walkAll`'s in the last bits).
   */
  private walkRarest(grams: number[], n: number, allowed: (unit: string) => boolean): Array<[number, number]> {
    const q = grams.length;
    // rarest first: df and the query position packed in one double (df · q + position), sorted as numbers
    const order = new Float64Array(q);
    const { queryDf, queryIdf } = this;
    for (let i = 0; i < q; i++) order[i] = (queryDf[i] as number) * q + i;
    order.sort();
    const scores = this.scratch(n);
    const touched = this.touched;
    let count = 0;
    let walked = 0;
    // the query's grams not walked, in a small open-addressing table: gram number + 1 → its term-score numerator
    const mask = (1 << Math.ceil(Math.log2(4 * q + 4))) - 1;
    const keys = new Int32Array(mask + 1);
    const nums = new Float64Array(mask + 1);
    for (let i = 0; i < q; i++) {
      const at = (order[i] as number) % q;
      const g = grams[at] as number;
      const df = queryDf[at] as number;
      if (walked === 0 || walked + df <= this.budget / 2) {
        walked += df;
        count = this.accumulate(g, n, scores, touched, count);
        continue;
      }
      let h = slot(g, mask);
      while (keys[h] !== 0) h = (h + 1) & mask;
      keys[h] = g + 1;
      nums[h] = (queryIdf[at] as number) * (K1 + 1);
    }
    // the best candidates by the walked grams, in a min-heap of their partial scores (a touched row's score is read
    // once and reset to 0 in the same pass)
    const k = Math.min(this.candidates, count);
    const heapScore = new Float64Array(k);
    const heapId = new Int32Array(k);
    let size = 0;
    for (let i = 0; i < count; i++) {
      const id = touched[i] as number;
      const s = scores[id] as number;
      scores[id] = 0;
      if (size < k) {
        // sift up
        let at = size++;
        while (at > 0) {
          const up = (at - 1) >> 1;
          if ((heapScore[up] as number) <= s) break;
          heapScore[at] = heapScore[up] as number;
          heapId[at] = heapId[up] as number;
          at = up;
        }
        heapScore[at] = s;
        heapId[at] = id;
      } else if (s > (heapScore[0] as number)) {
        // replace the smallest, sift down
        let at = 0;
        for (;;) {
          let child = 2 * at + 1;
          if (child >= k) break;
          if (child + 1 < k && (heapScore[child + 1] as number) < (heapScore[child] as number)) child++;
          if ((heapScore[child] as number) >= s) break;
          heapScore[at] = heapScore[child] as number;
          heapId[at] = heapId[child] as number;
          at = child;
        }
        heapScore[at] = s;
        heapId[at] = id;
      }
    }
    const denoms = this.denominators();
    const full: Array<[number, number]> = [];
    for (let c = 0; c < size; c++) {
      const id = heapId[c] as number;
      if (!allowed(this.units[id] as string)) continue;
      let s = heapScore[c] as number;
      const inv = 1 / (denoms[id] as number);
      for (let i = this.rowStart[id] as number, to = this.rowStart[id + 1] as number; i < to; i++) {
        const g = this.rowGrams[i] as number;
        for (let h = slot(g, mask); keys[h] !== 0; h = (h + 1) & mask) {
          if (keys[h] === g + 1) {
            s += (nums[h] as number) * inv;
            break;
          }
        }
      }
      full.push([id, s]);
    }
    // a unit most of whose candidates are not allowed: the exact walk instead (rare: units are seldom closed)
    if (full.length < Math.min(NEIGHBOURS, k)) return this.walkAll(grams, n, allowed);
    full.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return full.slice(0, NEIGHBOURS);
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
