/**
 * 12345 hotline work-order files: the pure, streaming parsing core. No database, no Nest: the import service builds on it.
 *
 *   const mapping = loadMapping('config/hotline/anping.yaml');   // or loadDefaultMapping()
 *   const rows = readHotlineFile(pathOrStream, { mapping, fileName, afterRow: lastStoredRow });
 *   for await (const r of rows) {
 *     if (r.ok) store(r.row, r.order);        // r.order: HotlineOrder (orderNo, receivedAt: Date, content, …, extras, raw)
 *     else reject(r.row, r.code, r.reason);   // e.g. {row: 46, code: 'missing_order_no', reason: '缺少工单编号 (missing order number)'}
 *   }
 *   rows.info  // after the first row: format, encoding, delimiter or sheet, headerRow, resolved columns
 *
 * - readHotlineFile(input: path | NodeJS.ReadableStream, {mapping, fileName?, maxCellChars? = 10000, afterRow?, onHeader?})
 *   → HotlineRowStream (AsyncIterable<HotlineRowResult>, single use). Streams end to end: memory stays flat whatever
 *   the file's length (XLSX holds its shared-string table, as every XLSX reader must). Row numbers are what a person
 *   sees in the file (1-based, title and header rows counted), strictly increasing, so a resumed job passes the last
 *   stored row as `afterRow` and gets only the rows after it. Blank rows yield nothing.
 *   Throws HotlineFileError {code: 'no_header' | 'unreadable_file' | 'unsupported_format' | 'too_large'} when the file
 *   (or, for 'too_large', the rest of it: an XLSX inflating past `maxInflatedBytes`, default 256 MiB) is unusable;
 *   a bad row never throws, it is a {ok: false} result.
 * - CSV: UTF-8 with or without BOM, GBK/GB2312/GB18030 (read as GB18030), UTF-16 with BOM; comma, tab, semicolon or bar.
 *   XLSX: first worksheet whose first rows hold a header; date cells, text dates and numeric cells all read.
 * - loadMapping(file) / loadDefaultMapping() / parseMapping(doc, source, base?) → ColumnMapping, or MappingError listing
 *   every problem. resolveColumns(headerRow, mapping) → ResolvedColumns (byField, extras, missing, keys).
 * - normaliseRow(cells, columns, row, {maxCellChars?}) → HotlineRowResult, for rows that arrive some other way.
 * - parseChinaDateTime(text) → Date | null: times without an offset are China time (UTC+8).
 */
export {
  APPEAL_TYPES,
  type AppealType,
  type ColumnMapping,
  DEFAULT_MAPPING_FILE,
  type ExcelDateMode,
  HOTLINE_FIELDS,
  type HotlineField,
  MappingError,
  type ResolvedColumns,
  findHeaderRow,
  loadDefaultMapping,
  loadMapping,
  normaliseHeader,
  parseMapping,
  resolveColumns,
} from './column-mapping.js';
export {
  type CsvEncoding,
  HotlineFileError,
  type HotlineFileErrorCode,
  type HotlineFileFormat,
  type HotlineFileInfo,
  type HotlineRowStream,
  type ReadHotlineOptions,
  detectEncoding,
  readHotlineFile,
} from './hotline-file.js';
export {
  DEFAULT_MAX_CELL_CHARS,
  type HotlineOrder,
  type HotlineRowResult,
  type NormaliseOptions,
  REJECT_TEXT,
  type RejectCode,
  normaliseAppealType,
  normaliseRow,
  parseChinaDateTime,
} from './hotline-row.js';
