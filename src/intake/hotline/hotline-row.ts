// One row of a 12345 export → a normalised work order, or the reason it cannot be one. Pure: no I/O, no clock.
import { APPEAL_TYPES, type AppealType, type ExcelDateMode, type HotlineField, type ResolvedColumns } from './column-mapping.js';

export const DEFAULT_MAX_CELL_CHARS = 10_000;

export interface HotlineOrder {
  /** 工单编号: the hotline system's id, the idempotency key of the import. */
  orderNo: string;
  receivedAt: Date;
  caller: string | null;
  phone: string | null;
  /** One of 咨询/求助/投诉/举报/建议/表扬/其他 when the cell clearly names one; else the cell's text; null when empty. */
  appealType: string | null;
  title: string | null;
  content: string;
  /** 承办单位 as written by the hotline: the first routing signal. */
  assignedUnit: string | null;
  /** 办理时限 as written: usually "10个工作日", sometimes a date. */
  deadline: string | null;
  /** The deadline when the cell is a date or time. */
  deadlineAt: Date | null;
  /** N when the deadline reads "N个工作日" / "N工作日". */
  deadlineWorkingDays: number | null;
  region: string | null;
  /** Columns the mapping does not take, by header, cleaned. */
  extras: Record<string, string>;
  /** Every column by header, exactly as read from the file (dates as the wall-clock text the sheet shows). */
  raw: Record<string, string>;
}

export type RejectCode =
  | 'missing_order_no'
  | 'order_no_mangled'
  | 'missing_content'
  | 'missing_received_at'
  | 'bad_date'
  | 'cell_too_long'
  | 'field_count'
  | 'broken_quotes'
  | 'line_too_long';

export type HotlineRowResult =
  | { ok: true; row: number; order: HotlineOrder }
  | { ok: false; row: number; code: RejectCode; reason: string; orderNo?: string };

/** Readable reason for each code: Chinese for the operator, the English key phrase after it for logs and tests. */
export const REJECT_TEXT: Readonly<Record<RejectCode, string>> = {
  missing_order_no: '缺少工单编号 (missing order number)',
  order_no_mangled: '工单编号已被科学计数法截断，位数丢失 (order number lost its digits to scientific notation)',
  missing_content: '诉求内容为空 (empty content)',
  missing_received_at: '缺少来电时间 (missing received time)',
  bad_date: '来电时间无法识别 (unreadable date)',
  cell_too_long: '单元格超过长度上限 (cell too long)',
  field_count: '列数与表头不符 (wrong number of fields)',
  broken_quotes: '引号不配对，本行无法解析 (unbalanced quotes)',
  line_too_long: '本行过长，已跳过 (line too long)',
};

export interface NormaliseOptions {
  /** Longest accepted cell, in characters; a longer one rejects the row. Default 10,000. */
  maxCellChars?: number;
}

const CHINA_OFFSET_MS = 8 * 3600_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** The wall-clock text of a Date's UTC fields: what a spreadsheet date cell shows. */
function wallText(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * The text a cell holds, without losing digits: spreadsheet numbers (order numbers, phones) are written out in full,
 * never as 1.38E+10; rich text, formulas and hyperlinks give their visible text.
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : wallText(value);
  if (typeof value === 'object') {
    const v = value as { richText?: { text?: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text ?? '').join('');
    if ('result' in v) return cellText(v.result);
    if ('text' in v) return cellText(v.text);
    if (typeof v.error === 'string') return v.error;
  }
  return '';
}

// Control characters and zero-width marks break storage and display; line breaks are kept where a field may have them.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200d\u2028\u2029\ufeff]/g;

/** Trims, strips control characters, unwraps the ="…" trick exporters use to keep long numbers as text. */
export function cleanCell(text: string, multiline = false): string {
  let s = text.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(CONTROL, '').trim();
  const wrapped = s.startsWith('="') && s.endsWith('"') && s.length >= 3 ? s.slice(2, -1) : null;
  if (wrapped !== null) s = wrapped.replace(/""/g, '"').trim();
  if (!multiline) s = s.replace(/\s+/g, ' ');
  // spaces around line breaks, trimmed line by line: a regex with a run of spaces on both sides of \n backtracks
  // quadratically over a long run of spaces
  else s = s.split('\n').map(trimSpaces).join('\n').replace(/\n{3,}/g, '\n\n');
  return s;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x3000;

function trimSpaces(line: string): string {
  let a = 0;
  let b = line.length;
  while (a < b && isSpace(line.charCodeAt(a))) a++;
  while (b > a && isSpace(line.charCodeAt(b - 1))) b--;
  return a === 0 && b === line.length ? line : line.slice(a, b);
}

/** Longest text read as a date: anything longer is not one, and never reaches the date regexes. */
const MAX_DATE_CHARS = 64;

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fromParts(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMs: number | null): Date | null {
  if (y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - (offsetMs ?? CHINA_OFFSET_MS));
}

/** Excel's 1900 date system: serial 25569 is 1970-01-01. The serial is a wall-clock reading. */
export function excelSerialToDate(serial: number, mode: ExcelDateMode = 'china'): Date | null {
  if (!Number.isFinite(serial) || serial < 25569 || serial > 73415) return null; // 1970 … 2100
  const wallMs = Math.round((serial - 25569) * 86400) * 1000; // whole seconds: serials carry float noise
  return new Date(wallMs - (mode === 'china' ? CHINA_OFFSET_MS : 0));
}

const ISO_LIKE =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?\s*(z|[+-]\d{2}:?\d{2})?$/i;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2})(\d{2})(\d{2})?)?$/;
/** `YYYY-M-D[ H:M[:S]]` with single spaces: a text parseChinaDateTime's rewrites would not change. */
const PLAIN_DATE_TIME = /^\d{4}-\d{1,2}-\d{1,2}(?: \d{1,2}:\d{1,2}(?::\d{1,2})?)?$/;

/**
 * Reads the date and time forms 12345 exports use. Times without an offset are China time (UTC+8, no DST).
 * Returns null when the text is not clearly a date: the caller reports it rather than guessing.
 */
export function parseChinaDateTime(input: string): Date | null {
  if (input.length > MAX_DATE_CHARS * 4) return null;
  let s = input.normalize('NFKC').trim();
  if (s.length > MAX_DATE_CHARS) return null;
  if (s === '') return null;
  if (/^\d{5}(\.\d+)?$/.test(s)) return excelSerialToDate(Number(s));

  // 上午/下午 and AM/PM shift the hour; Chinese date words become separators. The usual export form
  // (2026-11-01 09:30:00) holds none of them, and the rewrites would leave it as it is: they are skipped.
  const half: { pm: boolean | null } = { pm: null };
  if (!PLAIN_DATE_TIME.test(s)) {
    s = s.replace(/(上午|早上|凌晨|中午|下午|晚上|\bam\b|\bpm\b)/gi, (w) => {
      half.pm = /下午|晚上|pm/i.test(w) ? true : /中午/.test(w) ? null : false;
      return ' ';
    });
    s = s
      .replace(/星期[一二三四五六日天]|周[一二三四五六日天]/g, ' ')
      .replace(/(\d)\s*年\s*(\d)/, '$1-$2')
      .replace(/(\d)\s*月\s*(\d)/, '$1-$2')
      .replace(/(\d)\s*[日号]/, '$1 ')
      .replace(/(\d)\s*[时点]\s*(\d)/, '$1:$2')
      .replace(/(\d)\s*[时点]/, '$1:00')
      .replace(/(\d)\s*分\s*(\d)/, '$1:$2')
      .replace(/[分秒]/g, '')
      .replace(/\s+/g, ' ')
      .trim();
  }

  let m = ISO_LIKE.exec(s);
  if (m) {
    let h = Number(m[4] ?? 0);
    if (half.pm === true && h < 12) h += 12;
    if (half.pm === false && h === 12) h = 0;
    let offset: number | null = null;
    if (m[8]) {
      if (m[8].toLowerCase() === 'z') offset = 0;
      else {
        const sign = m[8].startsWith('-') ? -1 : 1;
        const digits = m[8].slice(1).replace(':', '');
        offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
      }
    }
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), h, Number(m[5] ?? 0), Number(m[6] ?? 0), ms, offset);
  }
  m = COMPACT.exec(s);
  if (m) return fromParts(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, null);
  return null;
}

/** A date from any cell: a spreadsheet date cell, an Excel serial number, or text. */
export function cellToDate(value: unknown, mode: ExcelDateMode): Date | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    // exceljs turns a date cell into a Date whose UTC fields are the sheet's wall-clock reading.
    const d = mode === 'china' ? new Date(value.getTime() - CHINA_OFFSET_MS) : value;
    const y = d.getUTCFullYear();
    return y >= 1990 && y <= 2100 ? d : null;
  }
  if (typeof value === 'number') return excelSerialToDate(value, mode);
  const text = cellText(value);
  if (/^\d{5}(\.\d+)?$/.test(text.trim())) return excelSerialToDate(Number(text.trim()), mode);
  return parseChinaDateTime(cleanCell(text));
}

/** Each appeal type's synonyms folded as the cells are, by mapping: folded synonym → the first type that lists it. */
const foldedSynonyms = new WeakMap<Readonly<Record<AppealType, readonly string[]>>, Map<string, AppealType>>();

function synonymIndex(synonyms: Readonly<Record<AppealType, readonly string[]>>): Map<string, AppealType> {
  let index = foldedSynonyms.get(synonyms);
  if (!index) {
    index = new Map();
    for (const t of APPEAL_TYPES) {
      for (const s of synonyms[t]) {
        const folded = s.normalize('NFKC').replace(/\s/g, '');
        if (!index.has(folded)) index.set(folded, t);
      }
    }
    foldedSynonyms.set(synonyms, index);
  }
  return index;
}

/** 咨询/求助/投诉/举报/建议/表扬/其他 when the text clearly names one ("投诉类" → 投诉); otherwise the text itself. */
export function normaliseAppealType(text: string, synonyms: Readonly<Record<AppealType, readonly string[]>>): string | null {
  const cleaned = cleanCell(text);
  if (cleaned === '') return null;
  const folded = cleaned.normalize('NFKC').replace(/[\s()（）【】[\]]/g, '');
  const listed = synonymIndex(synonyms).get(folded);
  if (listed) return listed;
  // "群众投诉" names one type; "投诉举报" names two and stays as written.
  const named = APPEAL_TYPES.filter((t) => t !== '其他' && folded.includes(t));
  return named.length === 1 ? named[0] : cleaned;
}

function deadlineDays(text: string): number | null {
  if (text.length > MAX_DATE_CHARS) return null;
  const m = /^(\d{1,3})\s*个?\s*工作日$/.exec(text.normalize('NFKC'));
  return m ? Number(m[1]) : null;
}

/**
 * Normalises one data row. `cells` are the values as read (strings from CSV; strings, numbers, Dates or rich text
 * from XLSX), `columns` the resolved header, `row` the row number a person sees in the file.
 */
export function normaliseRow(cells: readonly unknown[], columns: ResolvedColumns, row: number, options: NormaliseOptions = {}): HotlineRowResult {
  const maxCellChars = options.maxCellChars ?? DEFAULT_MAX_CELL_CHARS;
  const texts = cells.map(cellText);

  const raw: Record<string, string> = {};
  const width = Math.max(texts.length, columns.keys.length);
  for (let i = 0; i < width; i++) {
    const key = columns.keys[i] ?? `列${i + 1}`;
    const t = texts[i] ?? '';
    if (i < columns.keys.length || t !== '') raw[key] = t;
  }

  const problems: { code: RejectCode; text: string }[] = [];
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    // Cheap length test first; count code points only for the rare long cell, as a person counts characters.
    if (t.length > maxCellChars && [...t].length > maxCellChars) {
      const header = columns.keys[i] ?? `列${i + 1}`;
      problems.push({ code: 'cell_too_long', text: `“${header}”超过${maxCellChars}字 (cell over ${maxCellChars} characters: ${header})` });
    }
  }
  if (problems.length > 0) {
    // rejected already: no cleaning, date parsing or other regex runs over a cell of unbounded length
    const cell = columns.byField.orderNo === undefined ? '' : (texts[columns.byField.orderNo] ?? '');
    const orderNo = cell.length <= 200 ? cleanCell(cell).normalize('NFKC').replace(/\s+/g, '') : '';
    return { ok: false, row, code: problems[0].code, reason: problems.map((p) => p.text).join('；'), ...(orderNo !== '' ? { orderNo } : {}) };
  }

  const field = (f: HotlineField, multiline = false): string => {
    const i = columns.byField[f];
    return i === undefined ? '' : cleanCell(texts[i] ?? '', multiline);
  };
  const orderNo = field('orderNo').normalize('NFKC').replace(/\s+/g, '');

  if (orderNo === '') problems.push({ code: 'missing_order_no', text: REJECT_TEXT.missing_order_no });
  else if (/^\d(\.\d+)?e\+?\d+$/i.test(orderNo)) problems.push({ code: 'order_no_mangled', text: `${REJECT_TEXT.order_no_mangled}: ${orderNo}` });

  const content = field('content', true);
  if (content === '') problems.push({ code: 'missing_content', text: REJECT_TEXT.missing_content });

  const mode = columns.mapping.excelDates;
  const receivedIndex = columns.byField.receivedAt;
  const receivedCell = receivedIndex === undefined ? undefined : cells[receivedIndex];
  let receivedAt: Date | null = null;
  if (cleanCell(cellText(receivedCell)) === '') {
    problems.push({ code: 'missing_received_at', text: REJECT_TEXT.missing_received_at });
  } else {
    receivedAt = cellToDate(receivedCell, mode);
    if (!receivedAt) {
      const shown = cleanCell(cellText(receivedCell)).slice(0, 40);
      problems.push({ code: 'bad_date', text: `来电时间无法识别：“${shown}” (unreadable date)` });
    }
  }

  if (problems.length > 0 || !receivedAt) {
    // The first problem is the code; the reason lists all of them so the operator fixes the row in one go.
    const first = problems[0] ?? { code: 'bad_date' as const, text: REJECT_TEXT.bad_date };
    return {
      ok: false,
      row,
      code: first.code,
      reason: problems.map((p) => p.text).join('；'),
      ...(orderNo !== '' ? { orderNo } : {}),
    };
  }

  const orNull = (s: string): string | null => (s === '' ? null : s);
  const deadline = field('deadline');
  const deadlineIndex = columns.byField.deadline;
  const deadlineCell = deadlineIndex === undefined ? undefined : cells[deadlineIndex];
  const extras: Record<string, string> = {};
  for (const { index, header } of columns.extras) extras[header] = cleanCell(texts[index] ?? '', true);
  for (let i = columns.keys.length; i < texts.length; i++) {
    const t = cleanCell(texts[i], true);
    if (t !== '') extras[`列${i + 1}`] = t;
  }

  return {
    ok: true,
    row,
    order: {
      orderNo,
      receivedAt,
      caller: orNull(field('caller')),
      phone: orNull(field('phone').normalize('NFKC').replace(/\s+/g, '')),
      appealType: normaliseAppealType(field('appealType'), columns.mapping.appealTypes),
      title: orNull(field('title')),
      content,
      assignedUnit: orNull(field('assignedUnit')),
      deadline: orNull(deadline),
      deadlineAt: deadline === '' || deadlineDays(deadline) !== null ? null : cellToDate(deadlineCell, mode),
      deadlineWorkingDays: deadline === '' ? null : deadlineDays(deadline),
      region: orNull(field('region')),
      extras,
      raw,
    },
  };
}
