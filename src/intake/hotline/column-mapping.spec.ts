import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  DEFAULT_MAPPING_FILE,
  MappingError,
  findHeaderRow,
  loadDefaultMapping,
  loadMapping,
  normaliseHeader,
  parseMapping,
  resolveColumns,
} from './column-mapping.js';

const defaults = loadDefaultMapping();

function writeYaml(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'hotline-mapping-'));
  const file = path.join(dir, 'city.yaml');
  writeFileSync(file, text);
  return file;
}

describe('header folding', () => {
  it.each([
    ['工单编号*', '工单编号'],
    ['*工单编号', '工单编号'],
    ['来电时间（必填）', '来电时间'],
    ['来电时间(yyyy-mm-dd hh:mm)', '来电时间'],
    ['诉求内容【不超过2000字】', '诉求内容'],
    [' 联 系 电 话 ', '联系电话'],
    ['\u3000承办单位：', '承办单位'],
    ['ＡＢＣ１２３', 'abc123'],
  ])('%s → %s', (header, folded) => {
    expect(normaliseHeader(header)).toBe(folded);
  });
});

describe('default mapping', () => {
  it('is config/hotline/default.yaml and covers the common synonyms', () => {
    expect(DEFAULT_MAPPING_FILE.endsWith(path.join('config', 'hotline', 'default.yaml'))).toBe(true);
    expect(defaults.fields.orderNo).toEqual(expect.arrayContaining(['工单编号', '工单号', '工单号码', '编号']));
    expect(defaults.fields.receivedAt).toEqual(expect.arrayContaining(['来电时间', '受理时间', '登记时间', '创建时间']));
    expect(defaults.fields.content).toEqual(expect.arrayContaining(['诉求内容', '来电内容', '工单内容', '问题描述', '内容']));
    expect(defaults.fields.assignedUnit).toEqual(expect.arrayContaining(['承办单位', '主办单位', '办理单位', '责任单位']));
    expect(defaults.required).toEqual(['orderNo', 'content']);
    expect(defaults.excelDates).toBe('china');
  });

  it('resolves the other city header set of the GBK sample, keeping the seat number as an extra', () => {
    const header = ['标题', '工单类型', '坐席工号', '来电内容', '受理时间', '限办时间', '工单号', '联系方式', '诉求人', '主办单位'];
    const c = resolveColumns(header, defaults);
    expect(c.byField).toEqual({
      title: 0,
      appealType: 1,
      content: 3,
      receivedAt: 4,
      deadline: 5,
      orderNo: 6,
      phone: 7,
      caller: 8,
      assignedUnit: 9,
    });
    expect(c.extras).toEqual([{ index: 2, header: '坐席工号' }]);
    expect(c.missing).toEqual([]);
  });

  it('matches headers with asterisks and notes, prefers the more specific synonym, keeps duplicates apart', () => {
    const header = ['编号', '工单编号*', '来电时间（必填）', '诉求内容 ', '备注', '备注', ''];
    const c = resolveColumns(header, defaults);
    expect(c.byField.orderNo).toBe(1); // 工单编号 is listed before 编号
    expect(c.byField.receivedAt).toBe(2);
    expect(c.byField.content).toBe(3);
    expect(c.keys).toEqual(['编号', '工单编号*', '来电时间（必填）', '诉求内容', '备注', '备注#2', '列7']);
    expect(c.extras.map((e) => e.header)).toEqual(['编号', '备注', '备注#2']);
  });

  it('finds the header below title rows and refuses a sheet without one', () => {
    const rows = [['示例市12345热线工单导出'], ['导出时间：2026-11-15', '', ''], ['工单编号', '来电时间', '诉求内容'], ['AP1', '2026-11-09', '内容']];
    expect(findHeaderRow(rows, defaults)?.index).toBe(2);
    expect(findHeaderRow([['标题', '内容说明'], ['a', 'b']], defaults)).toBeUndefined();
  });
});

describe('city mapping files', () => {
  it('extends the defaults: added synonyms first, replaced lists, ignored headers, options', () => {
    const file = writeYaml(
      [
        'name: 北城市',
        'fields:',
        '  orderNo: [受理编号]',
        'replace:',
        '  title: [事项名称]',
        'ignore: [坐席工号]',
        'excelDates: utc',
        'headerScanRows: 5',
        'appealTypes:',
        '  求助: [求决件]',
      ].join('\n'),
    );
    const m = loadMapping(file);
    expect(m.name).toBe('北城市');
    expect(m.fields.orderNo[0]).toBe('受理编号');
    expect(m.fields.orderNo).toContain('工单编号');
    expect(m.fields.title).toEqual(['事项名称']);
    expect(m.excelDates).toBe('utc');
    expect(m.headerScanRows).toBe(5);
    expect(m.appealTypes.求助).toContain('求决件');
    const c = resolveColumns(['受理编号', '受理时间', '来电内容', '坐席工号', '事项名称'], m);
    expect(c.byField).toMatchObject({ orderNo: 0, receivedAt: 1, content: 2, title: 4 });
    expect(c.extras).toEqual([]);
  });

  it('reports every problem of a bad file at once', () => {
    const file = writeYaml(
      ['fields:', '  orderNo: 工单编号', '  nonsense: [x]', '  title: [诉求内容]', 'required: [orderNo]', 'excelDates: local', 'colour: red'].join('\n'),
    );
    let error: unknown;
    try {
      loadMapping(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MappingError);
    const problems = (error as MappingError).problems.join('\n');
    expect(problems).toMatch(/unknown key "colour"/);
    expect(problems).toMatch(/fields\.nonsense is not a field/);
    expect(problems).toMatch(/required must include content/);
    expect(problems).toMatch(/excelDates/);
    expect(problems).toMatch(/"诉求内容" is listed under both title and content/);
  });

  it('with extends: none must name everything itself', () => {
    expect(() => loadMapping(writeYaml('extends: none\nfields:\n  orderNo: [工单编号]\n'))).toThrow(/required field content has no header synonyms/);
    expect(() => loadMapping(writeYaml('- a\n- b\n'))).toThrow(MappingError);
    expect(() => parseMapping({ fields: { orderNo: ['单号'], content: ['内容'] } }, 'inline')).not.toThrow();
  });
});
