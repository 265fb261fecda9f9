import { CHANNEL_NAMES } from '../items/item.types.js';
import type { ItemLinks } from '../repeats/repeat-links.service.js';
import type { HotSpotSummary } from '../repeats/hot-spots.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime } from './format.js';

const e = escapeHtml;

/** Chinese strings of the hot-spot page and the item page's case section. */
export const T_HOT = {
  title: '热点问题',
  intro: '多名群众反映同一窗口、同一事项或相同内容的诉求，按人数汇总。可一键立为整改问题，所有相关事项一并关联。',
  none: '暂无热点问题。',
  label: '热点',
  size: '件数 / 人数',
  trend: '近7天 / 此前',
  units: '涉及单位',
  samples: '群众原话（节选）',
  problem: '整改问题',
  open: '立为问题',
  opened: (id: number) => `已立为问题 #${id}`,
  window: '窗口',
  serviceItem: '事项',
  created: '已从热点建立整改问题，相关事项已全部关联。',
  caseTitle: '同一诉求（一案）',
  lead: '主件',
  repeats: '重复件',
  isLead: '本件为主件',
  alone: '无关联事项',
  similarity: '相似度',
  words: '相同内容',
  afterClose: '办结后再次反映（答复是否解决问题）',
  byStaff: '由工作人员关联',
  hotSpot: '所属热点',
  linkLabel: '关联到主件（填写事项编号）',
  link: '关联为重复件',
  unlink: '取消关联',
  relead: '设为主件',
  context: { window: '同一窗口', serviceItem: '同一事项' } as Record<string, string>,
};

export function hotSpotsBody(spots: HotSpotSummary[], csrf: string, flash?: string): string {
  const rows = spots
    .map((s) => {
      const where = [s.window ? `${T_HOT.window} ${e(s.window)}` : '', s.serviceItem ? `${T_HOT.serviceItem} ${e(s.serviceItem)}` : ''].filter(Boolean).join(' · ');
      const samples = s.samples
        .map((x) => `<li><a href="/console/items/${x.id}">${e(x.trackingCode)}</a> ${e((CHANNEL_NAMES as Record<string, string>)[x.channel] ?? x.channel)}：${e(x.text)}</li>`)
        .join('');
      const action =
        s.problem !== null
          ? `<a href="/console/problems/${s.problem}">${e(T_HOT.opened(s.problem))}</a>`
          : `<form method="post" action="/console/hot-spots/${s.id}/problem"><input type="hidden" name="_csrf" value="${e(csrf)}"><button type="submit">${T_HOT.open}</button></form>`;
      return `<tr data-hot-spot="${s.id}"><th scope="row">${e(s.label)}${where ? `<div class="hint">${where}</div>` : ''}</th><td>${s.items} / ${s.people}</td><td>${s.last7Days} / ${s.before}</td><td>${e(s.units.join('、'))}</td><td><ul class="samples">${samples}</ul><div class="hint">${chinaDateTime(s.firstAt)} – ${chinaDateTime(s.lastAt)}</div></td><td>${action}</td></tr>`;
    })
    .join('');
  const table = spots.length
    ? `<table><caption class="sr">${T_HOT.title}</caption><thead><tr><th scope="col">${T_HOT.label}</th><th scope="col">${T_HOT.size}</th><th scope="col">${T_HOT.trend}</th><th scope="col">${T_HOT.units}</th><th scope="col">${T_HOT.samples}</th><th scope="col">${T_HOT.problem}</th></tr></thead><tbody>${rows}</tbody></table>`
    : `<p>${T_HOT.none}</p>`;
  return `<h1>${T_HOT.title}</h1>${flash ? `<div class="msg ok" role="status">${e(flash)}</div>` : ''}<p class="hint">${T_HOT.intro}</p><section class="card">${table}</section>`;
}

/** The item page's "one case" section: lead, repeats with their evidence, hot spot; the office's link forms. */
export function caseSection(links: ItemLinks, csrf: string, office: boolean): string {
  const ev = (x: Record<string, unknown> | null): string => {
    if (!x) return '';
    const parts: string[] = [];
    if (typeof x.similarity === 'number') parts.push(`${T_HOT.similarity} ${Math.round(x.similarity * 100)}%`);
    if (Array.isArray(x.words) && x.words.length) parts.push(`${T_HOT.words}：${x.words.map(String).join('、')}`);
    if (Array.isArray(x.context)) parts.push(...x.context.map((c) => T_HOT.context[String(c)] ?? String(c)));
    if (x.by === 'staff') parts.push(T_HOT.byStaff);
    if (x.afterClose === true) parts.push(T_HOT.afterClose);
    return parts.length ? `<div class="hint">${e(parts.join(' · '))}</div>` : '';
  };
  const li = (x: ItemLinks['repeats'][number]) =>
    `<li><a href="/console/items/${x.id}">${e(x.trackingCode)}</a> ${e((CHANNEL_NAMES as Record<string, string>)[x.channel] ?? x.channel)} · ${chinaDateTime(x.receivedAt)}${ev(x.evidence)}</li>`;
  const csrfField = `<input type="hidden" name="_csrf" value="${e(csrf)}">`;
  const parts: string[] = [];
  if (links.lead) parts.push(`<p><strong>${T_HOT.lead}：</strong></p><ul class="links">${li(links.lead)}</ul>${ev(links.evidence)}`);
  else if (links.repeats.length) parts.push(`<p>${T_HOT.isLead}</p>`);
  if (links.repeats.length) parts.push(`<p><strong>${T_HOT.repeats}：</strong></p><ul class="links">${links.repeats.map(li).join('')}</ul>`);
  if (!links.lead && !links.repeats.length) parts.push(`<p class="hint">${T_HOT.alone}</p>`);
  if (links.hotSpot) parts.push(`<p><strong>${T_HOT.hotSpot}：</strong><a href="/console/hot-spots#h${links.hotSpot.id}">${e(links.hotSpot.label)}</a></p>`);
  if (office) {
    const base = `/console/items/${links.id}/case`;
    if (links.lead) {
      parts.push(
        `<div class="buttons"><form method="post" action="${base}/unlink">${csrfField}<button type="submit">${T_HOT.unlink}</button></form><form method="post" action="${base}/lead">${csrfField}<button type="submit">${T_HOT.relead}</button></form></div>`,
      );
    } else {
      parts.push(
        `<form method="post" action="${base}/link">${csrfField}<label for="case-lead">${T_HOT.linkLabel}</label><input id="case-lead" name="lead" inputmode="numeric" pattern="[0-9]{1,18}" required><button type="submit">${T_HOT.link}</button></form>`,
      );
    }
  }
  return `<section class="card" aria-labelledby="h-case"><h2 id="h-case">${T_HOT.caseTitle}</h2>${parts.join('')}</section>`;
}
