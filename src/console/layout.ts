import type { Response } from 'express';
import type { Actor } from '../auth/actor.js';
import { pageCsp, escapeHtml } from '../web/html.js';
import { ROLE_NAMES } from './format.js';

/** Strings of the frame around every console page. */
export const L = {
  app: '好差评反馈中心',
  console: '工作台',
  skip: '跳到正文',
  nav: '主导航',
  queue: '我的待办',
  triage: '分派',
  logout: '退出登录',
  signedInAs: '当前用户',
  notFoundTitle: '找不到该事项',
  notFoundBody: '该事项不存在，或不属于您所在单位的办理范围。',
  backHome: '返回工作台',
  expiredTitle: '页面已过期',
  expiredBody: '页面已过期或来源不明，请返回刷新后重新提交。',
  forbiddenTitle: '无权访问',
  forbiddenBody: '您的账号没有使用这个页面的权限。',
  errorTitle: '出错了',
  errorBody: '系统暂时无法完成操作，请稍后再试。如果问题持续，请联系系统管理员。',
};

export type NavKey = 'queue' | 'triage' | 'supervision' | 'hotspots' | 'problems' | 'intake' | 'qr' | 'dashboard' | 'calendar' | 'admin';

/**
 * The navigation by role: each screen appears only for the roles that may use it (the handlers check again).
 * unit_staff: their queue and their unit's problems; operator: intake; supervisor: the office's screens; admin: all.
 */
export const NAV: { key: NavKey; href: string; text: string; roles: readonly Actor['role'][] }[] = [
  { key: 'queue', href: '/console/queue', text: '我的待办', roles: ['unit_staff', 'supervisor', 'admin'] },
  { key: 'triage', href: '/console/triage', text: '分派', roles: ['supervisor', 'admin'] },
  { key: 'supervision', href: '/console/supervision', text: '督办', roles: ['supervisor', 'admin'] },
  { key: 'hotspots', href: '/console/hot-spots', text: '热点问题', roles: ['supervisor', 'admin'] },
  { key: 'problems', href: '/console/problems', text: '问题整改', roles: ['unit_staff', 'supervisor', 'admin'] },
  { key: 'intake', href: '/console/intake', text: '录入', roles: ['operator', 'supervisor', 'admin'] },
  { key: 'qr', href: '/console/qr', text: '二维码', roles: ['supervisor', 'admin'] },
  { key: 'dashboard', href: '/console/dashboard', text: '数据看板', roles: ['supervisor', 'admin'] },
  { key: 'calendar', href: '/console/calendar', text: '工作日历', roles: ['supervisor', 'admin'] },
  { key: 'admin', href: '/console/admin', text: '系统管理', roles: ['admin'] },
];

/** Where a role lands after signing in: the first screen of its navigation. */
export function homeOf(role: Actor['role']): string {
  return NAV.find((n) => n.roles.includes(role))?.href ?? '/console/queue';
}

/**
 * Office screen (1366×768): readable 16 px type, strong contrast (text ≥ 7:1 on white, links and buttons ≥ 4.5:1),
 * visible focus, targets ≥ 36 px. Inline: the hub runs on an intranet and the page arrives in one response.
 */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;color:#1a1a1a;background:#eef1f5}
a{color:#0b4a8f}
a:focus,button:focus,input:focus,select:focus,textarea:focus,summary:focus{outline:3px solid #e08a00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px 10px;z-index:9}
header.top{display:flex;align-items:center;gap:24px;background:#123f73;color:#fff;padding:0 24px;min-height:56px}
header.top .brand{font-weight:700;font-size:18px;white-space:nowrap}
header.top nav ul{display:flex;gap:4px;list-style:none;margin:0;padding:0;flex-wrap:wrap}
header.top nav a,header.top nav span{display:inline-block;padding:8px 12px;border-radius:6px;color:#fff;text-decoration:none}
header.top nav a[aria-current=page]{background:#fff;color:#123f73;font-weight:700}
header.top nav a:hover{background:#2a5a93}
header.top .who{margin-left:auto;display:flex;align-items:center;gap:12px;white-space:nowrap}
header.top .who form{margin:0}
header.top .who button{background:transparent;color:#fff;border:1px solid #c9d6e6;min-height:34px;padding:4px 12px}
main{max-width:1300px;margin:0 auto;padding:16px 24px 40px}
h1{font-size:22px;margin:8px 0 12px}
h2{font-size:18px;margin:20px 0 8px}
.card{background:#fff;border:1px solid #c5ced9;border-radius:8px;padding:14px 18px;margin:0 0 14px}
.card>h2:first-child{margin-top:0}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid #d5dbe3;vertical-align:top}
th{background:#f3f5f8;font-weight:700;white-space:nowrap}
td.nowrap{white-space:nowrap}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:14px;border:1px solid #5b6b7d;background:#f7f9fb;white-space:nowrap}
.badge.assigned,.badge.returned,.badge.new{border-color:#8a5a00;background:#fff6e0;color:#5c3c00}
.badge.accepted,.badge.reopened{border-color:#0b4a8f;background:#eaf2fc;color:#0b3a70}
.badge.answered,.badge.closed{border-color:#1d6b33;background:#eefaf1;color:#14522a}
.late{color:#a4001a;font-weight:700}
.ok-time{color:#14522a}
.tabs{display:flex;gap:8px;margin:0 0 12px;flex-wrap:wrap;list-style:none;padding:0}
.tabs a{display:inline-block;padding:6px 14px;border:1px solid #0b4a8f;border-radius:18px;text-decoration:none;background:#fff}
.tabs a[aria-current=page]{background:#0b4a8f;color:#fff}
dl.facts{display:grid;grid-template-columns:8em 1fr;gap:6px 16px;margin:0}
dl.facts dt{color:#44505d;font-weight:700}
dl.facts dd{margin:0}
.text{white-space:pre-wrap;background:#f7f9fb;border:1px solid #d5dbe3;border-radius:6px;padding:10px 12px}
.grid{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:16px;align-items:start}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline li{border-left:3px solid #8a99ab;padding:2px 0 8px 12px;margin:0 0 4px}
ol.timeline time{color:#44505d;font-size:14px;display:block}
label{display:block;font-weight:700;margin:8px 0 4px}
input[type=text],input[type=password],input[type=number],select,textarea{font:inherit;width:100%;padding:7px 10px;border:1px solid #5b6b7d;border-radius:6px;background:#fff;color:#1a1a1a;min-height:38px}
textarea{min-height:84px}
input[type=number]{width:8em}
button{font:inherit;font-weight:700;min-height:38px;padding:6px 18px;border-radius:6px;border:1px solid #0b4a8f;background:#0b4a8f;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#0b4a8f}
button.danger{background:#fff;color:#a4001a;border-color:#a4001a}
form.action{border-top:1px solid #d5dbe3;padding:10px 0 12px}
form.action:first-of-type{border-top:0}
form.inline{display:flex;gap:8px;align-items:end;flex-wrap:wrap}
form.inline label{margin:0 0 4px}
form.inline .grow{flex:1;min-width:14em}
.hint{color:#44505d;font-size:14px;margin:2px 0}
.msg{border-radius:6px;padding:10px 14px;margin:0 0 14px;border:1px solid}
.msg.err{border-color:#a4001a;background:#fff0f1;color:#6d0012}
.msg.ok{border-color:#1d6b33;background:#eefaf1;color:#14522a}
.msg.banner{padding:5px 12px;margin:0 0 10px;font-size:14px}
.empty{color:#44505d;padding:12px 0}
ul.plain{list-style:none;margin:0;padding:0}
ul.plain h2{margin:0 0 6px}
.login{max-width:380px;margin:10vh auto 0}
.login h1{text-align:center}
.login button{width:100%;margin-top:16px;min-height:44px}
.pager{display:flex;gap:16px;align-items:center;margin:12px 0}
.pager a,.pager span[aria-disabled]{display:inline-block;padding:6px 14px;border:1px solid #0b4a8f;border-radius:6px;background:#fff;text-decoration:none}
.pager span[aria-disabled]{border-color:#8a99ab;color:#44505d}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
`;

export interface LayoutOptions {
  title: string;
  body: string;
  /** signed in: the frame with navigation; absent: a bare page (login) */
  session?: { actor: Actor; csrf: string; unitName: string | null };
  active?: NavKey;
  /** a notice above the page (the office's calendar warning), already HTML */
  notice?: string;
  script?: { nonce: string; code: string };
  /** same-origin script files loaded before the inline script */
  scripts?: string[];
}

export function isOffice(actor: Actor): boolean {
  return actor.role === 'supervisor' || actor.role === 'admin';
}

export function isAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}

export function layout(o: LayoutOptions): string {
  const s = o.session;
  let header = '';
  if (s) {
    const links = NAV.filter((n) => n.roles.includes(s.actor.role)).map(
      (n) => `<li><a href="${n.href}"${o.active === n.key ? ' aria-current="page"' : ''}>${n.text}</a></li>`,
    );
    const who = [escapeHtml(s.actor.username), ROLE_NAMES[s.actor.role] ?? s.actor.role, s.unitName ? escapeHtml(s.unitName) : '']
      .filter(Boolean)
      .join(' · ');
    header = `<a class="skip" href="#main">${L.skip}</a><header class="top"><div class="brand">${L.app} · ${L.console}</div>
<nav aria-label="${L.nav}"><ul>${links.join('')}</ul></nav>
<div class="who"><span><span class="sr">${L.signedInAs}：</span>${who}</span><form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${escapeHtml(s.csrf)}"><button type="submit">${L.logout}</button></form></div></header>`;
  }
  const files = o.script ? (o.scripts ?? []).map((src) => `<script nonce="${o.script?.nonce}" src="${escapeHtml(src)}"></script>`).join('') : '';
  const script = o.script ? `${files}<script nonce="${o.script.nonce}">${o.script.code}</script>` : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="same-origin"><title>${escapeHtml(o.title)} · ${L.app}</title><style>${CONSOLE_CSS}</style></head><body>${header}<main id="main">${o.notice ?? ''}${o.body}</main>${script}</body></html>`;
}


export function sendPage(res: Response, status: number, html: string, scriptNonce?: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': pageCsp(scriptNonce),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
    })
    .send(html);
}

export function messageBody(title: string, body: string, back = true): string {
  return `<h1>${escapeHtml(title)}</h1><div class="card"><p>${escapeHtml(body)}</p>${back ? `<p><a href="/console">${L.backHome}</a></p>` : ''}</div>`;
}
