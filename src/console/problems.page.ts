import type { CatalogUnit } from '../org/catalog.types.js';
import { PROBLEM_KIND_NAMES, PROBLEM_STATUS_NAMES, type ProblemStatus, type ProblemSummary, type ProblemView } from '../rectification/problems.service.js';
import { MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES } from '../rectification/evidence-file.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, excerpt, STATUS_NAMES, timeLeft } from './format.js';
import { pager } from './pager.js';
import { dimensionName } from './queue.page.js';

const e = escapeHtml;

/** Strings of the problem screens (问题整改). */
export const T_PROBLEMS = {
  title: '问题整改',
  ledgerTitle: '问题台账',
  myTitle: '本单位整改问题',
  newLink: '新建问题',
  importCases: '导入办件记录',
  exports: '导出清单',
  exportLinks: [
    ['/console/exports/problems.xlsx', '问题清单'],
    ['/console/exports/ledger.xlsx', '整改台账'],
    ['/console/exports/measures.xlsx', '措施清单'],
    ['/console/exports/results.xlsx', '成效清单'],
    ['/console/exports/responsibilities.xlsx', '责任清单'],
  ] as const,
  filter: { legend: '筛选', status: '状态', unit: '责任单位', overdue: '只看已超期', all: '全部', button: '筛选', reset: '清除筛选' },
  cols: { id: '编号', title: '问题', cause: '问题根源', units: '责任单位', kind: '整改类型', due: '整改期限', status: '状态', items: '关联事项' },
  caption: '问题列表',
  empty: '没有符合条件的问题。',
  emptyMine: '本单位目前没有需要整改的问题。',
  noDeadline: '—',
  returnedFlag: '验收未通过',
  statusNames: PROBLEM_STATUS_NAMES,
  kindNames: PROBLEM_KIND_NAMES,
  // detail
  heading: (id: number, title: string) => `问题 #${id}：${title}`,
  docTitle: (id: number) => `问题 #${id}`,
  back: '返回问题列表',
  cause: '问题根源',
  blockedStep: '堵点环节',
  dimension: '问题类别',
  facts: '基本情况',
  status: '状态',
  kind: '整改类型',
  deadline: '整改期限',
  units: '责任单位',
  created: '建立时间',
  doneAt: '报完成时间',
  verifiedAt: '验收时间',
  returned: (at: string) => `验收未通过（${at}），请继续整改后再报完成。退回原因：`,
  measures: '整改措施',
  noMeasures: '尚未填写整改措施。',
  measureForm: { label: '新增整改措施', hint: '写明做了什么、谁负责、何时完成。', button: '记录措施' },
  files: '佐证材料',
  noFiles: '尚未上传佐证材料。',
  fileCols: { name: '文件', size: '大小', by: '上传人', at: '上传时间' },
  upload: {
    label: '选择文件',
    hint: `可上传照片（PNG、JPEG、GIF、WebP）、PDF 或 Office 文档（Word、Excel、PowerPoint），每个文件不超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB，每个问题最多 ${MAX_EVIDENCE_FILES} 个。`,
    button: '上传',
  },
  done: { legend: '整改完成', label: '整改成效（必填）', hint: '写明整改后的效果，报完成后由管理办公室验收。', button: '报整改完成', needMeasure: '请先记录整改措施，再报整改完成。' },
  result: '整改成效',
  verify: {
    legend: '验收',
    hint: '验收通过后，关联事项将以本问题的整改措施作为答复，并进入回访。',
    pass: '验收通过',
    reason: '不通过原因（必填）',
    fail: '验收不通过，退回整改',
  },
  items: '关联事项',
  noItems: '尚未关联事项。',
  otherUnitItem: '其他单位的事项',
  link: { label: '关联更多事项（查询码，每行一个）', hint: '例如 7K3M-Q9TB-X2RD；可一次填写多个，用换行、空格或逗号分隔。', button: '关联事项' },
  closed: '问题已验收，不能再修改。',
  waiting: '已报整改完成，等待管理办公室验收。',
};

/** Screen-specific styles, placed at the start of the page body (the shared frame stays as it is). */
export const PROBLEMS_CSS = `<style>
.badge.p-open{border-color:#8a5a00;background:#fff6e0;color:#5c3c00}
.badge.p-rectifying{border-color:#0b4a8f;background:#eaf2fc;color:#0b3a70}
.badge.p-done{border-color:#5b2a86;background:#f5eefc;color:#43206a}
.badge.p-verified{border-color:#1d6b33;background:#eefaf1;color:#14522a}
.badge.p-returned{border-color:#a4001a;background:#fff0f1;color:#6d0012}
.toolbar{display:flex;gap:12px;align-items:center;flex-wrap:wrap;margin:0 0 12px}
.toolbar .exports{display:flex;gap:6px;flex-wrap:wrap;list-style:none;margin:0;padding:0}
.toolbar .exports a{display:inline-block;padding:4px 10px;border:1px solid #0b4a8f;border-radius:6px;background:#fff;text-decoration:none;font-size:15px}
a.button{display:inline-block;font-weight:700;padding:6px 18px;border-radius:6px;border:1px solid #0b4a8f;background:#0b4a8f;color:#fff;text-decoration:none;min-height:38px}
form.filters{display:flex;gap:12px;align-items:end;flex-wrap:wrap;background:#fff;border:1px solid #c5ced9;border-radius:8px;padding:10px 14px;margin:0 0 12px}
form.filters label{margin:0 0 4px}
form.filters select{width:auto;min-width:10em}
label.check{display:flex;gap:8px;align-items:center;font-weight:400;margin:0;min-height:38px}
label.check input{width:18px;height:18px;margin:0}
input[type=date]{font:inherit;padding:6px 10px;border:1px solid #5b6b7d;border-radius:6px;min-height:38px;background:#fff;color:#1a1a1a}
input[type=file]{font:inherit;max-width:100%}
fieldset{border:1px solid #c5ced9;border-radius:6px;margin:8px 0;padding:6px 12px 10px}
legend{font-weight:700;padding:0 4px}
.unit-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:2px 12px;max-height:14em;overflow:auto}
.kinds{display:flex;gap:18px;flex-wrap:wrap}
ol.measures{margin:0;padding-left:1.4em}
ol.measures li{margin:0 0 8px}
td.num{text-align:right;white-space:nowrap}
table.trace td,table.trace th{font-size:15px}
.finding{border-left:4px solid #a4001a;background:#fff;padding:6px 12px;margin:0 0 10px}
</style>`;

export function problemBadge(status: ProblemStatus, returned = false): string {
  const main = `<span class="badge p-${status}">${T_PROBLEMS.statusNames[status]}</span>`;
  return returned ? `${main} <span class="badge p-returned">${T_PROBLEMS.returnedFlag}</span>` : main;
}

/** Deadline with the time left; a problem reported done or verified is no longer counting down. */
export function deadlineCell(deadline: string | null, status: ProblemStatus, now: Date): string {
  if (!deadline) return T_PROBLEMS.noDeadline;
  const at = chinaDateTime(deadline);
  if (status === 'done' || status === 'verified') return `<span class="hint">${at}</span>`;
  const left = timeLeft(new Date(deadline), now);
  return `<span class="${left?.overdue ? 'late' : 'ok-time'}">${left?.text ?? ''}</span><br><span class="hint">${at}</span>`;
}

export const unitNames = (codes: string[], units: Map<string, string>): string => codes.map((c) => units.get(c) ?? c).join('、');

export function flashAndError(flash?: string, error?: string): string {
  return `${flash ? `<div class="msg ok" role="status">${e(flash)}</div>` : ''}${error ? `<div class="msg err" role="alert">${e(error)}</div>` : ''}`;
}

export interface ListPageOptions {
  office: boolean;
  problems: ProblemSummary[];
  total: number;
  page: number;
  filter: { status?: string; unit?: string; overdue?: boolean };
  /** every unit by code → name, for the names in the table and the unit filter */
  unitNames: Map<string, string>;
  units: CatalogUnit[];
  now: Date;
  flash?: string;
}

export function listBody(o: ListPageOptions): string {
  const T = T_PROBLEMS;
  const f = o.filter;
  const statusOptions = (['open', 'rectifying', 'done', 'verified'] as const)
    .map((st) => `<option value="${st}"${f.status === st ? ' selected' : ''}>${T.statusNames[st]}</option>`)
    .join('');
  const unitSelect = o.office
    ? `<div><label for="f-unit">${T.filter.unit}</label><select id="f-unit" name="unit"><option value="">${T.filter.all}</option>${o.units
        .map((u) => `<option value="${e(u.code)}"${f.unit === u.code ? ' selected' : ''}>${e(u.name)}</option>`)
        .join('')}</select></div>`
    : '';
  const filters = `<form class="filters" method="get" action="/console/problems" aria-label="${T.filter.legend}">
<div><label for="f-status">${T.filter.status}</label><select id="f-status" name="status"><option value="">${T.filter.all}</option>${statusOptions}</select></div>
${unitSelect}
<div><label class="check"><input type="checkbox" name="overdue" value="1"${f.overdue ? ' checked' : ''}>${T.filter.overdue}</label></div>
<div><button type="submit">${T.filter.button}</button></div>
${f.status || f.unit || f.overdue ? `<div><a href="/console/problems">${T.filter.reset}</a></div>` : ''}</form>`;
  const toolbar = o.office
    ? `<div class="toolbar"><a class="button" href="/console/problems/new">${T.newLink}</a><a href="/console/problems/cases">${T.importCases}</a><span>${T.exports}：</span><ul class="exports">${T.exportLinks
        .map(([href, text]) => `<li><a href="${href}">${text}</a></li>`)
        .join('')}</ul></div>`
    : '';
  const c = T.cols;
  const rows = o.problems
    .map(
      (p) => `<tr><td class="nowrap"><a href="/console/problems/${p.id}">#${p.id}</a></td>
<td><a href="/console/problems/${p.id}">${e(p.title)}</a></td>
<td>${e(excerpt(p.rootCause, 36))}</td>
<td>${e(unitNames(p.units, o.unitNames))}</td>
<td class="nowrap">${T.kindNames[p.kind]}</td>
<td class="nowrap">${deadlineCell(p.deadline, p.status, o.now)}</td>
<td>${problemBadge(p.status, Boolean(p.returnReason))}</td>
<td class="num">${p.items}</td></tr>`,
    )
    .join('');
  const table = o.problems.length
    ? `<table><caption class="sr">${T.caption}</caption><thead><tr>${[c.id, c.title, c.cause, c.units, c.kind, c.due, c.status, c.items]
        .map((h) => `<th scope="col">${h}</th>`)
        .join('')}</tr></thead><tbody>${rows}</tbody></table>`
    : `<p class="empty">${o.office || f.status || f.overdue ? T.empty : T.emptyMine}</p>`;
  const query = { status: f.status, unit: f.unit, overdue: f.overdue ? '1' : undefined };
  return `${PROBLEMS_CSS}<h1>${o.office ? T.ledgerTitle : T.myTitle}</h1>${flashAndError(o.flash)}${toolbar}${filters}${table}${pager({ path: '/console/problems', query, page: o.page, total: o.total })}`;
}

export interface DetailPageOptions {
  problem: ProblemView;
  office: boolean;
  csrf: string;
  unitNames: Map<string, string>;
  now: Date;
  flash?: string;
  error?: string;
  /** which form the error belongs to, so it shows there too */
  errorAt?: 'measure' | 'file' | 'done' | 'verify' | 'items';
  values?: Record<string, string>;
}

export function detailBody(o: DetailPageOptions): string {
  const T = T_PROBLEMS;
  const p = o.problem;
  const v = o.values ?? {};
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const working = p.status === 'open' || p.status === 'rectifying';
  const errAt = (where: DetailPageOptions['errorAt']) => (o.error && o.errorAt === where ? `<p class="msg err" id="err-${where}">${e(o.error)}</p>` : '');
  const described = (where: DetailPageOptions['errorAt'], hint: string) => (o.error && o.errorAt === where ? `${hint} err-${where}` : hint);
  const fact = (dt: string, dd: string) => `<dt>${dt}</dt><dd>${dd}</dd>`;

  const facts = [
    fact(T.status, problemBadge(p.status, Boolean(p.returnReason))),
    fact(T.kind, T.kindNames[p.kind]),
    fact(T.deadline, deadlineCell(p.deadline, p.status, o.now)),
    fact(T.units, e(unitNames(p.units, o.unitNames))),
    fact(T.dimension, `${e(dimensionName(p.dimension))}<span class="hint">（${e(p.dimension)}）</span>`),
    p.blockedStep ? fact(T.blockedStep, e(p.blockedStep)) : '',
    fact(T.created, chinaDateTime(p.createdAt)),
    p.doneAt ? fact(T.doneAt, chinaDateTime(p.doneAt)) : '',
    p.verifiedAt ? fact(T.verifiedAt, chinaDateTime(p.verifiedAt)) : '',
  ].join('');

  const returned = p.returnReason
    ? `<div class="msg err" role="note"><strong>${e(T.returned(p.returnedAt ? chinaDateTime(p.returnedAt) : ''))}</strong>${e(p.returnReason)}</div>`
    : '';

  const measures = p.measures.length
    ? `<ol class="measures">${p.measures.map((m) => `<li><div class="text">${e(m.text)}</div><span class="hint">${e(m.by)} · ${chinaDateTime(m.at)}</span></li>`).join('')}</ol>`
    : `<p class="empty">${T.noMeasures}</p>`;
  const measureForm = working
    ? `<form class="action" method="post" action="/console/problems/${p.id}/measures">${csrf}${errAt('measure')}<label for="measure-text">${T.measureForm.label}</label><p class="hint" id="measure-hint">${T.measureForm.hint}</p><textarea id="measure-text" name="text" required maxlength="5000" aria-describedby="${described('measure', 'measure-hint')}">${e(v.text ?? '')}</textarea><p><button type="submit">${T.measureForm.button}</button></p></form>`
    : '';

  const files = p.files.length
    ? `<table><caption class="sr">${T.files}</caption><thead><tr><th scope="col">${T.fileCols.name}</th><th scope="col">${T.fileCols.size}</th><th scope="col">${T.fileCols.by}</th><th scope="col">${T.fileCols.at}</th></tr></thead><tbody>${p.files
        .map(
          (f) =>
            `<tr><td><a href="/console/problems/${p.id}/files/${f.id}" download>${e(f.name)}</a></td><td class="num">${fileSize(f.size)}</td><td>${e(f.by)}</td><td class="nowrap">${chinaDateTime(f.at)}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : `<p class="empty">${T.noFiles}</p>`;
  const uploadForm = working
    ? `<form class="action" method="post" action="/console/problems/${p.id}/files" enctype="multipart/form-data">${csrf}${errAt('file')}<label for="evidence-file">${T.upload.label}</label><p class="hint" id="file-hint">${T.upload.hint}</p><input type="file" id="evidence-file" name="file" required accept=".png,.jpg,.jpeg,.gif,.webp,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx" aria-describedby="${described('file', 'file-hint')}"><p><button type="submit" class="secondary">${T.upload.button}</button></p></form>`
    : '';

  let doneSection = '';
  if (working) {
    const form = p.measures.length
      ? `<form class="action" method="post" action="/console/problems/${p.id}/done">${csrf}${errAt('done')}<p class="hint" id="done-hint">${T.done.hint}</p><label for="done-evidence">${T.done.label}</label><textarea id="done-evidence" name="evidence" required maxlength="20000" aria-describedby="${described('done', 'done-hint')}">${e(v.evidence ?? '')}</textarea><p><button type="submit">${T.done.button}</button></p></form>`
      : `${errAt('done')}<p class="hint">${T.done.needMeasure}</p>`;
    doneSection = `<section class="card" aria-labelledby="h-done"><h2 id="h-done">${T.done.legend}</h2>${form}</section>`;
  }
  const result = p.evidence && (p.status === 'done' || p.status === 'verified') ? `<section class="card" aria-labelledby="h-result"><h2 id="h-result">${T.result}</h2><div class="text">${e(p.evidence)}</div></section>` : '';
  let verify = '';
  if (p.status === 'done' && o.office) {
    verify = `<section class="card" aria-labelledby="h-verify"><h2 id="h-verify">${T.verify.legend}</h2>${errAt('verify')}<p class="hint">${T.verify.hint}</p>
<form class="action" method="post" action="/console/problems/${p.id}/verify">${csrf}<button type="submit">${T.verify.pass}</button></form>
<form class="action" method="post" action="/console/problems/${p.id}/reject">${csrf}<label for="reject-reason">${T.verify.reason}</label><textarea id="reject-reason" name="reason" required maxlength="2000">${e(v.reason ?? '')}</textarea><p><button type="submit" class="danger">${T.verify.fail}</button></p></form></section>`;
  } else if (p.status === 'done') {
    verify = `<p class="msg ok">${T.waiting}</p>`;
  } else if (p.status === 'verified') {
    verify = `<p class="msg ok">${T.closed}</p>`;
  }

  const items = p.items.length
    ? // unit staff may not see every linked item (another unit's): no link to a 404, and no tracking code (which
      // would open that item's answer on /t/) — the service leaves it out for items they may not open
      `<ul class="plain">${p.items
        .map((i) => {
          const code = i.trackingCode === null ? `<span class="hint">${T.otherUnitItem}</span>` : e(i.trackingCode);
          return `<li>${o.office && i.trackingCode !== null ? `<a href="/console/items/${i.id}">${code}</a>` : code} <span class="badge ${i.status}">${STATUS_NAMES[i.status]}</span></li>`;
        })
        .join('')}</ul>`
    : `<p class="empty">${T.noItems}</p>`;
  const linkForm =
    o.office && p.status !== 'verified'
      ? `<form class="action" method="post" action="/console/problems/${p.id}/items">${csrf}${errAt('items')}<label for="link-codes">${T.link.label}</label><p class="hint" id="link-hint">${T.link.hint}</p><textarea id="link-codes" name="codes" required maxlength="20000" aria-describedby="${described('items', 'link-hint')}">${e(v.codes ?? '')}</textarea><p><button type="submit" class="secondary">${T.link.button}</button></p></form>`
      : '';

  return `${PROBLEMS_CSS}<p><a href="/console/problems">${T.back}</a></p><h1>${e(T.heading(p.id, p.title))}</h1>${flashAndError(o.flash, o.error)}${returned}
<div class="grid"><div>
<section class="card" aria-labelledby="h-cause"><h2 id="h-cause">${T.cause}</h2><div class="text">${e(p.rootCause)}</div></section>
<section class="card" aria-labelledby="h-measures"><h2 id="h-measures">${T.measures}</h2>${measures}${measureForm}</section>
<section class="card" aria-labelledby="h-files"><h2 id="h-files">${T.files}</h2>${files}${uploadForm}</section>
${doneSection}${result}${verify}
</div><div>
<section class="card" aria-labelledby="h-facts"><h2 id="h-facts">${T.facts}</h2><dl class="facts">${facts}</dl></section>
<section class="card" aria-labelledby="h-items"><h2 id="h-items">${T.items}</h2>${items}${linkForm}</section>
</div></div>`;
}

export function fileSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
