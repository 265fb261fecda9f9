import type { StaffChannel } from '../intake/entries/entries.dto.js';
import { CHANNEL_NAMES, type ItemView } from '../items/item.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, excerpt, STATUS_NAMES } from './format.js';
import { dimensionName } from './queue.page.js';

const e = escapeHtml;

/** Strings of the intake hub, the staff entry forms and the confirmation page. */
export const T_INTAKE = {
  title: '录入',
  intro: '录入意见箱意见、投诉电话和走流程发现的问题，导入12345热线工单，处理收取失败的邮件。',
  entries: '人工录入',
  channels: {
    suggestion_box: { name: '意见箱', link: '录入意见箱意见', hint: '群众投入意见箱的纸质意见单。', source: '意见箱位置', sourceHint: '例如：一楼大厅意见箱', number: '意见单编号' },
    phone: { name: '投诉电话', link: '录入投诉电话', hint: '投诉电话接到的来电。', source: '来电线路', sourceHint: '例如：政务服务投诉电话', number: '来电记录编号' },
    walkthrough: { name: '走流程发现', link: '录入走流程发现', hint: '体验员、“我陪群众走流程”中发现的问题。', source: '走流程活动或体验员', sourceHint: '例如：11月体验员走流程', number: '记录编号' },
  } as Record<StaffChannel, { name: string; link: string; hint: string; source: string; sourceHint: string; number: string }>,
  hotline: '12345热线',
  hotlineImport: '导入12345工单文件',
  hotlineForward: '单件转办（录入一张12345工单）',
  mail: '电子邮箱',
  mailFailures: '邮件收取失败处理',
  cases: '办件记录',
  casesImport: '导入办件过程记录（用于倒推整改）',
  recentEntries: '最近录入',
  noEntries: '还没有人工录入的事项。',
  recentImports: '最近导入',
  formTitle: (ch: string) => `录入：${ch}`,
  required: '（必填）',
  optional: '（选填）',
  fields: {
    text: '反映内容',
    textHint: '照录原意，可分段；不超过20000字。',
    name: '反映人姓名',
    phone: '联系电话',
    phoneHint: '需要回访时填写。',
    window: '涉及窗口',
    windowNone: '不涉及具体窗口',
    item: '涉及事项',
    itemNone: '不涉及具体事项',
    caseNo: '办件编号',
    receivedAt: '收到时间',
    receivedAtHint: '不填为现在（北京时间）。',
    numberHint: '同一编号只会登记一次，重复提交不会重复生成事项。',
  },
  save: '保存并分派',
  cancel: '返回录入首页',
  errorsHeading: '请修改以下内容后再提交：',
  errors: {
    text: '请填写反映内容。',
    textLong: '反映内容不能超过20000字。',
    source: (label: string) => `${label}不能超过200字。`,
    name: '反映人姓名不能超过100字。',
    phone: '联系电话只能包含数字、空格、“-”和开头的“+”，长度为3至20位。',
    window: '所选窗口不存在或已停用，请重新选择。',
    item: '所选事项不存在或已停用，请重新选择。',
    caseNo: '办件编号不能超过100个字符。',
    number: (label: string) => `${label}不能超过200个字符。`,
    receivedAt: '收到时间格式不正确，请按“年-月-日 时:分”填写。',
    future: '收到时间不能晚于现在。',
    tooLong: '内容过长，请删减后再提交。',
    failed: '保存未能完成，请检查填写的内容后重试。',
  },
  confirm: {
    saved: '已保存，并已自动分类和分派。',
    again: '同一表单或同一编号此前已提交过，以下是已登记的事项，没有重复登记。',
    title: (code: string) => `已录入：${code}`,
    trackingCode: '查询码',
    trackingHint: '请告知反映人：凭查询码可在网上查询办理进度。',
    trackUrl: '进度查询页',
    channel: '渠道',
    received: '收到时间',
    classification: '问题分类',
    secondary: '其他相关类别',
    misconduct: '作风问题线索，已抄送督查单位',
    unit: '分派至',
    reason: '分派依据',
    status: '状态',
    openItem: '打开事项办理页',
    another: (ch: string) => `继续录入${ch}`,
    back: '返回录入首页',
  },
  cols: { code: '查询码', received: '收到时间', channel: '渠道', text: '内容摘要', unit: '分派至', status: '状态' },
};

/** Screen-specific styles (the shared frame's CSS stays untouched). */
export const INTAKE_CSS = `<style>
.fields{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:0 24px}
.fields .wide{grid-column:1/-1}
.links{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px}
.links .card{margin:0}
.links ul{margin:6px 0 0;padding-left:1.2em}
.links li{margin:4px 0}
.code-big{font:700 28px/1.3 ui-monospace,Menlo,Consolas,monospace;letter-spacing:2px}
.msg.err ul{margin:6px 0 0;padding-left:1.2em}
input[type=datetime-local],input[type=file]{font:inherit;padding:6px 10px;border:1px solid #5b6b7d;border-radius:6px;background:#fff;color:#1a1a1a;min-height:38px}
a.button{display:inline-block;font-weight:700;min-height:38px;padding:6px 18px;border-radius:6px;border:1px solid #0b4a8f;background:#0b4a8f;color:#fff;text-decoration:none}
a.button.secondary{background:#fff;color:#0b4a8f}
progress{width:100%;height:22px;accent-color:#0b4a8f}
dl.facts.long{grid-template-columns:13em 1fr}
</style>`;

export const ENTRY_CHANNELS: readonly StaffChannel[] = ['suggestion_box', 'phone', 'walkthrough'];

export function flashOk(text?: string): string {
  return text ? `<div class="msg ok" role="status">${e(text)}</div>` : '';
}

export function flashErr(text?: string | string[], id = 'form-errors'): string {
  if (!text || (Array.isArray(text) && !text.length)) return '';
  if (!Array.isArray(text)) return `<div class="msg err" role="alert" id="${id}">${e(text)}</div>`;
  return `<div class="msg err" role="alert" id="${id}"><strong>${T_INTAKE.errorsHeading}</strong><ul>${text.map((t) => `<li>${e(t)}</li>`).join('')}</ul></div>`;
}

export interface ImportLine {
  id: string;
  fileName: string;
  status: string;
  total: number;
  created: number;
  rejectedCount: number;
  createdAt: string;
}

/** /console/intake: where each channel's screen starts, and what was entered last. */
export function intakeHubBody(o: { recent: ItemView[]; imports: ImportLine[]; office: boolean; importTable: string }): string {
  const channelLinks = ENTRY_CHANNELS.map(
    (c) => `<li><a href="/console/intake/entry/${c}">${T_INTAKE.channels[c].link}</a><p class="hint">${T_INTAKE.channels[c].hint}</p></li>`,
  ).join('');
  const mail = o.office
    ? `<section class="card" aria-labelledby="h-mail"><h2 id="h-mail">${T_INTAKE.mail}</h2><ul><li><a href="/console/intake/mail">${T_INTAKE.mailFailures}</a></li></ul></section>`
    : '';
  const recent = o.recent.length ? entryTable(o.recent) : `<p class="empty">${T_INTAKE.noEntries}</p>`;
  return `${INTAKE_CSS}<h1>${T_INTAKE.title}</h1><p>${T_INTAKE.intro}</p>
<div class="links">
<section class="card" aria-labelledby="h-entries"><h2 id="h-entries">${T_INTAKE.entries}</h2><ul>${channelLinks}</ul></section>
<section class="card" aria-labelledby="h-hotline"><h2 id="h-hotline">${T_INTAKE.hotline}</h2><ul><li><a href="/console/intake/hotline">${T_INTAKE.hotlineImport}</a></li><li><a href="/console/intake/hotline/forward">${T_INTAKE.hotlineForward}</a></li></ul></section>
<section class="card" aria-labelledby="h-cases"><h2 id="h-cases">${T_INTAKE.cases}</h2><ul><li><a href="/console/problems/cases">${T_INTAKE.casesImport}</a></li></ul></section>
${mail}
</div>
<section aria-labelledby="h-recent"><h2 id="h-recent">${T_INTAKE.recentEntries}</h2>${recent}</section>
<section aria-labelledby="h-imports"><h2 id="h-imports">${T_INTAKE.recentImports}</h2>${o.importTable}</section>`;
}

function entryTable(items: ItemView[]): string {
  const c = T_INTAKE.cols;
  const head = [c.code, c.received, c.channel, c.text, c.unit, c.status].map((h) => `<th scope="col">${h}</th>`).join('');
  const rows = items
    .map(
      (i) =>
        `<tr><th scope="row" class="nowrap"><a href="/console/intake/entries/${i.id}">${e(i.trackingCode)}</a></th><td class="nowrap">${chinaDateTime(i.receivedAt)}</td><td class="nowrap">${e(CHANNEL_NAMES[i.channel] ?? i.channel)}</td><td>${e(excerpt(i.text))}</td><td>${e(i.unitName)}</td><td class="nowrap"><span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span></td></tr>`,
    )
    .join('');
  return `<table><caption class="sr">${T_INTAKE.recentEntries}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The entry form of one staff channel; `values` keep what was typed when the form comes back refused. */
export function entryFormBody(o: { channel: StaffChannel; csrf: string; snap: CatalogSnapshot; values: Record<string, string>; errors?: string[]; nonce: string }): string {
  const ch = T_INTAKE.channels[o.channel];
  const f = T_INTAKE.fields;
  const v = o.values;
  const unitName = new Map(o.snap.catalog.units.map((u) => [u.code, u.name]));
  const byUnit = new Map<string, { code: string; name: string; location: string | null }[]>();
  for (const w of o.snap.catalog.windows) byUnit.set(w.unit, [...(byUnit.get(w.unit) ?? []), w]);
  const windowOptions = [...byUnit]
    .map(
      ([unit, ws]) =>
        `<optgroup label="${e(unitName.get(unit) ?? unit)}">${ws.map((w) => `<option value="${e(w.code)}"${v.window === w.code ? ' selected' : ''}>${e(w.name)}（${e(w.code)}${w.location ? ` · ${e(w.location)}` : ''}）</option>`).join('')}</optgroup>`,
    )
    .join('');
  const itemOptions = o.snap.catalog.items
    .map((i) => `<option value="${e(i.code)}"${v.item === i.code ? ' selected' : ''}>${e(i.name)}（${e(i.code)}）</option>`)
    .join('');
  const described = o.errors?.length ? ' aria-describedby="form-errors"' : '';
  return `${INTAKE_CSS}<h1>${T_INTAKE.formTitle(ch.name)}</h1><p>${ch.hint}</p>${flashErr(o.errors)}
<form class="card" method="post" action="/console/intake/entry/${o.channel}"${described}>
<input type="hidden" name="_csrf" value="${e(o.csrf)}"><input type="hidden" name="nonce" value="${e(o.nonce)}">
<div class="fields">
<div class="wide"><label for="text">${f.text}${T_INTAKE.required}</label><p class="hint" id="text-hint">${f.textHint}</p><textarea id="text" name="text" required maxlength="20000" rows="6" aria-describedby="text-hint">${e(v.text ?? '')}</textarea></div>
<div><label for="source">${ch.source}${T_INTAKE.optional}</label><input type="text" id="source" name="source" maxlength="200" placeholder="${e(ch.sourceHint)}" value="${e(v.source ?? '')}"></div>
<div><label for="number">${ch.number}${T_INTAKE.optional}</label><input type="text" id="number" name="number" maxlength="200" aria-describedby="number-hint" value="${e(v.number ?? '')}"><p class="hint" id="number-hint">${f.numberHint}</p></div>
<div><label for="name">${f.name}${T_INTAKE.optional}</label><input type="text" id="name" name="name" maxlength="100" autocomplete="off" value="${e(v.name ?? '')}"></div>
<div><label for="phone">${f.phone}${T_INTAKE.optional}</label><input type="text" id="phone" name="phone" maxlength="20" inputmode="tel" autocomplete="off" aria-describedby="phone-hint" value="${e(v.phone ?? '')}"><p class="hint" id="phone-hint">${f.phoneHint}</p></div>
<div><label for="window">${f.window}${T_INTAKE.optional}</label><select id="window" name="window"><option value="">${f.windowNone}</option>${windowOptions}</select></div>
<div><label for="item">${f.item}${T_INTAKE.optional}</label><select id="item" name="item"><option value="">${f.itemNone}</option>${itemOptions}</select></div>
<div><label for="caseNo">${f.caseNo}${T_INTAKE.optional}</label><input type="text" id="caseNo" name="caseNo" maxlength="100" value="${e(v.caseNo ?? '')}"></div>
<div><label for="receivedAt">${f.receivedAt}${T_INTAKE.optional}</label><input type="datetime-local" id="receivedAt" name="receivedAt" aria-describedby="received-hint" value="${e(v.receivedAt ?? '')}"><p class="hint" id="received-hint">${f.receivedAtHint}</p></div>
</div>
<p><button type="submit">${T_INTAKE.save}</button> <a href="/console/intake">${T_INTAKE.cancel}</a></p>
</form>`;
}

/** After saving: the tracking code to give the person, and where the hub sent it. */
export function entryDoneBody(o: { item: ItemView; flash?: string; office: boolean }): string {
  const i = o.item;
  const c = T_INTAKE.confirm;
  const fact = (dt: string, dd: string) => `<dt>${dt}</dt><dd>${dd}</dd>`;
  const staff = (ENTRY_CHANNELS as readonly string[]).includes(i.channel) ? (i.channel as StaffChannel) : null;
  const again = staff ? `<a href="/console/intake/entry/${staff}">${c.another(T_INTAKE.channels[staff].name)}</a> · ` : i.channel === 'hotline' ? `<a href="/console/intake/hotline/forward">${T_INTAKE.hotlineForward}</a> · ` : '';
  const classification = `${e(dimensionName(i.dimension))}${i.dimension ? `<span class="hint">（${e(i.dimension)}）</span>` : ''}${
    i.secondary.length ? `<br><span class="hint">${c.secondary}：${e(i.secondary.map(dimensionName).join('、'))}</span>` : ''
  }${i.misconduct ? `<br><span class="late">${c.misconduct}</span>` : ''}`;
  return `${INTAKE_CSS}<h1>${e(c.title(i.trackingCode))}</h1>${flashOk(o.flash)}
<section class="card" aria-labelledby="h-code"><h2 id="h-code">${c.trackingCode}</h2><p class="code-big" id="tracking-code">${e(i.trackingCode)}</p><p class="hint">${c.trackingHint} ${c.trackUrl}：<a href="/t/${encodeURIComponent(i.trackingCode)}">/t/${e(i.trackingCode)}</a></p></section>
<section class="card" aria-labelledby="h-route"><h2 id="h-route">${c.classification}与分派</h2><dl class="facts">
${fact(c.classification, classification)}
${fact(c.unit, `<strong id="routed-unit">${e(i.unitName)}</strong>`)}
${fact(c.reason, e(i.routingReason))}
${fact(c.status, `<span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span>`)}
${fact(c.channel, e(CHANNEL_NAMES[i.channel] ?? i.channel))}
${fact(c.received, chinaDateTime(i.receivedAt))}
</dl></section>
<section class="card" aria-labelledby="h-text"><h2 id="h-text">${T_INTAKE.fields.text}</h2><div class="text">${e(i.text)}</div></section>
<p>${o.office ? `<a class="button" href="/console/items/${i.id}">${c.openItem}</a> ` : ''}${again}<a href="/console/intake">${c.back}</a></p>`;
}
