import type { ModelStatus, TrainReport } from '../classification/classification.service.js';
import type { AccountRow } from '../auth/accounts.service.js';
import { ROLES, type Role } from '../auth/user.entity.js';
import type { ImportResult } from '../org/catalog-import.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime, ROLE_NAMES } from './format.js';
import { pager, PAGE_SIZE } from './pager.js';

/** Strings of the administration page. */
export const T_ADMIN = {
  title: '系统管理',
  privacyLink: '个人信息保护：查询、导出、删除个人信息，保存期限，访问日志',
  catalog: '组织目录导入',
  catalogHint: '粘贴或上传 YAML / JSON 格式的组织目录（单位、窗口、服务事项）。全部校验通过才会导入，有任何错误时不作任何更改；文件中没有的单位、窗口和事项将被停用（不会删除）。',
  text: '粘贴目录内容（YAML 或 JSON）',
  file: '或选择目录文件',
  fileHint: '选择文件时以文件内容为准，最大 5 MB。',
  import: '校验并导入',
  problems: (n: number) => `目录中有 ${n} 处错误，未作任何更改：`,
  imported: (r: ImportResult) =>
    `导入成功：单位 ${r.units} 个、窗口 ${r.windows} 个、服务事项 ${r.items} 个。其中新增 ${r.changes.created} 项，更新 ${r.changes.updated} 项，停用 ${r.changes.deactivated} 项，恢复启用 ${r.changes.reactivated} 项。`,
  unchanged: '目录与现有内容一致，没有变化。',
  warnings: '提示（已导入，但建议检查）：',
  emptyImport: '请粘贴目录内容，或选择一个目录文件。',
  tooBig: '目录文件太大（最大 5 MB）。',
  badForm: '上传的内容不完整，请只选择一个目录文件后重新提交。',
  notUtf8: '目录文件须为 UTF-8 编码的文本。',
  accounts: '账号管理',
  create: '新建账号',
  username: '用户名',
  usernameHint: '2至64个字母、数字或 _ . @ -',
  role: '角色',
  unit: '所属单位（仅窗口单位账号）',
  noUnit: '（不属于单位）',
  password: '初始密码（选填）',
  passwordHint: '留空则自动生成；至少8个字符。',
  createBtn: '创建账号',
  created: (u: string) => `账号“${u}”已创建。`,
  reset: (u: string) => `账号“${u}”的密码已重置，原有登录已全部失效。`,
  passwordOnce: '新密码（只显示这一次，请通过安全渠道告知本人，并提醒其妥善保管）：',
  cols: { username: '用户名', role: '角色', unit: '所属单位', state: '状态', created: '创建时间', actions: '操作' },
  active: '启用',
  inactive: '已停用',
  self: '（当前账号）',
  deactivate: '停用',
  activate: '启用',
  resetBtn: '重置密码',
  listLabel: '账号列表',
  pagerLabel: '账号列表分页',
  model: '自动分类模型',
  modelIntro: '工作人员对分类和分派的每一次更正都会记录下来。重新训练后，新模型在所有服务实例上几秒内生效。',
  modelShipped: '当前使用随系统发布的初始模型，尚未在本系统中重新训练。',
  modelTrained: (at: string, by: string, rows: number) => `当前模型于 ${at} 由 ${by} 训练，训练样本 ${rows} 条。`,
  corrections: (n: number) => `此后新增更正 ${n} 条。`,
  retrain: '重新训练',
  trainedNow: (t: TrainReport) => `训练完成：分类样本 ${t.rows} 条（其中采用更正 ${t.labels} 条），分派样本 ${t.routingRows} 条。`,
  done: {
    deactivated: '账号已停用，其所有登录已失效。',
    activated: '账号已启用，本人需重新登录。',
  } as Record<string, string>,
  refusals: {
    username: '用户名须为2至64个字母、数字或 _ . @ -。',
    password: '密码须为8至200个字符。',
    unitRequired: '窗口单位账号须选择所属单位。',
    unitUnknown: '所选单位不存在或已停用。',
    role: '请选择角色。',
    exists: '该用户名已被使用，请换一个。',
    self: '不能停用自己正在使用的账号。',
    gone: '该账号不存在。',
  },
};

export interface AdminView {
  csrf: string;
  selfId: string | null;
  units: { code: string; name: string }[];
  accounts: { rows: AccountRow[]; total: number; page: number };
  flash?: string;
  /** catalogue import: what was typed, and its outcome */
  catalog?: { text?: string; problems?: { path: string | null; text: string }[]; result?: ImportResult; warnings?: { path: string | null; text: string }[]; error?: string };
  create?: { values?: Record<string, string>; error?: string };
  /** a password to show once (after creating or resetting) */
  secret?: { note: string; password: string };
  accountError?: string;
  /** the classifier in use, and the outcome of a retrain just run */
  model?: ModelStatus;
  trained?: TrainReport;
}

const csrfField = (csrf: string) => `<input type="hidden" name="_csrf" value="${escapeHtml(csrf)}">`;

function problemList(items: { path: string | null; text: string }[]): string {
  return `<ul class="problems">${items.map((p) => `<li>${p.path ? `<code>${escapeHtml(p.path)}</code>：` : ''}${escapeHtml(p.text)}</li>`).join('')}</ul>`;
}

function catalogCard(v: AdminView): string {
  const c = v.catalog ?? {};
  let msg = '';
  if (c.error) msg = `<div class="msg err" role="alert">${escapeHtml(c.error)}</div>`;
  else if (c.problems?.length) msg = `<div class="msg err" role="alert"><p>${T_ADMIN.problems(c.problems.length)}</p>${problemList(c.problems)}</div>`;
  else if (c.result) {
    const ch = c.result.changes;
    const none = ch.created + ch.updated + ch.deactivated + ch.reactivated === 0;
    msg = `<div class="msg ok" role="status"><p>${escapeHtml(T_ADMIN.imported(c.result))}</p>${none ? `<p>${T_ADMIN.unchanged}</p>` : ''}${
      c.warnings?.length ? `<p>${T_ADMIN.warnings}</p>${problemList(c.warnings)}` : ''
    }</div>`;
  }
  return `<section class="card" aria-labelledby="h-catalog"><h2 id="h-catalog">${T_ADMIN.catalog}</h2>${msg}
<p class="hint">${T_ADMIN.catalogHint}</p>
<form method="post" action="/console/admin/catalog" enctype="multipart/form-data">${csrfField(v.csrf)}
<label for="catalog-text">${T_ADMIN.text}</label><textarea id="catalog-text" name="text" rows="8" spellcheck="false" class="mono">${escapeHtml(c.text ?? '')}</textarea>
<label for="catalog-file">${T_ADMIN.file}</label><input type="file" id="catalog-file" name="file" accept=".yaml,.yml,.json,text/yaml,application/json" aria-describedby="catalog-file-hint">
<p class="hint" id="catalog-file-hint">${T_ADMIN.fileHint}</p>
<p><button type="submit">${T_ADMIN.import}</button></p></form></section>`;
}

function modelCard(v: AdminView): string {
  const m = v.model;
  const now = m
    ? m.trainedAt
      ? T_ADMIN.modelTrained(chinaDateTime(m.trainedAt), escapeHtml(m.trainedBy ?? ''), m.rows ?? 0)
      : T_ADMIN.modelShipped
    : '';
  const done = v.trained ? `<div class="msg ok" role="status">${escapeHtml(T_ADMIN.trainedNow(v.trained))}</div>` : '';
  return `<section class="card" aria-labelledby="h-model"><h2 id="h-model">${T_ADMIN.model}</h2>${done}<p>${T_ADMIN.modelIntro}</p>
<p>${now}${m ? T_ADMIN.corrections(m.correctionsSince) : ''}</p>
<form method="post" action="/console/admin/retrain">${csrfField(v.csrf)}<button type="submit" class="secondary">${T_ADMIN.retrain}</button></form></section>`;
}

function createForm(v: AdminView): string {
  const val = v.create?.values ?? {};
  const role = (val.role ?? '') as Role | '';
  const roles = [`<option value="">—</option>`, ...ROLES.map((r) => `<option value="${r}"${r === role ? ' selected' : ''}>${ROLE_NAMES[r] ?? r}</option>`)];
  const units = [`<option value="">${T_ADMIN.noUnit}</option>`, ...v.units.map((u) => `<option value="${escapeHtml(u.code)}"${u.code === val.unit ? ' selected' : ''}>${escapeHtml(u.name)}</option>`)];
  const err = v.create?.error ? `<div class="msg err" role="alert">${escapeHtml(v.create.error)}</div>` : '';
  return `<h3>${T_ADMIN.create}</h3>${err}<form method="post" action="/console/admin/accounts" class="account-form">${csrfField(v.csrf)}
<div><label for="new-username">${T_ADMIN.username}</label><input type="text" id="new-username" name="username" value="${escapeHtml(val.username ?? '')}" required maxlength="64" autocomplete="off" aria-describedby="new-username-hint"><p class="hint" id="new-username-hint">${T_ADMIN.usernameHint}</p></div>
<div><label for="new-role">${T_ADMIN.role}</label><select id="new-role" name="role" required>${roles.join('')}</select></div>
<div><label for="new-unit">${T_ADMIN.unit}</label><select id="new-unit" name="unit">${units.join('')}</select></div>
<div><label for="new-password">${T_ADMIN.password}</label><input type="text" id="new-password" name="password" value="${escapeHtml(val.password ?? '')}" maxlength="200" autocomplete="off" spellcheck="false" aria-describedby="new-password-hint"><p class="hint" id="new-password-hint">${T_ADMIN.passwordHint}</p></div>
<div class="submit"><button type="submit">${T_ADMIN.createBtn}</button></div></form>`;
}

function accountTable(v: AdminView): string {
  const c = T_ADMIN.cols;
  const { rows, total, page } = v.accounts;
  const body = rows
    .map((a) => {
      const self = a.id === v.selfId;
      const toggle = self
        ? `<span class="hint">${T_ADMIN.self}</span>`
        : `<form method="post" action="/console/admin/accounts/${escapeHtml(a.id)}/${a.active ? 'deactivate' : 'activate'}">${csrfField(v.csrf)}<input type="hidden" name="page" value="${page}"><button type="submit" class="${a.active ? 'danger' : 'secondary'}" aria-label="${escapeHtml(`${a.active ? T_ADMIN.deactivate : T_ADMIN.activate} ${a.username}`)}">${a.active ? T_ADMIN.deactivate : T_ADMIN.activate}</button></form>`;
      const reset = `<form method="post" action="/console/admin/accounts/${escapeHtml(a.id)}/reset">${csrfField(v.csrf)}<input type="hidden" name="page" value="${page}"><button type="submit" class="secondary" aria-label="${escapeHtml(`${T_ADMIN.resetBtn} ${a.username}`)}">${T_ADMIN.resetBtn}</button></form>`;
      return `<tr${a.active ? '' : ' class="inactive"'}><th scope="row">${escapeHtml(a.username)}</th><td>${ROLE_NAMES[a.role] ?? escapeHtml(a.role)}</td><td>${escapeHtml(a.unitName ?? '')}</td><td>${a.active ? T_ADMIN.active : T_ADMIN.inactive}</td><td class="nowrap">${chinaDateTime(a.createdAt)}</td><td><div class="actions">${toggle}${reset}</div></td></tr>`;
    })
    .join('');
  const head = [c.username, c.role, c.unit, c.state, c.created, c.actions].map((h) => `<th scope="col">${h}</th>`).join('');
  return `<table><caption class="sr">${T_ADMIN.listLabel}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>${pager({ path: '/console/admin', page, total, pageSize: PAGE_SIZE, label: T_ADMIN.pagerLabel })}`;
}

export function adminBody(v: AdminView): string {
  const flash = v.flash ? `<div class="msg ok" role="status">${escapeHtml(v.flash)}</div>` : '';
  const secret = v.secret
    ? `<div class="msg ok" role="status"><p>${escapeHtml(v.secret.note)}</p><p>${T_ADMIN.passwordOnce}<code class="secret" id="new-secret">${escapeHtml(v.secret.password)}</code></p></div>`
    : '';
  const accErr = v.accountError ? `<div class="msg err" role="alert">${escapeHtml(v.accountError)}</div>` : '';
  return `<style>${ADMIN_CSS}</style><h1>${T_ADMIN.title}</h1>${flash}
<p><a href="/console/admin/privacy">${T_ADMIN.privacyLink}</a></p>
${catalogCard(v)}
${modelCard(v)}
<section class="card" aria-labelledby="h-accounts"><h2 id="h-accounts">${T_ADMIN.accounts}</h2>${secret}${accErr}
${createForm(v)}
<h3>${T_ADMIN.listLabel}</h3>${accountTable(v)}</section>`;
}

export const ADMIN_CSS = `
h3{font-size:16px;margin:14px 0 6px}
textarea.mono,code{font-family:ui-monospace,Menlo,Consolas,"WenQuanYi Micro Hei Mono",monospace}
textarea.mono{font-size:14px;min-height:9em}
input[type=file]{font:inherit;padding:4px 0}
ul.problems{margin:6px 0 0;padding-left:1.4em;max-height:18em;overflow:auto}
ul.problems li{margin:2px 0}
ul.problems code{background:#fff;border:1px solid #e3b3b9;border-radius:4px;padding:0 4px}
.msg.ok ul.problems code{border-color:#9cc9a8}
.msg p{margin:2px 0}
code.secret{display:inline-block;font-size:18px;font-weight:700;background:#fff;border:1px solid #1d6b33;border-radius:4px;padding:2px 8px;margin-left:6px;user-select:all}
form.account-form{display:grid;grid-template-columns:repeat(4,minmax(0,1fr)) auto;gap:4px 14px;align-items:start}
form.account-form .submit{padding-top:33px}
form.account-form .hint{margin-top:2px}
div.actions{display:flex;gap:8px;flex-wrap:wrap;align-items:center}
div.actions form{margin:0}
div.actions button{min-height:34px;padding:3px 12px}
tr.inactive th,tr.inactive td{color:#44505d;background:#f7f9fb}
`;

export const ACCOUNTS_PAGE_SIZE = PAGE_SIZE;

/** The catalogue checker's findings in Chinese, each with its path (`items[3].steps[1].unit`) kept as written. */
const CATALOG_TEXTS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^required$/, () => '必填项缺失'],
  [/^must be text$/, () => '须为文本'],
  [/^longer than (\d+) characters$/, (m) => `超过 ${m[1]} 个字符`],
  [/^"(.*)" is not a valid code/, (m) => `“${m[1]}”不是有效的编码（只能由字母、数字及 _ . - / 组成，最多 64 个字符）`],
  [/^must be a list$/, () => '须为列表'],
  [/^must be a mapping$/, () => '须为键值映射'],
  [/^at least one unit is required$/, () => '至少需要一个单位'],
  [/^"(.*)" is not one of (.*)$/, (m) => `“${m[1]}”不是允许的取值（可选：${m[2]}）`],
  [/^"(.*)" is not a mail address$/, (m) => `“${m[1]}”不是有效的邮箱地址`],
  [/^duplicate (unit|window|item) "(.*)" \(also (.*)\)$/, (m) => `${{ unit: '单位', window: '窗口', item: '服务事项' }[m[1]]}编码“${m[2]}”重复（另见 ${m[3]}）`],
  [/^unknown unit "(.*)"$/, (m) => `单位“${m[1]}”不在目录中`],
  [/^a unit cannot be its own parent$/, () => '单位不能以自己为上级'],
  [/^the hierarchy loops back to "(.*)"$/, (m) => `上下级关系形成循环（回到“${m[1]}”）`],
  [/^no unit has role triage/, () => '没有设置分派单位（role: triage），无法接收不能自动分派的事项'],
  [/^no unit has role supervision/, () => '没有设置督查单位（role: supervision），作风问题将只送分派单位'],
  [/^must be a number of working days from 0 to 365$/, () => '须为 0 至 365 之间的工作日天数'],
  [/^unknown field, ignored$/, () => '未知字段，已忽略'],
  [/^the catalogue must be a mapping/, () => '目录须为包含 units、windows、items 的映射'],
];

export function catalogFinding(p: string): { path: string | null; text: string } {
  const yaml = /^not valid YAML or JSON(?: \(line (\d+), column (\d+)\))?: (.*)$/.exec(p);
  if (yaml) return { path: yaml[1] ? `第 ${yaml[1]} 行第 ${yaml[2]} 列` : null, text: `不是有效的 YAML 或 JSON（${yaml[3]}）` };
  const m = /^([A-Za-z_][\w.[\]-]*): (.*)$/.exec(p);
  const path = m ? m[1] : null;
  const rest = m ? m[2] : p;
  for (const [re, text] of CATALOG_TEXTS) {
    const hit = re.exec(rest);
    if (hit) return { path, text: text(hit) };
  }
  return { path, text: rest };
}
