import { APPEAL_TYPES } from '../intake/hotline/index.js';
import type { ImportListEntry, ImportStatus } from '../intake/hotline/hotline-import.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime } from './format.js';
import { flashErr, INTAKE_CSS, T_INTAKE } from './intake.page.js';
import { pager, PAGE_SIZE } from './pager.js';

const e = escapeHtml;

/** Strings of the 12345 screens: file upload with progress, an import's page, the single forward form. */
export const T_HOTLINE = {
  title: '导入12345工单',
  intro: '上传12345热线系统导出的工单文件（CSV：UTF-8、带BOM的UTF-8、GBK/GB18030；或 Excel .xlsx），单个文件不超过1GB。有问题的行会列出行号和原因，不影响其他行导入；重复导入同一工单不会重复登记。',
  file: '工单文件',
  fileHint: '支持 .csv、.xlsx。',
  upload: '上传并导入',
  uploading: '上传进度',
  importing: '导入进度',
  statusNames: { queued: '排队中', running: '导入中', done: '已完成', failed: '失败' } as Record<ImportStatus['status'], string>,
  statusClass: { queued: 'assigned', running: 'accepted', done: 'closed', failed: 'returned' } as Record<ImportStatus['status'], string>,
  recent: '最近导入',
  noImports: '还没有导入记录。',
  cols: { file: '文件', at: '上传时间', by: '上传人', status: '状态', total: '行数', created: '新增', duplicates: '重复', updated: '更新', rejected: '有问题' },
  importTitle: (name: string) => `导入：${name}`,
  facts: { file: '文件', status: '状态', size: '文件大小', rowsRead: '已读取到第几行', total: '已处理行数', created: '新增事项', duplicates: '重复（未重复登记）', updated: '内容有变化（已记入事项）', rejected: '有问题的行', at: '上传时间', finished: '完成时间' },
  failed: (why: string) => `文件无法导入：${why}`,
  rejectedHeading: '有问题的行',
  noRejected: '没有有问题的行。',
  rejectedKept: (kept: number, all: number) => `共${all}行有问题，此处列出前${kept}行。`,
  rejectedCols: { row: '行号', reason: '原因' },
  downloadRejected: '下载问题行清单（CSV）',
  results: '导出办理结果（回传12345系统的 Excel 文件）',
  backToUpload: '继续导入其他文件',
  refreshing: '页面每3秒自动刷新，直到导入完成。',
  live: (s: { progress: number | null; rowsRead: number; total: number; created: number; duplicates: number; updated: number; rejectedCount: number }) =>
    `${s.progress !== null ? `约完成${Math.round(s.progress * 100)}%；` : ''}已读取到第${s.rowsRead}行；已处理${s.total}行：新增${s.created}件，重复${s.duplicates}件，更新${s.updated}件，有问题${s.rejectedCount}行。`,
  errors: {
    noFile: '请选择要导入的工单文件。',
    tooBig: '文件超过1GB上限，请分成几个文件后再导入。',
    broken: '上传未完成（连接中断或表单不完整），请重新选择文件上传。',
    network: '网络中断，上传未完成，请重试。',
    server: '上传失败，请刷新页面后重试。',
  },
  forward: {
    heading: '单件转办：录入一张12345工单',
    intro: '录入12345热线系统转来的一张工单。同一工单编号只登记一次；再次提交时如内容有变化，会记入原事项。',
    orderNo: '工单编号',
    receivedAt: '来电时间',
    caller: '来电人',
    phone: '联系电话',
    appealType: '诉求类型',
    choose: '请选择',
    title: '诉求标题',
    content: '诉求内容',
    assignedUnit: '承办单位',
    assignedUnitHint: '按12345工单上写的填写；能识别时优先分派到该单位。',
    region: '所属区域',
    submit: '保存并分派',
  },
  forwardErrors: {
    orderNo: '请填写工单编号（不超过100个字符）。',
    receivedAt: '请填写来电时间。',
    receivedAtBad: '来电时间格式不正确。',
    caller: '来电人不能超过100字。',
    phone: '联系电话不能超过50个字符。',
    appealType: '请选择诉求类型。',
    title: '诉求标题不能超过500字。',
    content: '请填写诉求内容（不超过10000字）。',
    assignedUnit: '承办单位不能超过200字。',
    region: '所属区域不能超过100字。',
  },
};

/** The list of recent imports (on the hub and the upload page). */
export function importTable(list: ImportListEntry[]): string {
  if (!list.length) return `<p class="empty">${T_HOTLINE.noImports}</p>`;
  const c = T_HOTLINE.cols;
  const head = [c.file, c.at, c.by, c.status, c.total, c.created, c.duplicates, c.updated, c.rejected].map((h) => `<th scope="col">${h}</th>`).join('');
  const rows = list
    .map(
      (i) =>
        `<tr><th scope="row"><a href="/console/intake/hotline/imports/${e(i.id)}">${e(i.fileName)}</a></th><td class="nowrap">${chinaDateTime(i.createdAt)}</td><td>${e(i.createdBy ?? '—')}</td><td class="nowrap"><span class="badge ${T_HOTLINE.statusClass[i.status]}">${T_HOTLINE.statusNames[i.status]}</span></td><td>${i.total}</td><td>${i.created}</td><td>${i.duplicates}</td><td>${i.updated}</td><td>${i.rejectedCount}</td></tr>`,
    )
    .join('');
  return `<table><caption class="sr">${T_HOTLINE.recent}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
}

/** The upload form. Without script it posts and lands on the import's page; with script it shows both progress bars. */
export function hotlineUploadBody(o: { csrf: string; imports: ImportListEntry[]; error?: string }): string {
  return `${INTAKE_CSS}<h1>${T_HOTLINE.title}</h1><p>${T_HOTLINE.intro}</p><div id="upload-error">${flashErr(o.error, 'upload-error-text')}</div>
<form class="card" id="upload-form" method="post" action="/console/intake/hotline" enctype="multipart/form-data">
<input type="hidden" name="_csrf" value="${e(o.csrf)}">
<label for="file">${T_HOTLINE.file}</label><input type="file" id="file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="file-hint"><p class="hint" id="file-hint">${T_HOTLINE.fileHint}</p>
<p><button type="submit">${T_HOTLINE.upload}</button></p>
<div id="live" hidden>
<label for="up-bar">${T_HOTLINE.uploading}</label><progress id="up-bar" max="100" value="0"></progress>
<label for="imp-bar">${T_HOTLINE.importing}</label><progress id="imp-bar" max="100" value="0"></progress>
<p id="live-status" role="status" aria-live="polite"></p>
</div>
</form>
<p><a href="/console/intake/hotline/forward">${T_INTAKE.hotlineForward}</a> · <a href="/console/intake/hotline/results.xlsx">${T_HOTLINE.results}</a></p>
<section aria-labelledby="h-recent"><h2 id="h-recent">${T_HOTLINE.recent}</h2>${importTable(o.imports)}</section>`;
}

/** What the pages' scripts say, handed over as JSON (escaped for a script element). */
function scriptStrings(): string {
  const s = {
    uploading: '正在上传：',
    uploaded: '上传完成，正在导入……',
    queued: '已上传，等待导入……',
    done: '导入完成，正在打开结果……',
    failed: '导入失败，正在打开详情……',
    network: T_HOTLINE.errors.network,
    server: T_HOTLINE.errors.server,
  };
  return JSON.stringify(s).replace(/</g, '\\u003c');
}

/**
 * Shared by the upload page and a running import's page: polls the import's progress (same origin, the session cookie)
 * and shows it in the bar and the status line; when it ends, opens the import's page with its results.
 */
const POLL_FN = `function hubPoll(url,page,bar,status,S,liveText){var stop=false;function tick(){var x=new XMLHttpRequest();x.open('GET',url);x.setRequestHeader('Accept','application/json');x.onload=function(){var r=null;try{r=JSON.parse(x.responseText)}catch(_){}if(x.status!==200||!r){setTimeout(tick,2000);return}
if(r.progress!==null){bar.max=1;bar.value=r.progress}else{bar.removeAttribute('value')}
var t=r.status==='queued'?S.queued:liveText(r);if(status.textContent!==t)status.textContent=t;
if(r.status==='done'||r.status==='failed'){stop=true;bar.max=1;bar.value=1;status.textContent=r.status==='done'?S.done:S.failed;setTimeout(function(){location.assign(page)},600);return}
if(!stop)setTimeout(tick,700)};x.onerror=function(){setTimeout(tick,2000)};x.send()}tick()}`;

function liveTextFn(): string {
  // the same sentence as T_HOTLINE.live, built in the browser from the numbers
  return `function(r){return (r.progress!==null?'约完成'+Math.round(r.progress*100)+'%；':'')+'已读取到第'+r.rowsRead+'行；已处理'+r.total+'行：新增'+r.created+'件，重复'+r.duplicates+'件，更新'+r.updated+'件，有问题'+r.rejectedCount+'行。'}`;
}

export function hotlineUploadScript(): string {
  return `(function(){var S=${scriptStrings()};${POLL_FN}
var f=document.getElementById('upload-form');if(!f||!window.FormData||!window.XMLHttpRequest)return;
var live=document.getElementById('live'),up=document.getElementById('up-bar'),imp=document.getElementById('imp-bar'),st=document.getElementById('live-status'),err=document.getElementById('upload-error'),btn=f.querySelector('button[type=submit]');
function fail(m){err.innerHTML='';var d=document.createElement('div');d.className='msg err';d.setAttribute('role','alert');d.textContent=m;err.appendChild(d);st.textContent='';setTimeout(function(){btn.disabled=false},0)}
f.addEventListener('submit',function(ev){var inp=document.getElementById('file');if(!inp.files||!inp.files.length)return;ev.preventDefault();err.innerHTML='';live.hidden=false;up.value=0;up.max=100;imp.value=0;
var x=new XMLHttpRequest();x.open('POST',f.action);x.setRequestHeader('Accept','application/json');
x.upload.addEventListener('progress',function(e){if(e.lengthComputable&&e.total>0){up.max=e.total;up.value=e.loaded;st.textContent=S.uploading+Math.floor(e.loaded*100/e.total)+'%'}});
x.onload=function(){var r=null;try{r=JSON.parse(x.responseText)}catch(_){}if(x.status===201&&r&&r.progress){up.max=1;up.value=1;st.textContent=S.uploaded;hubPoll(r.progress,r.page,imp,st,S,${liveTextFn()})}else{fail(r&&r.error?r.error:S.server)}};
x.onerror=function(){fail(S.network)};x.send(new FormData(f))})})();`;
}

export function importRunningScript(id: string): string {
  const base = `/console/intake/hotline/imports/${encodeURIComponent(id)}`;
  return `(function(){var S=${scriptStrings()};${POLL_FN}
var bar=document.getElementById('imp-bar'),st=document.getElementById('live-status');if(!bar||!st)return;hubPoll(${JSON.stringify(`${base}/progress`)},${JSON.stringify(base)},bar,st,S,${liveTextFn()})})();`;
}

/** An import's page: its progress while it runs (refreshing itself without script), then its counts and bad rows. */
export function importBody(o: { s: ImportStatus; page: number }): string {
  const s = o.s;
  const f = T_HOTLINE.facts;
  const running = s.status === 'queued' || s.status === 'running';
  const fact = (dt: string, dd: string) => `<dt>${dt}</dt><dd>${dd}</dd>`;
  const value = s.progress !== null ? ` max="1" value="${s.progress}"` : '';
  const progress = running
    ? `<section class="card" aria-labelledby="h-progress"><h2 id="h-progress">${T_HOTLINE.importing}</h2><label class="sr" for="imp-bar">${T_HOTLINE.importing}</label><progress id="imp-bar"${value}></progress><p id="live-status" role="status" aria-live="polite">${e(T_HOTLINE.live(s))}</p><noscript><meta http-equiv="refresh" content="3"><p class="hint">${T_HOTLINE.refreshing}</p></noscript></section>`
    : '';
  const facts = `<dl class="facts long">${[
    fact(f.status, `<span class="badge ${T_HOTLINE.statusClass[s.status]}" id="import-status">${T_HOTLINE.statusNames[s.status]}</span>`),
    fact(f.file, e(s.fileName)),
    fact(f.size, e(sizeText(s.bytes))),
    fact(f.at, chinaDateTime(s.createdAt)),
    s.finishedAt ? fact(f.finished, chinaDateTime(s.finishedAt)) : '',
    fact(f.total, String(s.total)),
    fact(f.created, String(s.created)),
    fact(f.duplicates, String(s.duplicates)),
    fact(f.updated, String(s.updated)),
    fact(f.rejected, String(s.rejectedCount)),
  ].join('')}</dl>`;
  const failed = s.status === 'failed' ? flashErr(T_HOTLINE.failed(s.error ?? '')) : '';
  const base = `/console/intake/hotline/imports/${encodeURIComponent(s.id)}`;
  let rejected = '';
  if (s.rejectedCount > 0) {
    const pages = Math.max(1, Math.ceil(s.rejected.length / PAGE_SIZE));
    const page = Math.min(o.page, pages);
    const rows = s.rejected
      .slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
      .map((r) => `<tr><td class="nowrap">${r.row}</td><td>${e(r.reason)}</td></tr>`)
      .join('');
    const kept = s.rejected.length < s.rejectedCount ? `<p class="hint">${T_HOTLINE.rejectedKept(s.rejected.length, s.rejectedCount)}</p>` : '';
    rejected = `<section class="card" aria-labelledby="h-rejected"><h2 id="h-rejected">${T_HOTLINE.rejectedHeading}（${s.rejectedCount}）</h2>${kept}
<table id="rejected"><caption class="sr">${T_HOTLINE.rejectedHeading}</caption><thead><tr><th scope="col">${T_HOTLINE.rejectedCols.row}</th><th scope="col">${T_HOTLINE.rejectedCols.reason}</th></tr></thead><tbody>${rows}</tbody></table>
${pager({ path: base, page, total: s.rejected.length, label: T_HOTLINE.rejectedHeading })}
<p><a href="${e(base)}/rejected.csv">${T_HOTLINE.downloadRejected}</a></p></section>`;
  } else if (!running && s.status === 'done') {
    rejected = `<p class="empty">${T_HOTLINE.noRejected}</p>`;
  }
  const links = running ? '' : `<p><a href="/console/intake/hotline/results.xlsx">${T_HOTLINE.results}</a> · <a href="/console/intake/hotline">${T_HOTLINE.backToUpload}</a></p>`;
  return `${INTAKE_CSS}<h1>${e(T_HOTLINE.importTitle(s.fileName))}</h1>${failed}${progress}<section class="card" aria-labelledby="h-facts"><h2 id="h-facts">导入结果</h2>${facts}</section>${rejected}${links}`;
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** One 12345 order typed in. */
export function forwardFormBody(o: { csrf: string; values: Record<string, string>; errors?: string[] }): string {
  const t = T_HOTLINE.forward;
  const v = o.values;
  const req = T_INTAKE.required;
  const opt = T_INTAKE.optional;
  const text = (id: string, label: string, max: number, required = false, extra = '', wide = false) =>
    `<div${wide ? ' class="wide"' : ''}><label for="${id}">${label}${required ? req : opt}</label><input type="text" id="${id}" name="${id}" maxlength="${max}"${required ? ' required' : ''}${extra} value="${e(v[id] ?? '')}"></div>`;
  const types = APPEAL_TYPES.map((a) => `<option value="${e(a)}"${v.appealType === a ? ' selected' : ''}>${e(a)}</option>`).join('');
  return `${INTAKE_CSS}<h1>${t.heading}</h1><p>${t.intro}</p>${flashErr(o.errors)}
<form class="card" method="post" action="/console/intake/hotline/forward"${o.errors?.length ? ' aria-describedby="form-errors"' : ''}>
<input type="hidden" name="_csrf" value="${e(o.csrf)}">
<div class="fields">
${text('orderNo', t.orderNo, 100, true)}
<div><label for="receivedAt">${t.receivedAt}${req}</label><input type="datetime-local" id="receivedAt" name="receivedAt" required value="${e(v.receivedAt ?? '')}"></div>
${text('caller', t.caller, 100)}
${text('phone', t.phone, 50, false, ' inputmode="tel" autocomplete="off"')}
<div><label for="appealType">${t.appealType}${req}</label><select id="appealType" name="appealType" required><option value="">${t.choose}</option>${types}</select></div>
${text('region', t.region, 100)}
${text('title', t.title, 500, false, '', true)}
<div class="wide"><label for="content">${t.content}${req}</label><textarea id="content" name="content" required maxlength="10000" rows="6">${e(v.content ?? '')}</textarea></div>
<div class="wide"><label for="assignedUnit">${t.assignedUnit}${opt}</label><input type="text" id="assignedUnit" name="assignedUnit" maxlength="200" aria-describedby="assigned-hint" value="${e(v.assignedUnit ?? '')}"><p class="hint" id="assigned-hint">${t.assignedUnitHint}</p></div>
</div>
<p><button type="submit">${t.submit}</button> <a href="/console/intake">${T_INTAKE.cancel}</a></p>
</form>`;
}
