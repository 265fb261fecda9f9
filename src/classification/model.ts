/**
 * The learned half of the classifier: multinomial logistic regression over word and character-bigram features,
 * plus binary logistic heads for misconduct and for junk (adverts, tests, wrong numbers: words the lexicon's advert
 * phrases do not list). A model saved before the junk head (width labels + 1) still loads and predicts junk as null.
 *
 * Why logistic regression rather than naive Bayes: words and the bigrams inside them are heavily correlated, which
 * makes naive Bayes double-count evidence and return near-0/1 posteriors; a discriminative model shares the weight
 * between them and its probabilities are usable as a confidence. Training is a few hundred milliseconds for a few
 * thousand rows, so corrections can be folded in by retraining in process.
 */
import { extractFeatures, startsCjk, wordPairParts } from './features.js';
import { isLabel, LABELS, type Label } from './dimensions.js';
import { normalizeText } from './normalize.js';
import { structureFeatures } from './structure.js';
import type { Segmenter } from './segmenter.js';
import { seededRandom } from '../common/seeded-random.js';

export interface TrainingRow {
  text: string;
  subject?: string | null;
  dimension: Label;
  secondary?: string[];
  misconduct?: boolean;
  /** an advert, spam, a test or text unrelated to government service */
  junk?: boolean;
}

export interface TrainOptions {
  /** Features seen in fewer rows are dropped (they only memorise). */
  minCount?: number;
  /** …and word pairs seen in fewer rows than this. */
  pairMinCount?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
  /**
   * Average the weights over the epochs from this fraction of training on (0..1; 1 = the last weights alone). The
   * average over all epochs (0, the default) scored 0.3 points of macro-F1 higher leaving one tuning set out.
   */
  averageFrom?: number;
  /** Train this many times from consecutive seeds and average the weights (1: one run). */
  restarts?: number;
}

/**
 * How the shipped model is trained (`train:seed`, and the benches that choose its settings): five runs from
 * consecutive seeds, averaged. Leaving one of 39 tuning sets out, macro-F1 89.29 → 89.46 % against one run
 * (docs/benchmarks.md, round 14); one run's held-out macro-F1 moved by up to 0.7 points with the seed alone. The hub's
 * retrain from corrections stays one run: five would make it five times as long.
 */
export const SHIPPED_TRAINING: Readonly<TrainOptions> = { restarts: 5 };

export interface Model {
  version: 1;
  labels: Label[];
  features: Map<string, Float64Array>; // per feature: one weight per label, then misconduct, then junk (if trained)
  bias: Float64Array; // one per label, then misconduct, then junk (if trained)
}

export interface ModelPrediction {
  probs: Record<Label, number>;
  misconduct: number;
  /** the junk head's probability; null for a model without one */
  junk: number | null;
  /** Features that pushed hardest towards each label, for evidence. */
  /** The features that raised a label's score (or, for 'misconduct', the misconduct head's), heaviest first. */
  contributions: (label: Label | 'misconduct', top: number) => Array<{ feature: string; weight: number }>;
}

export interface ModelJson {
  version: 1;
  labels: Label[];
  bias: number[];
  /** feature → weights (labels…, misconduct[, junk]), rounded */
  weights: Record<string, number[]>;
}

const mulberry32 = seededRandom;

const isWordPair = (f: string): boolean => f.startsWith('w:') && wordPairParts(f.slice(2)) !== null;

export function rowText(row: { text: string; subject?: string | null }): string {
  return normalizeText(row.subject ? `${row.subject}。${row.text}` : row.text);
}

function softmax(z: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    out[i] = Math.exp((z[i] as number) - max);
    sum += out[i] as number;
  }
  for (let i = 0; i < z.length; i++) out[i] = (out[i] as number) / sum;
  return out;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function trainModel(rows: TrainingRow[], segmenter: Segmenter, options: TrainOptions = {}): Model {
  const minCount = options.minCount ?? 2;
  const epochs = options.epochs ?? 40;
  const lr = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const restarts = Math.max(1, Math.floor(options.restarts ?? 1));
  const K = LABELS.length;
  const usable = rows.filter((r) => isLabel(r.dimension) && r.text);
  const docs = usable.map((r) => extractFeatures(segmenter, rowText(r)));
  const df = new Map<string, number>();
  for (const d of docs) for (const f of d) df.set(f, (df.get(f) ?? 0) + 1);
  // a word pair ("叫_去") must be seen more often than a word: pairs are many, and a rare one only memorises
  const pairMinCount = options.pairMinCount ?? 4;
  const vocab = [...df.entries()].filter(([f, c]) => c >= (isWordPair(f) ? pairMinCount : minCount)).map(([f]) => f);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const examples = docs.map((d) => {
    const idx = d.map((f) => index.get(f)).filter((i): i is number => i !== undefined);
    // L2-normalised binary features keep long e-mails and one-line QR comments on one scale
    const val = idx.length ? 1 / Math.sqrt(idx.length) : 0;
    return { idx, val };
  });
  const y = usable.map((r) => LABELS.indexOf(r.dimension));
  const m = usable.map((r) => (r.misconduct ? 1 : 0));
  const jk = usable.map((r) => (r.junk ? 1 : 0));
  // balance classes so a label with few rows (misconduct especially) is not ignored
  const classCount = new Array<number>(K).fill(0);
  y.forEach((c) => classCount[c]!++);
  const classWeight = classCount.map((c) => (c ? usable.length / (K * c) : 0));
  const pos = m.reduce<number>((a, b) => a + b, 0);
  const posWeight = pos ? Math.min(10, (usable.length - pos) / pos) : 1;
  const junkPos = jk.reduce<number>((a, b) => a + b, 0);
  const junkWeight = junkPos ? Math.min(10, (usable.length - junkPos) / junkPos) : 1;

  const D = vocab.length;
  const S = K + 2; // per feature: labels, misconduct, junk
  // the restarts' final weights, summed: their mean is the model (a linear model's average is one model of the same
  // size, so prediction costs the same)
  const W = new Float64Array(D * S);
  const bias = new Float64Array(S);
  for (let run = 0; run < restarts; run++) {
    const one = trainOnce(examples, y, m, jk, { D, S, K, classWeight, posWeight, junkWeight, epochs, lr, l2, averageFrom: options.averageFrom, seed: (options.seed ?? 7) + run });
    for (let i = 0; i < W.length; i++) W[i] = (W[i] as number) + (one.W[i] as number) / restarts;
    for (let k = 0; k < S; k++) bias[k] = (bias[k] as number) + (one.bias[k] as number) / restarts;
  }
  const features = new Map<string, Float64Array>();
  vocab.forEach((f, i) => {
    const w = W.slice(i * S, (i + 1) * S);
    if (w.some((v) => Math.abs(v) >= 1e-3)) features.set(f, w);
  });
  return { version: 1, labels: [...LABELS], features, bias };
}

interface OnceOptions {
  D: number;
  S: number;
  K: number;
  classWeight: number[];
  posWeight: number;
  junkWeight: number;
  epochs: number;
  lr: number;
  l2: number;
  averageFrom: number | undefined;
  seed: number;
}

/** One run of AdaGrad over shuffled examples from its own seed: its weights, averaged over the epochs as set. */
function trainOnce(
  examples: Array<{ idx: number[]; val: number }>,
  y: number[],
  m: number[],
  jk: number[],
  o: OnceOptions,
): { W: Float64Array; bias: Float64Array } {
  const { D, S, K, classWeight, posWeight, junkWeight, epochs, lr, l2 } = o;
  const rand = mulberry32(o.seed);
  const W = new Float64Array(D * S);
  const bias = new Float64Array(S);
  // AdaGrad: per-coordinate step sizes suit sparse text features
  const G = new Float64Array(D * S).fill(1e-8);
  const Gb = new Float64Array(S).fill(1e-8);
  const order = examples.map((_, i) => i);
  const z = new Float64Array(K);
  const averageFrom = Math.min(epochs, Math.max(0, Math.floor(epochs * (o.averageFrom ?? 0))));
  const sumW = averageFrom < epochs ? new Float64Array(D * S) : null;
  const sumB = new Float64Array(S);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const n of order) {
      const { idx, val } = examples[n]!;
      for (let k = 0; k < K; k++) {
        let s = bias[k] as number;
        for (const f of idx) s += (W[f * S + k] as number) * val;
        z[k] = s;
      }
      const p = softmax(z);
      const cw = classWeight[y[n]!] as number;
      let sm = bias[K] as number;
      let sj = bias[K + 1] as number;
      for (const f of idx) {
        sm += (W[f * S + K] as number) * val;
        sj += (W[f * S + K + 1] as number) * val;
      }
      const gm = (sigmoid(sm) - m[n]!) * (m[n] ? posWeight : 1);
      const gj = (sigmoid(sj) - jk[n]!) * (jk[n] ? junkWeight : 1);
      for (let k = 0; k < S; k++) {
        const g = k < K ? ((p[k] as number) - (k === y[n] ? 1 : 0)) * cw : k === K ? gm : gj;
        Gb[k] = (Gb[k] as number) + g * g;
        bias[k] = (bias[k] as number) - (lr * g) / Math.sqrt(Gb[k] as number);
        for (const f of idx) {
          const at = f * S + k;
          const gw = g * val + l2 * (W[at] as number);
          G[at] = (G[at] as number) + gw * gw;
          W[at] = (W[at] as number) - (lr * gw) / Math.sqrt(G[at] as number);
        }
      }
    }
    if (sumW && epoch >= averageFrom) {
      for (let i = 0; i < sumW.length; i++) sumW[i] = (sumW[i] as number) + (W[i] as number);
      for (let k = 0; k < S; k++) sumB[k] = (sumB[k] as number) + (bias[k] as number);
    }
  }
  if (sumW) {
    const n = epochs - averageFrom;
    for (let i = 0; i < W.length; i++) W[i] = (sumW[i] as number) / n;
    for (let k = 0; k < S; k++) bias[k] = (sumB[k] as number) / n;
  }
  return { W, bias };
}

/**
 * A model's features as integer ids, so prediction looks words and CJK bigrams up without building the
 * "w:…"/"b:…" strings or a Set per text. Built once per model object (models are not changed after creation).
 */
interface CompiledModel {
  words: Map<string, number>;
  /** bigrams of two BMP CJK characters: open addressing over (key, id) pairs side by side (key -1: empty) */
  pairs: Int32Array;
  pairMask: number;
  /** any other bigram feature, by its two characters */
  otherPairs: Map<string, number>;
  /** feature names by id (a loaded model's own list, not a copy) */
  names: readonly string[];
  /** all weights, feature after feature (labels…, misconduct[, junk]): one block of memory instead of one array each */
  flat: Float64Array;
  /** weights per feature: labels + 1, or labels + 2 with the junk head */
  width: number;
  seen: Uint32Array;
  gen: number;
  /** per segmenter that lists its catalogue names: one look-up answers "a name?" and "which word feature?" */
  tables: WeakMap<Segmenter, WordTable>;
  entityId: number;
  digitsId: number;
  latinId: number;
  /**
   * Word-pair features ("叫_去") by the two words' ids: open addressing over (first, second, feature id) triples
   * (first -1: empty). A word of a pair that is no feature itself gets an id past the features' (`pairOnly`).
   */
  wordPairs: Int32Array;
  wordPairMask: number;
  pairOnly: Map<string, number>;
  /** ids from here on are words known only as part of a pair */
  featureCount: number;
}

/**
 * A jieba word → ENTITY (a catalogue name of the segmenter, which wins), a word feature's id, or NONE. Words of one
 * or two UTF-16 code units (nearly all Chinese words) are keyed by their code units, so no string is hashed.
 */
interface WordTable {
  one: Int32Array; // by code unit
  twoKeys: Int32Array; // (first << 16 | second), open addressing
  twoValues: Int32Array; // EMPTY for a free slot
  twoMask: number;
  longer: Map<string, number>;
}

const NONE = -1;
const ENTITY = -2;
const EMPTY = -3;

const compiledModels = new WeakMap<Model, CompiledModel>();
const CJK_LOW = 0x3400;
const CJK_SPAN = 0x9fff - CJK_LOW + 1;
const pairKey = (a: number, b: number): number => (a - CJK_LOW) * CJK_SPAN + (b - CJK_LOW);

function compiled(model: Model): CompiledModel {
  let c = compiledModels.get(model);
  if (c) return c;
  // a model read from JSON (and whose features were never asked for) compiles from its block of weights
  const loaded = model instanceof LoadedModel && !model.featuresMade ? model : null;
  const count = loaded ? loaded.names.length : model.features.size;
  let size = 1024;
  while (size < count * 2) size *= 2;
  const width = model.bias.length;
  c = {
    words: new Map(),
    pairs: new Int32Array(size * 2).fill(-1),
    pairMask: size - 1,
    otherPairs: new Map(),
    names: loaded ? loaded.names : [],
    flat: loaded ? loaded.flat : new Float64Array(count * width),
    width,
    seen: new Uint32Array(count),
    gen: 0,
    tables: new WeakMap(),
    entityId: NONE,
    digitsId: NONE,
    latinId: NONE,
    wordPairs: new Int32Array(0),
    wordPairMask: 0,
    pairOnly: new Map(),
    featureCount: count,
  };
  const named = (f: string, id: number): void => {
    if (f.startsWith('w:')) {
      c.words.set(f.slice(2), id);
    } else if (f.startsWith('b:')) {
      const pair = f.slice(2);
      const cps = Array.from(pair, (ch) => ch.codePointAt(0) as number);
      if (cps.length === 2 && cps.every((cp) => cp >= CJK_LOW && cp <= 0x9fff)) setPair(c, pairKey(cps[0]!, cps[1]!), id);
      else c.otherPairs.set(pair, id);
    }
  };
  if (loaded) {
    loaded.names.forEach(named);
  } else {
    const names: string[] = [];
    for (const [f, w] of model.features) {
      const id = names.push(f) - 1;
      named(f, id);
      for (let k = 0; k < width; k++) c.flat[id * width + k] = w[k] as number;
    }
    c.names = names;
  }
  c.entityId = c.words.get('§entity') ?? NONE;
  compileWordPairs(c);
  c.digitsId = c.words.get('#') ?? NONE;
  c.latinId = c.words.get('§latin') ?? NONE;
  compiledModels.set(model, c);
  return c;
}

const pairSlot = (a: number, b: number, mask: number): number => (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 0 & mask;

/** A word feature "a_b" (two jieba words, both starting with a CJK character) is a word pair. */
function compileWordPairs(c: CompiledModel): void {
  const pairs: Array<[string, string, number]> = [];
  for (const [w, id] of c.words) {
    const parts = wordPairParts(w);
    if (parts) pairs.push([parts[0], parts[1], id]);
  }
  if (!pairs.length) return;
  const idOf = (w: string): number => {
    const known = c.words.get(w);
    if (known !== undefined) return known;
    let id = c.pairOnly.get(w);
    if (id === undefined) c.pairOnly.set(w, (id = c.featureCount + c.pairOnly.size));
    return id;
  };
  let size = 1024;
  while (size < pairs.length * 2) size *= 2;
  c.wordPairs = new Int32Array(size * 3).fill(-1);
  c.wordPairMask = size - 1;
  for (const [a, b, id] of pairs) {
    const x = idOf(a);
    const y = idOf(b);
    let h = pairSlot(x, y, c.wordPairMask);
    while (c.wordPairs[3 * h] !== -1) h = (h + 1) & c.wordPairMask;
    c.wordPairs[3 * h] = x;
    c.wordPairs[3 * h + 1] = y;
    c.wordPairs[3 * h + 2] = id;
  }
}

function wordPairId(c: CompiledModel, a: number, b: number): number {
  const t = c.wordPairs;
  let h = pairSlot(a, b, c.wordPairMask);
  for (;;) {
    const x = t[3 * h] as number;
    if (x === -1) return NONE;
    if (x === a && t[3 * h + 1] === b) return t[3 * h + 2] as number;
    h = (h + 1) & c.wordPairMask;
  }
}

const slotOf = (c: CompiledModel, key: number): number => {
  let h = (Math.imul(key, 0x9e3779b1) >>> 8) & c.pairMask;
  while (c.pairs[2 * h] !== -1 && c.pairs[2 * h] !== key) h = (h + 1) & c.pairMask;
  return h;
};
function setPair(c: CompiledModel, key: number, id: number): void {
  const h = slotOf(c, key);
  if (c.pairs[2 * h] === -1) {
    c.pairs[2 * h] = key;
    c.pairs[2 * h + 1] = id;
  }
}

const twoKey = (w: string): number => (w.charCodeAt(0) << 16) | w.charCodeAt(1);
const twoSlot = (key: number, mask: number): number => (Math.imul(key, 0x9e3779b1) >>> 9) & mask;

function wordTable(c: CompiledModel, segmenter: Segmenter): WordTable {
  let t = c.tables.get(segmenter);
  if (t) return t;
  const entries = new Map<string, number>(c.words);
  for (const [w, id] of c.pairOnly) entries.set(w, id);
  for (const e of segmenter.entities ?? []) entries.set(e, ENTITY);
  let size = 1024;
  while (size < entries.size * 2) size *= 2;
  t = {
    one: new Int32Array(65536).fill(NONE),
    twoKeys: new Int32Array(size),
    twoValues: new Int32Array(size).fill(EMPTY),
    twoMask: size - 1,
    longer: new Map(),
  };
  for (const [w, v] of entries) {
    if (w.length === 1) {
      t.one[w.charCodeAt(0)] = v;
    } else if (w.length === 2) {
      const key = twoKey(w);
      let h = twoSlot(key, t.twoMask);
      while (t.twoValues[h] !== EMPTY) h = (h + 1) & t.twoMask;
      t.twoKeys[h] = key;
      t.twoValues[h] = v;
    } else {
      t.longer.set(w, v);
    }
  }
  c.tables.set(segmenter, t);
  return t;
}

function lookUp(t: WordTable, w: string): number {
  if (w.length === 2) {
    const key = twoKey(w);
    let h = twoSlot(key, t.twoMask);
    for (;;) {
      const v = t.twoValues[h] as number;
      if (v === EMPTY) return NONE;
      if (t.twoKeys[h] === key) return v;
      h = (h + 1) & t.twoMask;
    }
  }
  if (w.length === 1) return t.one[w.charCodeAt(0)] as number;
  return t.longer.get(w) ?? NONE;
}

const DIGITS = /^[0-9.]+$/;
const LATIN = /^[a-z]+$/;
let pending = new Int32Array(256);
let found = new Int32Array(1024);

/**
 * Ids of the model's features of a normalised text, in the order `extractFeatures` lists them (words as they come,
 * each run's bigrams when the run ends), each once; features the model does not know are left out.
 */
function featureIds(c: CompiledModel, segmenter: Segmenter, normalizedText: string): number[] {
  if (++c.gen === 0xffffffff) {
    c.gen = 1;
    c.seen.fill(0);
  }
  const gen = c.gen;
  const seen = c.seen;
  const table = wordTable(c, segmenter);
  // a segmenter that does not list its names is asked about each word
  const asked = segmenter.entities ? null : segmenter;
  const pairs = c.pairs;
  const pairMask = c.pairMask;
  let count = 0;
  const add = (id: number): void => {
    if (id >= 0 && seen[id] !== gen) {
      seen[id] = gen;
      if (count === found.length) {
        const grown = new Int32Array(count * 2);
        grown.set(found);
        found = grown;
      }
      found[count++] = id;
    }
  };
  let n = 0; // bigram ids of the current run, added when it ends
  let prev = -1; // previous CJK code point of the run, -1 after anything else
  const words = segmenter.cut(normalizedText);
  const hasPairs = c.wordPairMask > 0;
  let prevWord = NONE; // id of the previous word when it starts with a CJK character and a pair may start with it
  for (let wi = 0; wi < words.length; wi++) {
    const w = words[wi] as string;
    let v = asked?.isEntity(w) ? ENTITY : lookUp(table, w);
    if (v === ENTITY) {
      add(c.entityId);
      for (let i = 0; i < n; i++) add(pending[i] as number);
      n = 0;
      prev = -1;
      prevWord = NONE;
      continue;
    }
    const cjkWord = startsCjk(w);
    if (hasPairs) {
      if (cjkWord && prevWord >= 0 && v >= 0) add(wordPairId(c, prevWord, v));
      prevWord = cjkWord ? v : NONE;
    }
    if (v >= c.featureCount) v = NONE; // known only as part of a pair
    // a word starting with a CJK character is neither digits nor Latin: no need to ask the two patterns
    if (cjkWord) add(v);
    else if (DIGITS.test(w)) add(c.digitsId);
    else if (LATIN.test(w) && w.length > 12) add(c.latinId);
    else add(v);
    for (let i = 0; i < w.length; i++) {
      let cp = w.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < w.length) {
        const lo = w.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      const cjk = (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df);
      if (!cjk) {
        prev = -1;
        continue;
      }
      if (prev >= 0) {
        if (n === pending.length) {
          const grown = new Int32Array(n * 2);
          grown.set(pending);
          pending = grown;
        }
        let id = -1;
        if (prev <= 0x9fff && cp <= 0x9fff) {
          const key = pairKey(prev, cp);
          let h = (Math.imul(key, 0x9e3779b1) >>> 8) & pairMask;
          for (;;) {
            const k = pairs[2 * h] as number;
            if (k === key) {
              id = pairs[2 * h + 1] as number;
              break;
            }
            if (k === -1) break;
            h = (h + 1) & pairMask;
          }
        } else {
          id = c.otherPairs.get(String.fromCodePoint(prev, cp)) ?? -1;
        }
        pending[n++] = id;
      }
      prev = cp;
    }
  }
  for (let i = 0; i < n; i++) add(pending[i] as number);
  // who speaks (structure.ts), after the words and bigrams as `extractFeatures` lists them
  for (const f of structureFeatures(normalizedText)) add(c.words.get(f) ?? NONE);
  // a copy the prediction keeps (for its evidence): a plain array, as a small typed array costs more to allocate
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(found[i] as number);
  return ids;
}

export function predict(model: Model, segmenter: Segmenter, normalizedText: string): ModelPrediction {
  const c = compiled(model);
  const ids = featureIds(c, segmenter, normalizedText);
  const K = model.labels.length;
  const W = c.width;
  const hasJunk = W === K + 2;
  const val = ids.length ? 1 / Math.sqrt(ids.length) : 0;
  const bias = model.bias;
  let zm = bias[K] as number;
  let zj = hasJunk ? (bias[K + 1] as number) : 0;
  const flat = c.flat;
  // every label, in LABELS order, then the model's own
  const probs: Record<Label, number> = { D1: 0, D2: 0, D3: 0, D4: 0, D5: 0, none: 0 };
  if (K === 6) {
    // the six labels in locals (no typed array allocated per text): the same products added in the same order, and
    // softmax's steps as `softmax` takes them
    let z0 = bias[0] as number;
    let z1 = bias[1] as number;
    let z2 = bias[2] as number;
    let z3 = bias[3] as number;
    let z4 = bias[4] as number;
    let z5 = bias[5] as number;
    for (let i = 0; i < ids.length; i++) {
      const at = (ids[i] as number) * W;
      z0 += (flat[at] as number) * val;
      z1 += (flat[at + 1] as number) * val;
      z2 += (flat[at + 2] as number) * val;
      z3 += (flat[at + 3] as number) * val;
      z4 += (flat[at + 4] as number) * val;
      z5 += (flat[at + 5] as number) * val;
      zm += (flat[at + 6] as number) * val;
      if (hasJunk) zj += (flat[at + 7] as number) * val;
    }
    let max = -Infinity;
    if (z0 > max) max = z0;
    if (z1 > max) max = z1;
    if (z2 > max) max = z2;
    if (z3 > max) max = z3;
    if (z4 > max) max = z4;
    if (z5 > max) max = z5;
    const e0 = Math.exp(z0 - max);
    const e1 = Math.exp(z1 - max);
    const e2 = Math.exp(z2 - max);
    const e3 = Math.exp(z3 - max);
    const e4 = Math.exp(z4 - max);
    const e5 = Math.exp(z5 - max);
    let sum = 0;
    sum += e0;
    sum += e1;
    sum += e2;
    sum += e3;
    sum += e4;
    sum += e5;
    const labels = model.labels;
    probs[labels[0] as Label] = e0 / sum;
    probs[labels[1] as Label] = e1 / sum;
    probs[labels[2] as Label] = e2 / sum;
    probs[labels[3] as Label] = e3 / sum;
    probs[labels[4] as Label] = e4 / sum;
    probs[labels[5] as Label] = e5 / sum;
  } else {
    const z = new Float64Array(K);
    for (let k = 0; k < K; k++) z[k] = bias[k] as number;
    for (let i = 0; i < ids.length; i++) {
      const at = (ids[i] as number) * W;
      for (let k = 0; k < K; k++) z[k] = (z[k] as number) + (flat[at + k] as number) * val;
      zm += (flat[at + K] as number) * val;
      if (hasJunk) zj += (flat[at + K + 1] as number) * val;
    }
    const p = softmax(z);
    for (let k = 0; k < K; k++) probs[model.labels[k] as Label] = p[k] as number;
  }
  return {
    probs,
    misconduct: sigmoid(zm),
    junk: hasJunk ? sigmoid(zj) : null,
    contributions(label, top) {
      // the misconduct head's weights follow the labels' in each feature's block
      const k = label === 'misconduct' ? model.labels.length : model.labels.indexOf(label);
      if (k < 0) return [];
      if (!(top > 0)) {
        return ids
          .map((id) => ({ feature: c.names[id] as string, weight: (flat[id * W + k] as number) * val }))
          .filter((x) => x.weight > 0)
          .sort((a, b) => b.weight - a.weight)
          .slice(0, top);
      }
      // the `top` heaviest positive ones, ties in feature order (as a stable sort would leave them)
      const best: Array<{ feature: string; weight: number }> = [];
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i] as number;
        // from the block the sums above just read, rather than each feature's own array elsewhere in memory
        const weight = (flat[id * W + k] as number) * val;
        if (!(weight > 0)) continue;
        if (best.length >= top && !(weight > best[best.length - 1]!.weight)) continue;
        let at = best.length;
        while (at > 0 && best[at - 1]!.weight < weight) at--;
        best.splice(at, 0, { feature: c.names[id] as string, weight });
        if (best.length > top) best.pop();
      }
      return best;
    },
  };
}

export function modelToJson(model: Model, digits = 3): ModelJson {
  const scale = 10 ** digits;
  const round = (v: number): number => Math.round(v * scale) / scale;
  const weights: Record<string, number[]> = {};
  for (const [f, w] of [...model.features.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const r = Array.from(w, round);
    if (r.some((v) => v !== 0)) weights[f] = r;
  }
  return { version: 1, labels: model.labels, bias: Array.from(model.bias, round), weights };
}

export function modelFromJson(json: unknown): Model {
  const j = json as Partial<ModelJson> | null;
  if (!j || j.version !== 1 || !Array.isArray(j.labels) || !Array.isArray(j.bias) || typeof j.weights !== 'object' || !j.weights) {
    throw new Error('model JSON: expected {version: 1, labels, bias, weights}');
  }
  const labels = j.labels;
  if (!labels.every(isLabel)) throw new Error('model JSON: labels must be D1..D5 or none');
  // labels and misconduct, and the junk head when the model was trained with one
  const width = j.bias.length;
  if (width !== labels.length + 1 && width !== labels.length + 2) {
    throw new Error(`model JSON: bias must have ${labels.length + 1} or ${labels.length + 2} numbers`);
  }
  // one block of weights and the names in order (not one Float64Array per feature: ~250 bytes a feature, 12 MB of
  // heap for 48,000 features, on a thread whose heap bounds an import's memory); `features` is made when asked for
  const names = Object.keys(j.weights);
  const flat = new Float64Array(names.length * width);
  names.forEach((f, i) => {
    const w = (j.weights as Record<string, unknown>)[f];
    if (!Array.isArray(w) || w.length !== width || w.some((v) => typeof v !== 'number')) {
      throw new Error(`model JSON: weights["${f}"] must have ${width} numbers`);
    }
    for (let k = 0; k < width; k++) flat[i * width + k] = w[k] as number;
  });
  return new LoadedModel(labels, Float64Array.from(j.bias), names, flat);
}

/**
 * A model read from JSON: its weights in one block, feature after feature, in the JSON's order. Prediction compiles
 * from the block; `features` (training, `modelToJson`, tests) is built from it on first use, the same Map a model
 * made by `trainModel` has.
 */
class LoadedModel implements Model {
  readonly version = 1 as const;
  private map: Map<string, Float64Array> | null = null;

  constructor(
    readonly labels: Label[],
    readonly bias: Float64Array,
    readonly names: readonly string[],
    readonly flat: Float64Array,
  ) {}

  /** whether `features` has been made (after which it, not the block, is the model: a caller may change it) */
  get featuresMade(): boolean {
    return this.map !== null;
  }

  get features(): Map<string, Float64Array> {
    if (!this.map) {
      const width = this.bias.length;
      this.map = new Map(this.names.map((f, i) => [f, this.flat.slice(i * width, (i + 1) * width)]));
    }
    return this.map;
  }
}
