/**
 * A window called by what it does ("办房子那个窗口", "交电费的柜台"): the words right before a counter. The definition
 * is WINDOW_BY_MATTER's first match on the few characters before the counter; `counterWords` finds the same match
 * by character codes. It runs for every 窗口 and 柜台 of every text, where a slice and a regex run (with its match
 * array) cost more than the rest of the check.
 */

/** The definition: up to six characters that are no clause break or function word, an optional verb before them and
 * an optional "的", "那个", "这个", "那边的", "那边" after them, ending where the counter starts. */
export const WINDOW_BY_MATTER = /([办交管开领补查换]?[^，。,；;！!？?、的那这个是去到在找]{1,6})(?:的|那个|这个|那边的|那边)?$/;

const codes = (chars: string): Uint8Array => {
  const table = new Uint8Array(65536);
  for (const ch of chars) table[ch.charCodeAt(0)] = 1;
  return table;
};
// the characters the words cannot hold (all single code units, as in the pattern's class)
const STOP = codes('，。,；;！!？?、的那这个是去到在找');
// the optional verb, which may make the words seven characters long
const VERB = codes('办交管开领补查换');
// every tail after the words, in the pattern's order; each non-empty one starts with a STOP character
const TAILS = ['的', '那个', '这个', '那边的', '那边', ''];

/**
 * The words (group 1) and where they start in `text` of `WINDOW_BY_MATTER.exec(text.slice(from, to))`, or null when
 * it finds none.
 *
 * Why this is the same match: the words' characters are never STOP ones (the verbs are not either) and every
 * non-empty tail starts with one, so for a start position there is at most one place where the words can end —
 * before a tail that runs exactly to `to`. The pattern takes the leftmost start that has a match; for each tail
 * that fits, the leftmost start is the furthest its run of non-STOP characters reaches back, within six characters
 * (seven when the first is a verb). The words are the same whether the verb is taken as the verb or as one of the six.
 */
export function counterWords(text: string, from: number, to: number): { start: number; words: string } | null {
  let best = -1;
  let bestEnd = -1;
  for (const tail of TAILS) {
    const end = to - tail.length;
    if (end <= from || (tail && !text.startsWith(tail, end))) continue;
    if (STOP[text.charCodeAt(end - 1)]) continue;
    let start = end - 1;
    while (start > from && end - start < 7 && !STOP[text.charCodeAt(start - 1)]) start--;
    if (end - start === 7 && !VERB[text.charCodeAt(start)]) start++;
    if (best < 0 || start < best) {
      best = start;
      bestEnd = end;
    }
  }
  return best < 0 ? null : { start: best, words: text.slice(best, bestEnd) };
}
