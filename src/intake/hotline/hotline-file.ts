// Streams a 12345 export (CSV in any of the usual encodings, or XLSX) into normalised rows. Nothing here holds more than
// a bounded window of the file: bytes flow source → decoder → quote guard → csv-parse (or the exceljs streaming reader)
// → one row at a time to the consumer, and each stage waits for the next one (backpressure through async iteration).
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable, Transform, type TransformCallback, pipeline } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { parse as parseCsv } from 'csv-parse';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { type ColumnMapping, type ResolvedColumns, findHeaderRow } from './column-mapping.js';
import { DEFAULT_MAX_CELL_CHARS, type HotlineRowResult, REJECT_TEXT, normaliseRow } from './hotline-row.js';

export type HotlineFileFormat = 'csv' | 'xlsx';
export type CsvEncoding = 'utf8' | 'gb18030' | 'utf16le' | 'utf16be';

export interface HotlineFileInfo {
  format: HotlineFileFormat;
  /** CSV only: the detected text encoding. GB18030 is read for GBK and GB2312 files too (it is their superset). */
  encoding?: CsvEncoding;
  /** CSV only: the detected field delimiter. */
  delimiter?: string;
  /** XLSX only: the worksheet read. */
  sheet?: string;
  /** The header's row number in the file (1-based; rows above it are title rows). */
  headerRow: number;
  columns: ResolvedColumns;
}

export interface ReadHotlineOptions {
  /** The uploaded file's name: only used to refuse an .xlsx/.xls that is not a readable workbook. */
  fileName?: string;
  mapping: ColumnMapping;
  /** Longest accepted cell; a longer one rejects its row. Default 10,000 characters. */
  maxCellChars?: number;
  /**
   * Resume point: rows numbered up to and including this one are read past without being normalised or yielded.
   * Pass the last row number a previous run stored; the file is still parsed from the start (CSV and XLSX are not
   * seekable by row), which costs parsing time but no storage work.
   */
  afterRow?: number;
  /** Called once the header is found, before the first row is yielded. */
  onHeader?: (info: HotlineFileInfo) => void;
  /** XLSX: most bytes its parts may inflate to (default MAX_XLSX_INFLATED_BYTES). */
  maxInflatedBytes?: number;
}

export type HotlineFileErrorCode = 'no_header' | 'unreadable_file' | 'unsupported_format' | 'too_large';

/**
 * Most bytes an XLSX may inflate to (all its parts together): a zip bomb stops here, with the rows read before it
 * kept, instead of filling memory (shared strings are cached) or the temporary folder (sheets may be spooled).
 */
export const MAX_XLSX_INFLATED_BYTES = 256 * 1024 * 1024;

/** A problem with the whole file (no header, not a workbook): nothing in it can be imported. */
export class HotlineFileError extends Error {
  constructor(
    readonly code: HotlineFileErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HotlineFileError';
  }
}

/** Single-use: iterate once. `info` is set when the header has been found. */
export interface HotlineRowStream extends AsyncIterable<HotlineRowResult> {
  readonly info: HotlineFileInfo | undefined;
}

const SNIFF_BYTES = 64 * 1024;
/** a record may hold this many full-length cells before it counts as an endless line */
const MAX_RECORD_CELLS = 16;
const READ_CHUNK = 256 * 1024;

/**
 * Reads a hotline export as a stream of row results: `{ok: true, row, order}` or `{ok: false, row, code, reason}`, in
 * file order, with `row` the row number a person sees (1-based, counting title and header rows; for CSV a quoted
 * multi-line cell still makes one row, as in Excel). Blank rows are skipped silently. Throws HotlineFileError when the
 * file as a whole cannot be read.
 */
export function readHotlineFile(input: string | NodeJS.ReadableStream, opts: ReadHotlineOptions): HotlineRowStream {
  const state: { info: HotlineFileInfo | undefined } = { info: undefined };
  const rows = readRows(input, opts, (info) => {
    state.info = info;
    opts.onHeader?.(info);
  });
  return {
    get info() {
      return state.info;
    },
    [Symbol.asyncIterator]: () => rows,
  };
}

type Source = NodeJS.ReadableStream & { destroy?: (e?: Error) => void };

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new HotlineFileError('unreadable_file', 'the upload stream gave something other than bytes');
}

async function* readRows(input: string | NodeJS.ReadableStream, opts: ReadHotlineOptions, onHeader: (info: HotlineFileInfo) => void): AsyncGenerator<HotlineRowResult> {
  const source: Source = typeof input === 'string' ? createReadStream(input, { highWaterMark: READ_CHUNK }) : input;
  const chunks = source[Symbol.asyncIterator]();
  try {
    // Sniff the format and encoding from the first bytes, then hand those bytes and the rest on unchanged.
    const head: Buffer[] = [];
    let headLength = 0;
    let ended = false;
    while (headLength < SNIFF_BYTES) {
      const next = await chunks.next();
      if (next.done) {
        ended = true;
        break;
      }
      const b = toBuffer(next.value);
      head.push(b);
      headLength += b.length;
    }
    const first = Buffer.concat(head);
    const body = Readable.from(replay(first, chunks, ended), { objectMode: false, highWaterMark: READ_CHUNK });

    const name = opts.fileName?.toLowerCase() ?? (typeof input === 'string' ? input.toLowerCase() : '');
    const isZip = first.length >= 4 && first.readUInt32BE(0) === 0x504b0304;
    const isOle = first.length >= 4 && first.readUInt32BE(0) === 0xd0cf11e0;
    if (isOle) {
      throw new HotlineFileError('unsupported_format', '旧版 Excel (.xls) 文件无法读取，请另存为 .xlsx 或 CSV 后再导入 (legacy .xls is not supported)');
    }
    if (isZip) {
      yield* xlsxRows(body, opts, onHeader);
    } else if (/\.xls[xm]?$/.test(name)) {
      throw new HotlineFileError('unreadable_file', '文件名为 Excel 表格，但内容不是有效的 .xlsx 文件 (named .xlsx but not a workbook)');
    } else {
      yield* csvRows(body, first, ended, opts, onHeader);
    }
  } finally {
    // Early exit (a cancelled job) or an error: release the file handle now, not at garbage collection.
    source.destroy?.();
  }
}

async function* replay(first: Buffer, rest: AsyncIterator<unknown>, ended: boolean): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  if (ended) return;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield toBuffer(next.value);
  }
}

// ─── encoding and delimiter ──────────────────────────────────────────────────────────────────────────────────────────

/** Whether `bytes` is well-formed UTF-8; a sequence cut off at the end counts as valid unless `complete`. */
export function isValidUtf8(bytes: Uint8Array, complete: boolean): boolean {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return false;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return !complete; // cut off by the end of the sample
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/**
 * The encoding of a CSV from its first bytes: a BOM decides; else text that is valid UTF-8 is UTF-8; else GB18030,
 * which reads GBK and GB2312 identically and adds the characters they lack (㐀, 𠀀 …).
 */
export function detectEncoding(head: Uint8Array, complete: boolean): CsvEncoding {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf8';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf16be';
  return isValidUtf8(head, complete) ? 'utf8' : 'gb18030';
}

/** Comma unless the first lines are clearly split by tabs (Excel "Unicode text"), semicolons or bars. */
export function detectDelimiter(sample: string): string {
  const lines = sample.split(/\r\n|\n|\r/, 12).join('\n');
  let best = ',';
  let bestCount = (lines.match(/,/g) ?? []).length;
  for (const d of ['\t', ';', '|']) {
    const count = lines.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

// ─── CSV ─────────────────────────────────────────────────────────────────────────────────────────────────────────────

/** Stands in for a physical line whose quotes are broken; csv-parse reads it as a one-cell record. */
const BROKEN_LINE = '\u0001hotline:broken-quotes\u0001';
/** Stands in for a record past the length cap (an endless line): the rest of its line is skipped unread. */
const LONG_LINE = '\u0001hotline:line-too-long\u0001';
const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Sits before csv-parse and keeps one broken quote from swallowing the rest of the file. It tracks quoting exactly as
 * csv-parse does with relax_quotes (a quote opens a field only at its start; inside, "" is a quote, a quote before a
 * delimiter or line end closes, any other quote turns the field literal) and watches records that span lines, which is
 * where a stray quote does its damage. Such a record is broken when a quoted cell was left through a stray quote, when
 * it has more fields than the header, when its open quote runs on past any plausible cell, or when the file ends inside
 * it. Then its first physical line is replaced by a marker (rejected as "unbalanced quotes", keeping row numbers) and
 * scanning restarts on the next line, so the rows after it are read normally. Buffers at most one record.
 */
export class CsvQuoteGuard extends Transform {
  private buf = '';
  private pos = 0;
  private inQuote = false;
  private fieldStart = true;
  private fields = 1;
  private spansLines = false;
  private stray = false;
  private quoteStart = 0;
  private expectedFields = 0;
  private records = 0;
  private readonly delim: number;
  /** inside a record past the cap: input is dropped up to the next line break */
  private skipping = false;
  /** the skipped line ended in CR at the end of a chunk: an LF starting the next one belongs to it */
  private skippedCr = false;

  constructor(
    delimiter: string,
    private readonly maxQuotedChars: number,
    /** longest record kept; a longer one (an endless line) becomes one rejected row, never a growing buffer */
    private readonly maxRecordChars = Number.POSITIVE_INFINITY,
  ) {
    super({ decodeStrings: false, writableObjectMode: true, readableHighWaterMark: 64 * 1024 });
    this.delim = delimiter.charCodeAt(0);
  }

  override _transform(chunk: string | Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.skippedCr) {
      this.skippedCr = false;
      this.push(text.charCodeAt(0) === LF ? '\r\n' : '\r');
      if (text.charCodeAt(0) === LF) text = text.slice(1);
    }
    if (this.skipping) {
      const e = lineBreakAt(text, 0);
      if (e < 0) return callback(); // still inside the endless line: dropped, not kept
      this.skipping = false;
      if (text.charCodeAt(e) === CR && e + 1 >= text.length) {
        this.skippedCr = true;
        return callback();
      }
      const end = text.charCodeAt(e) === CR && text.charCodeAt(e + 1) === LF ? e + 2 : e + 1;
      this.push(text.slice(e, end));
      text = text.slice(end);
    }
    this.buf += text;
    this.scan(false);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.scan(true);
    if (this.buf.length > 0) this.push(this.buf);
    this.buf = '';
    callback();
  }

  private resetRecord(): void {
    this.inQuote = false;
    this.fieldStart = true;
    this.fields = 1;
    this.spansLines = false;
    this.stray = false;
  }

  private isBroken(): boolean {
    return this.spansLines && (this.stray || (this.expectedFields > 1 && this.fields > this.expectedFields));
  }

  private scan(final: boolean): void {
    const s = this.buf;
    const n = s.length;
    const d = this.delim;
    let out = '';
    let emitted = 0; // s[emitted, recStart) holds finished records not yet pushed
    let recStart = 0;
    let i = this.pos;

    // Replace the first physical line of the current record by the marker and restart scanning after it.
    const breakRecord = (): boolean => {
      let e = recStart;
      while (e < n && s.charCodeAt(e) !== LF && s.charCodeAt(e) !== CR) e++;
      if (e >= n) return false; // one physical line: nothing after it to save
      const lineEnd = s.charCodeAt(e) === CR && s.charCodeAt(e + 1) === LF ? e + 2 : e + 1;
      out += s.slice(emitted, recStart) + BROKEN_LINE + s.slice(e, lineEnd);
      emitted = lineEnd;
      recStart = lineEnd;
      i = lineEnd;
      this.resetRecord();
      return true;
    };

    for (;;) {
      if (i - recStart > this.maxRecordChars) {
        // an endless line (or a record that never ends): one rejected row, and the rest of the line is dropped
        out += s.slice(emitted, recStart) + LONG_LINE;
        this.resetRecord();
        const e = lineBreakAt(s, i);
        if (e < 0 || (s.charCodeAt(e) === CR && e + 1 >= n && !final)) {
          if (e >= 0) this.skippedCr = true;
          else this.skipping = !final;
          emitted = recStart = i = n;
          break;
        }
        const end = s.charCodeAt(e) === CR && s.charCodeAt(e + 1) === LF ? e + 2 : e + 1;
        out += s.slice(e, end);
        emitted = recStart = i = end;
        continue;
      }
      if (i >= n) {
        if (!final || recStart >= n) break;
        // End of file inside a record that never ended with a line break.
        if ((this.inQuote && this.spansLines) || this.isBroken()) {
          if (breakRecord()) continue;
        }
        break;
      }
      const c = s.charCodeAt(i);
      if (this.inQuote) {
        if (c === QUOTE) {
          if (i + 1 >= n) {
            if (!final) break; // need the next character to know what this quote does
            this.inQuote = false;
            i++;
            continue;
          }
          const next = s.charCodeAt(i + 1);
          if (next === QUOTE) {
            i += 2;
            continue;
          }
          this.inQuote = false;
          if (next !== d && next !== LF && next !== CR) this.stray = true;
          i++;
          continue;
        }
        if (c === LF || c === CR) {
          this.spansLines = true;
        } else if (this.spansLines && i - this.quoteStart > this.maxQuotedChars) {
          if (breakRecord()) continue;
        }
        i++;
        continue;
      }
      if (c === QUOTE && this.fieldStart) {
        this.inQuote = true;
        this.quoteStart = i;
        this.fieldStart = false;
        i++;
        continue;
      }
      if (c === d) {
        this.fields++;
        this.fieldStart = true;
        i++;
        continue;
      }
      if (c === LF || c === CR) {
        let end = i + 1;
        if (c === CR) {
          if (i + 1 >= n && !final) break; // a CRLF may be split across chunks
          if (s.charCodeAt(i + 1) === LF) end = i + 2;
        }
        if (this.isBroken() && breakRecord()) continue;
        if (this.records < 10) {
          this.records++;
          this.expectedFields = Math.max(this.expectedFields, this.fields);
        }
        this.resetRecord();
        recStart = end;
        i = end;
        continue;
      }
      this.fieldStart = false;
      i++;
    }

    out += s.slice(emitted, recStart);
    if (out.length > 0) this.push(out);
    this.buf = s.slice(recStart);
    this.pos = i - recStart;
    this.quoteStart -= recStart;
  }
}

/** Index of the first CR or LF at or after `from`, or -1. */
function lineBreakAt(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF || c === CR) return i;
  }
  return -1;
}

interface CsvRecord {
  record: string[];
  info: { records: number };
}

async function* csvRows(body: Readable, first: Buffer, complete: boolean, opts: ReadHotlineOptions, onHeader: (info: HotlineFileInfo) => void): AsyncGenerator<HotlineRowResult> {
  const encoding = detectEncoding(first, complete);
  const delimiter = detectDelimiter(iconv.decode(first.subarray(0, 16 * 1024), encoding));
  const maxCellChars = opts.maxCellChars ?? DEFAULT_MAX_CELL_CHARS;
  const decoder = iconv.decodeStream(encoding); // strips the BOM
  const maxRecordChars = MAX_RECORD_CELLS * maxCellChars + 64 * 1024;
  const guard = new CsvQuoteGuard(delimiter, 4 * maxCellChars + 4096, maxRecordChars);
  const parser = parseCsv({
    delimiter,
    // the guard already cuts longer records; csv-parse's own bound is the second line of defence
    max_record_size: maxRecordChars + 4096,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false, // blank lines still count as rows, so row numbers match what Excel shows
    skip_records_with_error: true,
    info: true,
  });
  pipeline(body, decoder, guard, parser, () => {
    // Errors reach the consumer through the parser's iterator; nothing to do here.
  });

  const pending: { row: number; cells: string[] }[] = [];
  let columns: ResolvedColumns | undefined;
  let minFields = 0;
  let maxFields = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<CsvRecord>) {
      const row = info.records;
      if (!columns) {
        pending.push({ row, cells: record });
        if (pending.length < opts.mapping.headerScanRows) continue;
        ({ columns, minFields, maxFields } = decideHeader(pending, opts, onHeader, { format: 'csv', encoding, delimiter }));
        for (const p of pending.splice(0)) {
          const r = csvRow(p.cells, p.row, columns, minFields, maxFields, opts, maxCellChars);
          if (r) yield r;
        }
        continue;
      }
      const r = csvRow(record, row, columns, minFields, maxFields, opts, maxCellChars);
      if (r) yield r;
    }
    if (!columns) {
      ({ columns, minFields, maxFields } = decideHeader(pending, opts, onHeader, { format: 'csv', encoding, delimiter }));
      for (const p of pending.splice(0)) {
        const r = csvRow(p.cells, p.row, columns, minFields, maxFields, opts, maxCellChars);
        if (r) yield r;
      }
    }
  } finally {
    parser.destroy();
  }
}

function decideHeader(
  pending: { row: number; cells: unknown[] }[],
  opts: ReadHotlineOptions,
  onHeader: (info: HotlineFileInfo) => void,
  base: Omit<HotlineFileInfo, 'headerRow' | 'columns'>,
): { columns: ResolvedColumns; minFields: number; maxFields: number } {
  const found = findHeaderRow(
    pending.map((p) => p.cells),
    opts.mapping,
  );
  if (!found) {
    const want = opts.mapping.required.map((f) => opts.mapping.fields[f][0]).join('、');
    throw new HotlineFileError(
      'no_header',
      `前${opts.mapping.headerScanRows}行中没有找到表头，表头至少需要包含：${want}（可在 config/hotline/*.yaml 中配置列名） (no header row with the required columns in the first ${opts.mapping.headerScanRows} rows)`,
    );
  }
  const headerRow = pending[found.index].row;
  const headerCells = pending[found.index].cells;
  let lastFilled = -1;
  headerCells.forEach((c, i) => {
    if (typeof c === 'string' && c.trim() !== '') lastFilled = i;
  });
  pending.splice(0, found.index + 1); // title rows and the header itself are not data
  onHeader({ ...base, headerRow, columns: found.columns });
  // Trailing blank header cells are padding: rows may stop before them, but not before the last named column.
  return { columns: found.columns, minFields: lastFilled + 1, maxFields: headerCells.length };
}

function isBlank(cells: readonly unknown[]): boolean {
  return cells.every((c) => c === null || c === undefined || (typeof c === 'string' && c.trim() === ''));
}

function csvRow(
  cells: string[],
  row: number,
  columns: ResolvedColumns,
  minFields: number,
  maxFields: number,
  opts: ReadHotlineOptions,
  maxCellChars: number,
): HotlineRowResult | undefined {
  if (opts.afterRow !== undefined && row <= opts.afterRow) return undefined;
  if (cells.length === 1 && cells[0] === BROKEN_LINE) {
    return { ok: false, row, code: 'broken_quotes', reason: REJECT_TEXT.broken_quotes };
  }
  if (cells.length === 1 && cells[0] === LONG_LINE) {
    return { ok: false, row, code: 'line_too_long', reason: REJECT_TEXT.line_too_long };
  }
  if (isBlank(cells)) return undefined;
  const overflow = cells.length > maxFields && cells.slice(maxFields).some((c) => c.trim() !== '');
  if (overflow || cells.length < minFields) {
    return {
      ok: false,
      row,
      code: 'field_count',
      reason: `列数与表头不符：表头${maxFields}列，本行${cells.length}列 (wrong number of fields: ${cells.length} instead of ${maxFields})`,
    };
  }
  return normaliseRow(cells, columns, row, { maxCellChars });
}

// ─── XLSX ────────────────────────────────────────────────────────────────────────────────────────────────────────────

// exceljs's streaming reader decodes every inflated chunk of XML on its own, so a character whose UTF-8 bytes straddle
// two chunks turns into U+FFFD (Chinese text: about one cell in a few hundred). The reader below is exceljs's own
// WorkbookReader.parse (4.4) with the zip entries decoded as text streams, which keep characters whole. It uses the
// zip library and helpers exceljs itself ships, resolved from exceljs's location, so they are the versions it expects.
// It also waits for the styles and workbook parts before reading a sheet (a sheet read earlier, as the zip order of
// Excel's own files makes it, is spooled to a temporary file, not to memory) so date cells are recognised.
const requireFromExceljs = createRequire(createRequire(import.meta.url).resolve('exceljs'));
const unzipper = requireFromExceljs('unzipper') as { Parse(options: { forceStream: boolean }): NodeJS.ReadWriteStream };
const iterateStream = requireFromExceljs('./lib/utils/iterate-stream') as (stream: NodeJS.ReadableStream) => AsyncIterable<unknown>;

interface ZipEntry extends Readable {
  path: string;
  autodrain(): void;
}
interface WorkbookReaderInternals {
  input: unknown;
  stream: unknown;
  sharedStrings?: unknown;
  workbookRels?: unknown;
  _getStream(input: unknown): Readable;
  _parseRels(entry: ZipEntry): Promise<void>;
  _parseWorkbook(entry: ZipEntry): Promise<void>;
  _parseStyles(entry: ZipEntry): Promise<void>;
  _parseSharedStrings(entry: ZipEntry): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<unknown>, sheetNo: string): Generator<unknown>;
}

class Utf8WorkbookReader extends ExcelJS.stream.xlsx.WorkbookReader {
  /** every part's inflated bytes count against this; past it the read stops with a 'too_large' error */
  maxInflatedBytes = MAX_XLSX_INFLATED_BYTES;

  override async *parse(): AsyncGenerator<unknown> {
    const self = this as unknown as WorkbookReaderInternals;
    const stream = self._getStream(self.input);
    self.stream = stream;
    const zip = unzipper.Parse({ forceStream: true }) as NodeJS.ReadWriteStream & { destroy(e?: Error): void };
    stream.pipe(zip);
    let left = this.maxInflatedBytes;
    const limit = this.maxInflatedBytes;
    const count = (entry: ZipEntry): ZipEntry => {
      const counted = new Transform({
        transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
          left -= chunk.length;
          if (left >= 0) return cb(null, chunk);
          const e = new HotlineFileError(
            'too_large',
            `Excel 文件解压后超过 ${Math.round(limit / 1024 / 1024)} MB，已停止读取；之前读到的行已保留 (the workbook inflates past ${limit} bytes: a zip bomb?)`,
          );
          cb(e);
          // nothing more is inflated: the zip and the file stop too, and the reader's loop sees the error
          zip.destroy(e);
          stream.destroy(e);
        },
      });
      const out = counted as unknown as ZipEntry;
      out.path = entry.path;
      out.autodrain = () => void counted.resume();
      counted.on('error', () => undefined); // reported through the reader's own iteration
      entry.on('error', (e: Error) => counted.destroy(e));
      entry.pipe(counted);
      return out;
    };
    let styles = false;
    let workbook = false;
    let spool: string | undefined;
    const waiting: { sheetNo: string; file: string }[] = [];
    try {
      for await (const item of iterateStream(zip)) {
        const entry = count(item as ZipEntry);
        if (/\.(xml|rels)$/.test(entry.path)) entry.setEncoding('utf8');
        const sheet = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(entry.path);
        if (entry.path === 'xl/_rels/workbook.xml.rels') await self._parseRels(entry);
        else if (entry.path === 'xl/workbook.xml') {
          await self._parseWorkbook(entry);
          workbook = true;
        } else if (entry.path === 'xl/sharedStrings.xml') yield* self._parseSharedStrings(entry);
        else if (entry.path === 'xl/styles.xml') {
          await self._parseStyles(entry);
          styles = true;
        } else if (sheet) {
          if (self.sharedStrings && self.workbookRels && styles && workbook) {
            yield* self._parseWorksheet(iterateStream(entry), sheet[1]);
          } else {
            spool ??= mkdtempSync(path.join(tmpdir(), 'hotline-xlsx-'));
            const file = path.join(spool, `sheet${sheet[1]}.xml`);
            await pipelineAsync(entry, createWriteStream(file));
            waiting.push({ sheetNo: sheet[1], file });
          }
        }
        entry.autodrain();
      }
      for (const { sheetNo, file } of waiting) {
        yield* self._parseWorksheet(createReadStream(file, { encoding: 'utf8' }), sheetNo);
      }
    } finally {
      if (spool) rmSync(spool, { recursive: true, force: true });
    }
  }
}

async function* xlsxRows(body: Readable, opts: ReadHotlineOptions, onHeader: (info: HotlineFileInfo) => void): AsyncGenerator<HotlineRowResult> {
  const maxCellChars = opts.maxCellChars ?? DEFAULT_MAX_CELL_CHARS;
  const workbook = new Utf8WorkbookReader(body, {
    worksheets: 'emit',
    sharedStrings: 'cache', // rows refer to strings by index; the table is the one part that must be held
    styles: 'cache', // needed to tell date cells from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  if (opts.maxInflatedBytes !== undefined) workbook.maxInflatedBytes = opts.maxInflatedBytes;
  let sawSheet = false;
  try {
    for await (const sheet of workbook) {
      sawSheet = true;
      const pending: { row: number; cells: unknown[] }[] = [];
      let columns: ResolvedColumns | undefined;
      const sheetName = (sheet as unknown as { name?: string }).name;
      for await (const r of sheet) {
        // row.values is 1-based and sparse; Array.from turns holes into undefined.
        const cells = Array.from((r.values as unknown[]).slice(1));
        if (!columns) {
          if (isBlank(cells)) continue;
          pending.push({ row: r.number, cells });
          if (pending.length < opts.mapping.headerScanRows) continue;
          columns = tryHeader(pending, opts, onHeader, sheetName);
          if (!columns) break; // not a work-order sheet: try the next one
          for (const p of pending.splice(0)) {
            const res = xlsxRow(p.cells, p.row, columns, opts, maxCellChars);
            if (res) yield res;
          }
          continue;
        }
        const res = xlsxRow(cells, r.number, columns, opts, maxCellChars);
        if (res) yield res;
      }
      if (!columns && pending.length > 0) {
        columns = tryHeader(pending, opts, onHeader, sheetName);
        if (columns) {
          for (const p of pending.splice(0)) {
            const res = xlsxRow(p.cells, p.row, columns, opts, maxCellChars);
            if (res) yield res;
          }
        }
      }
      if (columns) return; // the first worksheet with a header is the export; the rest are notes or pivots
    }
  } catch (e) {
    if (e instanceof HotlineFileError) throw e;
    throw new HotlineFileError('unreadable_file', `无法读取该 Excel 文件 (unreadable xlsx: ${(e as Error).message})`);
  } finally {
    body.destroy();
  }
  if (!sawSheet) throw new HotlineFileError('unreadable_file', 'Excel 文件中没有工作表 (the workbook has no worksheet)');
  const want = opts.mapping.required.map((f) => opts.mapping.fields[f][0]).join('、');
  throw new HotlineFileError(
    'no_header',
    `所有工作表的前${opts.mapping.headerScanRows}行中都没有找到表头，表头至少需要包含：${want} (no header row with the required columns in any worksheet)`,
  );
}

function tryHeader(
  pending: { row: number; cells: unknown[] }[],
  opts: ReadHotlineOptions,
  onHeader: (info: HotlineFileInfo) => void,
  sheet: string | undefined,
): ResolvedColumns | undefined {
  const found = findHeaderRow(
    pending.map((p) => p.cells),
    opts.mapping,
  );
  if (!found) return undefined;
  const headerRow = pending[found.index].row;
  pending.splice(0, found.index + 1);
  onHeader({ format: 'xlsx', ...(sheet ? { sheet } : {}), headerRow, columns: found.columns });
  return found.columns;
}

function xlsxRow(cells: unknown[], row: number, columns: ResolvedColumns, opts: ReadHotlineOptions, maxCellChars: number): HotlineRowResult | undefined {
  if (opts.afterRow !== undefined && row <= opts.afterRow) return undefined;
  if (isBlank(cells)) return undefined;
  return normaliseRow(cells, columns, row, { maxCellChars });
}
