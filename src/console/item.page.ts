import type { CatalogUnit } from '../org/catalog.types.js';
import { CHANNEL_NAMES, type ItemView } from '../items/item.types.js';
import type { ActionType } from '../workflow/index.js';
import { escapeHtml } from '../web/html.js';
import { DIMENSION_NAMES, LABELS } from '../classification/dimensions.js';
import { APPEAL_NAMES, CASE_CHECK_NAMES, chinaDateTime, EVENT_NAMES, EXTENSION_NAMES, STATUS_NAMES } from './format.js';
import { dimensionName, dueCell } from './queue.page.js';

/** Strings of the item page. */
export const T_ITEM = {
  title: (code: string) => `事项 ${code}`,
  facts: '基本信息',
  channel: '渠道',
  received: '收到时间',
  rating: '评价',
  ratingInvalid: '（申诉成立，不计分）',
  ratingCaseRejected: '（办件编号未采信，不计分）',
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
  callback: {
    legend: '回访',
    hint: '联系群众了解对答复的满意程度。满意则办结；不满意则退回责任单位重新办理。',
    result: '回访结果（必选）',
    satisfied: '满意（办结）',
    unhappy: '不满意（重新办理）',
    note: '回访记录（选填）',
    button: '记录回访',
  },
  close: { legend: '办结', hint: '不经回访直接办结（如重复件、无效件或群众已明确满意）。', note: '办结说明（选填）', button: '办结' },
  reopen: { legend: '重新办理', hint: '退回责任单位重新办理，重新计算签收和答复期限。', reason: '重新办理原因（必填）', button: '重新办理' },
  decideExtension: {
    legend: '延期审批',
    asked: (days: number | null, reason: string) => `申请延期${days ?? '?'}个工作日。理由：${reason || '（未填写）'}`,
    note: '审批意见（必填）',
    approve: '批准延期',
    refuse: '不批准',
    hint: '批准后答复期限顺延，并通知责任单位和群众。',
  },
  appealForm: {
    legend: '差评申诉',
    hint: '认为差评属误评或恶意评价时可申诉，由管理办公室复核；申诉成立的评价不计入统计。',
    reason: '申诉理由（必填）',
    button: '提交申诉',
  },
  decideAppeal: {
    legend: '申诉复核',
    asked: (reason: string) => `单位申诉理由：${reason || '（未填写）'}`,
    note: '复核意见（必填）',
    uphold: '申诉成立',
    reject: '申诉不成立',
    hint: '申诉成立的评价标记为无效（保留记录，不计入统计）。',
  },
  reclassify: {
    legend: '更正分类',
    hint: '分类有误时更正；更正会记录在办理记录中，并用于改进自动分类。',
    hintUnit: '分类有误时更正问题类别。不属于本单位职责的，请使用“退回”。',
    dimension: '问题类别',
    unit: '改派至单位（选填）',
    keep: '不改派（保持当前单位）',
    note: '更正说明（选填）',
    button: '更正分类',
  },
  problem: { legend: '问题整改', link: '由此事项新建整改问题', hint: '需要倒推整改的，建立问题并跟踪整改措施。' },
  callbackFact: '回访结果',
  callbackYes: '满意',
  callbackNo: '不满意',
  deadlines: '各环节期限',
  acceptDue: '签收期限',
  answerDue: '答复期限',
  callbackDue: '回访期限',
  closedAt: '办结时间',
  trackingCode: '查询码',
  serviceItem: '服务事项',
  supervision: '抄送督查单位',
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
  evidenceKinds: {
    cue: '关键词',
    model: '模型',
    tag: '评价标签',
    rule: '规则',
    lexicon: '关键词',
    'route:window': '分派·扫码窗口',
    'route:assigned_unit': '分派·热线承办单位',
    'route:service_item': '分派·办理事项',
    'route:named_unit': '分派·文中单位',
    'route:window_mention': '分派·文中窗口',
    'route:duty': '分派·部门职责',
    'route:learned': '分派·以往确认',
    'route:candidate': '分派·候选单位',
    'route:place': '分派·地点（不作为责任方）',
    'route:skipped': '分派·未采用',
    'route:supervision': '分派·监督',
    'route:junk': '分派·疑似广告或测试',
    'route:triage': '分派·人工',
  } as Record<string, string>,
};

/** The address segment each step is posted to (POST /console/items/:id/<segment>). */
export const STEP_PATHS = {
  accept: 'accept',
  return: 'return',
  answer: 'answer',
  extension: 'request_extension',
  dispatch: 'dispatch',
  callback: 'callback',
  close: 'close',
  reopen: 'reopen',
  'extension-decision': 'decide_extension',
  appeal: 'appeal',
  'appeal-decision': 'decide_appeal',
  reclassify: 'reclassify',
} as const satisfies Record<string, ActionType>;
export type StepPath = keyof typeof STEP_PATHS;

export interface ItemPageOptions {
  item: ItemView;
  allowed: ActionType[];
  csrf: string;
  units: CatalogUnit[];
  now: Date;
  error?: string;
  flash?: string;
  /** what the person typed, kept after a refused step (only in the form of that step) */
  values?: Record<string, string>;
  /** the step that was refused */
  failed?: StepPath;
  /** the reasons of the waiting extension request and appeal (from the timeline) */
  pending?: { extension?: string; appeal?: string };
  /** show the link to create a rectification problem (the office) */
  problemLink?: boolean;
  /** unit staff change only the dimension; the office may also move the item */
  canMove?: boolean;
  /** the item's case (issue 16): lead, repeats, hot spot; rendered by hot-spots.page.ts */
  caseHtml?: string;
}

const e = escapeHtml;

/** Screen-specific styles of the step forms (radio choices, paired decision buttons), shared with the supervision board. */
export const STEP_CSS = `
fieldset.choice{border:0;padding:0;margin:8px 0}
fieldset.choice legend{font-weight:700;padding:0;margin:0 0 4px}
label.radio{display:flex;align-items:center;gap:8px;font-weight:400;margin:2px 0;min-height:36px}
label.radio input{width:20px;height:20px;margin:0}
.buttons{display:flex;gap:8px;flex-wrap:wrap}
form.action h3,div.action h3{font-size:17px;margin:4px 0}
div.action{border-top:1px solid #d5dbe3;padding:10px 0 4px}
`;

export function itemBody(o: ItemPageOptions): string {
  const i = o.item;
  const fact = (dt: string, dd: string) => `<dt>${dt}</dt><dd>${dd}</dd>`;
  const rating =
    i.rating === null
      ? T_ITEM.none
      : `${i.rating}分 · ${T_ITEM.ratingNames[i.rating] ?? ''}${i.ratingValid ? '' : i.caseCheck === 'rejected' ? T_ITEM.ratingCaseRejected : T_ITEM.ratingInvalid}${i.tags.length ? `（${e(i.tags.join('、'))}）` : ''}`;
  const facts = [
    fact(T_ITEM.trackingCode, e(i.trackingCode)),
    fact(T_ITEM.status, `<span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span>`),
    fact(T_ITEM.due, dueCell(i, o.now)),
    fact(T_ITEM.channel, e(CHANNEL_NAMES[i.channel] ?? i.channel)),
    fact(T_ITEM.received, chinaDateTime(i.receivedAt)),
    fact(T_ITEM.rating, rating),
    i.caseNo ? fact(T_ITEM.caseNo, `${e(i.caseNo)}${i.caseCheck ? `（${e(CASE_CHECK_NAMES[i.caseCheck] ?? i.caseCheck)}）` : ''}`) : '',
    i.window ? fact(T_ITEM.window, e(i.window)) : '',
    i.source ? fact(T_ITEM.source, e(i.source)) : '',
    fact(T_ITEM.contact, e(i.contact.name ?? T_ITEM.none)),
    fact(T_ITEM.phone, e(i.contact.phone ?? T_ITEM.none)),
    i.contact.email ? fact(T_ITEM.email, e(i.contact.email)) : '',
    fact(T_ITEM.unit, e(i.unitName)),
    i.supervisionUnit ? fact(T_ITEM.supervision, e(i.supervisionUnit)) : '',
    i.serviceItem ? fact(T_ITEM.serviceItem, e(i.serviceItem)) : '',
    i.acceptDueAt ? fact(T_ITEM.acceptDue, chinaDateTime(i.acceptDueAt)) : '',
    i.answerDueAt ? fact(T_ITEM.answerDue, chinaDateTime(i.answerDueAt)) : '',
    i.callbackDueAt ? fact(T_ITEM.callbackDue, chinaDateTime(i.callbackDueAt)) : '',
    i.callbackSatisfied !== null ? fact(T_ITEM.callbackFact, i.callbackSatisfied ? T_ITEM.callbackYes : T_ITEM.callbackNo) : '',
    i.closedAt ? fact(T_ITEM.closedAt, chinaDateTime(i.closedAt)) : '',
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
      const detail = eventDetail(t.kind, t.data);
      return `<li><time datetime="${e(t.at)}">${chinaDateTime(t.at)}</time><strong>${e(EVENT_NAMES[t.kind] ?? t.kind)}</strong> · ${e(t.actor)}${detail ? `<div>${e(detail)}</div>` : ''}${note ? `<div>${e(note)}</div>` : ''}</li>`;
    })
    .join('');

  const flash = o.flash ? `<div class="msg ok" role="status">${e(o.flash)}</div>` : '';
  const error = o.error ? `<div class="msg err" role="alert" id="action-error">${e(o.error)}</div>` : '';
  const answer = i.answer ? `<section class="card" aria-labelledby="h-answer"><h2 id="h-answer">${T_ITEM.answerHeading}</h2><div class="text">${e(i.answer)}</div><p class="hint">${chinaDateTime(i.answeredAt)}</p></section>` : '';
  const returned = i.returnReason ? `<p><strong>${T_ITEM.returnReason}：</strong>${e(i.returnReason)}</p>` : '';

  return `<style>${STEP_CSS}</style><h1>${e(T_ITEM.title(i.trackingCode))}</h1>${flash}${error}
<div class="grid"><div>
<section class="card" aria-labelledby="h-content"><h2 id="h-content">${T_ITEM.content}</h2>${i.subject ? `<p><strong>${e(i.subject)}</strong></p>` : ''}<div class="text">${e(i.text)}</div></section>
<section class="card" aria-labelledby="h-class"><h2 id="h-class">${T_ITEM.classification}</h2>${classification}</section>
<section class="card" aria-labelledby="h-routing"><h2 id="h-routing">${T_ITEM.routing}</h2><p>${e(i.routingReason)}</p>${returned}</section>
${answer}
<section class="card" aria-labelledby="h-actions"><h2 id="h-actions">${T_ITEM.actions}</h2>${actions(o)}</section>
</div><div>
<section class="card" aria-labelledby="h-facts"><h2 id="h-facts">${T_ITEM.facts}</h2><dl class="facts">${facts}</dl></section>
${o.caseHtml ?? ''}
<section class="card" aria-labelledby="h-timeline"><h2 id="h-timeline">${T_ITEM.timeline}</h2><ol class="timeline">${timeline}</ol></section>
</div></div>`;
}

function actions(o: ItemPageOptions): string {
  const id = o.item.id;
  // a refused step's typed values go back into that step's form only (several forms have a "reason")
  const val = (step: StepPath, name: string): string => (o.failed === step ? (o.values?.[name] ?? '') : '');
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const open = (step: StepPath, legend: string) =>
    `<form class="action" method="post" action="/console/items/${id}/${step}" aria-labelledby="f-${step}">${csrf}<h3 id="f-${step}">${legend}</h3>`;
  const area = (step: StepPath, name: string, label: string, required: boolean, max = 2000, describedBy = '') =>
    `<label for="${step}-${name}">${label}</label><textarea id="${step}-${name}" name="${name}"${required ? ' required' : ''} maxlength="${max}"${describedBy ? ` aria-describedby="${describedBy}"` : ''}>${e(val(step, name))}</textarea>`;
  const forms: string[] = [];
  const has = (a: ActionType) => o.allowed.includes(a);
  const T = T_ITEM;
  if (has('accept')) {
    forms.push(
      `${open('accept', T.accept.button)}<p class="hint">${T.accept.hint}</p><label for="accept-note">${T.accept.note}</label><input type="text" id="accept-note" name="note" maxlength="500" value="${e(val('accept', 'note'))}"><p><button type="submit">${T.accept.button}</button></p></form>`,
    );
  }
  if (has('answer')) {
    forms.push(
      `${open('answer', T.answer.legend)}<p class="hint" id="answer-hint">${T.answer.hint}</p>${area('answer', 'text', T.answer.text, true, 5000, 'answer-hint')}<p><button type="submit">${T.answer.button}</button></p></form>`,
    );
  }
  if (has('callback')) {
    const sat = val('callback', 'satisfied');
    forms.push(
      `${open('callback', T.callback.legend)}<p class="hint">${T.callback.hint}</p><fieldset class="choice"><legend>${T.callback.result}</legend>
<label class="radio"><input type="radio" name="satisfied" value="1" required${sat === '1' ? ' checked' : ''}> ${T.callback.satisfied}</label>
<label class="radio"><input type="radio" name="satisfied" value="0"${sat === '0' ? ' checked' : ''}> ${T.callback.unhappy}</label></fieldset>
${area('callback', 'note', T.callback.note, false)}<p><button type="submit">${T.callback.button}</button></p></form>`,
    );
  }
  if (has('decide_extension')) forms.push(decideExtensionForm(o.item, o.csrf, o.pending?.extension ?? '', val('extension-decision', 'note'), 'item'));
  if (has('decide_appeal')) forms.push(decideAppealForm(o.item, o.csrf, o.pending?.appeal ?? '', val('appeal-decision', 'note'), 'item'));
  if (has('request_extension')) {
    forms.push(
      `${open('extension', T.extension.legend)}<p class="hint">${T.extension.hint}</p><label for="ext-days">${T.extension.days}</label><input type="number" id="ext-days" name="days" min="1" max="60" required value="${e(val('extension', 'days'))}">${area('extension', 'reason', T.extension.reason, true)}<p><button type="submit" class="secondary">${T.extension.button}</button></p></form>`,
    );
  }
  if (has('appeal')) {
    forms.push(
      `${open('appeal', T.appealForm.legend)}<p class="hint">${T.appealForm.hint}</p>${area('appeal', 'reason', T.appealForm.reason, true)}<p><button type="submit" class="secondary">${T.appealForm.button}</button></p></form>`,
    );
  }
  if (has('dispatch')) forms.push(dispatchForm(id, o.csrf, o.units, o.failed === 'dispatch' ? (o.values ?? {}) : {}, 'item'));
  if (has('close')) {
    forms.push(
      `${open('close', T.close.legend)}<p class="hint">${T.close.hint}</p>${area('close', 'note', T.close.note, false)}<p><button type="submit" class="secondary">${T.close.button}</button></p></form>`,
    );
  }
  if (has('reopen')) {
    forms.push(
      `${open('reopen', T.reopen.legend)}<p class="hint">${T.reopen.hint}</p>${area('reopen', 'reason', T.reopen.reason, true)}<p><button type="submit" class="danger">${T.reopen.button}</button></p></form>`,
    );
  }
  if (has('reclassify')) {
    const dim = o.failed === 'reclassify' ? (o.values?.dimension ?? '') : (o.item.dimension ?? '');
    const dims = LABELS.map((d) => `<option value="${d}"${d === dim ? ' selected' : ''}>${e(DIMENSION_NAMES[d])}（${d}）</option>`).join('');
    const unit = val('reclassify', 'unit');
    const units = o.canMove
      ? `<label for="reclassify-unit">${T.reclassify.unit}</label><select id="reclassify-unit" name="unit"><option value="">${T.reclassify.keep}</option>${o.units
          .filter((u) => u.code !== o.item.unit)
          .map((u) => `<option value="${e(u.code)}"${u.code === unit ? ' selected' : ''}>${e(u.name)}</option>`)
          .join('')}</select>`
      : '';
    forms.push(
      `${open('reclassify', T.reclassify.legend)}<p class="hint">${o.canMove ? T.reclassify.hint : T.reclassify.hintUnit}</p><label for="reclassify-dimension">${T.reclassify.dimension}</label><select id="reclassify-dimension" name="dimension" required>${dims}</select>${units}<label for="reclassify-note">${T.reclassify.note}</label><input type="text" id="reclassify-note" name="note" maxlength="500" value="${e(val('reclassify', 'note'))}"><p><button type="submit" class="secondary">${T.reclassify.button}</button></p></form>`,
    );
  }
  if (has('return')) {
    forms.push(
      `${open('return', T.return.legend)}<p class="hint">${T.return.hint}</p>${area('return', 'reason', T.return.reason, true)}<p><button type="submit" class="danger">${T.return.button}</button></p></form>`,
    );
  }
  if (o.problemLink) {
    forms.push(`<div class="action"><h3>${T.problem.legend}</h3><p class="hint">${T.problem.hint}</p><p><a href="/console/problems/new?item=${id}">${T.problem.link}</a></p></div>`);
  }
  if (!forms.length) return `<p class="empty">${T.noActions}</p>`;
  return forms.join('');
}

/**
 * The office's decision on a waiting extension request: on the item page and in each row of the supervision board
 * (ids kept unique per item; the board's forms post to the board so a refusal comes back there).
 */
export function decideExtensionForm(i: ItemView, csrf: string, reason: string, note: string, where: 'item' | 'board', hidden = ''): string {
  const T = T_ITEM.decideExtension;
  const p = `${where}-${i.id}`;
  const action = where === 'item' ? `/console/items/${i.id}/extension-decision` : `/console/supervision/extensions/${i.id}`;
  const heading = where === 'item' ? `<h3 id="f-xd-${p}">${T.legend}</h3><p>${e(T.asked(i.extension.days, reason))}</p><p class="hint">${T.hint}</p>` : '';
  const label = where === 'item' ? `aria-labelledby="f-xd-${p}"` : `aria-label="${T.legend} ${e(i.trackingCode)}"`;
  return `<form class="action${where === 'board' ? ' inline' : ''}" method="post" action="${action}" ${label}><input type="hidden" name="_csrf" value="${e(csrf)}">${hidden}${heading}
<div class="grow"><label for="xd-note-${p}">${T.note}</label><input type="text" id="xd-note-${p}" name="note" required maxlength="500" value="${e(note)}"></div>
<div class="buttons"><button type="submit" name="approve" value="1">${T.approve}</button> <button type="submit" name="approve" value="0" class="danger">${T.refuse}</button></div></form>`;
}

/** The office's decision on a waiting appeal, on the item page and on the supervision board. */
export function decideAppealForm(i: ItemView, csrf: string, reason: string, note: string, where: 'item' | 'board', hidden = ''): string {
  const T = T_ITEM.decideAppeal;
  const p = `${where}-${i.id}`;
  const action = where === 'item' ? `/console/items/${i.id}/appeal-decision` : `/console/supervision/appeals/${i.id}`;
  const heading = where === 'item' ? `<h3 id="f-ad-${p}">${T.legend}</h3><p>${e(T.asked(reason))}</p><p class="hint">${T.hint}</p>` : '';
  const label = where === 'item' ? `aria-labelledby="f-ad-${p}"` : `aria-label="${T.legend} ${e(i.trackingCode)}"`;
  return `<form class="action${where === 'board' ? ' inline' : ''}" method="post" action="${action}" ${label}><input type="hidden" name="_csrf" value="${e(csrf)}">${hidden}${heading}
<div class="grow"><label for="ad-note-${p}">${T.note}</label><input type="text" id="ad-note-${p}" name="note" required maxlength="500" value="${e(note)}"></div>
<div class="buttons"><button type="submit" name="uphold" value="1">${T.uphold}</button> <button type="submit" name="uphold" value="0" class="danger">${T.reject}</button></div></form>`;
}

/** What a timeline entry's data says, in words (the note is shown beside it). */
export function eventDetail(kind: string, d: Record<string, unknown>): string {
  const day = (v: unknown) => (typeof v === 'string' ? chinaDateTime(v) : '');
  switch (kind) {
    case 'extension_requested':
      return typeof d.days === 'number' ? `申请延期${d.days}个工作日` : '';
    case 'extension_decided':
      return d.approve === true ? `批准延期${typeof d.days === 'number' ? `${d.days}个工作日` : ''}${d.answerDueAt ? `，答复期限至 ${day(d.answerDueAt)}` : ''}` : '不批准延期';
    case 'called_back':
      return d.satisfied === true ? '群众满意' : d.satisfied === false ? '群众不满意，重新办理' : '';
    case 'appeal_decided':
      return d.uphold === true ? '申诉成立，该评价不计分' : d.uphold === false ? '申诉不成立' : '';
    case 'dispatched':
      return typeof d.unit === 'string' ? `分派至 ${d.unit}` : '';
    case 'reclassified': {
      // a move by the workflow records {unit: {from, to}}; a correction by the classification records before/after
      const moved = d.unit as { from?: unknown; to?: unknown } | undefined;
      if (moved && typeof moved === 'object') return `改派：${String(moved.from ?? '分派中心')} → ${String(moved.to ?? '')}`;
      const before = (d.before ?? {}) as Record<string, unknown>;
      const after = (d.after ?? {}) as Record<string, unknown>;
      const parts: string[] = [];
      if (after.dimension !== undefined && after.dimension !== before.dimension) {
        parts.push(`类别 ${dimensionName((before.dimension as string | null) ?? null)} → ${dimensionName((after.dimension as string | null) ?? null)}`);
      }
      if (after.unit !== undefined && after.unit !== before.unit) parts.push(`单位 ${String(before.unit ?? '')} → ${String(after.unit)}`);
      return parts.length ? parts.join('；') : '确认原分类';
    }
    default:
      return '';
  }
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
