import { catalogFromObject } from './catalog-yaml.js';
import { buildCatalogIndex } from './catalog-index.js';
import { RoutingMemory } from './memory.js';
import { candidateVectors, compileRanker, decide, defaultRanker, EVIDENCE_KINDS, FEATURES, KIND_INDEX, MEMORY_WEIGHT, priorWeights, rank, textBigrams, textUtility, textUtilityOf, trainRanker, utilities, weightsToJson, type CandidateFacts, type RankerGroup } from './ranker.js';
import { accuracy, DECISION, fitRanker } from './ranker-train.js';
import { route } from './router.js';

const county = catalogFromObject({
  region: '某省青禾县',
  units: [
    { code: 'ZW', name: '青禾县政务服务管理办公室', role: 'triage', level: 'county' },
    { code: 'SW', name: '国家税务总局青禾县税务局', parent: 'ZW', level: 'county' },
    { code: 'BDC', name: '青禾县不动产登记中心', parent: 'ZW', level: 'county' },
    { code: 'MZ', name: '青禾县民政局', parent: 'ZW', level: 'county' },
    { code: 'T-SQ', name: '石桥镇便民服务中心', aliases: ['石桥镇'], parent: 'ZW', level: 'town' },
  ],
  windows: [],
  items: [{ code: 'I1', name: '二手房转移登记', unit: 'BDC', aliases: ['二手房过户'] }],
});
const index = buildCatalogIndex(county);
const clean = { misconduct: false };

const kinds = (entries: Partial<Record<(typeof EVIDENCE_KINDS)[number], number>>): number[] =>
  Object.entries(entries).flatMap(([name, v]) => [KIND_INDEX[name as (typeof EVIDENCE_KINDS)[number]], v]);
const fact = (unit: string, hand: number, entries: Parameters<typeof kinds>[0], extra: Partial<CandidateFacts> = {}): CandidateFacts => ({
  unit,
  kinds: kinds(entries),
  hand,
  triage: false,
  supervision: false,
  level: 'county',
  depth: 1,
  actor: false,
  ...extra,
});
const triage = fact('ZW', 0, {}, { triage: true, depth: 0 });

describe('the ranker (the evidence weigher)', () => {
  it('refuses a ranker with an unknown feature, a weight that is not a number or another version', () => {
    expect(() => compileRanker({ version: 1, weights: { 'k:nonsense': 1 }, threshold: 0.4 })).toThrow(/unknown feature/);
    expect(() => compileRanker({ version: 1, weights: { hand: Number.NaN }, threshold: 0.4 })).toThrow(/not a number/);
    expect(() => compileRanker({ version: 2 as 1, weights: {}, threshold: 0.4 })).toThrow(/version/);
  });

  it('the prior is the hand weights: the unit with the larger hand score has the larger probability', () => {
    const xs = candidateVectors([fact('BDC', 3, { item: 3 }), fact('SW', 1, { duty: 1 }), triage], false);
    const { probability } = rank({ w: priorWeights(), threshold: 0.4, margin: 0 }, xs);
    expect(probability[0]).toBeGreaterThan(probability[1]!);
    expect(probability.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('the router\'s utilities equal the weights times the training vectors (one definition of the features)', () => {
    const list = [fact('BDC', 3, { item: 3, duty: 1 }, { actor: true }), fact('T-SQ', 2, { local_named: 2, item: -0.5 }, { level: 'town', depth: 1 }), triage];
    const w = Float64Array.from(FEATURES, (_, i) => ((i * 7) % 5) - 2);
    const ranker = { w, threshold: 0.4, margin: 0 };
    for (const conduct of [false, true]) {
      expect(utilities(ranker, list, conduct).map((u) => u.toFixed(9))).toEqual(rank(ranker, candidateVectors(list, conduct)).utility.map((u) => u.toFixed(9)));
    }
    // a kind given twice adds up, and counts once among the kinds
    const [x] = candidateVectors([fact('BDC', 4, { item: 3 }, { kinds: [KIND_INDEX.item, 3, KIND_INDEX.item, 1] })], false);
    expect(x![KIND_INDEX.item]).toBe(4);
    expect(x![FEATURES.indexOf('kinds')]).toBe(1);
  });

  it('units tied at the top share the hand_top feature, so the hand order between equals decides nothing', () => {
    const xs = candidateVectors([fact('SW', 2.5, { unit_named: 2.5 }), fact('BDC', 2.5, { unit_named: 2.5 }), triage], false);
    const top = FEATURES.indexOf('hand_top');
    expect([xs[0]![top], xs[1]![top], xs[2]![top]]).toEqual([1, 1, 0]);
  });

  it('learns what the labels say against the hand weights: a locality merely named, where the hand weights prefer a duty', () => {
    // the hand weights give the duty's department more; the labels say the named town every time
    const groups: RankerGroup[] = [];
    for (let i = 0; i < 60; i++) {
      const xs = candidateVectors([fact('MZ', 3, { duty: 3 }), fact('T-SQ', 2, { local_named: 2 }, { level: 'town' }), triage], false);
      groups.push({ xs, answer: 1 });
    }
    const before = accuracy(groups, { w: priorWeights(), text: null, ...DECISION });
    const { w } = trainRanker(groups, { l2: 0.01, iterations: 300 });
    expect(before).toBe(0);
    expect(accuracy(groups, { w, text: null, ...DECISION })).toBe(1);
    // held close to the prior where the data say nothing
    expect(w[FEATURES.indexOf('k:window_number')]).toBeCloseTo(0, 6);
  });

  it('a strong pull towards the prior keeps the hand weights', () => {
    const groups: RankerGroup[] = Array.from({ length: 20 }, () => ({
      xs: candidateVectors([fact('MZ', 3, { duty: 3 }), fact('T-SQ', 2, { local_named: 2 }, { level: 'town' }), triage], false),
      answer: 1,
    }));
    const { w } = trainRanker(groups, { l2: 1000, iterations: 300 });
    const prior = priorWeights();
    for (let k = 0; k < FEATURES.length; k++) if (FEATURES[k] !== 'k:memory') expect(Math.abs(w[k]! - prior[k]!)).toBeLessThan(0.01);
  });

  it('sets the routing memory\'s weight instead of learning it, so a correction still moves the next similar item', () => {
    // labels that would teach the memory to count against its unit
    const groups: RankerGroup[] = Array.from({ length: 40 }, () => ({
      xs: candidateVectors([fact('MZ', 2, { memory: 2 }), fact('SW', 1.9, { duty: 1.9 }), triage], false),
      answer: 1,
    }));
    const { w } = trainRanker(groups, { l2: 0.001, iterations: 300 });
    expect(w[FEATURES.indexOf('hand')]! + w[FEATURES.indexOf('k:memory')]!).toBeCloseTo(MEMORY_WEIGHT, 9);
    const shipped = defaultRanker()!;
    expect(shipped.w[FEATURES.indexOf('hand')]! + shipped.w[FEATURES.indexOf('k:memory')]!).toBeCloseTo(MEMORY_WEIGHT, 3);
  });

  it('routes with the shipped ranker: the evidence stays, the confidence is the chosen unit\'s probability', () => {
    const r = route({ text: '二手房过户材料太多，跑了三趟', classification: clean }, index);
    expect(r.unit).toBe('BDC');
    expect(r.evidence.some((e) => e.unit === 'BDC' && e.rule === 'service_item')).toBe(true);
    expect(r.confidence).toBeGreaterThan(0.4);
    expect(r.confidence).toBeLessThanOrEqual(1);
  });

  it('a ranker that weighs one kind of evidence heavily changes the choice; null keeps the hand weights', () => {
    const text = '二手房过户的事，石桥镇说归民政局管';
    const hand = route({ text, classification: clean }, index, { ranker: null });
    const weights = { ...weightsToJson(priorWeights()), 'k:asserted': 10 };
    const asserted = route({ text, classification: clean }, index, { ranker: compileRanker({ version: 1, weights, threshold: 0.4 }) });
    expect(hand.unit).toBe('BDC');
    expect(asserted.unit).toBe('MZ');
  });

  it('two units the evidence cannot tell apart go to a person, both shown', () => {
    const r = route({ text: '国家税务总局青禾县税务局、青禾县不动产登记中心', classification: clean }, index);
    expect(r).toMatchObject({ unit: 'ZW', rule: 'triage' });
    expect(r.candidates.map((c) => c.unit).sort()).toEqual(['BDC', 'SW']);
  });

  it('a staff correction in the routing memory moves the next similar item with the shipped ranker', () => {
    const text = '小区门口那个路灯坏了半个月，晚上老人摔了一跤';
    const before = route({ text, classification: clean }, index, { memory: new RoutingMemory() });
    const memory = new RoutingMemory();
    for (let i = 0; i < 3; i++) memory.add(`小区门口路灯坏了好久没人修 ${i}`, 'T-SQ');
    const after = route({ text, classification: clean }, index, { memory });
    expect(before.unit).not.toBe('T-SQ');
    expect(after.unit).toBe('T-SQ');
    expect(after.evidence.some((e) => e.rule === 'learned')).toBe(true);
  });

  it("learns the triage unit's words: the hall as a whole, where a unit is only named", () => {
    const group = (answer: number, bigrams: string[]): RankerGroup => ({
      xs: candidateVectors([fact('MZ', 2.5, { unit_named: 2.5 }), triage], false),
      answer,
      bigrams,
      triage: 1,
    });
    const groups = [...Array.from({ length: 30 }, () => group(1, ['大厅', '椅子', '太少'])), ...Array.from({ length: 30 }, () => group(0, ['低保', '审核', '太少']))];
    const fit = fitRanker(groups, { minWordCount: 3, textL2: 0.001, iterations: 300 });
    expect(accuracy(groups, { ...fit, text: null })).toBe(0.5);
    expect(accuracy(groups, fit)).toBe(1);
    expect(fit.text?.get('大厅')).toBeGreaterThan(0);
    expect(fit.text?.get('低保')).toBeLessThan(0);
  });

  it('routes with the triage unit\'s words: the hall as a whole goes to its management', () => {
    const plain = compileRanker({ version: 1, weights: weightsToJson(priorWeights()), threshold: 0.4 });
    const ranker = compileRanker({ version: 1, weights: weightsToJson(priorWeights()), threshold: 0.4, triageText: { 大厅: 2, 椅子: 2 } });
    expect(route({ text: '民政局那边大厅椅子太少', classification: clean }, index, { ranker: plain }).unit).toBe('MZ');
    expect(route({ text: '民政局那边大厅椅子太少', classification: clean }, index, { ranker }).unit).toBe('ZW');
    expect(route({ text: '民政局那边的事情太少', classification: clean }, index, { ranker }).unit).toBe('MZ');
    expect(() => compileRanker({ version: 1, weights: {}, threshold: 0.4, triageText: { 大厅: Number.NaN } })).toThrow(/not a number/);
  });

  it('the router\'s word sum equals the training one: each distinct bigram once, other characters ending a run', () => {
    const ranker = compileRanker({ version: 1, weights: {}, threshold: 0.4, triageText: { 大厅: 1.5, 厅的: -0.25, 椅子: 2, 子太: 0.125 } });
    for (const text of ['大厅的椅子太少，大厅的椅子', '大厅 的椅子', '', 'abc大厅', '大厅大厅大厅', '椅子🙂太少']) {
      expect(textUtilityOf(ranker, text)).toBeCloseTo(textUtility(ranker, textBigrams(text)), 12);
    }
    expect(textUtilityOf(ranker, '大厅的椅子太少，大厅的椅子')).toBeCloseTo(1.5 - 0.25 + 2 + 0.125, 12);
    expect(textUtilityOf(compileRanker({ version: 1, weights: {}, threshold: 0.4 }), '大厅')).toBe(0);
  });

  it('decides as the product says: a person for the triage unit without evidence, a near tie or a low probability', () => {
    const d = { threshold: 0.4, margin: 0.02 };
    expect(decide([0.7, 0.2, 0.1], 2, false, d)).toBe(0);
    expect(decide([0.1, 0.2, 0.7], 2, false, d)).toBe(-1); // the triage unit first, no evidence of its own
    expect(decide([0.1, 0.2, 0.7], 2, true, d)).toBe(2); // first on its own evidence (the hall's facilities)
    expect(decide([0.45, 0.44, 0.11], 2, false, d)).toBe(-1); // two units nearly alike
    expect(decide([0.38, 0.3, 0.32], 2, false, d)).toBe(-1); // below the threshold
    expect(decide([], -1, false, d)).toBe(-1);
  });

  it('ships a ranker (config/routing/ranker.json) whose every feature is known', () => {
    expect(defaultRanker()).not.toBeNull();
  });
});
