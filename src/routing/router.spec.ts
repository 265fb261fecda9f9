import path from 'node:path';
import { readLabelledJsonl } from '../classification/seed.js';
import { createSegmenter } from '../classification/segmenter.js';
import type { Catalog } from '../org/catalog.types.js';
import { buildCatalogIndex } from './catalog-index.js';
import { loadCatalogYaml } from './catalog-yaml.js';
import { canonicalName, nameSimilarity } from './fuzzy.js';
import { routerFromJson, routerToJson, trainRouter } from './learned-router.js';
import { matchUnitName, route } from './router.js';

const anping = loadCatalogYaml(path.resolve('../shared/data/org/anping.yaml'));
const other = loadCatalogYaml(path.resolve('test/fixtures/classification/other-county.yaml'));
const ap = buildCatalogIndex(anping);
const qh = buildCatalogIndex(other);
const clean = { misconduct: false };

describe('fuzzy unit names', () => {
  it('drops region and level prefixes and applies standard abbreviations', () => {
    expect(canonicalName('安平区市场监督管理局', ['安平区', '安平'])).toBe('市场监管局');
    expect(canonicalName('区市场监管局', ['安平区', '安平'])).toBe('市场监管局');
    expect(nameSimilarity('人社局', '人力社保局')).toBeGreaterThan(0.6);
    expect(nameSimilarity('民政局', '人社局')).toBeLessThan(0.5);
  });

  it.each([
    ['区市场监管局', 'SCJG'],
    ['安平区市场监督管理局', 'SCJG'],
    ['市场监督管理局安平分局', 'SCJG'],
    ['区人力资源社会保障局', 'RS'],
    ['区医疗保障局', 'YB'],
    ['不动产中心', 'BDC'],
    ['GJJ', 'GJJ'],
  ])('anping: %s → %s', (written, code) => {
    expect(matchUnitName(ap, written)?.code).toBe(code);
  });

  it.each([
    ['县行政审批服务局', 'QH-SP'],
    ['清河县人力社保局', 'QH-RS'],
    ['县医保局', 'QH-YB'],
    ['柳林镇人民政府', 'QH-LL'],
  ])('other county: %s → %s', (written, code) => {
    expect(matchUnitName(qh, written)?.code).toBe(code);
  });
});

describe('order of authority', () => {
  it('(1) the scanned window wins over everything', () => {
    const r = route({ text: '公积金中心的人态度差', window: 'W-A01', assignedUnit: '区医保局', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'SCJG', rule: 'window', supervision: null });
    expect(r.reason).toBe('扫码评价的窗口“企业开办综合窗口”属于安平区市场监督管理局');
  });

  it('(2) the hotline-assigned unit, matched fuzzily, wins over the text', () => {
    const r = route({ text: '办公积金提取时窗口态度差', channel: 'hotline', assignedUnit: '区市场监管局', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'SCJG', rule: 'assigned_unit' });
    expect(r.reason).toContain('区市场监管局');
  });

  it('an assigned unit that matches nothing falls through to the text', () => {
    const r = route({ text: '办公积金提取排队太久', assignedUnit: '某某无关单位', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'GJJ', rule: 'service_item', serviceItem: 'SX-006' });
  });

  it('(3) a service item in the text → its responsible unit', () => {
    const r = route({ text: '二手房过户排了一上午', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'BDC', rule: 'service_item', serviceItem: 'SX-003' });
    expect(r.reason).toBe('诉求涉及的事项“不动产转移登记”由安平区不动产登记中心负责');
  });

  it('(4) a unit named in the text', () => {
    expect(route({ text: '公积金中心的电话永远打不通', classification: clean }, ap)).toMatchObject({ unit: 'GJJ', rule: 'named_unit' });
  });

  it('(4) a unit the text says is not responsible is skipped', () => {
    const r = route({ text: '不是公积金中心的问题，是医保局一直不给办', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'YB', rule: 'named_unit' });
    expect(r.evidence.some((e) => e.rule === 'skipped' && e.text.includes('公积金中心'))).toBe(true);
  });

  it('(4) "X说不归他们管" still points at X, the unit that refused', () => {
    expect(route({ text: '公积金中心说不归他们管，让我自己想办法', classification: clean }, ap).unit).toBe('GJJ');
  });

  it('(4) the hall that hosts the windows is a place, not the unit complained about', () => {
    expect(route({ text: '在区政务服务中心户政窗口排了两个小时', classification: clean }, ap).unit).toBe('GA');
  });

  it('(6) nothing recognisable → the triage unit', () => {
    const r = route({ text: '厕所没有手纸', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'ZWB', rule: 'triage' });
    expect(r.reason).toContain('人工分派');
  });

  it('misconduct also goes to the supervision unit', () => {
    const r = route({ text: '公积金窗口的人要红包', classification: { misconduct: true } }, ap);
    expect(r).toMatchObject({ unit: 'GJJ', supervision: 'DCK' });
    expect(r.reason).toContain('督查科');
  });

  it('(5) the learned router is used when confident and only for units of this catalogue', () => {
    const segmenter = createSegmenter({ catalog: anping });
    const rows = Array.from({ length: 6 }, (_, i) => ({ text: `老年人坐轮椅来办残疾补助${'，'.repeat(i)}评残等太久`, unit: 'CL' }));
    rows.push(...Array.from({ length: 6 }, () => ({ text: '厕所没有手纸，洗手液也空了', unit: 'ZWB' })));
    const learned = routerFromJson(JSON.parse(JSON.stringify(routerToJson(trainRouter(rows, segmenter)))));
    const r = route({ text: '坐轮椅来办残疾补助，评残等太久', classification: clean }, ap, { learned, segmenter });
    expect(r).toMatchObject({ unit: 'CL', rule: 'learned' });
    // a router trained elsewhere never routes to a unit this catalogue does not have
    const r2 = route({ text: '坐轮椅来办残疾补助，评残等太久', classification: clean }, qh, { learned, segmenter });
    expect(r2.rule).toBe('triage');
  });
});

describe('catalogue independence', () => {
  it('routes in a county with an approval bureau, towns and villages', () => {
    expect(route({ text: '办营业执照材料太多', classification: clean }, qh)).toMatchObject({ unit: 'QH-SP', rule: 'service_item' });
    expect(route({ text: '杏花村委会一个星期都锁着门', classification: clean }, qh)).toMatchObject({ unit: 'QH-XH', rule: 'named_unit' });
    expect(route({ text: '不是审批局的问题，是税务大厅系统不通', classification: clean }, qh).unit).toBe('QH-SW');
    expect(route({ text: '大厅没地方坐', classification: clean }, qh)).toMatchObject({ unit: 'QH-ZW', rule: 'triage' });
    expect(route({ text: '有人找关系办证', classification: { misconduct: true } }, qh).supervision).toBe('QH-JJ');
  });

  it('ignores inactive units, their windows and their names', () => {
    expect(route({ text: '原来工商局的事现在去哪办', classification: clean }, qh).unit).toBe('QH-ZW');
    expect(route({ text: 'x', window: 'QW-99', classification: clean }, qh).rule).not.toBe('window');
    expect(matchUnitName(qh, '清河县工商行政管理局')?.code).not.toBe('QH-OLD');
  });

  it('routes the labelled other-county rows', () => {
    const rows = readLabelledJsonl(path.resolve('test/fixtures/classification/other-county.jsonl'));
    const ok = rows.filter(
      (row) =>
        route({ text: row.text, window: row.window, assignedUnit: row.assignedUnit, classification: { misconduct: !!row.misconduct } }, qh)
          .unit === row.unit,
    ).length;
    expect(ok / rows.length).toBeGreaterThanOrEqual(0.9);
  });

  it('refuses a catalogue without active units', () => {
    const empty: Catalog = { region: null, units: [], windows: [], items: [] };
    expect(() => buildCatalogIndex(empty)).toThrow(/no active units/);
  });
});
