import { seededRandom } from '../common/seeded-random.js';
import { normalizeText, normalizeWhole } from './normalize.js';

describe('normalizeText', () => {
  it('folds full-width forms, traditional characters, case, controls and spaces', () => {
    expect(normalizeText('  窗口ＡＢＣ，態度　很差！\u200B\n ')).toBe('窗口abc,态度 很差!');
  });

  it('returns an already normalised text as it is', () => {
    const text = normalizeText('市民来电反映，在区政务服务中心社保窗口排了两个多小时的队（编号12）');
    expect(normalizeText(`${text}`)).toBe(text);
  });

  // the per-character path must agree with the whole-text definition on any mix, neighbours that combine included
  it('gives the same as normalising the whole text, for random mixes of tricky characters', () => {
    const pool = Array.from(
      'abcXYZ019 ,.，。！？（）【】「」、…“”‘’ＡＢｚ０９　\t\n\u00a0\u200b\ufeff\u0301\u0308eÉé' +
        'ｶﾞﾊﾟｱ\u3099\u309aか\u1100\u1161\u11a8가ㄱㅏ\uffa1\uffc2①⑴½㎏ﬁ™' +
        '窗口態度們說这个办證區縣Σσς\u0130\u03a3ΑΒ🙂\ud83d',
    );
    const random = seededRandom(14);
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = 1 + Math.floor(random() * 12);
      for (let i = 0; i < length; i++) text += pool[Math.floor(random() * pool.length)];
      expect([text, normalizeText(text)]).toEqual([text, normalizeWhole(text)]);
    }
  });

  it('agrees with the whole-text definition on every character of the blocks it reads one by one', () => {
    const ranges: Array<[number, number]> = [
      [0x00, 0xff],
      [0x2000, 0x206f],
      [0x3000, 0x303f],
      [0x3400, 0x9fff],
      [0xff00, 0xffef],
    ];
    for (const [from, to] of ranges) {
      for (let c = from; c <= to; c++) {
        const text = `a${String.fromCharCode(c)}窗`;
        if (normalizeText(text) !== normalizeWhole(text)) throw new Error(`U+${c.toString(16)}: ${normalizeText(text)} ≠ ${normalizeWhole(text)}`);
      }
    }
  });
});
