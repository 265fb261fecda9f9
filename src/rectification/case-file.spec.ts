import { parseCaseTime, readCaseFile } from './case-file.js';
import { safeCell } from '../reports/lists.service.js';

describe('case log times (China time unless an offset is given)', () => {
  it.each([
    ['2026-10-09 09:30', '2026-10-09T01:30:00.000Z'],
    ['2026/10/9 9:30:15', '2026-10-09T01:30:15.000Z'],
    ['2026年10月9日 9时30分', '2026-10-09T01:30:00.000Z'],
    ['2026-10-09', '2026-10-08T16:00:00.000Z'],
    ['2026-10-09T09:30:00Z', '2026-10-09T09:30:00.000Z'],
  ])('%s', (text, iso) => {
    expect((parseCaseTime(text) as Date).toISOString()).toBe(iso);
  });
  it('reads a spreadsheet date cell as its wall clock, and refuses what is not a time', () => {
    expect((parseCaseTime(new Date(Date.UTC(2026, 9, 9, 9, 30))) as Date).toISOString()).toBe('2026-10-09T01:30:00.000Z');
    expect(parseCaseTime('')).toBeNull();
    expect(parseCaseTime('2026-02-30 10:00')).toBe('invalid');
    expect(parseCaseTime('下午三点')).toBe('invalid');
  });
  it('finds the header under a title row and numbers rejected rows as in the file', async () => {
    const text = ['办件环节导出', '办件编号,事项编码,环节,承办单位,开始时间,结束时间,结果', 'A1,SX-001,受理,SCJG,2026-10-09 09:00,,', 'A1,SX-001,,SCJG,2026-10-09 09:00,,'].join('\n');
    const r = await readCaseFile(Buffer.from(text));
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ row: 3, caseNo: 'A1', itemCode: 'SX-001', step: '受理', endedAt: null, result: null });
    expect(r.rejected).toEqual([{ row: 4, reason: '环节 is empty' }]);
  });
});

describe('spreadsheet cells', () => {
  it('neutralises text that would start a formula, and keeps numbers', () => {
    expect(safeCell('=1+1')).toBe("'=1+1");
    expect(safeCell('+86 138')).toBe("'+86 138");
    expect(safeCell('-3')).toBe("'-3");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('\t=cmd')).toBe("'\t=cmd");
    expect(safeCell('正常文本=1')).toBe('正常文本=1');
    expect(safeCell(-3)).toBe(-3);
    expect(safeCell('a\u0000b')).toBe('ab');
  });
});
