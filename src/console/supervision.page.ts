import type { CatalogUnit } from '../org/catalog.types.js';
import type { ItemView } from '../items/item.types.js';
import type { OverdueState } from '../workflow/index.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, excerpt, STATUS_NAMES } from './format.js';
import { decideAppealForm, decideExtensionForm, STEP_CSS, T_ITEM } from './item.page.js';
import { pager } from './pager.js';
import { dueCell, exportHref, exportLink, LIST_CSS } from './queue.page.js';

/** Strings of the office's supervision boards (督办). */
export const T_SUP = {
  title: '督办',
  tabsLabel: '督办事项分类',
  tabs: { overdue: '逾期督办', callbacks: '待回访', extensions: '延期审批', appeals: '差评申诉' } as Record<SupervisionTab, string>,
  intro: {
    overdue: '已超过所处环节期限、尚未办结的事项，超期最久的在前。超期达到规定工作日数的，列入超期通报。',
    callbacks: '责任单位已答复、等待回访的事项，回访期限最早的在前。',
    extensions: '责任单位提出、等待审批的延期申请。批准后答复期限顺延，并通知单位和群众。',
    appeals: '责任单位对差评提出的申诉。申诉成立的评价标记为无效，不计入统计。',
  } as Record<SupervisionTab, string>,
  filter: '筛选',
  unit: '责任单位',
  allUnits: '全部单位',
  apply: '筛选',
  empty: '没有需要处理的事项。',
  exportOverdue: '导出超期通报',
  exportOverdueOf: '导出超期通报清单为Excel',
  cols: {
    code: '查询码',
    unit: '责任单位',
    status: '状态',
    text: '内容摘要',
    due: '时限',
    overdueDays: '超期',
    answered: '答复时间',
    phone: '联系电话',
    asked: '申请',
    rating: '评价',
    reason: '单位申诉理由',
    decide: '处理',
  },
  workingDays: (n: number) => (n > 0 ? `${n}个工作日` : '不足1个工作日'),
  reported: '已达通报',
  callbackLink: '去回访',
  callbackLinkOf: (code: string) => `去回访：${code}`,
  askedDays: (n: number | null) => `延期${n ?? '?'}个工作日`,
  noReason: '（未填写）',
  noPhone: '未留',
};

export const SUPERVISION_TABS = ['overdue', 'callbacks', 'extensions', 'appeals'] as const;
export type SupervisionTab = (typeof SUPERVISION_TABS)[number];

/** Each board's list, by the filter names ItemsService.list and the export take; earliest deadline first. */
export const SUPERVISION_FILTERS: Record<SupervisionTab, Record<string, string>> = {
  overdue: { overdue: 'true', sort: 'due' },
  callbacks: { status: 'answered', sort: 'due' },
  extensions: { extension: 'requested', sort: 'due' },
  appeals: { appeal: 'pending', sort: 'due' },
};

export interface SupervisionRow {
  item: ItemView;
  /** overdue board: where the item stands against its deadline */
  overdue?: OverdueState;
  /** extensions and appeals: the unit's reason, from the timeline */
  reason?: string;
}

export interface SupervisionPage {
  tab: SupervisionTab;
  counts: Record<SupervisionTab, number>;
  rows: SupervisionRow[];
  total: number;
  page: number;
  unit: string | null;
  units: CatalogUnit[];
  csrf: string;
  now: Date;
  flash?: string;
  error?: string;
  /** the refused decision: its item and what was typed */
  failed?: { id: number; note: string };
}

const e = escapeHtml;

export function supervisionBody(o: SupervisionPage): string {
  const c = T_SUP.cols;
  const tabs = SUPERVISION_TABS.map((t) => {
    const q = new URLSearchParams({ show: t });
    if (o.unit) q.set('unit', o.unit);
    return `<li><a href="/console/supervision?${e(q.toString())}"${t === o.tab ? ' aria-current="page"' : ''}>${T_SUP.tabs[t]}（${o.counts[t]}）</a></li>`;
  }).join('');
  const unitOptions = o.units
    .map((u) => `<option value="${e(u.code)}"${u.code === o.unit ? ' selected' : ''}>${e(u.name)}</option>`)
    .join('');
  // a plain GET form: the filter works without script
  const filter = `<form class="inline filter" method="get" action="/console/supervision" aria-label="${T_SUP.filter}"><input type="hidden" name="show" value="${o.tab}">
<div><label for="sup-unit">${T_SUP.unit}</label><select id="sup-unit" name="unit"><option value="">${T_SUP.allUnits}</option>${unitOptions}</select></div>
<div><button type="submit" class="secondary">${T_SUP.apply}</button></div></form>`;

  const filters = { ...SUPERVISION_FILTERS[o.tab], unit: o.unit ?? undefined };
  const exports = o.total
    ? [
        exportLink(exportHref(filters), T_SUP.tabs[o.tab]),
        o.tab === 'overdue'
          ? `<a class="export" href="${e(exportHref({ unit: o.unit ?? undefined }, 'overdue.xlsx'))}" aria-label="${T_SUP.exportOverdueOf}">${T_SUP.exportOverdue}</a>`
          : '',
      ].join(' ')
    : '';

  const code = (i: ItemView) => `<th scope="row" class="nowrap"><a href="/console/items/${i.id}">${e(i.trackingCode)}</a></th>`;
  const unit = (i: ItemView) => `<td>${e(i.unitName)}</td>`;
  const text = (i: ItemView) => `<td>${e(excerpt(`${i.subject ? `${i.subject}：` : ''}${i.text}`, 30))}</td>`;
  const status = (i: ItemView) => `<td class="nowrap"><span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span></td>`;
  const due = (i: ItemView) => `<td class="nowrap">${dueCell(i, o.now)}</td>`;
  const note = (i: ItemView) => (o.failed?.id === i.id ? o.failed.note : '');
  // the decision comes back to the same board, filtered as it was
  const keep = o.unit ? `<input type="hidden" name="unit" value="${e(o.unit)}">` : '';

  let head: string[];
  let rows: string[];
  switch (o.tab) {
    case 'overdue':
      head = [c.code, c.unit, c.status, c.text, c.due, c.overdueDays];
      rows = o.rows.map(({ item: i, overdue }) => {
        const days = overdue ? T_SUP.workingDays(overdue.workingDays) : '';
        const reported = overdue?.report ? ` <span class="badge late-badge">${T_SUP.reported}</span>` : '';
        return `<tr>${code(i)}${unit(i)}${status(i)}${text(i)}${due(i)}<td class="nowrap late">${days}${reported}</td></tr>`;
      });
      break;
    case 'callbacks':
      head = [c.code, c.unit, c.text, c.answered, c.phone, c.due, c.decide];
      rows = o.rows.map(
        ({ item: i }) =>
          `<tr>${code(i)}${unit(i)}${text(i)}<td class="nowrap">${chinaDateTime(i.answeredAt)}</td><td class="nowrap">${e(i.contact.phone ?? T_SUP.noPhone)}</td>${due(i)}<td class="nowrap"><a href="/console/items/${i.id}#f-callback" aria-label="${e(T_SUP.callbackLinkOf(i.trackingCode))}">${T_SUP.callbackLink}</a></td></tr>`,
      );
      break;
    case 'extensions':
      head = [c.code, c.unit, c.asked, c.due, c.decide];
      rows = o.rows.map(
        ({ item: i, reason }) =>
          `<tr>${code(i)}${unit(i)}<td><strong>${T_SUP.askedDays(i.extension.days)}</strong><br>${e(reason || T_SUP.noReason)}</td>${due(i)}<td class="decide">${decideExtensionForm(i, o.csrf, reason ?? '', note(i), 'board', keep)}</td></tr>`,
      );
      break;
    case 'appeals':
      head = [c.code, c.unit, c.rating, c.reason, c.decide];
      rows = o.rows.map(({ item: i, reason }) => {
        const rating = i.rating === null ? '—' : `${i.rating}分 · ${T_ITEM.ratingNames[i.rating] ?? ''}${i.tags.length ? `（${e(i.tags.join('、'))}）` : ''}`;
        return `<tr>${code(i)}${unit(i)}<td>${rating}<div class="hint">${e(excerpt(i.text, 40))}</div></td><td>${e(reason || T_SUP.noReason)}</td><td class="decide">${decideAppealForm(i, o.csrf, reason ?? '', note(i), 'board', keep)}</td></tr>`;
      });
      break;
  }
  const table = rows.length
    ? `<table><caption class="sr">${T_SUP.tabs[o.tab]}</caption><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
    : `<p class="empty">${T_SUP.empty}</p>`;
  const pages = pager({ path: '/console/supervision', query: { show: o.tab, unit: o.unit ?? undefined }, page: o.page, total: o.total, label: `${T_SUP.tabs[o.tab]}分页` });
  const flash = o.flash ? `<div class="msg ok" role="status">${e(o.flash)}</div>` : '';
  const error = o.error ? `<div class="msg err" role="alert">${e(o.error)}</div>` : '';
  return `<style>${LIST_CSS}${STEP_CSS}${SUPERVISION_CSS}</style><h1>${T_SUP.title}</h1>${flash}${error}
<nav aria-label="${T_SUP.tabsLabel}"><ul class="tabs">${tabs}</ul></nav>
<section aria-labelledby="h-board"><div class="list-head"><h2 id="h-board">${T_SUP.tabs[o.tab]}（${o.total}）</h2>${exports}</div>
<p class="hint">${T_SUP.intro[o.tab]}</p>${filter}${table}${pages}</section>`;
}

/** Board-only styles: the decision forms sit in the last column. */
const SUPERVISION_CSS = `
form.filter{margin:0 0 12px}
form.filter select{width:auto;min-width:16em}
td.decide{min-width:22em}
td.decide form.action{padding:0;border:0}
.late-badge{border-color:#a4001a;color:#a4001a;background:#fff0f1}
`;
