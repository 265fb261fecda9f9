import { sortSmall } from './small-sort.js';
import { seededRandom } from './seeded-random.js';

describe('sortSmall', () => {
  it('orders like Array.prototype.sort (stable: ties keep their order), short lists and long', () => {
    const rand = seededRandom(6);
    for (let n = 0; n < 3000; n++) {
      // few distinct scores, so ties are common and stability shows
      const list = Array.from({ length: Math.floor(rand() * 24) }, (_, i) => ({ score: Math.floor(rand() * 4) / 2, i }));
      const compare = (a: { score: number }, b: { score: number }): number => b.score - a.score;
      expect(sortSmall([...list], compare)).toEqual([...list].sort(compare));
    }
  });
});
