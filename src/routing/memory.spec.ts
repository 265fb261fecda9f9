import { normalizeText } from '../classification/normalize.js';
import { shippedTrainingRows } from '../classification/shipped.js';
import { seededRandom } from '../common/seeded-random.js';
import { RoutingMemory, type MemoryGuess } from './memory.js';

/*
 * The memory's first implementation, kept verbatim as the reference: string bigrams in a Map, each posting's term
 * score computed at every query. The fast one (integer bigram keys, term scores kept between queries) must give
 * exactly its answers — same unit, same doubles, same example — whatever rows were added in between.
 */
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

class ReferenceMemory {
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


const rows = shippedTrainingRows().map((r) => (r.subject ? `${r.subject}。${r.text}` : r.text));
const units = ['RS', 'SW', 'GJJ', 'BDC', 'YB', 'ZJ', 'MZ', 'CG'];

/** text made of pieces of the rows, random characters, digits, breaks, "|" and astral characters */
function oddText(rnd: () => number): string {
  const parts: string[] = [];
  const n = 1 + Math.floor(rnd() * 5);
  for (let i = 0; i < n; i++) {
    const r = rows[Math.floor(rnd() * rows.length)] as string;
    const at = Math.floor(rnd() * r.length);
    parts.push(r.slice(at, at + 2 + Math.floor(rnd() * 40)));
    parts.push(['|', '，', ' ', '3号', '𠮷𠮷', 'ab', '\u3000', ''][Math.floor(rnd() * 8)] as string);
  }
  return parts.join('');
}

const same = (a: MemoryGuess | null, b: MemoryGuess | null): void => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

describe('RoutingMemory (BM25 over character bigrams)', () => {
  it('answers every query exactly as the reference does, as rows and corrections are added between queries', () => {
    const rnd = seededRandom(7);
    // every posting walked, whatever the query: the exact path
    const fast = new RoutingMemory({ budget: Infinity });
    const ref = new ReferenceMemory();
    let answered = 0;
    rows.forEach((text, i) => {
      const unit = units[i % units.length] as string;
      fast.add(text, unit);
      ref.add(text, unit);
      if (i % 7 === 0) {
        // a correction of an earlier item: same key, another unit
        const key = `item:${Math.floor(rnd() * 50)}`;
        const u = units[Math.floor(rnd() * units.length)] as string;
        const again = rows[Math.floor(rnd() * rows.length)] as string;
        fast.add(again, u, key);
        ref.add(again, u, key);
      }
      if (i % 5 === 0) {
        const q = normalizeText(rnd() < 0.5 ? (rows[Math.floor(rnd() * rows.length)] as string) : oddText(rnd));
        const allowed = (u: string) => u !== 'RS';
        const a = fast.query(q, allowed);
        same(a, ref.query(q, allowed));
        same(fast.query(q), ref.query(q));
        if (a) answered++;
      }
    });
    expect(fast.size).toBe(ref.size);
    expect(rows.length).toBeGreaterThan(1000);
    // most queries found neighbours: the comparison is of real answers, not of nulls
    expect(answered).toBeGreaterThan(rows.length / 5 / 2);
  });

  it('with the default budget, answers as the reference does wherever the query walks no more than the budget', () => {
    const rnd = seededRandom(11);
    const fast = new RoutingMemory();
    const exact = new RoutingMemory({ budget: Infinity });
    const ref = new ReferenceMemory();
    rows.forEach((text, i) => {
      const unit = units[i % units.length] as string;
      for (const m of [fast, exact, ref]) m.add(text, unit);
    });
    let within = 0;
    for (let i = 0; i < 600; i++) {
      const q = normalizeText(rnd() < 0.5 ? (rows[Math.floor(rnd() * rows.length)] as string) : oddText(rnd));
      const a = fast.query(q);
      exact.query(q);
      if (exact.lastWalked > 8000) continue;
      within++;
      same(a, ref.query(q));
      expect(fast.lastWalked).toBe(exact.lastWalked);
    }
    expect(within).toBeGreaterThan(500);
  });

  it('over the budget, walks its rarest bigrams within half of it, and mostly finds the exact answer', () => {
    const rnd = seededRandom(13);
    const bounded = new RoutingMemory({ budget: 600 });
    const exact = new RoutingMemory({ budget: Infinity });
    rows.forEach((text, i) => {
      const unit = units[i % units.length] as string;
      bounded.add(text, unit);
      exact.add(text, unit);
    });
    const allowed = (u: string): boolean => u !== 'RS' && u !== 'SW';
    let queries = 0;
    let within = 0;
    let sameUnit = 0;
    let walked = 0;
    let walkedExact = 0;
    let similarity = 0;
    for (let i = 0; i < 600; i++) {
      const q = normalizeText(rnd() < 0.5 ? (rows[Math.floor(rnd() * rows.length)] as string) : oddText(rnd));
      const [a, b] = i % 3 === 0 ? [bounded.query(q, allowed), exact.query(q, allowed)] : [bounded.query(q), exact.query(q)];
      if (exact.lastWalked <= 600) continue;
      queries++;
      // a bigram held by more rows than half the budget is walked only when it is the query's rarest
      within += +(bounded.lastWalked <= 300);
      walked += bounded.lastWalked;
      walkedExact += exact.lastWalked;
      expect(a).not.toBeNull();
      if (i % 3 === 0) expect(allowed(a!.unit)).toBe(true);
      sameUnit += +(a!.unit === b!.unit);
      similarity += Math.abs(a!.similarity - b!.similarity);
    }
    expect(queries).toBeGreaterThan(400);
    expect(within / queries).toBeGreaterThan(0.9);
    expect(walked).toBeLessThan(walkedExact / 5);
    expect(sameUnit / queries).toBeGreaterThan(0.95);
    expect(similarity / queries).toBeLessThan(0.005);
  });

  it('over the budget, a correction still decides the next similar item', () => {
    // a memory far over its budget (600 postings; the shipped rows walk thousands), then one staff correction
    const m = new RoutingMemory({ budget: 600 });
    const exact = new RoutingMemory({ budget: Infinity });
    rows.forEach((text, i) => {
      m.add(text, units[i % units.length] as string);
      exact.add(text, units[i % units.length] as string);
    });
    const corrected = '来电人反映在大厅二楼社保窗口办理灵活就业人员养老保险缴费基数调整，窗口称需要回原单位开具离职证明，原单位已注销无法开具。';
    const similar = normalizeText('群众反映，在二楼社保窗口办灵活就业养老保险缴费基数调整，窗口让回原单位开离职证明，原单位早注销了开不了。');
    const before = m.query(similar);
    m.add(corrected, 'NEW');
    const after = m.query(similar);
    exact.add(corrected, 'NEW');
    expect(exact.query(similar)?.unit).toBe('NEW');
    // the bounded path: the exact walk would be far over the budget
    expect(exact.lastWalked).toBeGreaterThan(600);
    expect(m.lastWalked).toBeLessThanOrEqual(300);
    expect(before?.unit).not.toBe('NEW');
    expect(after?.unit).toBe('NEW');
    expect(after!.similarity).toBeGreaterThan(0.35);
  });

  it('reads only the first 2,000 characters, and treats spaces, punctuation, digits and "|" as breaks', () => {
    const m = new RoutingMemory();
    m.add('窗口|办理', 'A');
    expect(m.query('口办')).toBeNull();
    expect(m.query('窗口')?.unit).toBe('A');
    m.add(`${'哈'.repeat(2000)}刷脸`, 'B');
    expect(m.query('刷脸')).toBeNull();
    m.add('1号 窗口，刷卡', 'C');
    expect(m.query('号窗')).toBeNull();
    expect(m.query('刷卡')?.unit).toBe('C');
  });
});
