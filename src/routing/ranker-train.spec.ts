import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadLexicon } from '../classification/lexicon.js';
import { modelFromJson } from '../classification/model.js';
import { catalogFromObject } from './catalog-yaml.js';
import { accuracy, fitRanker, gatherGroups, rankerJson, triageOf } from './ranker-train.js';
import { compileRanker, FEATURES } from './ranker.js';

// the training's rows: each text-routed row one group, the labelled unit its answer; the window's, the hotline's
// assigned unit's and junk rows teach nothing; a unit among no candidate is counted apart
const catalog = catalogFromObject({
  region: '某省青禾县',
  units: [
    { code: 'ZW', name: '青禾县政务服务管理办公室', role: 'triage', level: 'county' },
    { code: 'SW', name: '国家税务总局青禾县税务局', aliases: ['县税务局'], parent: 'ZW', level: 'county' },
    { code: 'BDC', name: '青禾县不动产登记中心', parent: 'ZW', level: 'county' },
    { code: 'MZ', name: '青禾县民政局', parent: 'ZW', level: 'county' },
    { code: 'T-SQ', name: '石桥镇便民服务中心', aliases: ['石桥镇'], parent: 'ZW', level: 'town' },
  ],
  windows: [{ code: 'W1', unit: 'SW', name: '办税窗口', location: '一楼1号窗口' }],
  items: [{ code: 'I1', name: '二手房转移登记', unit: 'BDC', aliases: ['二手房过户'] }],
});
const lexicon = loadLexicon(path.resolve('config/classification/lexicon.yaml'));
const model = modelFromJson(JSON.parse(readFileSync(path.resolve('config/classification/model.json'), 'utf8')));
const row = (text: string, unit: string | null, extra: object = {}) => ({ text, unit, dimension: 'D2' as const, ...extra });

describe('training the ranker from labelled routings', () => {
  const set = {
    name: 'test-county',
    catalog,
    rows: [
      row('二手房过户跑了三趟还没办完', 'BDC'),
      row('石桥镇的工作人员把我的低保材料弄丢了', 'T-SQ'),
      row('县税务局说要先完税，材料太多', 'SW'),
      row('窗口态度不好', 'SW', { window: 'W1', channel: 'qr', rating: 2 }), // the window decides
      row('投诉二手房过户太慢', 'BDC', { assignedUnit: '不动产登记中心', channel: 'hotline' }), // the hotline decides
      row('代开发票联系电话138', null, { junk: true, dimension: 'none' }),
      row('二手房过户要的材料太多了', 'MZ'), // no candidate points at the labelled unit
    ],
  };
  const gathered = gatherGroups(set, { lexicon, model, baseRows: [], baseCatalog: catalog });

  it('makes one group per text-routed row, with the labelled unit as the answer and the triage unit among the candidates', () => {
    expect(gathered.routed).toBe(4);
    expect(gathered.unreachable).toBe(1);
    expect(gathered.groups).toHaveLength(3);
    for (const g of gathered.groups) {
      expect(g.set).toBe('test-county');
      expect(triageOf(g)).toBeGreaterThanOrEqual(0);
      expect(g.xs[g.answer]![FEATURES.indexOf('hand')]).toBeGreaterThan(0);
      expect(g.bigrams?.length).toBeGreaterThan(0);
    }
    expect(gathered.groups.every((g) => g.hand)).toBe(true);
  });

  it('fits a ranker that routes its training rows, written as JSON the router reads', () => {
    const fit = fitRanker(gathered.groups, { minWordCount: 1, iterations: 100 });
    expect(accuracy(gathered.groups, fit)).toBe(1);
    const json = rankerJson(fit, { sets: ['test-county'] });
    expect(json).toMatchObject({ version: 1, threshold: 0.4, margin: 0.02 });
    expect(Object.keys(json.triageText ?? {}).length).toBeGreaterThan(0);
    expect(() => compileRanker(JSON.parse(JSON.stringify(json)))).not.toThrow();
  });
});
