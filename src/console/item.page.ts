import type { CatalogUnit } from '../org/catalog.types.js';
import { CHANNEL_NAMES, type ItemView } from '../items/item.types.js';
import type { ActionType } from '../workflow/index.js';
import { escapeHtml } from '../web/html.js';
import { APPEAL_NAMES, chinaDateTime, EVENT_NAMES, EXTENSION_NAMES, STATUS_NAMES } from './format.js';
import { dimensionName, dueCell } from './queue.page.js';

/** Strings of the item page. */
export const T_ITEM = {
  title: (code: string) => `事项 ${code}`,
  facts: '基本信息',
  channel: '渠道',
  received: '收到时间',
  rating: '评价',
  ratingInvalid: '（申诉成立，不计分）',
  ratingNames: { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' } as Record<number, string>,
  caseNo: '办件编号',
  window: '窗口',
  source: '来源',
  contact: '联系人',
  phone: '联系电话',
  email: '邮箱',
  unit: '责任单位',
  status: '状态',
  due: '期限',
  extensionFact: '延期',
  appeal: '差评申诉',
  none: '—',
  content: '反映内容',
  classification: '问题分类',
  dimension: '主要类别',
  secondary: '其他相关类别',
  misconduct: '作风问题线索',
  misconductYes: '有，已抄送督查',
  confidence: '可信度',
  evidence: '分类依据',
  noEvidence: '无记录的依据。',
  routing: '分派依据',
  answerHeading: '答复内容',
  returnReason: '退回原因',
  timeline: '办理记录',
  actions: '办理',
  noActions: '当前没有您可以办理的步骤。',
  later: (names: string) => `其他可办理步骤（${names}）即将在工作台提供，目前可通过接口办理。`,
  accept: { button: '签收', note: '签收备注（选填）', hint: '签收后由本单位办理，并按期限答复。' },
  return: { legend: '退回', reason: '退回原因（必填）', hint: '不属于本单位职责时退回管理办公室重新分派，请写明原因。', button: '退回' },
  answer: { legend: '答复', text: '答复内容（必填）', hint: '写明核实情况和处理结果，答复后进入回访。', button: '提交答复' },
  extension: { legend: '申请延期', days: '延期工作日数（1–60）', reason: '延期原因（必填）', button: '申请延期', hint: '须在期限届满前申请，由管理办公室审批。' },
  dispatch: { legend: '分派', unit: '分派至单位', choose: '请选择单位', reason: '分派理由（必填）', button: '分派' },
  actionNames: {
    accept: '签收',
    return: '退回',
    answer: '答复',
    callback: '回访',
    close: '办结',
    reopen: '重新办理',
    reclassify: '更正分类',
    dispatch: '分派',
    request_extension: '申请延期',
    decide_extension: '延期审批',
    appeal: '差评申诉',
    decide_appeal: '申诉复核',
  } as Record<ActionType, string>,
  evidenceKinds: { cue: '关键词', model: '模型', tag: '评价标签', rule: '规则', lexicon: '关键词' } as Record<string, string>,
};

/** The steps this page has forms for; the others are listed as coming later. */
export const FORM_ACTIONS: readonly ActionType[] = ['accept', 'return', 'answer', 'request_extension', 'dispatch'];

export interface ItemPageOptions {
  item: ItemView;
  allowed: ActionType[];
  csrf: string;
  units: CatalogUnit[];
  now: Date;
  error?: string;
  flash?: string;
  /** what the person typed, kept after a refused step */
  values?: Record<string, string>;
}

const e = escapeHtml;

export function itemBody(o: ItemPageOptions): string {
  const i = o.item;
  const fact = (dt: string, dd: string) => `<dt>${dt}</dt><dd>${dd}</dd>`;
  const rating =
    i.rating === null
      ? T_ITEM.none
      : `${i.rating}分 · ${T_ITEM.ratingNames[i.rating] ?? ''}${i.ratingValid ? '' : T_ITEM.ratingInvalid}${i.tags.length ? `（${e(i.tags.join('、'))}）` : ''}`;
  const facts = [
    fact(T_ITEM.status, `<span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span>`),
    fact(T_ITEM.due, dueCell(i, o.now)),
    fact(T_ITEM.channel, e(CHANNEL_NAMES[i.channel] ?? i.channel)),
    fact(T_ITEM.received, chinaDateTime(i.receivedAt)),
    fact(T_ITEM.rating, rating),
    i.caseNo ? fact(T_ITEM.caseNo, e(i.caseNo)) : '',
    i.window ? fact(T_ITEM.window, e(i.window)) : '',
    i.source ? fact(T_ITEM.source, e(i.source)) : '',
    fact(T_ITEM.contact, e(i.contact.name ?? T_ITEM.none)),
    fact(T_ITEM.phone, e(i.contact.phone ?? T_ITEM.none)),
    i.contact.email ? fact(T_ITEM.email, e(i.contact.email)) : '',
    fact(T_ITEM.unit, e(i.unitName)),
    fact(T_ITEM.extensionFact, `${EXTENSION_NAMES[i.extension.state] ?? e(i.extension.state)}${i.extension.days ? `（${i.extension.days}个工作日）` : ''}`),
    i.rating !== null ? fact(T_ITEM.appeal, APPEAL_NAMES[i.appeal] ?? e(i.appeal)) : '',
  ].join('');

  const evidence = i.evidence.length
    ? `<ul>${i.evidence
        .map(
          (ev) =>
            `<li>${e(T_ITEM.evidenceKinds[ev.kind] ?? ev.kind)}：${e(ev.text)}${ev.dimension ? ` → ${e(dimensionName(ev.dimension))}` : ''}${typeof ev.weight === 'number' ? `<span class="hint">（权重 ${e(ev.weight.toFixed(2))}）</span>` : ''}</li>`,
        )
        .join('')}</ul>`
    : `<p class="hint">${T_ITEM.noEvidence}</p>`;
  const classification = `<dl class="facts">${[
    fact(T_ITEM.dimension, `${e(dimensionName(i.dimension))}${i.dimension ? `<span class="hint">（${e(i.dimension)}）</span>` : ''}`),
    i.secondary.length ? fact(T_ITEM.secondary, e(i.secondary.map(dimensionName).join('、'))) : '',
    i.misconduct ? fact(T_ITEM.misconduct, `<span class="late">${T_ITEM.misconductYes}</span>`) : '',
    i.confidence !== null ? fact(T_ITEM.confidence, `${Math.round(i.confidence * 100)}%`) : '',
  ].join('')}</dl><h3 class="sr">${T_ITEM.evidence}</h3><p><strong>${T_ITEM.evidence}：</strong></p>${evidence}`;

  const timeline = (i.timeline ?? [])
    .map((t) => {
      const note = typeof t.data.note === 'string' ? t.data.note : typeof t.data.reason === 'string' ? t.data.reason : '';
      return `<li><time datetime="${e(t.at)}">${chinaDateTime(t.at)}</time><strong>${e(EVENT_NAMES[t.kind] ?? t.kind)}</strong> · ${e(t.actor)}${note ? `<div>${e(note)}</div>` : ''}</li>`;
    })
    .join('');

  const flash = o.flash ? `<div class="msg ok" role="status">${e(o.flash)}</div>` : '';
  const error = o.error ? `<div class="msg err" role="alert" id="action-error">${e(o.error)}</div>` : '';
  const answer = i.answer ? `<section class="card" aria-labelledby="h-answer"><h2 id="h-answer">${T_ITEM.answerHeading}</h2><div class="text">${e(i.answer)}</div><p class="hint">${chinaDateTime(i.answeredAt)}</p></section>` : '';
  const returned = i.returnReason ? `<p><strong>${T_ITEM.returnReason}：</strong>${e(i.returnReason)}</p>` : '';

  return `<h1>${e(T_ITEM.title(i.trackingCode))}</h1>${flash}${error}
<div class="grid"><div>
<section class="card" aria-labelledby="h-content"><h2 id="h-content">${T_ITEM.content}</h2>${i.subject ? `<p><strong>${e(i.subject)}</strong></p>` : ''}<div class="text">${e(i.text)}</div></section>
<section class="card" aria-labelledby="h-class"><h2 id="h-class">${T_ITEM.classification}</h2>${classification}</section>
<section class="card" aria-labelledby="h-routing"><h2 id="h-routing">${T_ITEM.routing}</h2><p>${e(i.routingReason)}</p>${returned}</section>
${answer}
<section class="card" aria-labelledby="h-actions"><h2 id="h-actions">${T_ITEM.actions}</h2>${actions(o)}</section>
</div><div>
<section class="card" aria-labelledby="h-facts"><h2 id="h-facts">${T_ITEM.facts}</h2><dl class="facts">${facts}</dl></section>
<section class="card" aria-labelledby="h-timeline"><h2 id="h-timeline">${T_ITEM.timeline}</h2><ol class="timeline">${timeline}</ol></section>
</div></div>`;
}

function actions(o: ItemPageOptions): string {
  const id = o.item.id;
  const v = o.values ?? {};
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const open = (action: string, legend: string) =>
    `<form class="action" method="post" action="/console/items/${id}/${action}" aria-label="${legend}">${csrf}`;
  const forms: string[] = [];
  const has = (a: ActionType) => o.allowed.includes(a);
  if (has('accept')) {
    forms.push(
      `${open('accept', T_ITEM.accept.button)}<p class="hint">${T_ITEM.accept.hint}</p><label for="accept-note">${T_ITEM.accept.note}</label><input type="text" id="accept-note" name="note" maxlength="500" value="${e(v.note ?? '')}"><p><button type="submit">${T_ITEM.accept.button}</button></p></form>`,
    );
  }
  if (has('answer')) {
    forms.push(
      `${open('answer', T_ITEM.answer.legend)}<h3>${T_ITEM.answer.legend}</h3><p class="hint" id="answer-hint">${T_ITEM.answer.hint}</p><label for="answer-text">${T_ITEM.answer.text}</label><textarea id="answer-text" name="text" required maxlength="5000" aria-describedby="answer-hint">${e(v.text ?? '')}</textarea><p><button type="submit">${T_ITEM.answer.button}</button></p></form>`,
    );
  }
  if (has('request_extension')) {
    forms.push(
      `${open('extension', T_ITEM.extension.legend)}<h3>${T_ITEM.extension.legend}</h3><p class="hint">${T_ITEM.extension.hint}</p><label for="ext-days">${T_ITEM.extension.days}</label><input type="number" id="ext-days" name="days" min="1" max="60" required value="${e(v.days ?? '')}"><label for="ext-reason">${T_ITEM.extension.reason}</label><textarea id="ext-reason" name="reason" required maxlength="2000">${e(v.reason ?? '')}</textarea><p><button type="submit" class="secondary">${T_ITEM.extension.button}</button></p></form>`,
    );
  }
  if (has('dispatch')) forms.push(dispatchForm(id, o.csrf, o.units, v, 'item'));
  if (has('return')) {
    forms.push(
      `${open('return', T_ITEM.return.legend)}<h3>${T_ITEM.return.legend}</h3><p class="hint">${T_ITEM.return.hint}</p><label for="return-reason">${T_ITEM.return.reason}</label><textarea id="return-reason" name="reason" required maxlength="2000">${e(v.reason ?? '')}</textarea><p><button type="submit" class="danger">${T_ITEM.return.button}</button></p></form>`,
    );
  }
  const later = o.allowed.filter((a) => !FORM_ACTIONS.includes(a)).map((a) => T_ITEM.actionNames[a]);
  if (!forms.length && !later.length) return `<p class="empty">${T_ITEM.noActions}</p>`;
  return forms.join('') + (later.length ? `<p class="hint">${T_ITEM.later(later.join('、'))}</p>` : '');
}

/** The dispatch form, on the item page and in each row of the triage inbox (ids kept unique per item). */
export function dispatchForm(id: number, csrf: string, units: CatalogUnit[], v: Record<string, string>, where: 'item' | 'triage'): string {
  const options = units
    .map((u) => `<option value="${e(u.code)}"${v.unit === u.code ? ' selected' : ''}>${e(u.name)}</option>`)
    .join('');
  const p = `${where}-${id}`;
  return `<form class="action${where === 'triage' ? ' inline' : ''}" method="post" action="/console/items/${id}/dispatch" aria-label="${T_ITEM.dispatch.legend} ${id}"><input type="hidden" name="_csrf" value="${e(csrf)}">${where === 'triage' ? '<input type="hidden" name="from" value="triage">' : `<h3>${T_ITEM.dispatch.legend}</h3>`}
<div><label for="unit-${p}">${T_ITEM.dispatch.unit}</label><select id="unit-${p}" name="unit" required><option value="">${T_ITEM.dispatch.choose}</option>${options}</select></div>
<div class="grow"><label for="reason-${p}">${T_ITEM.dispatch.reason}</label><input type="text" id="reason-${p}" name="reason" required maxlength="500" value="${e(v.reason ?? '')}"></div>
<div><button type="submit">${T_ITEM.dispatch.button}</button></div></form>`;
}
