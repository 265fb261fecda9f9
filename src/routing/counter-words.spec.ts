import { counterWords, WINDOW_BY_MATTER } from './counter-words.js';

/** What the router computed before: the pattern on a slice. */
function byPattern(text: string, from: number, to: number): { start: number; words: string } | null {
  const w = WINDOW_BY_MATTER.exec(text.slice(from, to));
  return w ? { start: from + w.index, words: w[1] as string } : null;
}

describe('counterWords', () => {
  it('reads what a counter is called by', () => {
    const at = (text: string): number => text.indexOf('窗口');
    const t1 = '我去办房子那个窗口';
    expect(counterWords(t1, Math.max(0, at(t1) - 10), at(t1))).toEqual({ start: 2, words: '办房子' });
    const t2 = '交电费的柜台';
    expect(counterWords(t2, 0, t2.indexOf('柜台'))).toEqual({ start: 0, words: '交电费' });
    const t3 = '审批局那边的窗口';
    expect(counterWords(t3, 0, at(t3))).toEqual({ start: 0, words: '审批局' });
  });

  it('finds nothing after a clause break or a function word', () => {
    expect(counterWords('排队，窗口', 0, 3)).toBeNull();
    expect(counterWords('去窗口', 0, 1)).toBeNull();
    expect(counterWords('窗口', 0, 0)).toBeNull();
  });

  it('takes seven characters only when the first is a verb', () => {
    expect(counterWords('领一二三四五六窗口', 0, 7)).toEqual({ start: 0, words: '领一二三四五六' });
    expect(counterWords('甲一二三四五六窗口', 0, 7)).toEqual({ start: 1, words: '一二三四五六' });
  });

  it('gives what the pattern gives on the slice, for any text', () => {
    // characters of every kind the pattern tells apart: breaks and function words, the verbs, the tails' own
    // characters (边 is not a function word), others, and a surrogate pair
    const alphabet = Array.from('，。、的那这个是去到在找办交管开领补查换边房子电费局甲乙 a1\n').concat(['\ud83d', '\ude00']);
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 50_000; k++) {
      const len = rand(16);
      let text = '';
      for (let i = 0; i < len; i++) text += alphabet[rand(alphabet.length)];
      const to = rand(len + 1);
      const from = Math.max(0, to - rand(12));
      expect([text, from, to, counterWords(text, from, to)]).toEqual([text, from, to, byPattern(text, from, to)]);
    }
  });
});
