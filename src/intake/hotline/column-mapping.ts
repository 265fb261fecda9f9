// Which column of a 12345 export feeds which work-order field. Cities name their columns differently, so the
// synonyms are configuration (config/hotline/*.yaml); this file validates that configuration and matches header rows
// against it. Pure apart from reading the YAML file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const HOTLINE_FIELDS = [
  'orderNo',
  'receivedAt',
  'caller',
  'phone',
  'appealType',
  'title',
  'content',
  'assignedUnit',
  'deadline',
  'region',
] as const;
export type HotlineField = (typeof HOTLINE_FIELDS)[number];

export const APPEAL_TYPES = ['咨询', '求助', '投诉', '举报', '建议', '表扬', '其他'] as const;
export type AppealType = (typeof APPEAL_TYPES)[number];

/** `china`: a spreadsheet date cell is a China wall-clock reading; `utc`: the file stores UTC instants. */
export type ExcelDateMode = 'china' | 'utc';

export interface ColumnMapping {
  readonly name: string;
  readonly fields: Readonly<Record<HotlineField, readonly string[]>>;
  readonly required: readonly HotlineField[];
  /** Headers neither mapped nor kept as extras. */
  readonly ignore: readonly string[];
  readonly excelDates: ExcelDateMode;
  readonly headerScanRows: number;
  readonly appealTypes: Readonly<Record<AppealType, readonly string[]>>;
}

export class MappingError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`hotline column mapping ${source}: ${problems.join('; ')}`);
    this.name = 'MappingError';
  }
}

/**
 * Folds a header cell to the form synonyms are compared in: full-width to half-width (NFKC), no whitespace, no
 * asterisks or required-field marks, no bracketed notes ("来电时间（必填）", "金额[元]"), no trailing colon.
 */
export function normaliseHeader(text: string): string {
  // a header is a few words: a longer cell is no header, and is folded only as far as this
  const capped = text.length > MAX_HEADER_CHARS ? text.slice(0, MAX_HEADER_CHARS) : text;
  return stripBracketed(capped.normalize('NFKC').replace(/[\u200b-\u200d\ufeff]/g, ''))
    .replace(/[\s*※★☆:：]/g, '')
    .toLowerCase();
}

/** Longest header text compared with the synonyms (longer headers are cut, never matched by regex at length). */
export const MAX_HEADER_CHARS = 200;
const BRACKETS: Readonly<Record<string, string>> = { '(': ')', '[': ']', '【': '】', '〔': '〕', '<': '>', '《': '》' };

/**
 * Drops bracketed notes ("(必填)", "[元]", "【注】"): each opening bracket up to the first matching closing one after
 * it, as the regex `\([^)]*\)|…` would, but in one pass (the regex is quadratic over many unclosed brackets).
 */
function stripBracketed(s: string): string {
  const lastClose = new Map<string, number>();
  for (const close of Object.values(BRACKETS)) lastClose.set(close, s.lastIndexOf(close));
  let out = '';
  let i = 0;
  while (i < s.length) {
    const close = BRACKETS[s[i]];
    if (close !== undefined && (lastClose.get(close) ?? -1) > i) {
      i = s.indexOf(close, i + 1) + 1;
      continue;
    }
    out += s[i];
    i++;
  }
  return out;
}

const MAPPING_KEYS = new Set(['name', 'extends', 'fields', 'replace', 'required', 'ignore', 'excelDates', 'headerScanRows', 'appealTypes']);

/**
 * Builds a mapping from a parsed YAML document. With `base`, the document extends it (city files extend the defaults);
 * without, it must be complete. Every problem is collected so an operator fixes the file in one go.
 */
export function parseMapping(doc: unknown, source: string, base?: ColumnMapping): ColumnMapping {
  const problems: string[] = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new MappingError(source, ['the file must be a YAML mapping (key: value)']);
  }
  const d = doc as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!MAPPING_KEYS.has(key)) problems.push(`unknown key "${key}" (known: ${[...MAPPING_KEYS].join(', ')})`);
  }

  const stringList = (value: unknown, where: string): string[] | undefined => {
    if (value === undefined || value === null) return undefined;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s.trim() === '')) {
      problems.push(`${where} must be a list of non-empty texts`);
      return undefined;
    }
    return list.map((s: string) => s.trim());
  };
  const fieldMap = (value: unknown, where: string): Partial<Record<HotlineField, string[]>> => {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`${where} must map field names to lists of headers`);
      return {};
    }
    const out: Partial<Record<HotlineField, string[]>> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!(HOTLINE_FIELDS as readonly string[]).includes(k)) {
        problems.push(`${where}.${k} is not a field (fields: ${HOTLINE_FIELDS.join(', ')})`);
        continue;
      }
      const list = stringList(v, `${where}.${k}`);
      if (list) out[k as HotlineField] = list;
    }
    return out;
  };

  const added = fieldMap(d.fields, 'fields');
  const replaced = fieldMap(d.replace, 'replace');
  const fields = {} as Record<HotlineField, string[]>;
  for (const f of HOTLINE_FIELDS) {
    const own = replaced[f] ?? [...(added[f] ?? []), ...(base?.fields[f] ?? [])];
    fields[f] = [...new Set(own)];
  }

  let required: HotlineField[] = [...(base?.required ?? ['orderNo', 'content'])];
  if (d.required !== undefined) {
    const list = stringList(d.required, 'required') ?? [];
    const bad = list.filter((f) => !(HOTLINE_FIELDS as readonly string[]).includes(f));
    if (bad.length) problems.push(`required names unknown fields: ${bad.join(', ')}`);
    required = list.filter((f): f is HotlineField => (HOTLINE_FIELDS as readonly string[]).includes(f));
  }
  // Row identity and the complaint itself: without them an import cannot be idempotent or useful.
  for (const must of ['orderNo', 'content'] as const) {
    if (!required.includes(must)) problems.push(`required must include ${must}`);
  }
  for (const f of required) {
    if (fields[f].length === 0) problems.push(`required field ${f} has no header synonyms`);
  }

  // A folded synonym feeding two fields would make matching depend on field order: refuse it.
  const owner = new Map<string, HotlineField>();
  for (const f of HOTLINE_FIELDS) {
    for (const s of fields[f]) {
      const key = normaliseHeader(s);
      if (key === '') problems.push(`fields.${f}: "${s}" is empty once notes and marks are removed`);
      const prev = owner.get(key);
      if (prev && prev !== f) problems.push(`header "${s}" is listed under both ${prev} and ${f}`);
      owner.set(key, f);
    }
  }

  const ignore = [...(base?.ignore ?? []), ...(stringList(d.ignore, 'ignore') ?? [])];

  let excelDates: ExcelDateMode = base?.excelDates ?? 'china';
  if (d.excelDates !== undefined) {
    if (d.excelDates === 'china' || d.excelDates === 'utc') excelDates = d.excelDates;
    else problems.push('excelDates must be "china" or "utc"');
  }

  let headerScanRows = base?.headerScanRows ?? 10;
  if (d.headerScanRows !== undefined) {
    if (typeof d.headerScanRows === 'number' && Number.isInteger(d.headerScanRows) && d.headerScanRows >= 1 && d.headerScanRows <= 100) {
      headerScanRows = d.headerScanRows;
    } else problems.push('headerScanRows must be a whole number from 1 to 100');
  }

  const appealTypes = {} as Record<AppealType, string[]>;
  const ownTypes: Record<string, unknown> =
    d.appealTypes && typeof d.appealTypes === 'object' && !Array.isArray(d.appealTypes) ? (d.appealTypes as Record<string, unknown>) : {};
  if (d.appealTypes !== undefined && ownTypes !== d.appealTypes) problems.push('appealTypes must map appeal types to lists of texts');
  for (const k of Object.keys(ownTypes)) {
    if (!(APPEAL_TYPES as readonly string[]).includes(k)) problems.push(`appealTypes.${k} is not one of ${APPEAL_TYPES.join('/')}`);
  }
  for (const t of APPEAL_TYPES) {
    appealTypes[t] = [...new Set([...(stringList(ownTypes[t], `appealTypes.${t}`) ?? []), ...(base?.appealTypes[t] ?? []), t])];
  }

  let name = base?.name ?? source;
  if (d.name !== undefined) {
    if (typeof d.name === 'string' && d.name.trim()) name = d.name.trim();
    else problems.push('name must be a non-empty text');
  }

  if (problems.length) throw new MappingError(source, problems);
  return { name, fields, required, ignore, excelDates, headerScanRows, appealTypes };
}

/** Finds config/hotline/default.yaml from this module upwards, so src/, dist/ and dist-bench/ builds all find it. */
function findDefaultMappingFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'config', 'hotline', 'default.yaml');
    if (existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve('config', 'hotline', 'default.yaml');
    dir = up;
  }
}

export const DEFAULT_MAPPING_FILE = findDefaultMappingFile();

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new MappingError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  try {
    return parseYaml(text);
  } catch (e) {
    throw new MappingError(file, [`not valid YAML: ${(e as Error).message}`]);
  }
}

let defaultMapping: ColumnMapping | undefined;

/** The shipped defaults (config/hotline/default.yaml), read once. */
export function loadDefaultMapping(): ColumnMapping {
  defaultMapping ??= parseMapping(readYaml(DEFAULT_MAPPING_FILE), DEFAULT_MAPPING_FILE);
  return defaultMapping;
}

/**
 * Reads and validates a mapping file. A city file extends the defaults unless it says `extends: none`; the default
 * file itself stands alone. Throws MappingError listing every problem.
 */
export function loadMapping(file: string): ColumnMapping {
  const doc = readYaml(file);
  const isDefault = path.resolve(file) === path.resolve(DEFAULT_MAPPING_FILE);
  const ext = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>).extends : undefined;
  if (ext !== undefined && ext !== 'none' && ext !== 'default') {
    throw new MappingError(file, ['extends must be "default" or "none"']);
  }
  const base = isDefault || ext === 'none' ? undefined : loadDefaultMapping();
  return parseMapping(doc, file, base);
}

export interface ResolvedColumns {
  readonly mapping: ColumnMapping;
  /** Column index (0-based) feeding each field that the header has. */
  readonly byField: Readonly<Partial<Record<HotlineField, number>>>;
  /** Display key of every header column: its trimmed text, made unique ("备注", "备注#2"), or "列N" when blank. */
  readonly keys: readonly string[];
  /** Columns no field takes, kept on each order as extras. */
  readonly extras: readonly { index: number; header: string }[];
  /** Required fields the header lacks. */
  readonly missing: readonly HotlineField[];
  /** How many fields the header feeds: the score used to find the header among title rows. */
  readonly matched: number;
}

export function cellToHeaderText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  if (typeof cell === 'object' && 'richText' in cell && Array.isArray((cell as { richText: unknown }).richText)) {
    return (cell as { richText: { text?: string }[] }).richText.map((r) => r.text ?? '').join('');
  }
  return '';
}

/** Matches a header row against the mapping: which column feeds which field, and what is left over as extras. */
export function resolveColumns(headerRow: readonly unknown[], mapping: ColumnMapping): ResolvedColumns {
  // eslint-disable-next-line no-control-regex -- a BOM or control character glued to a header must not hide it
  const texts = headerRow.map((c) => cellToHeaderText(c).slice(0, MAX_HEADER_CHARS).replace(/[\u0000-\u001f\u007f\ufeff]/g, '').trim());
  const folded = texts.map(normaliseHeader);
  const byField: Partial<Record<HotlineField, number>> = {};
  const taken = new Set<number>();
  for (const f of HOTLINE_FIELDS) {
    // The earliest synonym wins, so "工单编号" beats a second column called "编号".
    for (const synonym of mapping.fields[f]) {
      const key = normaliseHeader(synonym);
      const index = folded.findIndex((h, i) => h === key && !taken.has(i));
      if (index >= 0) {
        byField[f] = index;
        taken.add(index);
        break;
      }
    }
  }
  const seen = new Map<string, number>();
  const keys = texts.map((t, i) => {
    const base = t === '' ? `列${i + 1}` : t;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
  const ignored = new Set(mapping.ignore.map(normaliseHeader));
  const extras = keys
    .map((header, index) => ({ index, header }))
    .filter(({ index }) => !taken.has(index) && texts[index] !== '' && !ignored.has(folded[index]));
  const missing = mapping.required.filter((f) => byField[f] === undefined);
  return { mapping, byField, keys, extras, missing, matched: taken.size };
}

/**
 * Picks the header among the first rows of a sheet: the row feeding the most fields among those that have every
 * required field. Title rows ("示例市12345热线工单导出") match nothing and lose.
 */
export function findHeaderRow(
  rows: readonly (readonly unknown[])[],
  mapping: ColumnMapping,
): { index: number; columns: ResolvedColumns } | undefined {
  let best: { index: number; columns: ResolvedColumns } | undefined;
  rows.slice(0, mapping.headerScanRows).forEach((cells, index) => {
    const columns = resolveColumns(cells, mapping);
    if (columns.missing.length === 0 && (!best || columns.matched > best.columns.matched)) best = { index, columns };
  });
  return best;
}
