import { CodeUnitTrie } from './code-unit-trie.js';
import { seededRandom } from '../common/seeded-random.js';

/** The node a walk from the phrase's first code unit reaches, or -1 (what the phrase matchers do). */
function walk(trie: CodeUnitTrie, phrase: string): number {
  let node = trie.root(phrase.charCodeAt(0));
  for (let j = 1; j < phrase.length && node >= 0; j++) node = trie.next(node, phrase.charCodeAt(j));
  return node;
}

describe('CodeUnitTrie', () => {
  it('finds every phrase added, and no other, past 65,535 nodes (where the root table widens)', () => {
    const rand = seededRandom(32);
    const unit = (): string => String.fromCharCode(0x4e00 + Math.floor(rand() * 3000));
    const trie = new CodeUnitTrie();
    const nodes = new Map<string, number>();
    // long phrases first, so the root table must widen while roots are still being added
    while (trie.size < 70_000) {
      const phrase = Array.from({ length: 2 + Math.floor(rand() * 6) }, unit).join('');
      nodes.set(phrase, trie.add(phrase));
    }
    for (let i = 0; i < 500; i++) {
      const phrase = String.fromCharCode(0xac00 + i) + unit();
      nodes.set(phrase, trie.add(phrase));
    }
    expect(trie.size).toBeGreaterThan(65_535);
    for (const [phrase, node] of nodes) expect(walk(trie, phrase)).toBe(node);
    // a phrase never added ends nowhere or inside a longer one, never where an added phrase ends
    const ends = new Set(nodes.values());
    for (let i = 0; i < 2000; i++) {
      const phrase = Array.from({ length: 2 + Math.floor(rand() * 6) }, unit).join('');
      if (!nodes.has(phrase)) expect(ends.has(walk(trie, phrase))).toBe(false);
    }
  });
});
