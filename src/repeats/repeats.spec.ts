import { createHmac } from 'node:crypto';
import { createSegmenter } from '../classification/index.js';
import { bestMatch, compare, sameMatter } from './decide.js';
import { hashWord, matterBands, matterTokens, matterWords, similarity } from './matter.js';
import { normaliseCaseNo, normaliseEmail, normalisePhone, personKey, personKeys, phonesInText } from './person-key.js';
import { repeatsConfigFrom } from './repeats.config.js';

describe('person keys', () => {
  it('normalises phone numbers, mail addresses and case numbers', () => {
    expect(normalisePhone('+86 138-1111-2222')).toBe('13811112222');
    expect(normalisePhone('0086 13811112222')).toBe('13811112222');
    expect(normalisePhone('123')).toBeNull();
    expect(normaliseEmail(' Wang@Example.COM ')).toBe('wang@example.com');
    expect(normaliseCaseNo(' bj-2026 0001 ')).toBe('BJ-20260001');
    expect(phonesInText('我手机138 1111 2222，座机不用')).toEqual(['13811112222']);
  });

  it('gives one key for one number however written, keyed by the secret, no raw value', () => {
    const a = personKeys('secret-a', { phone: '138-1111-2222' });
    expect(personKeys('secret-a', { phone: '13811112222' })).toEqual(a);
    expect(personKeys('secret-a', { text: '电话13811112222' })).toEqual(a);
    expect(personKeys('secret-b', { phone: '13811112222' })).not.toEqual(a);
    expect(a[0]).toMatch(/^[0-9a-f]{20}$/);
    expect(personKeys('s', { phone: '13811112222', email: 'w@example.com', caseNo: 'BJ-1234' })).toHaveLength(3);
  });

  it('is the plain HMAC-SHA256 of kind:value under person:secret, for short, long and non-ASCII secrets', () => {
    const plain = (secret: string, kind: string, value: string): string =>
      createHmac('sha256', `person:${secret}`).update(`${kind}:${value}`).digest('hex').slice(0, 20);
    for (const secret of ['s', 'x'.repeat(40), 'k'.repeat(57), 'k'.repeat(58), 'y'.repeat(200), '密钥-secret']) {
      for (const [kind, value] of [['phone', '13811112222'], ['email', 'wang@example.com'], ['case', 'BJ-案-0001']] as const) {
        expect(personKey(secret, kind, value)).toBe(plain(secret, kind, value));
      }
    }
  });
});

describe('matter similarity and decisions', () => {
  const facts = (id: string, text: string, windowId: string | null = null) => {
    const words = matterWords(text);
    return { id, words, tokens: matterTokens(words), windowId, serviceItemId: null };
  };

  it('drops stop words and single characters; tokens are sorted and a signature has eight bands', () => {
    const w = matterWords('我在不动产登记窗口补交材料跑了三趟');
    expect(w).toContain('补交');
    expect(w).not.toContain('我');
    expect(w).not.toContain('窗口');
    const t = matterTokens(w);
    expect([...t].sort((a, b) => a - b)).toEqual(t);
    expect(matterBands(t)).toHaveLength(8);
    expect(similarity(t, t)).toBe(1);
    expect(similarity([], t)).toBe(0);
  });

  it('hashes a word and its two-character pieces as the stored tokens always were (pieces by code point)', () => {
    // the first implementation, kept as the reference: the tokens are stored, so they must never change
    const reference = (words: readonly string[]): number[] => {
      const out = new Set<number>();
      for (const w of words) {
        out.add(hashWord(w));
        const chars = Array.from(w);
        if (chars.length >= 3) for (let i = 0; i + 1 < chars.length; i++) out.add(hashWord(`~${chars[i]}${chars[i + 1]}`));
        else if (chars.length === 2) out.add(hashWord(`~${w}`));
      }
      return [...out].sort((a, b) => a - b);
    };
    const words = ['停车位', '停车', '税务ukey', '𠮷野家', '𠮷𠮷', 'a𠮷', '\ud842x', 'x\ud842', '\udfb7\ud842\udfb7', '不动产登记中心', '慢', ''];
    for (const text of ['我在不动产登记窗口补交材料跑了三趟', '医保卡激活后还是刷不了，银行说找医保局，医保局说找银行', '𠮷野家门口的停车位收费太贵了']) {
      words.push(...matterWords(text));
    }
    for (const w of words) expect(matterTokens([w])).toEqual(reference([w]));
    expect(matterTokens(words)).toEqual(reference(words));
  });

  it("cuts a name the engine's segmenter keeps whole into the parts a plain cut gives", () => {
    const seg = createSegmenter({ words: ['办税服务窗口', '不动产登记中心', '补交材料'] });
    expect(seg.cut('在办税服务窗口补交材料')).toEqual(['在', '办税服务窗口', '补交材料']);
    expect(seg.split('不动产登记中心')).toEqual(['不动产', '登记', '中心']);
    expect(seg.split('办税服务窗口')).toEqual(['办税', '服务', '窗口']);
    expect(seg.split('材料')).toEqual(['材料']);
    const text = '我去不动产登记中心补交材料，办税服务窗口也让我再跑一趟';
    expect(matterWords(text, seg)).toEqual(matterWords(text, createSegmenter()));
  });

  it('links paraphrases of one matter and keeps a different matter apart', () => {
    const lead = facts('1', '不动产登记窗口让我补交材料，跑了三趟，每次要的材料都不一样');
    const call = facts('2', '来电人反映在不动产登记窗口办理过户，窗口多次要求补交材料，跑了三趟每次要求的材料都不一样');
    const other = facts('3', '办税服务厅的发票领用自助机坏了一个星期，没人修');
    const t = { similarity: 0.3, similarityWithContext: 0.2 };
    expect(sameMatter(compare(call, lead), t)).toBe(true);
    expect(sameMatter(compare(other, lead), t)).toBe(false);
    expect(bestMatch(call, [other, lead], t)?.id).toBe('1');
    expect(bestMatch(other, [lead], t)).toBeNull();
    expect(compare(facts('4', '叫号机坏了', 'W'), facts('5', '叫号机坏了，排队太久', 'W')).context).toEqual(['window']);
  });
});

describe('config/repeats.yaml', () => {
  it('reads thresholds, lists every bad value, and HUB_REPEATS overrides enabled', () => {
    expect(repeatsConfigFrom({ repeat: { similarity: 0.4 } }).repeat.similarity).toBe(0.4);
    expect(repeatsConfigFrom({}, 'off').enabled).toBe(false);
    expect(() => repeatsConfigFrom({ windowDays: 0, hotSpot: { similarity: 2 } })).toThrow(/windowDays.*hotSpot.similarity/);
    expect(() => repeatsConfigFrom({}, 'maybe')).toThrow(/HUB_REPEATS/);
  });
});
