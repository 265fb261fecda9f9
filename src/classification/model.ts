/**
 * The learned half of the classifier: multinomial logistic regression over word and character-bigram features,
 * plus a binary logistic head for misconduct.
 *
 * Why logistic regression rather than naive Bayes: words and the bigrams inside them are heavily correlated, which
 * makes naive Bayes double-count evidence and return near-0/1 posteriors; a discriminative model shares the weight
 * between them and its probabilities are usable as a confidence. Training is a few hundred milliseconds for a few
 * thousand rows, so corrections can be folded in by retraining in process.
 */
import { extractFeatures } from './features.js';
import { isLabel, LABELS, type Label } from './dimensions.js';
import { normalizeText } from './normalize.js';
import type { Segmenter } from './segmenter.js';
import { seededRandom } from '../common/seeded-random.js';

export interface TrainingRow {
  text: string;
  subject?: string | null;
  dimension: Label;
  secondary?: string[];
  misconduct?: boolean;
}

export interface TrainOptions {
  /** Features seen in fewer rows are dropped (they only memorise). */
  minCount?: number;
  epochs?: number;
  learningRate?: number;
  l2?: number;
  seed?: number;
}

export interface Model {
  version: 1;
  labels: Label[];
  features: Map<string, Float64Array>; // per feature: one weight per label, then the misconduct weight
  bias: Float64Array; // one per label, then misconduct
}

export interface ModelPrediction {
  probs: Record<Label, number>;
  misconduct: number;
  /** Features that pushed hardest towards each label, for evidence. */
  contributions: (label: Label, top: number) => Array<{ feature: string; weight: number }>;
}

export interface ModelJson {
  version: 1;
  labels: Label[];
  bias: number[];
  /** feature → weights (labels…, misconduct), rounded */
  weights: Record<string, number[]>;
}

const mulberry32 = seededRandom;

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
  const rand = mulberry32(options.seed ?? 7);
  const K = LABELS.length;
  const usable = rows.filter((r) => isLabel(r.dimension) && r.text);
  const docs = usable.map((r) => extractFeatures(segmenter, rowText(r)));
  const df = new Map<string, number>();
  for (const d of docs) for (const f of d) df.set(f, (df.get(f) ?? 0) + 1);
  const vocab = [...df.entries()].filter(([, c]) => c >= minCount).map(([f]) => f);
  const index = new Map(vocab.map((f, i) => [f, i]));
  const examples = docs.map((d) => {
    const idx = d.map((f) => index.get(f)).filter((i): i is number => i !== undefined);
    // L2-normalised binary features keep long e-mails and one-line QR comments on one scale
    const val = idx.length ? 1 / Math.sqrt(idx.length) : 0;
    return { idx, val };
  });
  const y = usable.map((r) => LABELS.indexOf(r.dimension));
  const m = usable.map((r) => (r.misconduct ? 1 : 0));
  // balance classes so a label with few rows (misconduct especially) is not ignored
  const classCount = new Array<number>(K).fill(0);
  y.forEach((c) => classCount[c]!++);
  const classWeight = classCount.map((c) => (c ? usable.length / (K * c) : 0));
  const pos = m.reduce<number>((a, b) => a + b, 0);
  const posWeight = pos ? Math.min(10, (usable.length - pos) / pos) : 1;

  const D = vocab.length;
  const W = new Float64Array(D * (K + 1));
  const bias = new Float64Array(K + 1);
  // AdaGrad: per-coordinate step sizes suit sparse text features
  const G = new Float64Array(D * (K + 1)).fill(1e-8);
  const Gb = new Float64Array(K + 1).fill(1e-8);
  const order = examples.map((_, i) => i);
  const z = new Float64Array(K);
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const n of order) {
      const { idx, val } = examples[n]!;
      for (let k = 0; k < K; k++) {
        let s = bias[k] as number;
        for (const f of idx) s += (W[f * (K + 1) + k] as number) * val;
        z[k] = s;
      }
      const p = softmax(z);
      const cw = classWeight[y[n]!] as number;
      let sm = bias[K] as number;
      for (const f of idx) sm += (W[f * (K + 1) + K] as number) * val;
      const gm = (sigmoid(sm) - m[n]!) * (m[n] ? posWeight : 1);
      for (let k = 0; k <= K; k++) {
        const g = k < K ? ((p[k] as number) - (k === y[n] ? 1 : 0)) * cw : gm;
        Gb[k] = (Gb[k] as number) + g * g;
        bias[k] = (bias[k] as number) - (lr * g) / Math.sqrt(Gb[k] as number);
        for (const f of idx) {
          const at = f * (K + 1) + k;
          const gw = g * val + l2 * (W[at] as number);
          G[at] = (G[at] as number) + gw * gw;
          W[at] = (W[at] as number) - (lr * gw) / Math.sqrt(G[at] as number);
        }
      }
    }
  }
  const features = new Map<string, Float64Array>();
  vocab.forEach((f, i) => {
    const w = W.slice(i * (K + 1), (i + 1) * (K + 1));
    if (w.some((v) => Math.abs(v) >= 1e-3)) features.set(f, w);
  });
  return { version: 1, labels: [...LABELS], features, bias };
}

/**
 * A model's features as integer ids, so prediction looks words and CJK bigrams up without building the
 * "w:…"/"b:…" strings or a Set per text. Built once per model object (models are not changed after creation).
 */
interface CompiledModel {
  words: Map<string, number>;
  /** bigrams of two BMP CJK characters, keyed by their code points (open addressing: keys, ids; -1 empty) */
  pairKeys: Int32Array;
  pairIds: Int32Array;
  pairMask: number;
  /** any other bigram feature, by its two characters */
  otherPairs: Map<string, number>;
  names: string[];
  /** all weights, feature after feature (labels…, misconduct): one block of memory instead of one array each */
  flat: Float64Array;
  seen: Uint32Array;
  gen: number;
}

const compiledModels = new WeakMap<Model, CompiledModel>();
const CJK_LOW = 0x3400;
const CJK_SPAN = 0x9fff - CJK_LOW + 1;
const pairKey = (a: number, b: number): number => (a - CJK_LOW) * CJK_SPAN + (b - CJK_LOW);

function compiled(model: Model): CompiledModel {
  let c = compiledModels.get(model);
  if (c) return c;
  let size = 1024;
  while (size < model.features.size * 2) size *= 2;
  const width = model.labels.length + 1;
  c = {
    words: new Map(),
    pairKeys: new Int32Array(size).fill(-1),
    pairIds: new Int32Array(size),
    pairMask: size - 1,
    otherPairs: new Map(),
    names: [],
    flat: new Float64Array(model.features.size * width),
    seen: new Uint32Array(model.features.size),
    gen: 0,
  };
  for (const [f, w] of model.features) {
    const id = c.names.length;
    c.names.push(f);
    for (let k = 0; k < width; k++) c.flat[id * width + k] = w[k] as number;
    if (f.startsWith('w:')) {
      c.words.set(f.slice(2), id);
    } else if (f.startsWith('b:')) {
      const pair = f.slice(2);
      const cps = Array.from(pair, (ch) => ch.codePointAt(0) as number);
      if (cps.length === 2 && cps.every((cp) => cp >= CJK_LOW && cp <= 0x9fff)) setPair(c, pairKey(cps[0]!, cps[1]!), id);
      else c.otherPairs.set(pair, id);
    }
  }
  compiledModels.set(model, c);
  return c;
}

const slotOf = (c: CompiledModel, key: number): number => {
  let h = (Math.imul(key, 0x9e3779b1) >>> 8) & c.pairMask;
  while (c.pairKeys[h] !== -1 && c.pairKeys[h] !== key) h = (h + 1) & c.pairMask;
  return h;
};
function setPair(c: CompiledModel, key: number, id: number): void {
  const h = slotOf(c, key);
  if (c.pairKeys[h] === -1) {
    c.pairKeys[h] = key;
    c.pairIds[h] = id;
  }
}
const pairId = (c: CompiledModel, key: number): number => {
  const h = slotOf(c, key);
  return c.pairKeys[h] === key ? (c.pairIds[h] as number) : -1;
};

const DIGITS = /^[0-9.]+$/;
const LATIN = /^[a-z]+$/;
let pending = new Int32Array(256);

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
  const ids: number[] = [];
  const add = (id: number | undefined): void => {
    if (id !== undefined && id >= 0 && seen[id] !== gen) {
      seen[id] = gen;
      ids.push(id);
    }
  };
  let n = 0; // bigram ids of the current run, added when it ends
  let prev = -1; // previous CJK code point of the run, -1 after anything else
  const flush = (): void => {
    for (let i = 0; i < n; i++) add(pending[i]);
    n = 0;
    prev = -1;
  };
  for (const w of segmenter.cut(normalizedText)) {
    if (segmenter.isEntity(w)) {
      add(c.words.get('§entity'));
      flush();
      continue;
    }
    const first = w.charCodeAt(0);
    // a word starting with a CJK character is neither digits nor Latin: no need to ask the two patterns
    if (first >= CJK_LOW && first <= 0x9fff) add(c.words.get(w));
    else if (DIGITS.test(w)) add(c.words.get('#'));
    else if (LATIN.test(w) && w.length > 12) add(c.words.get('§latin'));
    else add(c.words.get(w));
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
        pending[n++] =
          prev <= 0x9fff && cp <= 0x9fff ? pairId(c, pairKey(prev, cp)) : (c.otherPairs.get(String.fromCodePoint(prev, cp)) ?? -1);
      }
      prev = cp;
    }
  }
  flush();
  return ids;
}

export function predict(model: Model, segmenter: Segmenter, normalizedText: string): ModelPrediction {
  const c = compiled(model);
  const ids = featureIds(c, segmenter, normalizedText);
  const K = model.labels.length;
  const val = ids.length ? 1 / Math.sqrt(ids.length) : 0;
  const z = new Float64Array(K);
  let zm = model.bias[K] as number;
  for (let k = 0; k < K; k++) z[k] = model.bias[k] as number;
  const flat = c.flat;
  for (const id of ids) {
    const at = id * (K + 1);
    for (let k = 0; k < K; k++) z[k] = (z[k] as number) + (flat[at + k] as number) * val;
    zm += (flat[at + K] as number) * val;
  }
  const p = softmax(z);
  const probs = {} as Record<Label, number>;
  for (const l of LABELS) probs[l] = 0;
  model.labels.forEach((l, k) => (probs[l] = p[k] as number));
  return {
    probs,
    misconduct: sigmoid(zm),
    contributions(label, top) {
      const k = model.labels.indexOf(label);
      if (k < 0) return [];
      if (!(top > 0)) {
        return ids
          .map((id) => ({ feature: c.names[id] as string, weight: (flat[id * (K + 1) + k] as number) * val }))
          .filter((x) => x.weight > 0)
          .sort((a, b) => b.weight - a.weight)
          .slice(0, top);
      }
      // the `top` heaviest positive ones, ties in feature order (as a stable sort would leave them)
      const best: Array<{ feature: string; weight: number }> = [];
      for (const id of ids) {
        // from the block the sums above just read, rather than each feature's own array elsewhere in memory
        const weight = (flat[id * (K + 1) + k] as number) * val;
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
  const width = labels.length + 1;
  if (j.bias.length !== width) throw new Error(`model JSON: bias must have ${width} numbers`);
  const features = new Map<string, Float64Array>();
  for (const [f, w] of Object.entries(j.weights)) {
    if (!Array.isArray(w) || w.length !== width || w.some((v) => typeof v !== 'number')) {
      throw new Error(`model JSON: weights["${f}"] must have ${width} numbers`);
    }
    features.set(f, Float64Array.from(w));
  }
  return { version: 1, labels, features, bias: Float64Array.from(j.bias) };
}
