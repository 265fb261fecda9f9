import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import type { Actor } from '../auth/actor.js';
import { DIMENSION_NAMES, type Label } from '../classification/dimensions.js';
import { chinaTime } from '../common/china-time.js';
import { DIMENSIONS, ITEM_STATUSES } from '../items/item.entity.js';
import { CHANNEL_NAMES, CHANNELS, type ItemView } from '../items/item.types.js';
import type { ItemFilter } from '../items/items.repository.js';
import type { ItemsService } from '../items/items.service.js';
import { safeCell } from '../reports/lists.service.js';
import { parseBound } from '../reports/reports.service.js';
import { APPEAL_STATES, EXTENSION_STATES } from '../workflow/state-machine.js';
import { APPEAL_NAMES, EXTENSION_NAMES, STATUS_NAMES } from './format.js';

/**
 * Every key of ItemFilter that the export reads from the address. When ItemFilter gains a filter, the type below
 * stops compiling until the export passes it through too (the export must offer every filter the list has).
 */
const FILTER_KEYS = ['unit', 'status', 'dimension', 'channel', 'overdue', 'extension', 'appeal', 'sort', 'repeats'] as const;
export type ItemFilterKeysHandled = [Exclude<keyof ItemFilter, (typeof FILTER_KEYS)[number] | 'page' | 'pageSize'>] extends [never]
  ? true
  : { unhandledItemFilterKeys: Exclude<keyof ItemFilter, (typeof FILTER_KEYS)[number] | 'page' | 'pageSize'> };
const _handled: ItemFilterKeysHandled = true;
void _handled;

const ENUMS: Partial<Record<(typeof FILTER_KEYS)[number], readonly string[]>> = {
  dimension: DIMENSIONS,
  channel: CHANNELS,
  extension: EXTENSION_STATES,
  appeal: APPEAL_STATES,
  sort: ['received', 'due'],
  repeats: ['exclude', 'only'],
};

export interface ItemExportQuery {
  filter: Omit<ItemFilter, 'page' | 'pageSize'>;
  from: Date | null;
  to: Date | null;
}

/**
 * The items.xlsx filters from the address: the list's own filters (ItemsService.list) plus an optional period of
 * receipt. A bad value answers a Chinese message naming the field, never a silently wider export.
 */
export function parseItemExportQuery(q: Record<string, unknown>): { ok: ItemExportQuery } | { error: string } {
  const f: Record<string, unknown> = {};
  const one = (k: string): string | undefined => {
    const v = q[k];
    const s = Array.isArray(v) ? v[0] : v;
    return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
  };
  for (const k of FILTER_KEYS) {
    const v = one(k);
    if (v === undefined) continue;
    if (k === 'overdue') {
      if (!['true', '1', 'false', '0'].includes(v)) return { error: T_EXPORT.badFilter(k) };
      f.overdue = v === 'true' || v === '1';
    } else if (k === 'status') {
      // several statuses comma-separated, as the queue's 办理中 (accepted,reopened)
      const list = [...new Set(v.split(',').map((x) => x.trim()))];
      if (!list.length || !list.every((x) => (ITEM_STATUSES as readonly string[]).includes(x))) return { error: T_EXPORT.badFilter(k) };
      f.status = list.length === 1 ? list[0] : list;
    } else if (k === 'unit') {
      if (v.length > 64) return { error: T_EXPORT.badFilter(k) };
      f.unit = v;
    } else {
      if (!ENUMS[k]?.includes(v)) return { error: T_EXPORT.badFilter(k) };
      f[k] = v;
    }
  }
  let from: Date | null;
  let to: Date | null;
  try {
    from = parseBound(one('from'), 'from');
    to = parseBound(one('to'), 'to');
  } catch {
    return { error: T_EXPORT.badDate };
  }
  if (from && to && from > to) return { error: T_EXPORT.badOrder };
  return { ok: { filter: f as Omit<ItemFilter, 'page' | 'pageSize'>, from, to } };
}

export const T_EXPORT = {
  sheet: '事项清单',
  fileName: '事项清单',
  badFilter: (k: string) => `导出条件“${FILTER_NAMES[k] ?? k}”的取值不正确，请返回重新选择。`,
  badDate: '日期格式不正确，请按“2026-10-01”的格式填写。',
  badOrder: '开始日期不能晚于结束日期。',
  badTitle: '无法导出',
  yes: '是',
  no: '否（申诉成立）',
  satisfied: '满意',
  unsatisfied: '不满意',
};

const FILTER_NAMES: Record<string, string> = {
  unit: '单位',
  status: '办理状态',
  dimension: '维度',
  channel: '渠道',
  overdue: '是否超期',
  extension: '延期',
  appeal: '申诉',
  sort: '排序',
};

const COLUMNS: { h: string; w: number; v: (i: ItemView) => unknown }[] = [
  { h: '查询码', w: 16, v: (i) => i.trackingCode },
  { h: '渠道', w: 10, v: (i) => CHANNEL_NAMES[i.channel] ?? i.channel },
  { h: '收到时间', w: 17, v: (i) => chinaTime(i.receivedAt) },
  { h: '责任单位', w: 24, v: (i) => i.unitName },
  { h: '办理状态', w: 10, v: (i) => STATUS_NAMES[i.status] ?? i.status },
  { h: '维度', w: 10, v: (i) => (i.dimension ? `${i.dimension} ${DIMENSION_NAMES[i.dimension as Label] ?? ''}`.trim() : '') },
  { h: '评分', w: 6, v: (i) => i.rating },
  { h: '评价有效', w: 10, v: (i) => (i.rating === null ? '' : i.ratingValid ? T_EXPORT.yes : T_EXPORT.no) },
  { h: '主题', w: 20, v: (i) => i.subject },
  { h: '内容', w: 50, v: (i) => i.text },
  { h: '窗口', w: 12, v: (i) => i.window },
  { h: '服务事项', w: 12, v: (i) => i.serviceItem },
  { h: '联系人', w: 10, v: (i) => i.contact.name },
  { h: '联系电话', w: 15, v: (i) => i.contact.phone },
  { h: '电子邮箱', w: 22, v: (i) => i.contact.email },
  { h: '签收期限', w: 17, v: (i) => chinaTime(i.acceptDueAt) },
  { h: '答复期限', w: 17, v: (i) => chinaTime(i.answerDueAt) },
  { h: '延期', w: 14, v: (i) => EXTENSION_NAMES[i.extension.state] ?? i.extension.state },
  { h: '申诉', w: 14, v: (i) => APPEAL_NAMES[i.appeal] ?? i.appeal },
  { h: '答复内容', w: 40, v: (i) => i.answer },
  { h: '答复时间', w: 17, v: (i) => chinaTime(i.answeredAt) },
  { h: '回访结果', w: 10, v: (i) => (i.callbackSatisfied === null ? '' : i.callbackSatisfied ? T_EXPORT.satisfied : T_EXPORT.unsatisfied) },
  { h: '办结时间', w: 17, v: (i) => chinaTime(i.closedAt) },
];

const BATCH = 500;
/** an export is a working list, not a backup: past this many rows, narrow the filters */
export const MAX_ITEM_ROWS = 100_000;
/** each page's query is cancelled past this: an export must not hold a connection and the item table for minutes */
export const EXPORT_STATEMENT_TIMEOUT_MS = 20_000;

/**
 * The items the person may see (scope and masking by ItemsService, as on their pages) as a streamed spreadsheet,
 * newest first (or by deadline), page by page so memory stays flat. The period is filtered in the SQL and pages
 * follow the last item seen (keyset), so a narrow or empty period reads only its own rows, never the whole table;
 * nothing is counted, the rows are capped and each query has a statement timeout. Text cells are neutralised like
 * the programme's lists.
 */
export async function writeItemsXlsx(items: ItemsService, actor: Actor, q: ItemExportQuery, out: Writable): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(T_EXPORT.sheet);
  ws.columns = [{ header: '序号', width: 6 }, ...COLUMNS.map((c) => ({ header: c.h, width: c.w }))];
  ws.getRow(1).font = { bold: true };
  let n = 0;
  const ids: number[] = [];
  let after: string | null = null;
  while (n < MAX_ITEM_ROWS) {
    const pageSize = Math.min(BATCH, MAX_ITEM_ROWS - n);
    const batch = await items.walk(actor, { ...q.filter, page: 1, pageSize } as ItemFilter, {
      from: q.from,
      to: q.to,
      after,
      timeoutMs: EXPORT_STATEMENT_TIMEOUT_MS,
    });
    for (const i of batch) {
      n++;
      ids.push(i.id);
      ws.addRow([n, ...COLUMNS.map((c) => c.v(i))].map(safeCell)).commit();
    }
    if (batch.length < pageSize) break;
    after = String(batch[batch.length - 1].id);
  }
  ws.commit();
  await wb.commit();
  // names, phone numbers and addresses went out unmasked (supervisor, admin): on the PIPL audit log
  await items.auditExport(actor, ids);
  return n;
}
