import type { CalendarWarning, CalendarYearSummary, CalendarYearView, RecountResult } from '../workflow/calendar-store.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime } from './format.js';

/** Chinese strings of 工作日历, in one place. */
export const T_CAL = {
  title: '工作日历',
  intro: '办理期限按工作日计算。国务院办公厅公布下一年节假日安排后，请在此录入放假日期和调休上班日期；各服务副本数秒内生效。',
  years: '已有日历的年份',
  cols: { year: '年份', source: '依据', origin: '来源', holidays: '放假天数', workdays: '调休上班天数', by: '录入人', at: '录入时间', actions: '操作' },
  origin: { file: '系统预置', entered: '办公室录入' } as Record<string, string>,
  edit: '查看或修改',
  enter: '录入或修改一年',
  yearLabel: '年份',
  docLabel: '日历内容（YAML，格式同 config/calendar/<年份>.yaml）',
  docHint: 'holidays 列放假日期（单日用 date，连续多日用 from/to），workdays 列调休上班的周六、周日。',
  save: '保存日历',
  saved: (y: number, s: CalendarYearSummary) => `${y}年工作日历已保存：放假${s.holidays}天，调休上班${s.workdays}天。已设定的办理期限需“重新计算期限”后才按新日历计算。`,
  problems: (n: number) => `日历有 ${n} 处问题，未保存：`,
  recount: (y: number) => `按${y}年日历重新计算未办结事项的期限`,
  recounted: (r: RecountResult) => `已重新计算：检查未办结事项 ${r.checked} 件，期限变化 ${r.changed} 件（每件的办理记录中均已注明）。`,
  days: '日期',
  kind: { holiday: '放假', workday: '调休上班' } as Record<string, string>,
  warnMissing: (ys: number[]) => `${ys.join('、')}年工作日历尚未录入，期限暂按周末计算。`,
  warnItems: (n: number) => `${n}件未办结事项的期限在该年：`,
  warnLink: '录入工作日历',
};

/**
 * The office's warning while a year has no calendar. On every page it is one line (the first items named, the rest
 * counted, a link to enter the calendar); the calendar page itself lists up to twenty items with their deadlines.
 */
export function calendarWarningHtml(w: CalendarWarning, compact: boolean): string {
  if (!w.missingYears.length && !w.items.length) return '';
  const shown = compact ? 3 : 20;
  const names = w.items
    .slice(0, shown)
    .map((i) => `<a href="/console/items/${i.id}">${escapeHtml(i.trackingCode)}</a>${compact ? '' : `（${chinaDateTime(i.dueAt)}）`}`)
    .join('、');
  const items = w.items.length ? `${T_CAL.warnItems(w.total)}${names}${w.total > shown ? ` 等${w.total}件` : ''}。` : '';
  const missing = w.missingYears.length ? T_CAL.warnMissing(w.missingYears) : '';
  if (compact) {
    return `<p class="msg err banner" data-calendar-warning>${missing}${items}<a href="/console/calendar">${T_CAL.warnLink}</a></p>`;
  }
  return `<div class="msg err" data-calendar-warning>${missing ? `<p>${missing}</p>` : ''}${items ? `<p>${items}</p>` : ''}</div>`;
}

const csrfField = (csrf: string) => `<input type="hidden" name="_csrf" value="${escapeHtml(csrf)}">`;

export interface CalendarPageView {
  csrf: string;
  years: CalendarYearSummary[];
  warning: CalendarWarning;
  form: { year: string; document: string };
  selected?: CalendarYearView;
  saved?: { year: number; summary: CalendarYearSummary };
  recounted?: { year: number; result: RecountResult };
  problems?: { path: string; message: string }[];
  error?: string;
}

export function calendarBody(v: CalendarPageView): string {
  const c = T_CAL.cols;
  const rows = v.years
    .map(
      (y) => `<tr><th scope="row">${y.year}</th><td>${escapeHtml(y.source ?? '')}</td><td>${T_CAL.origin[y.origin] ?? y.origin}</td><td>${y.holidays}</td><td>${y.workdays}</td><td>${escapeHtml(y.enteredBy ?? '')}</td><td class="nowrap">${chinaDateTime(y.enteredAt)}</td>
<td><a href="/console/calendar?year=${y.year}">${T_CAL.edit}</a>
<form method="post" action="/console/calendar/${y.year}/recount" class="inline">${csrfField(v.csrf)}<button type="submit" class="secondary">${T_CAL.recount(y.year)}</button></form></td></tr>`,
    )
    .join('');
  let msg = '';
  if (v.error) msg = `<div class="msg err" role="alert">${escapeHtml(v.error)}</div>`;
  else if (v.problems?.length) {
    msg = `<div class="msg err" role="alert"><p>${T_CAL.problems(v.problems.length)}</p><ul class="problems">${v.problems
      .map((p) => `<li>${p.path ? `<code>${escapeHtml(p.path)}</code>：` : ''}${escapeHtml(p.message)}</li>`)
      .join('')}</ul></div>`;
  } else if (v.saved) msg = `<div class="msg ok" role="status">${escapeHtml(T_CAL.saved(v.saved.year, v.saved.summary))}</div>`;
  else if (v.recounted) msg = `<div class="msg ok" role="status">${escapeHtml(T_CAL.recounted(v.recounted.result))}</div>`;
  const days = v.selected
    ? `<h3>${v.selected.year}年</h3><table><thead><tr><th scope="col">${T_CAL.days}</th><th scope="col">类别</th><th scope="col">名称</th></tr></thead><tbody>${v.selected.days
        .map((d) => `<tr><td class="nowrap">${d.date}</td><td>${T_CAL.kind[d.kind]}</td><td>${escapeHtml(d.name)}</td></tr>`)
        .join('')}</tbody></table>`
    : '';
  return `<h1>${T_CAL.title}</h1>${calendarWarningHtml(v.warning, false)}${msg}
<section class="card" aria-labelledby="h-years"><h2 id="h-years">${T_CAL.years}</h2><p>${T_CAL.intro}</p>
<table><thead><tr>${[c.year, c.source, c.origin, c.holidays, c.workdays, c.by, c.at, c.actions].map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>${days}</section>
<section class="card" aria-labelledby="h-enter"><h2 id="h-enter">${T_CAL.enter}</h2>
<form method="post" action="/console/calendar">${csrfField(v.csrf)}
<p><label for="cal-year">${T_CAL.yearLabel}</label><br><input id="cal-year" name="year" inputmode="numeric" pattern="[0-9]{4}" required value="${escapeHtml(v.form.year)}"></p>
<p><label for="cal-doc">${T_CAL.docLabel}</label><br><textarea id="cal-doc" name="document" rows="16" cols="90" required aria-describedby="cal-hint">${escapeHtml(v.form.document)}</textarea><br><span id="cal-hint" class="hint">${T_CAL.docHint}</span></p>
<p><button type="submit">${T_CAL.save}</button></p></form></section>`;
}
