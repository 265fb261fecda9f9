import type { CatalogUnit } from '../org/catalog.types.js';
import { CHANNEL_NAMES, type ItemView } from '../items/item.types.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, excerpt, STATUS_NAMES } from './format.js';
import { dispatchForm } from './item.page.js';
import { pager } from './pager.js';
import { dimensionName, dueCell, exportHref, exportLink, LIST_CSS } from './queue.page.js';

/** Strings of the triage inbox. */
export const T_TRIAGE = {
  title: '分派',
  candidates: '系统候选（一键分派）：',
  candidate: (unit: string) => `分派到${unit}`,
  intro: (unit: string) => `以下事项在${unit}，尚未分派到责任单位。请选择单位并写明理由后分派。`,
  noTriageUnit: '组织目录中没有设置分派单位（role: triage），无法使用分派。',
  empty: '没有待分派的事项。',
  returned: '退回原因',
  routing: '系统意见',
  notNow: (status: string) => `此事项当前状态为“${status}”，暂不能在此分派，请打开事项查看。`,
  listName: '待分派事项',
};

/** What waits at the triage unit: returned by a unit, never routed, or routed there and not yet dispatched. */
export const TRIAGE_STATUSES = ['returned', 'new', 'assigned'] as const;

export function triageBody(o: {
  triageUnitName: string | null;
  triageUnit: string | null;
  page: number;
  items: { item: ItemView; canDispatch: boolean }[];
  total: number;
  units: CatalogUnit[];
  csrf: string;
  now: Date;
  flash?: string;
  error?: string;
}): string {
  const e = escapeHtml;
  const flash = o.flash ? `<div class="msg ok" role="status">${e(o.flash)}</div>` : '';
  const error = o.error ? `<div class="msg err" role="alert">${e(o.error)}</div>` : '';
  if (!o.triageUnitName) return `<h1>${T_TRIAGE.title}</h1><div class="msg err">${T_TRIAGE.noTriageUnit}</div>`;
  const rows = o.items
    .map(({ item: i, canDispatch }) => {
      const facts = [
        `<span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span>`,
        e(CHANNEL_NAMES[i.channel] ?? i.channel),
        e(dimensionName(i.dimension)),
        `收到 ${chinaDateTime(i.receivedAt)}`,
        dueCell(i, o.now).replace('<br>', ' '),
      ].join(' · ');
      const why = i.returnReason
        ? `<p><strong>${T_TRIAGE.returned}：</strong>${e(i.returnReason)}</p>`
        : `<p class="hint">${T_TRIAGE.routing}：${e(i.routingReason)}</p>`;
      const action = canDispatch
        ? `${candidateForms(i, o.csrf, o.units)}${dispatchForm(i.id, o.csrf, o.units, {}, 'triage')}`
        : `<p class="hint">${T_TRIAGE.notNow(STATUS_NAMES[i.status])}</p>`;
      return `<li class="card"><h2><a href="/console/items/${i.id}">${e(i.trackingCode)}</a></h2><p>${facts}</p><div class="text">${e(excerpt(`${i.subject ? `${i.subject}：` : ''}${i.text}`, 160))}</div>${why}${action}</li>`;
    })
    .join('');
  const list = rows ? `<ul class="plain">${rows}</ul>` : `<p class="empty">${T_TRIAGE.empty}</p>`;
  const pages = pager({ path: '/console/triage', page: o.page, total: o.total, label: `${T_TRIAGE.listName}分页` });
  const exp = o.total ? exportLink(exportHref({ unit: o.triageUnit ?? undefined, status: TRIAGE_STATUSES.join(',') }), T_TRIAGE.listName) : '';
  return `<style>${LIST_CSS}</style><div class="list-head"><h1>${T_TRIAGE.title}（${o.total}）</h1>${exp}</div>${flash}${error}<p>${e(T_TRIAGE.intro(o.triageUnitName))}</p>${list}${pages}`;
}

/**
 * The router's two best candidates with their evidence, each a one-click dispatch (the reason is filled in from the
 * evidence; the dispatch is a confirmed routing the router learns from).
 */
function candidateForms(i: ItemView, csrf: string, units: CatalogUnit[]): string {
  const e = escapeHtml;
  const names = new Map(units.map((u) => [u.code, u.name]));
  const shown = i.evidence.filter((ev) => ev.kind === 'route:candidate' && ev.unit && names.has(ev.unit)).slice(0, 2);
  if (!shown.length) return '';
  const forms = shown
    .map((ev) => {
      const name = names.get(ev.unit as string) as string;
      const why = ev.text.includes('：') ? ev.text.slice(ev.text.indexOf('：') + 1) : ev.text;
      return `<form class="action inline candidate" method="post" action="/console/items/${i.id}/dispatch"><input type="hidden" name="_csrf" value="${e(csrf)}"><input type="hidden" name="from" value="triage"><input type="hidden" name="unit" value="${e(ev.unit as string)}"><input type="hidden" name="reason" value="${e(`按系统候选分派：${why}`.slice(0, 500))}"><button type="submit" class="secondary">${T_TRIAGE.candidate(name)}</button> <span class="hint">${e(why)}</span></form>`;
    })
    .join('');
  return `<div class="candidates"><p><strong>${T_TRIAGE.candidates}</strong></p>${forms}</div>`;
}
