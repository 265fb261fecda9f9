/**
 * Chinese word segmentation (jieba) that knows the catalogue: every unit name and alias, service-item name and
 * alias and window name is a user word, so "不动产登记" or "公积金中心" come out whole and can be recognised as
 * entities (which the model masks, so it learns complaint wording rather than this county's unit names).
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { Catalog } from '../org/catalog.types.js';
import { normalizeText } from './normalize.js';

export interface Segmenter {
  /** Words of already-normalised text, punctuation and spaces dropped. */
  cut(normalizedText: string): string[];
  /** True when the word is a catalogue name (unit, window, service item) known to this segmenter. */
  isEntity(word: string): boolean;
  /** The catalogue names `isEntity` knows, fixed when the segmenter is made (lets a caller look words up once). */
  readonly entities?: ReadonlySet<string>;
  /** Adds user words (e.g. lexicon cues) so they are not split. */
  addWords(words: Iterable<string>): void;
  /**
   * The words a plain jieba would cut a word this segmenter was told to keep whole (a catalogue name or a lexicon
   * phrase) into: its dictionary sub-words, longest first from the left ("不动产登记中心" → 不动产 登记 中心); any other
   * word as it is. Lets one jieba serve both the classifier, which wants names whole, and repeats' matter, which
   * compares what the names are made of.
   */
  split(word: string): readonly string[];
}

export interface SegmenterOptions {
  catalog?: Catalog | null;
  /** Extra user words, e.g. lexicon phrases. */
  words?: Iterable<string>;
}

// Loading the 5 MB base dictionary costs ~150 ms; every segmenter starts from a fresh instance because jieba
// has no way to remove user words, and catalogues differ between segmenters.
function baseJieba(): Jieba {
  return Jieba.withDict(dict);
}

/** Names of everything in the catalogue that people write: units, aliases, windows, service items. */
export function catalogWords(catalog: Catalog): string[] {
  const out = new Set<string>();
  const add = (s: string | null | undefined): void => {
    const n = normalizeText(s ?? '');
    if (n.length >= 2 && n.length <= 40 && !n.includes(' ')) out.add(n);
  };
  for (const u of catalog.units) {
    add(u.name);
    u.aliases.forEach(add);
  }
  for (const w of catalog.windows) add(w.name);
  for (const it of catalog.items) {
    add(it.name);
    it.aliases.forEach(add);
  }
  return [...out];
}

function toDict(words: Iterable<string>): Buffer {
  // A high frequency makes jieba prefer the whole word over its parts.
  let lines = '';
  for (const w of words) {
    if (w && !/\s/.test(w)) lines += `${w} 200000 n\n`;
  }
  return Buffer.from(lines, 'utf8');
}

const SKIP = /^[\s\p{P}\p{S}]+$/u;

function isWord(w: string): boolean {
  const c = w.charCodeAt(0);
  // a CJK ideograph or a Latin letter or digit first: certainly not all spaces, punctuation and symbols
  if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) return true;
  return w !== ' ' && !SKIP.test(w);
}

export function createSegmenter(options: SegmenterOptions = {}): Segmenter {
  const jieba = baseJieba();
  const entities = new Set<string>();
  /** every user word (catalogue names, lexicon phrases), as normalised text */
  const added = new Set<string>();
  const load = (words: Iterable<string>): void => {
    const list = [...words];
    for (const w of list) added.add(w);
    jieba.loadDict(toDict(list));
  };
  if (options.catalog) {
    const words = catalogWords(options.catalog);
    words.forEach((w) => entities.add(w));
    load(words);
  }
  if (options.words) load(options.words);
  // the last text cut and its words: on the classification thread repeats' matter asks for the text classification
  // has just cut (each caller gets its own array)
  let lastText: string | null = null;
  let lastWords: readonly string[] = [];
  // split()'s answers, at most one per user word
  const splits = new Map<string, string[]>();
  return {
    cut(text: string): string[] {
      if (!text) return [];
      if (text === lastText) return lastWords.slice();
      // HMM off: it invents words from unknown character runs, which makes features less stable between counties.
      // filtered in place: the array jieba returns is ours
      const words = jieba.cut(text, false);
      let n = 0;
      for (let i = 0; i < words.length; i++) {
        const w = words[i] as string;
        if (isWord(w)) words[n++] = w;
      }
      words.length = n;
      lastText = text;
      lastWords = words.slice();
      return words;
    },
    isEntity: (w) => entities.has(w),
    entities,
    addWords(words) {
      load(words);
    },
    split(word) {
      if (!added.has(word)) return [word];
      const known = splits.get(word);
      if (known) return known;
      const subs = jieba.cutForSearch(word, false).filter((x) => x !== word);
      const out: string[] = [];
      for (let i = 0; i < word.length; ) {
        let best = '';
        for (const x of subs) if (x.length > best.length && word.startsWith(x, i)) best = x;
        const piece = best || word.slice(i, i + 1);
        out.push(piece);
        i += piece.length;
      }
      splits.set(word, out);
      return out;
    },
  };
}

// (read here by the classifier's features; pure, so it lives with normalisation, which the router also loads)
export { charBigrams } from './normalize.js';
