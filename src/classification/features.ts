/**
 * Features for the learned models: jieba words and CJK character bigrams of normalised text. Catalogue names
 * (units, windows, service items) collapse into one entity token and are cut out of the bigram stream, so a model
 * trained on one county's complaints learns how people complain, not which offices that county has.
 */
import { charBigrams, type Segmenter } from './segmenter.js';
import { structureFeatures } from './structure.js';

const DIGITS = /^[0-9.]+$/;
/** a jieba word that starts with a CJK character (its first code unit; the model's fast path asks the same) */
export const startsCjk = (w: string): boolean => {
  const c = w.charCodeAt(0);
  return c >= 0x3400 && c <= 0x9fff;
};
/** Two adjacent words of CJK as one feature word ("叫_去"), and back. */
export const wordPair = (a: string, b: string): string => `${a}_${b}`;
export function wordPairParts(word: string): [string, string] | null {
  const cut = word.indexOf('_');
  return cut > 0 && cut < word.length - 1 && startsCjk(word) ? [word.slice(0, cut), word.slice(cut + 1)] : null;
}
const LATIN = /^[a-z]+$/;

export function extractFeatures(segmenter: Segmenter, normalizedText: string): string[] {
  const words = segmenter.cut(normalizedText);
  const out = new Set<string>();
  let run = '';
  const flush = (): void => {
    for (const bg of charBigrams(run)) out.add(`b:${bg}`);
    run = '';
  };
  let prev = '';
  for (const w of words) {
    if (segmenter.isEntity(w)) {
      out.add('w:§entity');
      flush();
      prev = '';
      continue;
    }
    const cjk = startsCjk(w);
    if (cjk && prev) out.add(`w:${wordPair(prev, w)}`);
    prev = cjk ? w : '';
    if (DIGITS.test(w)) out.add('w:#');
    else if (LATIN.test(w) && w.length > 12) out.add('w:§latin');
    else out.add(`w:${w}`);
    run += w;
  }
  flush();
  // who speaks: two parties each pointing somewhere (structure.ts)
  for (const f of structureFeatures(normalizedText)) out.add(`w:${f}`);
  return [...out];
}
