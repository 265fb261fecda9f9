import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { loadDefaultMapping } from '../../src/intake/hotline/column-mapping.js';
import { HotlineFileError, readHotlineFile } from '../../src/intake/hotline/hotline-file.js';
import type { HotlineRowResult } from '../../src/intake/hotline/hotline-row.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * Issue 13, finding 4: one import file must not stall or kill the process. Each hostile file finishes fast with a
 * clear error (or a rejected row) and the good rows are kept.
 */
const MB = 1024 * 1024;
/**
 * A stall check, not a speed test: a linear pass over these files takes well under a second here, the old quadratic
 * patterns took minutes; the bound sits far from both so a busy CI machine cannot make it flaky.
 */
const FAST_MS = 15_000;
const HEADER = ['工单编号', '来电时间', '来电人', '联系电话', '诉求类型', '诉求标题', '诉求内容', '承办单位'];
const good = (i: number): string[] => [`SEC${i}`, '2026-11-09 17:21:00', '余先生', '13800000000', '投诉', `标题${i}`, `第${i}条诉求内容`, '区民政局'];
const mapping = loadDefaultMapping();

async function readAll(input: NodeJS.ReadableStream, extra: { fileName?: string; maxInflatedBytes?: number } = {}) {
  const rows: HotlineRowResult[] = [];
  const started = performance.now();
  let error: unknown = null;
  try {
    for await (const r of readHotlineFile(input, { mapping, ...extra })) rows.push(r);
  } catch (e) {
    error = e;
  }
  return { ok: rows.filter((r) => r.ok).map((r) => (r.ok ? r.order.orderNo : '')), rejected: rows.filter((r) => !r.ok), error, ms: performance.now() - started };
}

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('工单');
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('hostile 12345 files (the streaming reader)', () => {
  it('an XLSX with a 1 MB header cell and 1 MB cells of "(" and of spaces: fast, the long rows rejected, the good rows read', async () => {
    const parens = '('.repeat(MB);
    const spaces = `${' '.repeat(MB)}\n${' '.repeat(MB)}x`;
    const buf = await workbook([
      [...HEADER, parens],
      good(1),
      [...good(2).slice(0, 6), parens, '区民政局'],
      [...good(3).slice(0, 6), spaces, '区民政局'],
      [...good(4).slice(0, 1), parens, ...good(4).slice(2)],
      good(5),
    ]);
    const r = await readAll(Readable.from([buf]), { fileName: 'x.xlsx' });
    expect(r.error).toBeNull();
    expect(r.ok).toEqual(['SEC1', 'SEC5']);
    expect(r.rejected.map((x) => (x.ok ? '' : x.code))).toEqual(['cell_too_long', 'cell_too_long', 'cell_too_long']);
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('a CSV with an endless unquoted line: one rejected row, the rest of the file read, nothing buffered without end', async () => {
    const head = [HEADER.join(','), good(1).join(','), ''].join('\r\n');
    const endless = async function* () {
      yield Buffer.from(head, 'utf8');
      yield Buffer.from('SEC2,2026-11-09 17:21:00,x,x,投诉,t,', 'utf8');
      for (let i = 0; i < 40; i++) yield Buffer.alloc(MB / 2, 'A'); // 20 MB on one line
      yield Buffer.from(`\r\n${good(3).join(',')}\r\n`, 'utf8');
      yield Buffer.from('SEC4,2026-11-09 17:21:00,', 'utf8');
      for (let i = 0; i < 40; i++) yield Buffer.alloc(MB / 2, 'B'); // and 20 MB more until the end of the file
    };
    const r = await readAll(Readable.from(endless()), { fileName: 'x.csv' });
    expect(r.error).toBeNull();
    expect(r.ok).toEqual(['SEC1', 'SEC3']);
    expect(r.rejected.map((x) => (x.ok ? '' : x.code))).toEqual(['line_too_long', 'line_too_long']);
    expect(r.ms).toBeLessThan(FAST_MS);
  });

  it('an XLSX that inflates past the limit stops with a clear error, after yielding the rows before it', async () => {
    // more good rows than the header search holds back, then a cell that inflates to 64 MB
    const goodRows = Array.from({ length: 15 }, (_, i) => good(i + 1));
    const base = await JSZip.loadAsync(await workbook([HEADER, ...goodRows, [...good(99).slice(0, 6), 'BOMB', '区民政局']]));
    const sheet = await base.file('xl/worksheets/sheet1.xml')!.async('string');
    const bombed = sheet.replace(/<c r="G17"[^>]*>.*?<\/c>/, `<c r="G17" t="inlineStr"><is><t>${'A'.repeat(64 * MB)}</t></is></c>`);
    expect(bombed.length).toBeGreaterThan(64 * MB);
    // the parts the rows need first, so the sheet streams (rather than being spooled) and its rows come out as read
    const ordered = new JSZip();
    for (const f of Object.values(base.files)) if (!f.dir && f.name !== 'xl/worksheets/sheet1.xml') ordered.file(f.name, await f.async('nodebuffer'));
    ordered.file('xl/worksheets/sheet1.xml', bombed);
    const zip = await ordered.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
    expect(zip.length).toBeLessThan(2 * MB);
    const r = await readAll(Readable.from([zip]), { fileName: 'bomb.xlsx', maxInflatedBytes: 8 * MB });
    expect(r.ok).toEqual(goodRows.map((g) => g[0]));
    expect(r.error).toBeInstanceOf(HotlineFileError);
    expect((r.error as HotlineFileError).code).toBe('too_large');
    expect((r.error as Error).message).toMatch(/zip bomb/);
    expect(r.ms).toBeLessThan(FAST_MS);
    // in Excel's own order (the sheet before the shared strings) the sheet is spooled to disk: the limit holds there too
    base.file('xl/worksheets/sheet1.xml', bombed);
    const spooled = await readAll(Readable.from([await base.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' })]), { fileName: 'bomb.xlsx', maxInflatedBytes: 8 * MB });
    expect((spooled.error as HotlineFileError | null)?.code).toBe('too_large');
    expect(spooled.ms).toBeLessThan(FAST_MS);
  });
});

describe('hostile case-log files (POST /api/cases/import)', () => {
  let ctx: TestContext;
  let op: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    op = await ctx.login('operator');
  });
  afterAll(async () => ctx.close());

  const upload = (buf: Buffer, name: string) => ctx.http().post('/api/cases/import').set('Authorization', `Bearer ${op}`).attach('file', buf, name);
  const CASE_HEADER = ['办件编号', '事项编码', '环节', '承办单位', '开始时间', '结束时间', '结果'];
  const step = (no: string) => [no, 'SX-001', '受理', '区市场监督管理局', '2026-10-09 09:30', '2026-10-09 10:00', '通过'];

  it('a CSV with a 1 MB header cell and a 1 MB cell of "(": fast, the long row rejected, the good rows imported', async () => {
    const parens = '('.repeat(MB);
    const csv = [[...CASE_HEADER, parens], step('C-1'), [...step('C-2').slice(0, 6), parens], step('C-3')].map((r) => r.join(',')).join('\r\n');
    const started = performance.now();
    const r = await upload(Buffer.from(csv, 'utf8'), 'cases.csv');
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    expect(r.status).toBeLessThan(300);
    expect(r.body.steps).toBe(2);
    expect(r.body.rejected).toEqual([{ row: 3, reason: expect.stringMatching(/longer than/) }]);
  });

  it('an XLSX zip bomb is refused unread, fast, with a clear error', async () => {
    const base = await JSZip.loadAsync(await workbook([CASE_HEADER, step('C-9')]));
    base.file('xl/media/bomb.bin', Buffer.alloc(128 * MB));
    const zip = await base.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
    expect(zip.length).toBeLessThan(2 * MB);
    const started = performance.now();
    const r = await upload(zip, 'bomb.xlsx');
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/inflates past 64 MB/);
  });
});
