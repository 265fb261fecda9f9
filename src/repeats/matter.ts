import { createSegmenter, normalizeText, type Segmenter } from '../classification/index.js';

/**
 * What an item is about, as data: its words (jieba: the classification engine's segmenter, which keeps the catalogue's
 * names and the lexicon's phrases whole, or a plain one where there is no engine), stop
 * words and numbers dropped, hashed to 32-bit integers and sorted (`matter_tokens`); and a MinHash signature of them
 * (`matter_bands`) whose shared values find items of other people on similar wording through a GIN index.
 */

/** Function words, pronouns, time words and the generic words of every complaint: they say nothing about the matter. */
const STOP = new Set(
  `的 了 是 我 你 他 她 它 们 在 和 与 也 就 都 还 又 很 太 非常 特别 真 真的 这 那 这个 那个 这样 那样 个 一 有 没 没有 不 不是 被 把 给 对 让 吧 啊 呢 吗 呀 哦 嗯 哈
   请 您 你们 我们 他们 她们 自己 大家 今天 昨天 前天 明天 上午 下午 晚上 早上 中午 时候 当时 因为 所以 但是 可是 而且 如果 然后 结果 一下 一个 一次 一直 什么 怎么 怎么办 为什么
   还是 已经 现在 问题 反映 投诉 希望 要求 情况 说 去 来 到 上 下 中 时 后 前 等 着 过 得 地 之 及 其 此 该 能 会 要 想 看 做 办 弄 搞 些 点 再 才 又 却 并 从 向 于 以 为 而
   可以 能够 应该 是否 请问 谢谢 麻烦 您好 你好 同志 领导 工作人员 相关 部门 单位 处理 解决 尽快 一定 比较 有点 有些 多 少 次 天 号 月 年 日 里 儿 吧 么 嘛 呗 啦 哎 唉
   窗口 办理 业务 服务 政务 中心 大厅 来电 来电人 市民 群众 企业 意见箱 体验员 走流程 流程 发现 电话 投诉电话 举报电话 建议 表示 称 目前 导致 需要 需 被 告知`.split(/\s+/),
);

/** single characters that carry a matter on their own */
const KEEP_SINGLE = new Set(['慢', '贵', '脏', '乱', '堵', '挤', '吵', '冷', '热', '臭']);

const NUMERIC = /^[\d.,:：\-/]+$|^[a-z]*\d[\da-z-]*$/;

let shared: Segmenter | null = null;
/** whether this thread has built its own segmenter for matters (a process whose classification thread cuts them has not) */
export function matterSegmenterLoaded(): boolean {
  return shared !== null;
}
function segmenter(): Segmenter {
  shared ??= createSegmenter();
  return shared;
}

/** The content words of a text, in order, with repeats removed. */
export function matterWords(text: string, seg: Segmenter = segmenter()): string[] {
  const out = new Set<string>();
  const keep = (w: string): void => {
    // single characters (机, 坏, 开) join unrelated complaints; the matter is in the words
    if (STOP.has(w) || NUMERIC.test(w) || (w.length < 2 && !KEEP_SINGLE.has(w))) return;
    out.add(w);
  };
  for (const w of seg.cut(normalizeText(text))) {
    // a catalogue name or lexicon phrase the segmenter keeps whole counts by its parts, as a plain cut gives them
    // ("办税服务窗口" is 办税, not one more word every complaint at that window shares)
    const parts = w.length >= 3 ? seg.split(w) : null;
    if (parts && parts.length > 1) parts.forEach(keep);
    else keep(w);
  }
  return [...out];
}

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** FNV-1a from the state `h` over the code units w[from … to), as a signed integer (PostgreSQL's integer). */
function fnv(h: number, w: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    h ^= w.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h | 0;
}

/** FNV-1a, 32 bits, as a signed integer (PostgreSQL's integer). */
export function hashWord(w: string): number {
  return fnv(FNV_BASIS, w, 0, w.length);
}

/**
 * The tokens compared: every content word, and the two-character pieces of longer words ("停车位", "停车难" and
 * "停车" meet; "税务ukey" and "税务" too), so paraphrases that compound the same words still overlap.
 */
export function matterTokens(words: readonly string[]): number[] {
  // every hash into a typed buffer, sorted there (numerically, no comparator) and taken once each: most hashes are
  // outside the small-integer range, and a Set of them boxed every one
  let n = 0;
  const put = (h: number): void => {
    if (n === hashes.length) {
      const grown = new Int32Array(n * 2);
      grown.set(hashes);
      hashes = grown;
    }
    hashes[n++] = h;
  };
  for (const w of words) {
    put(hashWord(w));
    // the pieces are hashed as the strings `~${a}${b}` of two characters (code points) would be, without making them
    const ends = charEnds(w);
    if (ends.length >= 3) for (let i = 0; i + 1 < ends.length; i++) put(hashPiece(w, i ? (ends[i - 1] as number) : 0, ends[i + 1] as number));
    else if (ends.length === 2) put(hashPiece(w, 0, w.length));
  }
  const sorted = hashes.subarray(0, n).sort();
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i] as number);
  return out;
}
let hashes = new Int32Array(256);

/** the FNV-1a state after "~", the mark of a piece */
const AFTER_TILDE = Math.imul(FNV_BASIS ^ 0x7e, FNV_PRIME);
/** hashWord(`~${w.slice(from, to)}`), without making the string */
function hashPiece(w: string, from: number, to: number): number {
  return fnv(AFTER_TILDE, w, from, to);
}

const ends: number[] = [];
/** Where each character (code point, as Array.from counts them) of `w` ends, in code units; a shared array. */
function charEnds(w: string): number[] {
  ends.length = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < w.length) {
      const d = w.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    ends.push(i + 1);
  }
  return ends;
}

/** MinHash: for each of BANDS seeded permutations the smallest permuted token, tagged with its band (so bands never collide). */
export const BANDS = 8;
export function matterBands(tokens: readonly number[]): number[] {
  if (!tokens.length) return [];
  const out: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let min = 0xffffffff;
    const seed = Math.imul(b + 1, 0x9e3779b1);
    for (const t of tokens) {
      let x = (t ^ seed) >>> 0;
      x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
      x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
      x = (x ^ (x >>> 16)) >>> 0;
      if (x < min) min = x;
    }
    // 4 bits of band, 28 bits of the minimum
    out.push((((b & 0xf) << 28) | (min >>> 4)) | 0);
  }
  return out;
}

/** Overlap coefficient of two sorted token lists: |A ∩ B| / min(|A|, |B|). */
export function similarity(a: readonly number[], b: readonly number[]): number {
  if (!a.length || !b.length) return 0;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      common++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return common / Math.min(a.length, b.length);
}

/** The words two texts share (evidence shown to people). */
export function sharedWords(a: readonly string[], b: readonly string[]): string[] {
  const s = new Set(b);
  return a.filter((w) => s.has(w));
}

/** The columns an item's matter is stored as (repeats and hot spots read them). */
export interface MatterColumns {
  matter_tokens: number[];
  matter_bands: number[];
}

/**
 * An item's matter columns from its subject and text (pure: a classification thread computes them for an import).
 * `seg`: the classification engine's segmenter (it knows the catalogue's names and the lexicon's phrases), so the
 * thread that classifies holds one jieba, not two; a plain one when there is no engine (a test of repeats alone).
 */
export function matterColumns(subject: string | null | undefined, text: string, seg: Segmenter = segmenter()): MatterColumns {
  const tokens = matterTokens(matterWords(matterText(subject, text), seg));
  return { matter_tokens: tokens, matter_bands: matterBands(tokens) };
}

/**
 * Subject and text as one, the way the matter is compared; joined as the classifier joins them, so the thread that
 * classifies a text cuts it once for both (a separator is never part of a word: the words are the same either way).
 */
export function matterText(subject: string | null | undefined, text: string): string {
  return subject ? `${subject}。${text}` : text;
}
