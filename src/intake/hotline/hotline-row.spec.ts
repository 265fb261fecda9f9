import { loadDefaultMapping, parseMapping, resolveColumns } from './column-mapping.js';
import { cellText, cleanCell, excelSerialToDate, normaliseAppealType, normaliseRow, parseChinaDateTime } from './hotline-row.js';

const mapping = loadDefaultMapping();
const header = ['工单编号', '来电时间', '来电人', '联系电话', '诉求类型', '诉求标题', '诉求内容', '承办单位', '办理时限', '所属区域', '坐席工号'];
const columns = resolveColumns(header, mapping);
const good = ['AP1', '2026-11-09 17:21:00', '余先生', '13815908301', '投诉', '标题', '内容', '区民政局', '10个工作日', '安平区', '5313'];

describe('dates', () => {
  const at = (iso: string): number => new Date(iso).getTime();
  it.each([
    ['2026-11-09 17:21:00', '2026-11-09T17:21:00+08:00'],
    ['2026/11/9 17:21', '2026-11-09T17:21:00+08:00'],
    ['2026-11-09T17:21:00+08:00', '2026-11-09T17:21:00+08:00'],
    ['2026-11-09T09:21:00Z', '2026-11-09T17:21:00+08:00'],
    ['2026-11-09 17:21:00.5', '2026-11-09T17:21:00.500+08:00'],
    ['2026年11月9日 17时21分', '2026-11-09T17:21:00+08:00'],
    ['2026年11月9日17:21', '2026-11-09T17:21:00+08:00'],
    ['2026年11月9日 下午5点', '2026-11-09T17:00:00+08:00'],
    ['2026年11月9日', '2026-11-09T00:00:00+08:00'],
    ['2026-11-09', '2026-11-09T00:00:00+08:00'],
    ['2026.11.09', '2026-11-09T00:00:00+08:00'],
    ['20261109172100', '2026-11-09T17:21:00+08:00'],
    ['２０２６－１１－０９　１７：２１', '2026-11-09T17:21:00+08:00'],
    ['46335.72291666667', '2026-11-09T17:21:00+08:00'],
  ])('%s', (text, iso) => {
    expect(parseChinaDateTime(text)?.getTime()).toBe(at(iso));
  });

  it.each(['昨天下午', '2026-13-01', '2026-02-30 10:00', '2026-11-09 25:00', '11/09/26', '', '1899-12-31', '12345'])('refuses %j', (text) => {
    expect(parseChinaDateTime(text)).toBeNull();
  });

  it('reads Excel serials and date cells as China wall time unless the mapping says utc', () => {
    expect(excelSerialToDate(46335.38958333334)?.toISOString()).toBe('2026-11-09T01:21:00.000Z');
    expect(excelSerialToDate(46335.38958333334, 'utc')?.toISOString()).toBe('2026-11-09T09:21:00.000Z');
    const cell = new Date(Date.UTC(2026, 10, 9, 17, 21)); // what exceljs gives for a cell showing 2026-11-09 17:21
    const r = normaliseRow([...good.slice(0, 1), cell, ...good.slice(2)], columns, 2);
    expect(r.ok && r.order.receivedAt.toISOString()).toBe('2026-11-09T09:21:00.000Z');
    expect(r.ok && r.order.raw['来电时间']).toBe('2026-11-09 17:21:00');
    const utc = resolveColumns(header, parseMapping({ excelDates: 'utc' }, 'utc', mapping));
    const u = normaliseRow([...good.slice(0, 1), cell, ...good.slice(2)], utc, 2);
    expect(u.ok && u.order.receivedAt.toISOString()).toBe('2026-11-09T17:21:00.000Z');
  });
});

describe('cells', () => {
  it('writes numbers out in full, never in scientific notation', () => {
    expect(cellText(13815908301)).toBe('13815908301');
    expect(cellText(2026110900001)).toBe('2026110900001');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText({ richText: [{ text: '工单' }, { text: '编号' }] })).toBe('工单编号');
    expect(cellText({ formula: 'A1', result: 42 })).toBe('42');
    expect(cellText(null)).toBe('');
  });

  it('trims, strips control characters and unwraps ="…"', () => {
    expect(cleanCell('  \tAP1\u0000\u200b ')).toBe('AP1');
    expect(cleanCell('="013800138000"')).toBe('013800138000');
    expect(cleanCell('第一行\r\n  第二行\u0007', true)).toBe('第一行\n第二行');
    expect(cleanCell('第一行\n第二行')).toBe('第一行 第二行');
  });

  it('normalises appeal types only when clear', () => {
    const t = mapping.appealTypes;
    expect(normaliseAppealType('投诉类', t)).toBe('投诉');
    expect(normaliseAppealType('群众投诉', t)).toBe('投诉');
    expect(normaliseAppealType('感谢', t)).toBe('表扬');
    expect(normaliseAppealType('求决', t)).toBe('求助');
    expect(normaliseAppealType('其它', t)).toBe('其他');
    expect(normaliseAppealType('投诉举报', t)).toBe('投诉举报');
    expect(normaliseAppealType(' ', t)).toBeNull();
  });
});

describe('normaliseRow', () => {
  it('maps a good row, keeping extras and the raw text', () => {
    const r = normaliseRow(['AP1', '2026-11-09 17:21:00', ' 余先生 ', '138 1590 8301', '投诉类', '标题', ' 内容\r\n第二行 ', '区民政局', '10个工作日', '安平区', '5313'], columns, 7);
    expect(r).toMatchObject({
      ok: true,
      row: 7,
      order: {
        orderNo: 'AP1',
        caller: '余先生',
        phone: '13815908301',
        appealType: '投诉',
        content: '内容\n第二行',
        assignedUnit: '区民政局',
        deadline: '10个工作日',
        deadlineWorkingDays: 10,
        deadlineAt: null,
        region: '安平区',
        extras: { 坐席工号: '5313' },
      },
    });
    expect(r.ok && r.order.raw['诉求类型']).toBe('投诉类');
    expect(r.ok && r.order.raw['诉求内容']).toBe(' 内容\r\n第二行 ');
  });

  it('reads a dated deadline', () => {
    const r = normaliseRow([...good.slice(0, 8), '2026-11-20 18:00', ...good.slice(9)], columns, 2);
    expect(r.ok && r.order.deadlineAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(r.ok && r.order.deadlineWorkingDays).toBeNull();
  });

  it.each([
    ['missing_order_no', 0, ' ', /missing order number/],
    ['order_no_mangled', 0, '2.02611E+12', /lost its digits/],
    ['missing_content', 6, '\u3000 ', /empty content/],
    ['bad_date', 1, '昨天下午', /unreadable date.*|“昨天下午”/],
    ['missing_received_at', 1, '', /missing received time/],
    ['cell_too_long', 6, '长'.repeat(10_001), /cell over 10000 characters: 诉求内容/],
  ] as const)('rejects %s', (code, index, value, reason) => {
    const cells = [...good];
    cells[index] = value;
    const r = normaliseRow(cells, columns, 12);
    expect(r).toMatchObject({ ok: false, row: 12, code });
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('accepts a cell of exactly the limit and lists every problem of a row', () => {
    expect(normaliseRow([...good.slice(0, 6), '长'.repeat(10_000), ...good.slice(7)], columns, 2).ok).toBe(true);
    const r = normaliseRow(['', '昨天', '', '', '', '', '', '', '', '', ''], columns, 3);
    expect(r).toMatchObject({ ok: false, code: 'missing_order_no' });
    expect(!r.ok && r.reason).toMatch(/missing order number.*empty content.*unreadable date/);
  });
});
