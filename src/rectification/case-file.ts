/**
 * Case step logs (办件) from the approval system's export: CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK/GB18030)
 * or XLSX, with the headers 办件编号, 事项编码, 环节, 承办单位, 开始时间, 结束时间, 结果 (a title row or two above them is
 * fine). Times without an offset are China time. A bad row is reported with its row number and reason and never stops
 * the good rows. Pure apart from decoding; the service stores the rows.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { assertInflatesWithin } from '../common/zip-budget.js';

export interface CaseFileRow {
  /** 1-based row number in the file (CSV: record number; XLSX: sheet row) */
  row: number;
  caseNo: string;
  itemCode: string | null;
  step: string;
  unit: string;
  startedAt: Date;
  endedAt: Date | null;
  result: string | null;
}

export interface Rejected {
  row: number;
  reason: string;
}

export class CaseFileError extends Error {}

/** most bytes a case-log workbook may inflate to: it is loaded whole, so a zip bomb is refused before that */
export const MAX_CASE_XLSX_INFLATED_BYTES = 64 * 1024 * 1024;

const COLUMNS = {
  caseNo: ['办件编号', '办件号', '申办编号', '业务流水号', '受理编号'],
  itemCode: ['事项编码', '事项代码', '实施编码'],
  step: ['环节', '环节名称', '办理环节'],
  unit: ['承办单位', '办理单位', '承办部门', '办理部门'],
  start: ['开始时间', '环节开始时间', '接收时间'],
  end: ['结束时间', '环节结束时间', '办结时间', '完成时间'],
  result: ['结果', '办理结果', '环节结果', '处理结果'],
} as const;
type Key = keyof typeof COLUMNS;
const REQUIRED: Key[] = ['caseNo', 'step', 'unit', 'start'];
const MAX_HEADER_SEARCH = 10;

const clean = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).replace(/^\uFEFF/, '').trim();
/** a header is a few words; a longer cell is not one and never reaches a regex */
const MAX_HEADER_CHARS = 64;
/** longest cell read: a longer one rejects its row before any parsing */
export const MAX_CASE_CELL_CHARS = 2000;
const headerKey = (h: string): Key | null => {
  if (h.length > MAX_HEADER_CHARS) return null;
  let t = h.replace(/\s+/g, '');
  // a trailing note in brackets, "开始时间（北京时间）": from the first opening bracket, when the text ends in a closing one
  if (t.endsWith(')') || t.endsWith('）')) {
    const open = t.search(/[（(]/);
    if (open >= 0) t = t.slice(0, open);
  }
  for (const [k, names] of Object.entries(COLUMNS) as [Key, readonly string[]][]) if (names.includes(t)) return k;
  return null;
};

/** China wall-clock parts → the instant. */
const china = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date | null => {
  const t = Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3_600_000;
  const back = new Date(t + 8 * 3_600_000);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return new Date(t);
};

const WALL = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]?\s*(\d{1,2})(?:\.\d+)?\s*秒?)?)?$/;

/**
 * A time cell: a date cell from XLSX (its wall clock, read as China time), an Excel serial number, or text
 * (2026-10-09 09:30, 2026/10/9 9:30:00, 2026年10月9日 9时30分, or ISO 8601 with an offset). '' → null.
 */
export function parseCaseTime(v: unknown): Date | null | 'invalid' {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return 'invalid';
    // spreadsheets keep no zone: exceljs hands the wall clock over as if it were UTC
    return china(v.getUTCFullYear(), v.getUTCMonth() + 1, v.getUTCDate(), v.getUTCHours(), v.getUTCMinutes(), v.getUTCSeconds()) ?? 'invalid';
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 1 || v > 2_958_465) return 'invalid';
    return parseCaseTime(new Date(Math.round((v - 25569) * 86_400_000)));
  }
  const s = clean(v);
  if (!s) return null;
  if (s.length > 64) return 'invalid';
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const d = new Date(s);
    return Number.isNaN(d.getTime()) ? 'invalid' : d;
  }
  const m = WALL.exec(s);
  if (!m) return 'invalid';
  const n = m.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
  return china(n[0]!, n[1]!, n[2]!, n[3], n[4], n[5]) ?? 'invalid';
}

function cellValue(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date || typeof v !== 'object') return v;
  if ('result' in v) return cellValue((v as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  if ('richText' in v) return v.richText.map((t) => t.text).join('');
  if ('text' in v) return (v as { text: unknown }).text;
  return String(v);
}

/** Text of a CSV export in whichever encoding the approval system wrote. */
export function decodeText(buf: Buffer): string {
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3).toString('utf8');
  if (buf[0] === 0xff && buf[1] === 0xfe) return iconv.decode(buf.subarray(2), 'utf16le');
  if (buf[0] === 0xfe && buf[1] === 0xff) return iconv.decode(buf.subarray(2), 'utf16be');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return iconv.decode(buf, 'gb18030');
  }
}

async function readTable(buf: Buffer): Promise<{ rows: unknown[][]; rowNumbers: number[] }> {
  const isZip = buf.length > 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04;
  if (isZip) {
    try {
      await assertInflatesWithin(buf, MAX_CASE_XLSX_INFLATED_BYTES, (max) => new CaseFileError(`the workbook inflates past ${Math.round(max / 1024 / 1024)} MB: refused unread (a zip bomb?)`));
    } catch (e) {
      if (e instanceof CaseFileError) throw e;
      throw new CaseFileError(`not a readable XLSX file: ${(e as Error).message}`);
    }
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(buf as unknown as ArrayBuffer);
    } catch (e) {
      throw new CaseFileError(`not a readable XLSX file: ${(e as Error).message}`);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new CaseFileError('the workbook has no sheet');
    const rows: unknown[][] = [];
    const rowNumbers: number[] = [];
    ws.eachRow({ includeEmpty: false }, (row, n) => {
      const values = row.values as ExcelJS.CellValue[];
      rows.push(values.slice(1).map(cellValue));
      rowNumbers.push(n);
    });
    return { rows, rowNumbers };
  }
  let records: string[][];
  try {
    records = parse(decodeText(buf), { relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new CaseFileError(`not a readable CSV file: ${(e as Error).message}`);
  }
  return { rows: records, rowNumbers: records.map((_, i) => i + 1) };
}

/** Reads a case file: the good rows and, for every bad one, its row number and why. Throws CaseFileError for a file without the needed headers. */
export async function readCaseFile(buf: Buffer): Promise<{ rows: CaseFileRow[]; rejected: Rejected[] }> {
  const { rows, rowNumbers } = await readTable(buf);
  let headerAt = -1;
  let index: Partial<Record<Key, number>> = {};
  for (let i = 0; i < Math.min(rows.length, MAX_HEADER_SEARCH); i++) {
    const found: Partial<Record<Key, number>> = {};
    rows[i]!.forEach((h, col) => {
      const k = headerKey(clean(h));
      if (k && found[k] === undefined) found[k] = col;
    });
    if (found.caseNo !== undefined && found.step !== undefined) {
      headerAt = i;
      index = found;
      break;
    }
  }
  if (headerAt < 0) throw new CaseFileError('no header row with 办件编号 and 环节 in the first rows');
  const missing = REQUIRED.filter((k) => index[k] === undefined).map((k) => COLUMNS[k][0]);
  if (missing.length) throw new CaseFileError(`missing columns: ${missing.join(', ')}`);

  const out: CaseFileRow[] = [];
  const rejected: Rejected[] = [];
  for (let i = headerAt + 1; i < rows.length; i++) {
    const r = rows[i]!;
    const row = rowNumbers[i]!;
    const get = (k: Key): unknown => (index[k] === undefined ? null : r[index[k]!]);
    if (r.every((c) => clean(c) === '')) continue;
    const long = r.findIndex((c) => typeof c === 'string' && c.length > MAX_CASE_CELL_CHARS);
    if (long >= 0) {
      rejected.push({ row, reason: `column ${long + 1} is longer than ${MAX_CASE_CELL_CHARS} characters` });
      continue;
    }
    const caseNo = clean(get('caseNo'));
    const step = clean(get('step'));
    const unit = clean(get('unit'));
    const problems: string[] = [];
    if (!caseNo) problems.push('办件编号 is empty');
    else if (caseNo.length > 100) problems.push('办件编号 is longer than 100 characters');
    if (!step) problems.push('环节 is empty');
    if (!unit) problems.push('承办单位 is empty');
    const startedAt = parseCaseTime(get('start'));
    const endedAt = parseCaseTime(get('end'));
    if (startedAt === null) problems.push('开始时间 is empty');
    if (startedAt === 'invalid') problems.push(`开始时间 "${clean(get('start'))}" is not a time`);
    if (endedAt === 'invalid') problems.push(`结束时间 "${clean(get('end'))}" is not a time`);
    if (startedAt instanceof Date && endedAt instanceof Date && endedAt < startedAt) problems.push('结束时间 is before 开始时间');
    if (problems.length || !(startedAt instanceof Date) || endedAt === 'invalid') {
      rejected.push({ row, reason: problems.join('; ') });
      continue;
    }
    out.push({
      row,
      caseNo,
      itemCode: clean(get('itemCode')) || null,
      step: step.slice(0, 200),
      unit: unit.slice(0, 200),
      startedAt,
      endedAt,
      result: clean(get('result')).slice(0, 200) || null,
    });
  }
  return { rows: out, rejected };
}
