import type { Channel } from '../items/item.types.js';
import { CHANNEL_NAMES, STATUS_NAMES } from '../items/item.types.js';
import type { ItemStatus } from '../items/item.entity.js';
import type { AuditEntry } from '../privacy/personal-data-audit.service.js';
import type { PersonExport } from '../privacy/personal-data.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime } from './format.js';
import { pager } from './pager.js';

/** Strings of the personal-data page (系统管理 · 个人信息保护). */
export const T_PRIVACY = {
  title: '个人信息保护',
  back: '返回系统管理',
  person: '查找个人信息',
  personHint: '输入手机号、座机号或电子邮箱。查询结果含未遮挡的个人信息，查询本身会记入访问日志。',
  personLabel: '手机号 / 座机号 / 电子邮箱',
  find: '查询',
  found: (n: number, m: number) => `找到 ${n} 件事项、${m} 封邮件含有此人的信息。`,
  none: '没有找到含有此人信息的事项或邮件。',
  download: '下载全部数据（JSON）',
  erase: '删除此人的个人信息',
  eraseConfirm: '我已核实申请人身份，确认删除其姓名、电话、邮箱及文字中的号码（事项、统计和办理记录保留）',
  erased: (items: number, mails: number) => `已删除：${items} 件事项、${mails} 封其他邮件中的个人信息。`,
  confirmNeeded: '请先勾选确认。',
  badPerson: '请输入手机号（至少7位数字）或电子邮箱。',
  retention: '按保存期限清理',
  retentionOff: '未设置保存期限（HUB_PERSONAL_DATA_MONTHS）：已办结事项的个人信息长期保存。',
  retentionOn: (m: number) => `已办结超过 ${m} 个月的事项，其姓名、电话、邮箱每天凌晨自动删除。`,
  retentionRun: '立即清理',
  retentionDone: (n: number, cutoff: string) => `已删除 ${n} 件于 ${cutoff} 之前办结的事项中的个人信息。`,
  audit: '个人信息访问日志',
  auditLabel: '访问日志分页',
  cols: { at: '时间', actor: '操作人', action: '操作', items: '事项', subject: '查询对象' },
  itemCols: { id: '编号', channel: '渠道', received: '收到时间', status: '状态', contact: '联系人', text: '内容' },
  actions: {
    item_view: '查看事项（未遮挡）',
    items_export: '导出事项（含电话）',
    person_export: '查询/导出个人信息',
    person_erase: '删除个人信息',
    retention_erase: '到期清理',
  } as Record<string, string>,
};

export interface PrivacyView {
  csrf: string;
  months: number | null;
  person?: string;
  found?: PersonExport;
  error?: string;
  flash?: string;
  audit: { entries: AuditEntry[]; total: number; page: number; pageSize: number };
}

export function privacyBody(v: PrivacyView): string {
  const flash = v.flash ? `<div class="msg ok" role="status">${escapeHtml(v.flash)}</div>` : '';
  const error = v.error ? `<div class="msg err" role="alert">${escapeHtml(v.error)}</div>` : '';
  return `<h1>${T_PRIVACY.title}</h1><p><a href="/console/admin">${T_PRIVACY.back}</a></p>${flash}${error}
<section class="card" aria-labelledby="h-person"><h2 id="h-person">${T_PRIVACY.person}</h2>
<p>${T_PRIVACY.personHint}</p>
<form method="get" action="/console/admin/privacy"><label for="person">${T_PRIVACY.personLabel}</label>
<input id="person" name="person" type="text" maxlength="200" value="${escapeHtml(v.person ?? '')}" autocomplete="off"> <button type="submit">${T_PRIVACY.find}</button></form>
${v.found ? foundPart(v) : ''}</section>
<section class="card" aria-labelledby="h-retention"><h2 id="h-retention">${T_PRIVACY.retention}</h2>
<p>${v.months === null ? T_PRIVACY.retentionOff : T_PRIVACY.retentionOn(v.months)}</p>
${v.months === null ? '' : `<form method="post" action="/console/admin/privacy/retention"><input type="hidden" name="_csrf" value="${escapeHtml(v.csrf)}"><button type="submit">${T_PRIVACY.retentionRun}</button></form>`}
</section>
<section class="card" aria-labelledby="h-audit"><h2 id="h-audit">${T_PRIVACY.audit}</h2>${auditTable(v)}
${pager({ path: '/console/admin/privacy', page: v.audit.page, pageSize: v.audit.pageSize, total: v.audit.total, label: T_PRIVACY.auditLabel })}</section>`;
}

function foundPart(v: PrivacyView): string {
  const f = v.found as PersonExport;
  if (!f.items.length && !f.mails.length) return `<p role="status">${T_PRIVACY.none}</p>`;
  const c = T_PRIVACY.itemCols;
  const rows = f.items
    .map(
      (i) => `<tr><td><a href="/console/items/${i.id}">${i.id}</a></td><td>${escapeHtml(CHANNEL_NAMES[i.channel as Channel] ?? i.channel)}</td>
<td>${escapeHtml(chinaDateTime(new Date(i.receivedAt)))}</td><td>${escapeHtml(STATUS_NAMES[i.status as ItemStatus] ?? i.status)}</td>
<td>${escapeHtml([i.contact.name, i.contact.phone, i.contact.email].filter(Boolean).join(' '))}</td><td>${escapeHtml(Array.from(i.text).slice(0, 80).join(''))}</td></tr>`,
    )
    .join('');
  const q = encodeURIComponent(v.person ?? '');
  return `<p role="status">${T_PRIVACY.found(f.items.length, f.mails.length)}</p>
<table><thead><tr><th scope="col">${c.id}</th><th scope="col">${c.channel}</th><th scope="col">${c.received}</th><th scope="col">${c.status}</th><th scope="col">${c.contact}</th><th scope="col">${c.text}</th></tr></thead><tbody>${rows}</tbody></table>
<p><a href="/console/admin/privacy/export.json?person=${q}" download>${T_PRIVACY.download}</a></p>
<form method="post" action="/console/admin/privacy/erase"><input type="hidden" name="_csrf" value="${escapeHtml(v.csrf)}"><input type="hidden" name="person" value="${escapeHtml(v.person ?? '')}">
<p><input type="checkbox" id="confirm" name="confirm" value="yes"> <label for="confirm">${T_PRIVACY.eraseConfirm}</label></p>
<button type="submit">${T_PRIVACY.erase}</button></form>`;
}

function auditTable(v: PrivacyView): string {
  const c = T_PRIVACY.cols;
  const rows = v.audit.entries
    .map(
      (e) => `<tr><td>${escapeHtml(chinaDateTime(new Date(e.at)))}</td><td>${escapeHtml(e.actor)}</td><td>${escapeHtml(T_PRIVACY.actions[e.action] ?? e.action)}</td>
<td>${escapeHtml(e.itemIds.length > 5 ? `${e.itemIds.slice(0, 5).join('、')} 等 ${Number(e.detail.items ?? e.itemIds.length)} 件` : e.itemIds.join('、'))}</td><td>${escapeHtml(e.subject ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th scope="col">${c.at}</th><th scope="col">${c.actor}</th><th scope="col">${c.action}</th><th scope="col">${c.items}</th><th scope="col">${c.subject}</th></tr></thead><tbody>${rows}</tbody></table>`;
}
