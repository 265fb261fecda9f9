import path from 'node:path';
import { readLabelledJsonl } from '../classification/seed.js';
import type { Catalog } from '../org/catalog.types.js';
import { buildCatalogIndex, windowNumberKeys } from './catalog-index.js';
import { loadCatalogYaml } from './catalog-yaml.js';
import { canonicalName, nameSimilarity } from './fuzzy.js';
import { RoutingMemory } from './memory.js';
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
    expect(r.reason).toBe('涉及事项“不动产转移登记”；诉求涉及“二手房过户”，属于不动产登记机构的职责，由安平区不动产登记中心办理');
  });

  it('(3) a certificate named as a paper to copy or show is not the service sought', () => {
    // "身份证" is the police's ID-card item; here it is the person's material, copied at every window (the hall's
    // matter), or one of the papers for a marriage registration (the item the person came for)
    expect(route({ text: '同一张身份证复印了四回，每个窗口都要一份', classification: clean }, ap).unit).not.toBe('GA');
    const r = route({ text: '户口本复印件、身份证复印件交了一大堆，结婚登记还要再交', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'MZ', rule: 'service_item' });
    // the ID card itself is still the police's
    expect(route({ text: '身份证到期了来换，排了两个小时', classification: clean }, ap)).toMatchObject({ unit: 'GA', serviceItem: 'SX-013' });
  });

  it('(4) a unit named in the text', () => {
    const r = route({ text: '公积金中心的电话永远打不通', classification: clean }, ap);
    expect(r).toMatchObject({ unit: 'GJJ', rule: 'named_unit' });
    expect(r.reason).toContain('提到“公积金中心”');
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

  it('(5) the routing memory moves the next similar item, and only to units of this catalogue', () => {
    const text = '周末来了发现那个刷脸的机器又罢工了，折腾半天白跑';
    const before = route({ text, classification: clean }, ap, { memory: new RoutingMemory() });
    const memory = new RoutingMemory();
    memory.add('刷脸的机器罢工了，折腾半天白跑一趟', 'CL');
    memory.add('那个刷脸机器又罢工，白跑', 'CL');
    const r = route({ text, classification: clean }, ap, { memory });
    expect(r.unit).toBe('CL');
    expect(r.unit).not.toBe(before.unit);
    expect(r.evidence.some((e) => e.rule === 'learned')).toBe(true);
    // a correction of the same item replaces its earlier unit
    memory.add('大厅空调不制冷', 'ZJ', 'item:1');
    memory.add('大厅空调不制冷', 'CL', 'item:1');
    expect(memory.size).toBe(3);
    // a memory learnt elsewhere never routes to a unit this catalogue does not have
    expect(route({ text, classification: clean }, qh, { memory }).unit).not.toBe('CL');
  });
});

describe('catalogue independence', () => {
  it('routes in a county with an approval bureau, towns and villages', () => {
    expect(route({ text: '办营业执照材料太多', classification: clean }, qh)).toMatchObject({ unit: 'QH-SP', rule: 'service_item' });
    expect(route({ text: '杏花村委会一个星期都锁着门', classification: clean }, qh)).toMatchObject({ unit: 'QH-XH', rule: 'named_unit' });
    expect(route({ text: '不是审批局的问题，是税务大厅系统不通', classification: clean }, qh).unit).toBe('QH-SW');
    // the hall's seats are the hall management's own duty (it is also the triage unit)
    expect(route({ text: '大厅没地方坐', classification: clean }, qh)).toMatchObject({ unit: 'QH-ZW', rule: 'duty' });
    expect(route({ text: '有人找关系办证', classification: { misconduct: true } }, qh).supervision).toBe('QH-JJ');
  });

  it('ignores inactive units, their windows and their names', () => {
    // the old 工商局 is inactive: its name means the department type, whose registration the approval bureau now does
    expect(route({ text: '原来工商局的事现在去哪办', classification: clean }, qh).unit).toBe('QH-SP');
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

describe('windows numbered within a lettered area of the hall', () => {
  it('reads the floor, the area and the number ("一楼A区5号")', () => {
    expect(windowNumberKeys('一楼A区5号')).toEqual(['f1a#5', 'a#5', 'f1#5', '#5']);
    expect(windowNumberKeys('二楼6号窗口')).toEqual(['f2#6', '#6']);
    // the short form people use at the counter's sign
    expect(windowNumberKeys('C7的小姑娘一直在玩手机')).toEqual(['c#7', '#7']);
    expect(windowNumberKeys('A4纸不够用了')).toEqual([]);
  });

  it('finds the window by area and number, and not by a bare number another area may share', () => {
    // the sample hall numbers its windows within areas A–D: 一楼A区5号 is the tax counter
    const byArea = route({ text: '一楼A区5号的工作人员上班时间玩手机游戏', channel: 'phone', classification: clean }, ap);
    expect(byArea.unit).toBe('SW');
    expect(byArea.rule).toBe('window_mention');
    expect(route({ text: 'C6窗口戴眼镜那个男的态度太差了，吼人', channel: 'phone', classification: clean }, ap).unit).toBe('GA');
    const bare = route({ text: '4号窗口那个女的脾气太大，问一句吼一句', channel: 'phone', classification: clean }, ap);
    expect(bare.evidence.some((e) => e.rule === 'window_mention')).toBe(false);
  });
});

describe('everyday words in a centre\'s name', () => {
  it('does not read "企业" in "企业会计" as the enterprise service centre', () => {
    const catalog: Catalog = {
      region: '某省某区',
      units: [
        { code: 'ZW', name: '某区政务服务管理办公室', aliases: [], parent: null, level: 'district', role: 'triage', email: null },
        { code: 'JW', name: '某区派驻纪检监察组', aliases: [], parent: 'ZW', level: 'district', role: 'supervision', email: null },
        { code: 'QF', name: '某区企业服务中心', aliases: [], parent: 'ZW', level: 'district', role: null, email: null },
        { code: 'SW', name: '国家税务总局某区税务局', aliases: ['税务局'], parent: 'ZW', level: 'district', role: null, email: null },
      ],
      windows: [],
      items: [],
    } as unknown as Catalog;
    const r = route({ text: '来电人是企业会计，反映电子税务局申报时反复跳回登录页面', channel: 'phone', classification: clean }, buildCatalogIndex(catalog));
    expect(r.unit).toBe('SW');
  });
});
