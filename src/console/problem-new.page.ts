import type { ItemView } from '../items/item.types.js';
import type { CatalogUnit } from '../org/catalog.types.js';
import type { BacktraceAnswer } from '../rectification/cases.service.js';
import type { BacktraceFinding, StepTraceStatus } from '../rectification/backtrace.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, excerpt, STATUS_NAMES } from './format.js';
import { flashAndError, PROBLEMS_CSS, T_PROBLEMS } from './problems.page.js';
import { dimensionName } from './queue.page.js';

const e = escapeHtml;

export const DIMENSIONS = ['D1', 'D2', 'D3', 'D4', 'D5'] as const;

/** Strings of the new-problem page and the back-trace shown on it. */
export const T_NEW = {
  title: '新建问题',
  fromItem: '来源事项',
  itemLink: (code: string) => `事项 ${code}`,
  form: '问题信息',
  titleLabel: '问题标题（必填）',
  cause: '问题根源（必填）',
  causeHint: '写明问题出在哪里、为什么会发生；可先做倒推分析，再据实修改。',
  dimension: '问题类别',
  blockedStep: '堵点环节（选填）',
  units: '责任单位（至少选一个）',
  kind: '整改类型',
  deadline: '整改期限（限期整改必填）',
  deadlineHint: '到期日当天24时截止；格式如 2026-12-31。',
  items: '关联事项（查询码，每行一个，选填）',
  itemsHint: '这些事项在问题验收通过后，将以整改措施作为答复。',
  create: '建立问题',
  trace: {
    heading: '倒推分析',
    hint: '按该事项对应办件的办理记录，从结果倒推审批环节，找出卡在哪一步。',
    button: '倒推分析',
    again: '重新分析',
    caseNo: '办件编号',
    service: '办理事项',
    none: '未发现明显堵点。',
    proposals: '可能的堵点（从结果倒推）',
    at: (step: string, units: string) => `「${step}」· ${units}`,
    steps: '审批环节对照',
    cols: { step: '环节', unit: '办理单位', committed: '承诺工作日', actual: '实际工作日', status: '情况' },
    caption: '审批环节与实际办理对照',
    applied: '已将分析结果填入下方表单，请核对后再建立问题。',
    unmatched: (rows: string) => `办件记录第 ${rows} 行在审批环节中找不到对应环节。`,
  },
  findings: {
    overrun: '超出承诺时限',
    return_loop: '多次退回补正',
    slow_handoff: '单位之间交接慢',
    missing_step: '环节缺失（可能体外循环）',
    unknown_step: '多出的环节',
    long_commitment: '承诺时限过长',
  } as Record<BacktraceFinding, string>,
  stepStatus: { ok: '正常', overrun: '超时', open: '办理中', missing: '缺失', not_reached: '未到达' } as Record<StepTraceStatus, string>,
};

export interface NewProblemValues {
  title?: string;
  rootCause?: string;
  dimension?: string;
  blockedStep?: string;
  units?: string[];
  kind?: string;
  deadline?: string;
  codes?: string;
}

export interface NewPageOptions {
  csrf: string;
  units: CatalogUnit[];
  unitNames: Map<string, string>;
  serviceNames: Map<string, string>;
  values: NewProblemValues;
  item?: ItemView;
  trace?: BacktraceAnswer;
  error?: string;
}

/** Unit codes in the back-trace's sentences read as names, so the reason is plain Chinese for everyone. */
export function withUnitNames(text: string, names: Map<string, string>): string {
  let out = text;
  for (const [code, name] of names) {
    out = out.replace(new RegExp(`(?<![A-Za-z0-9-])${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9-])`, 'g'), name);
  }
  return out;
}

/** What a back-trace proposes, as values for the form: the first (latest) blocked step leads. */
export function valuesFromTrace(trace: BacktraceAnswer, names: Map<string, string>, fallback: NewProblemValues): NewProblemValues {
  if (!trace.blocked.length) return fallback;
  const first = trace.blocked[0]!;
  const units = [...new Set(trace.blocked.flatMap((b) => b.units))].filter((u) => names.has(u));
  return {
    ...fallback,
    rootCause: trace.blocked.map((b) => withUnitNames(b.reason, names)).join('\n'),
    dimension: first.dimension,
    blockedStep: first.step,
    units: units.length ? units : fallback.units,
  };
}

function traceSection(o: NewPageOptions): string {
  const T = T_NEW.trace;
  const item = o.item;
  if (!item) return '';
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const form = `<form class="action" method="post" action="/console/problems/new/backtrace">${csrf}<input type="hidden" name="item" value="${item.id}"><p class="hint">${T.hint}</p><button type="submit" class="secondary">${o.trace ? T.again : T.button}</button></form>`;
  const r = o.trace;
  let result = '';
  if (r) {
    const facts = [
      r.caseNo ? `<dt>${T.caseNo}</dt><dd>${e(r.caseNo)}</dd>` : '',
      r.serviceItem ? `<dt>${T.service}</dt><dd>${e(o.serviceNames.get(r.serviceItem) ?? r.serviceItem)}<span class="hint">（${e(r.serviceItem)}）</span></dd>` : '',
    ].join('');
    const warnings = r.warnings.map((w) => `<p class="msg err">${e(withUnitNames(w, o.unitNames))}</p>`).join('');
    const names = (codes: string[]) => codes.map((c) => o.unitNames.get(c) ?? c).join('、');
    const blocked = r.blocked.length
      ? `<h3>${T.proposals}</h3>${r.blocked
          .map(
            (b) =>
              `<div class="finding"><p><strong>${e(T.at(b.step, names(b.units)))}</strong> · ${e(T_NEW.findings[b.finding] ?? b.finding)} · ${e(dimensionName(b.dimension))}</p><p>${e(withUnitNames(b.reason, o.unitNames))}</p></div>`,
          )
          .join('')}<p class="hint">${T.applied}</p>`
      : r.steps.length
        ? `<p>${T.none}</p>`
        : '';
    const steps = r.steps.length
      ? `<h3>${T.steps}</h3><table class="trace"><caption class="sr">${T.caption}</caption><thead><tr>${Object.values(T.cols)
          .map((h) => `<th scope="col">${h}</th>`)
          .join('')}</tr></thead><tbody>${r.steps
          .map(
            (s) =>
              `<tr><td>${e(s.step)}</td><td>${e(o.unitNames.get(s.unit) ?? s.unit)}</td><td class="num">${s.committedDays}</td><td class="num">${s.actualDays ?? '—'}</td><td${s.status === 'overrun' || s.status === 'missing' ? ' class="late"' : ''}>${T_NEW.stepStatus[s.status] ?? e(s.status)}${s.returns ? `（退回${s.returns}次）` : ''}</td></tr>`,
          )
          .join('')}</tbody></table>`
      : '';
    const unmatched = r.unmatched.length ? `<p class="hint">${e(T.unmatched(r.unmatched.join('、')))}</p>` : '';
    result = `<div role="status">${facts ? `<dl class="facts">${facts}</dl>` : ''}${warnings}${blocked}${steps}${unmatched}</div>`;
  }
  return `<section class="card" aria-labelledby="h-trace"><h2 id="h-trace">${T.heading}</h2>${result}${form}</section>`;
}

export function newBody(o: NewPageOptions): string {
  const T = T_NEW;
  const v = o.values;
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const item = o.item;
  const itemCard = item
    ? `<section class="card" aria-labelledby="h-item"><h2 id="h-item">${T.fromItem}</h2><p><a href="/console/items/${item.id}">${e(T.itemLink(item.trackingCode))}</a> <span class="badge ${item.status}">${STATUS_NAMES[item.status]}</span> · ${e(item.unitName)} · ${chinaDateTime(item.receivedAt)}</p><div class="text">${e(excerpt(item.text, 200))}</div></section>`
    : '';
  const chosen = new Set(v.units ?? []);
  // the chosen units first, so they show without scrolling the list
  const units = [...o.units.filter((u) => chosen.has(u.code)), ...o.units.filter((u) => !chosen.has(u.code))]
    .map((u) => `<label class="check"><input type="checkbox" name="units" value="${e(u.code)}"${chosen.has(u.code) ? ' checked' : ''}>${e(u.name)}</label>`)
    .join('');
  const dims = DIMENSIONS.map((d) => `<option value="${d}"${v.dimension === d ? ' selected' : ''}>${e(dimensionName(d))}（${d}）</option>`).join('');
  const kind = v.kind ?? 'deadline';
  const kinds = (['immediate', 'deadline', 'ledger'] as const)
    .map((k) => `<label class="check"><input type="radio" name="kind" value="${k}"${kind === k ? ' checked' : ''}>${T_PROBLEMS.kindNames[k]}</label>`)
    .join('');
  const form = `<section class="card" aria-labelledby="h-form"><h2 id="h-form">${T.form}</h2>
<form method="post" action="/console/problems/new">${csrf}${item ? `<input type="hidden" name="item" value="${item.id}">` : ''}
<label for="p-title">${T.titleLabel}</label><input type="text" id="p-title" name="title" required maxlength="500" value="${e(v.title ?? '')}">
<label for="p-cause">${T.cause}</label><p class="hint" id="p-cause-hint">${T.causeHint}</p><textarea id="p-cause" name="rootCause" required maxlength="5000" aria-describedby="p-cause-hint">${e(v.rootCause ?? '')}</textarea>
<label for="p-dim">${T.dimension}</label><select id="p-dim" name="dimension" required>${dims}</select>
<label for="p-step">${T.blockedStep}</label><input type="text" id="p-step" name="blockedStep" maxlength="200" value="${e(v.blockedStep ?? '')}">
<fieldset><legend>${T.units}</legend><div class="unit-grid">${units}</div></fieldset>
<fieldset><legend>${T.kind}</legend><div class="kinds">${kinds}</div></fieldset>
<label for="p-deadline">${T.deadline}</label><p class="hint" id="p-deadline-hint">${T.deadlineHint}</p><input type="date" id="p-deadline" name="deadline" aria-describedby="p-deadline-hint" value="${e(v.deadline ?? '')}">
<label for="p-codes">${T.items}</label><p class="hint" id="p-codes-hint">${T.itemsHint}</p><textarea id="p-codes" name="codes" maxlength="20000" aria-describedby="p-codes-hint">${e(v.codes ?? '')}</textarea>
<p><button type="submit">${T.create}</button></p></form></section>`;
  return `${PROBLEMS_CSS}<p><a href="/console/problems">${T_PROBLEMS.back}</a></p><h1>${T.title}</h1>${flashAndError(undefined, o.error)}
<div class="grid"><div>${form}</div><div>${itemCard}${traceSection(o)}</div></div>`;
}
