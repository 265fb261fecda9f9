import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { hotlineCsvStream } from '../../../bench/hotline-generate.js';
import { loadDefaultMapping, parseMapping } from './column-mapping.js';
import { CsvQuoteGuard, HotlineFileError, type HotlineFileInfo, detectEncoding, isValidUtf8, readHotlineFile } from './hotline-file.js';
import type { HotlineOrder, HotlineRowResult } from './hotline-row.js';

const DATA = path.resolve('../shared/data/hotline');
const expected = JSON.parse(readFileSync(path.join(DATA, 'anping-12345.expected.json'), 'utf8')) as {
  orders: { 工单编号: string }[];
  gbk_bad_rows: string[];
};
const expectedIds = expected.orders.map((o) => o['工单编号']);
const mapping = loadDefaultMapping();

type Rejected = Extract<HotlineRowResult, { ok: false }>;
async function readAll(input: string | NodeJS.ReadableStream, extra: { fileName?: string; afterRow?: number; maxCellChars?: number } = {}, m = mapping) {
  const orders: (HotlineOrder & { row: number })[] = [];
  const rejected: Rejected[] = [];
  const stream = readHotlineFile(input, { mapping: m, ...extra });
  for await (const r of stream) {
    if (r.ok) orders.push({ ...r.order, row: r.row });
    else rejected.push(r);
  }
  return { orders, rejected, info: stream.info as HotlineFileInfo };
}

const csv = (lines: string[]): string => lines.join('\r\n') + '\r\n';
const HEADER = '工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限,所属区域';
const line = (i: number, content = `第${i}条诉求内容`): string => `AP${i},2026-11-09 17:21:00,余先生,138000000${i % 10}${i % 10},投诉,标题${i},${content},区民政局,10个工作日,安平区`;

describe('the sample exports', () => {
  it('UTF-8 with BOM: every expected order, in order, nothing rejected', async () => {
    const { orders, rejected, info } = await readAll(path.join(DATA, 'anping-12345-utf8bom.csv'));
    expect(info).toMatchObject({ format: 'csv', encoding: 'utf8', delimiter: ',', headerRow: 1 });
    expect(orders.map((o) => o.orderNo)).toEqual(expectedIds);
    expect(rejected).toEqual([]);
    expect(orders[0]).toMatchObject({
      row: 2,
      orderNo: 'AP2026110900001',
      caller: '余先生',
      phone: '13815908301',
      appealType: '投诉',
      assignedUnit: null,
      deadline: '10个工作日',
      deadlineWorkingDays: 10,
      region: '示例市安平区',
    });
    expect(orders[0].receivedAt.toISOString()).toBe('2026-11-09T09:21:00.000Z');
    expect(Object.keys(orders[0].raw)[0]).toBe('工单编号'); // the BOM is not part of the first header
  });

  it('GBK with another city header set: every good row, and the three bad rows with their row numbers and reasons', async () => {
    const { orders, rejected, info } = await readAll(path.join(DATA, 'anping-12345-gbk.csv'));
    expect(info).toMatchObject({ format: 'csv', encoding: 'gb18030', headerRow: 1 });
    expect(orders.map((o) => o.orderNo)).toEqual(expectedIds);
    expect(rejected.map((r) => ({ row: r.row, code: r.code }))).toEqual([
      { row: 46, code: 'missing_order_no' },
      { row: 70, code: 'bad_date' },
      { row: 93, code: 'missing_content' },
    ]);
    // The reasons the expected file lists, in the order the rows appear
    expect(rejected.map((r) => expected.gbk_bad_rows.find((text) => r.reason.includes(text)))).toEqual(['missing order number', 'unreadable date', 'empty content']);
    expect(orders[0].extras).toEqual({ 坐席工号: '5313' });
    expect(orders[1].assignedUnit).toBe('安平区医疗保障局');
  });

  it('XLSX: every expected order; date cells read as China time (this sample was written with UTC instants)', async () => {
    const { orders, rejected, info } = await readAll(path.join(DATA, 'anping-12345.xlsx'));
    expect(info).toMatchObject({ format: 'xlsx', sheet: '工单导出', headerRow: 1 });
    expect(orders.map((o) => o.orderNo)).toEqual(expectedIds);
    expect(rejected).toEqual([]);
    expect(orders[0].row).toBe(2);
    // The sheet shows 2026-11-09 09:21 for the order the CSVs give as 17:21: its writer stored the UTC instant.
    expect(orders[0].raw['来电时间']).toBe('2026-11-09 09:21:00');
    const csvOrders = (await readAll(path.join(DATA, 'anping-12345-utf8bom.csv'))).orders;
    const utc = await readAll(path.join(DATA, 'anping-12345.xlsx'), {}, parseMapping({ excelDates: 'utc' }, 'utc', mapping));
    expect(utc.orders.map((o) => o.receivedAt.getTime())).toEqual(csvOrders.map((o) => o.receivedAt.getTime()));
    expect(utc.orders.map((o) => [o.content, o.phone, o.appealType])).toEqual(csvOrders.map((o) => [o.content, o.phone, o.appealType]));
  });

  it('reads from a stream as well as a path', async () => {
    const { orders } = await readAll(createReadStream(path.join(DATA, 'anping-12345.xlsx')), { fileName: 'upload.xlsx' });
    expect(orders).toHaveLength(90);
  });

  it('resumes after a row: only later rows come out, with the same numbers', async () => {
    const all = await readAll(path.join(DATA, 'anping-12345-gbk.csv'));
    const rest = await readAll(path.join(DATA, 'anping-12345-gbk.csv'), { afterRow: 46 });
    expect(rest.rejected.map((r) => r.row)).toEqual([70, 93]);
    expect(rest.orders.map((o) => [o.row, o.orderNo])).toEqual(all.orders.filter((o) => o.row > 46).map((o) => [o.row, o.orderNo]));
  });
});

describe('a titled GB18030 export from another city (test/fixtures/hotline)', () => {
  it('title rows, marked headers, a multi-line cell, a broken quote, a blank row, a serial date', async () => {
    const { orders, rejected, info } = await readAll(path.resolve('test/fixtures/hotline/beicheng-titled-gb18030.csv'));
    expect(info).toMatchObject({ encoding: 'gb18030', headerRow: 3 });
    // Rows as Excel shows them: the multi-line cell of row 4 is one row, the blank row 8 yields nothing.
    expect(orders.map((o) => [o.row, o.orderNo])).toEqual([
      [4, 'BC2026111500001'],
      [5, 'BC2026111500002'],
      [7, 'BC2026111500004'],
      [9, 'BC2026111500005'],
    ]);
    expect(rejected.map((r) => [r.row, r.code])).toEqual([[6, 'broken_quotes']]);
    expect(orders[0]).toMatchObject({ phone: '013912345678', appealType: '投诉', content: '排队两个小时，窗口只开两个。\n诉求：增开窗口, 分时预约。' });
    expect(orders[0].receivedAt.toISOString()).toBe('2026-11-15T01:05:00.000Z');
    expect(orders[1].content).toContain('㐀和𠀀');
    expect(orders[2].content).toBe('门口有中介说"交钱就能加急"');
    expect(orders[3].receivedAt.toISOString()).toBe('2026-11-15T04:00:00.000Z');
  });
});

describe('encodings', () => {
  it('detects BOMs, UTF-8 and falls back to GB18030', () => {
    expect(detectEncoding(Buffer.from('\ufeff工单', 'utf8'), true)).toBe('utf8');
    expect(detectEncoding(Buffer.from('工单编号', 'utf8'), true)).toBe('utf8');
    expect(detectEncoding(iconv.encode('工单编号', 'gbk'), true)).toBe('gb18030');
    expect(detectEncoding(iconv.encode('\ufeff工单', 'utf16le'), true)).toBe('utf16le');
    const cut = Buffer.from('工单', 'utf8').subarray(0, 4); // the second character cut in half by the chunk
    expect(isValidUtf8(cut, false)).toBe(true);
    expect(isValidUtf8(cut, true)).toBe(false);
  });

  it('UTF-8 without BOM', async () => {
    const { orders, info } = await readAll(Readable.from([Buffer.from(csv([HEADER, line(1), line(2)]), 'utf8')]));
    expect(info.encoding).toBe('utf8');
    expect(orders.map((o) => o.orderNo)).toEqual(['AP1', 'AP2']);
  });

  it('GB18030-only characters survive', async () => {
    const text = csv([HEADER, line(1, '来电人姓名含生僻字㐀和𠀀，请核实'), line(2)]);
    const bytes = iconv.encode(text, 'gb18030');
    expect(iconv.decode(bytes, 'gbk')).not.toContain('𠀀'); // GBK alone cannot read them
    const { orders, info } = await readAll(Readable.from([bytes]));
    expect(info.encoding).toBe('gb18030');
    expect(orders[0].content).toBe('来电人姓名含生僻字㐀和𠀀，请核实');
  });

  it('UTF-8 split into one-byte chunks still decodes', async () => {
    const bytes = Buffer.from(csv([HEADER, line(1, '多字节字符跨越数据块边界'), line(2)]), 'utf8');
    const { orders } = await readAll(Readable.from([...bytes].map((b) => Buffer.from([b]))));
    expect(orders.map((o) => o.content)).toEqual(['多字节字符跨越数据块边界', '第2条诉求内容']);
  });

  it('tab-separated UTF-16 (Excel "Unicode text")', async () => {
    const text = '\ufeff' + [HEADER, line(1)].map((l) => l.replace(/,/g, '\t')).join('\r\n') + '\r\n';
    const { orders, info } = await readAll(Readable.from([iconv.encode(text, 'utf16le')]));
    expect(info).toMatchObject({ encoding: 'utf16le', delimiter: '\t' });
    expect(orders.map((o) => o.orderNo)).toEqual(['AP1']);
  });
});

describe('CSV structure', () => {
  it('skips title rows above the header and counts them in row numbers', async () => {
    const text = csv(['示例市12345热线工单导出', '导出时间：2026-11-15,,,,,,,,,', HEADER, line(1), '', line(2)]);
    const { orders, info } = await readAll(Readable.from([Buffer.from(text)]));
    expect(info.headerRow).toBe(3);
    expect(orders.map((o) => [o.row, o.orderNo])).toEqual([
      [4, 'AP1'],
      [6, 'AP2'],
    ]);
  });

  it('keeps quoted commas, quotes and line breaks inside one row', async () => {
    const text = csv([HEADER, line(1, '"第一句, 第二句\n他说""不管""。"'), line(2)]);
    const { orders } = await readAll(Readable.from([Buffer.from(text)]));
    expect(orders.map((o) => [o.row, o.content])).toEqual([
      [2, '第一句, 第二句\n他说"不管"。'],
      [3, '第2条诉求内容'],
    ]);
  });

  it('an unclosed quote rejects its own row only; the rows after it are read', async () => {
    const rows = [HEADER, line(1), line(2, '"没有闭合的引号，后面的内容'), ...Array.from({ length: 8 }, (_, i) => line(i + 3))];
    const { orders, rejected } = await readAll(Readable.from([Buffer.from(csv(rows))]));
    expect(rejected).toEqual([expect.objectContaining({ row: 3, code: 'broken_quotes', reason: expect.stringMatching(/unbalanced quotes/) })]);
    expect(orders.map((o) => o.orderNo)).toEqual(['AP1', ...Array.from({ length: 8 }, (_, i) => `AP${i + 3}`)]);
    expect(orders.map((o) => o.row)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('an unclosed quote that meets a later quoted cell does not swallow the row between', async () => {
    const rows = [HEADER, line(1, '"他说：不管'), line(2, '"有逗号, 的内容"'), line(3)];
    const { orders, rejected } = await readAll(Readable.from([Buffer.from(csv(rows))]));
    expect(rejected.map((r) => [r.row, r.code])).toEqual([[2, 'broken_quotes']]);
    expect(orders.map((o) => [o.row, o.orderNo, o.content])).toEqual([
      [3, 'AP2', '有逗号, 的内容'],
      [4, 'AP3', '第3条诉求内容'],
    ]);
  });

  it('an unclosed quote in the last row, and stray quotes inside cells', async () => {
    const stray = line(2, '他说"不管"就挂了');
    const rows = [HEADER, line(1), stray, line(3, '"最后一行没有闭合')];
    const { orders, rejected } = await readAll(Readable.from([Buffer.from(csv(rows))]));
    expect(orders.map((o) => o.content)).toEqual(['第1条诉求内容', '他说"不管"就挂了']);
    expect(rejected.map((r) => r.row)).toEqual([4]);
  });

  it('a row with the wrong number of fields is rejected with its number; trailing empty fields are fine', async () => {
    const rows = [HEADER, line(1) + ',多出来的,一列', line(2).split(',').slice(0, 7).join(','), line(3) + ',,', line(4)];
    const { orders, rejected } = await readAll(Readable.from([Buffer.from(csv(rows))]));
    expect(rejected.map((r) => [r.row, r.code])).toEqual([
      [2, 'field_count'],
      [3, 'field_count'],
    ]);
    expect(rejected[0].reason).toMatch(/12.*10/);
    expect(orders.map((o) => o.orderNo)).toEqual(['AP3', 'AP4']);
  });

  it('a cell over 10,000 characters rejects the row, and the limit can be changed', async () => {
    const rows = [HEADER, line(1, '长'.repeat(10_001)), line(2)];
    const { orders, rejected } = await readAll(Readable.from([Buffer.from(csv(rows))]));
    expect(rejected).toEqual([expect.objectContaining({ row: 2, code: 'cell_too_long', orderNo: 'AP1' })]);
    expect(orders.map((o) => o.orderNo)).toEqual(['AP2']);
    const strict = await readAll(Readable.from([Buffer.from(csv(rows))]), { maxCellChars: 5 });
    expect(strict.rejected.map((r) => r.row)).toEqual([2, 3]);
  });

  it('header synonyms with marks and notes', async () => {
    const text = csv(['工单号码*,登记时间（必填）,联系人,电话,问题类型,工单标题,问题描述【必填】,责任单位,办结时限,所属区县,备注', 'X-1,2026年11月9日 17时21分,王女士,="013812345678",感谢,谢谢,窗口服务好,区税务局,3个工作日,安平区,无']);
    const { orders } = await readAll(Readable.from([Buffer.from(text)]));
    expect(orders[0]).toMatchObject({
      orderNo: 'X-1',
      caller: '王女士',
      phone: '013812345678',
      appealType: '表扬',
      title: '谢谢',
      content: '窗口服务好',
      assignedUnit: '区税务局',
      deadlineWorkingDays: 3,
      region: '安平区',
      extras: { 备注: '无' },
    });
    expect(orders[0].receivedAt.toISOString()).toBe('2026-11-09T09:21:00.000Z');
  });

  it('a file without a recognisable header fails as a whole', async () => {
    const text = csv(['标题,说明', 'a,b']);
    await expect(readAll(Readable.from([Buffer.from(text)]))).rejects.toThrow(HotlineFileError);
    await expect(readAll(Readable.from([Buffer.from(text)]))).rejects.toMatchObject({ code: 'no_header' });
  });

  it('refuses an .xls and a file named .xlsx that is not a workbook', async () => {
    await expect(readAll(Readable.from([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])]))).rejects.toMatchObject({ code: 'unsupported_format' });
    await expect(readAll(Readable.from([Buffer.from(csv([HEADER, line(1)]))]), { fileName: 'x.xlsx' })).rejects.toMatchObject({ code: 'unreadable_file' });
  });

  it('the quote guard passes well-formed text through unchanged, whatever the chunking', async () => {
    const text = csv([HEADER, line(1, '"多行\r\n内容, 带""引号"""'), line(2)]) + 'AP3,"尾行"';
    for (const size of [1, 2, 3, 7, 1000]) {
      const guard = new CsvQuoteGuard(',', 1000);
      const pieces: string[] = [];
      guard.on('data', (b: Buffer) => pieces.push(b.toString('utf8')));
      const done = new Promise((resolve) => guard.on('end', resolve));
      for (let i = 0; i < text.length; i += size) guard.write(text.slice(i, i + size));
      guard.end();
      await done;
      expect(pieces.join('')).toBe(text);
    }
  });
});

describe('XLSX built with exceljs', () => {
  async function workbook(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('工单');
    build(ws, wb);
    return Buffer.from(await wb.xlsx.writeBuffer());
  }

  it('title rows, date cells, text dates, serials and numeric order numbers and phones', async () => {
    const bytes = await workbook((ws, wb) => {
      wb.addWorksheet('说明'); // a second sheet is not read
      ws.addRow(['示例市12345热线工单导出']);
      ws.mergeCells('A1:F1');
      ws.addRow(['导出时间：2026-11-15']);
      ws.addRow(['工单编号*', '来电时间（必填）', '联系电话', '诉求类型', '诉求内容', '承办单位']);
      ws.addRow([2026110900001, new Date(Date.UTC(2026, 10, 9, 17, 21)), 13815908301, '投诉类', '窗口人员态度差', '区民政局']);
      ws.getCell('B4').numFmt = 'yyyy-mm-dd hh:mm';
      ws.addRow(['AP2', '2026/11/10 08:05', '13900000000', '咨询', '怎么办理', null]);
      ws.addRow([]);
      ws.addRow(['AP3', 46337.5, '="013800138000"', '建议', { richText: [{ text: '富文本' }, { text: '内容' }] }, '区税务局']);
      ws.addRow(['AP4', '下周一', '', '', '内容', '']);
    });
    const { orders, rejected, info } = await readAll(Readable.from([bytes]));
    expect(info).toMatchObject({ format: 'xlsx', sheet: '工单', headerRow: 3 });
    expect(orders.map((o) => [o.row, o.orderNo, o.phone, o.receivedAt.toISOString()])).toEqual([
      [4, '2026110900001', '13815908301', '2026-11-09T09:21:00.000Z'],
      [5, 'AP2', '13900000000', '2026-11-10T00:05:00.000Z'],
      [7, 'AP3', '013800138000', '2026-11-11T04:00:00.000Z'],
    ]);
    expect(orders[0].appealType).toBe('投诉');
    expect(orders[2].content).toBe('富文本内容');
    expect(rejected).toEqual([expect.objectContaining({ row: 8, code: 'bad_date' })]);
  });

  it('a cell over 10,000 characters', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(['工单编号', '来电时间', '诉求内容']);
      ws.addRow(['AP1', '2026-11-09', 'x'.repeat(10_001)]);
      ws.addRow(['AP2', '2026-11-09', 'ok']);
    });
    const { orders, rejected } = await readAll(Readable.from([bytes]));
    expect(rejected.map((r) => [r.row, r.code])).toEqual([[2, 'cell_too_long']]);
    expect(orders.map((o) => o.orderNo)).toEqual(['AP2']);
  });

  it('a workbook without a header fails as a whole', async () => {
    const bytes = await workbook((ws) => {
      ws.addRow(['姓名', '电话']);
    });
    await expect(readAll(Readable.from([bytes]))).rejects.toMatchObject({ code: 'no_header' });
  });
});

describe('streaming', () => {
  it('200,000 GBK rows generated on the fly: all read, memory stays flat', async () => {
    const n = 200_000;
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    let ok = 0;
    let rejected = 0;
    let lastRow = 0;
    let ordered = true;
    for await (const r of readHotlineFile(hotlineCsvStream(n, { encoding: 'gbk', seed: 7 }), { mapping })) {
      if (r.ok) ok++;
      else rejected++;
      ordered &&= r.row > lastRow; // a plain check: an expect() per row would itself fill the heap
      lastRow = r.row;
      if ((ok + rejected) % 2000 === 0) {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
    expect(ok).toBe(n);
    expect(rejected).toBe(0);
    expect(ordered).toBe(true);
    expect(lastRow).toBe(n + 1);
    // Holding the rows would take far more: the file alone is ~50 MB of GBK, ~1 GB as JS objects. (Measured alone:
    // +68 MB RSS; the bound leaves room for a lazy collector on a busy machine and still tells streaming apart.)
    expect((peakRss - base.rss) / 1048576).toBeLessThan(250);
    expect((peakHeap - base.heapUsed) / 1048576).toBeLessThan(250);
  }, 300_000);

  it('stopping early releases the file', async () => {
    const source = createReadStream(path.join(DATA, 'anping-12345-gbk.csv'));
    for await (const r of readHotlineFile(source, { mapping })) {
      expect(r.row).toBe(2);
      break;
    }
    expect(source.destroyed).toBe(true);
  });
});
