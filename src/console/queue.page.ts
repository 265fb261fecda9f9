import { DIMENSION_NAMES, type Label } from '../classification/dimensions.js';
import { CHANNEL_NAMES, type ItemView } from '../items/item.types.js';
import { dueFor } from '../workflow/workflow.service.js';
import { escapeHtml } from '../web/html.js';
import { pager } from './pager.js';
import { chinaDateTime, excerpt, STATUS_NAMES, timeLeft } from './format.js';

/** Strings of the unit queue. */
export const T_QUEUE = {
  title: '我的待办',
  tabs: { all: '全部待办', assigned: '待签收', accepted: '办理中', overdue: '逾期' } as Record<QueueTab, string>,
  tabsLabel: '按状态筛选',
  sections: { assigned: '待签收', accepted: '办理中', overdue: '逾期' } as Record<Exclude<QueueTab, 'all'>, string>,
  empty: '没有事项。',
  cols: { code: '查询码', received: '收到时间', channel: '渠道', dimension: '问题类别', text: '内容摘要', phone: '联系电话', unit: '责任单位', status: '状态', due: '期限' },
  noDue: '—',
  noPhone: '未留',
  export: '导出Excel',
  exportOf: (what: string) => `导出Excel：${what}`,
  pagerOf: (what: string) => `${what}分页`,
};

/** The filters of each queue section, by the names ItemsService.list and the export take. */
export const QUEUE_FILTERS: Record<Exclude<QueueTab, 'all'>, Record<string, string>> = {
  assigned: { status: 'assigned' },
  accepted: { status: 'accepted,reopened' },
  overdue: { overdue: 'true' },
};

/** The spreadsheet of a list: the export route takes the list's own filters (several statuses comma-separated). */
export function exportHref(filters: Record<string, string | undefined>, file = 'items.xlsx'): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const qs = q.toString();
  return `/console/exports/${file}${qs ? `?${qs}` : ''}`;
}

/** An export link that names what it exports (for screen readers; the visible text stays short). */
export function exportLink(href: string, what: string): string {
  return `<a class="export" href="${escapeHtml(href)}" aria-label="${escapeHtml(T_QUEUE.exportOf(what))}">${T_QUEUE.export}</a>`;
}

/** Styles of list headers with an export link beside the heading. */
export const LIST_CSS = `
.list-head{display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
.list-head h1,.list-head h2{margin-right:auto}
a.export{display:inline-block;padding:4px 12px;border:1px solid #0b4a8f;border-radius:6px;background:#fff;text-decoration:none;font-size:15px}
`;

/** Which deadline an item is held to in each status. */
const DUE_NAMES: Partial<Record<ItemView['status'], string>> = {
  new: '签收期限 ',
  assigned: '签收期限 ',
  returned: '分派期限 ',
  accepted: '答复期限 ',
  reopened: '答复期限 ',
  answered: '回访期限 ',
};

export const QUEUE_TABS = ['all', 'assigned', 'accepted', 'overdue'] as const;
export type QueueTab = (typeof QUEUE_TABS)[number];

export interface QueueSection {
  key: Exclude<QueueTab, 'all'>;
  items: ItemView[];
  total: number;
  page: number;
}

export function dimensionName(code: string | null): string {
  if (!code) return '未分类';
  return DIMENSION_NAMES[code as Label] ?? code;
}

export function dueOf(item: ItemView): Date | null {
  const d = (s: string | null) => (s ? new Date(s) : null);
  return dueFor(item.status, { accept: d(item.acceptDueAt), answer: d(item.answerDueAt), callback: d(item.callbackDueAt) });
}

export function dueCell(item: ItemView, now: Date): string {
  const due = dueOf(item);
  const left = timeLeft(due, now);
  if (!left || !due) return T_QUEUE.noDue;
  return `<span class="${left.overdue ? 'late' : 'ok-time'}">${left.text}</span><br><span class="hint">${DUE_NAMES[item.status] ?? ''}${chinaDateTime(due)}</span>`;
}

export function itemTable(items: ItemView[], now: Date, opts: { caption: string; showUnit: boolean }): string {
  if (!items.length) return `<p class="empty">${T_QUEUE.empty}</p>`;
  const c = T_QUEUE.cols;
  const head = [c.code, c.received, c.channel, c.dimension, c.text, c.phone, ...(opts.showUnit ? [c.unit] : []), c.status, c.due]
    .map((h) => `<th scope="col">${h}</th>`)
    .join('');
  const rows = items
    .map((i) => {
      const cells = [
        `<th scope="row" class="nowrap"><a href="/console/items/${i.id}">${escapeHtml(i.trackingCode)}</a></th>`,
        `<td class="nowrap">${chinaDateTime(i.receivedAt)}</td>`,
        `<td class="nowrap">${escapeHtml(CHANNEL_NAMES[i.channel] ?? i.channel)}</td>`,
        `<td class="nowrap">${escapeHtml(dimensionName(i.dimension))}</td>`,
        `<td>${escapeHtml(excerpt(`${i.subject ? `${i.subject}：` : ''}${i.text}`))}</td>`,
        `<td class="nowrap">${escapeHtml(i.contact.phone ?? T_QUEUE.noPhone)}</td>`,
        ...(opts.showUnit ? [`<td>${escapeHtml(i.unitName)}</td>`] : []),
        `<td class="nowrap"><span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span></td>`,
        `<td class="nowrap">${dueCell(i, now)}</td>`,
      ];
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('');
  return `<table><caption class="sr">${escapeHtml(opts.caption)}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

export function queueBody(o: { tab: QueueTab; sections: QueueSection[]; showUnit: boolean; now: Date; flash?: string }): string {
  const tabs = QUEUE_TABS.map(
    (t) => `<li><a href="/console/queue${t === 'all' ? '' : `?show=${t}`}"${t === o.tab ? ' aria-current="page"' : ''}>${T_QUEUE.tabs[t]}</a></li>`,
  ).join('');
  const sections = o.sections
    .map((s) => {
      const name = T_QUEUE.sections[s.key];
      // on 全部待办 each section shows its first page; the pager leads on to the section's own tab
      const pages = pager({ path: '/console/queue', query: { show: s.key }, page: s.page, total: s.total, label: T_QUEUE.pagerOf(name) });
      const exp = s.total ? exportLink(exportHref(QUEUE_FILTERS[s.key]), name) : '';
      return `<section aria-labelledby="h-${s.key}"><div class="list-head"><h2 id="h-${s.key}">${name}（${s.total}）</h2>${exp}</div>${itemTable(s.items, o.now, { caption: name, showUnit: o.showUnit })}${pages}</section>`;
    })
    .join('');
  const flash = o.flash ? `<div class="msg ok" role="status">${escapeHtml(o.flash)}</div>` : '';
  return `<style>${LIST_CSS}</style><h1>${T_QUEUE.title}</h1>${flash}<nav aria-label="${T_QUEUE.tabsLabel}"><ul class="tabs">${tabs}</ul></nav>${sections}`;
}
