import type { MailFailure } from '../intake/mailbox/mailbox.service.js';
import { escapeHtml } from '../web/html.js';
import { chinaDateTime } from './format.js';
import { flashErr, flashOk, INTAKE_CSS } from './intake.page.js';
import { pager } from './pager.js';

const e = escapeHtml;

/** Strings of the mailbox failures screen. */
export const T_MAIL = {
  title: '邮件收取失败',
  intro: '以下来信未能自动生成事项（原因见列表），原邮件保存在邮箱的 Failed 文件夹，不会丢失。排除原因后可重新处理。',
  empty: '没有收取失败的邮件。',
  cols: { at: '时间', from: '发件人', subject: '主题', reason: '失败原因', retries: '已重试', action: '操作' },
  noSubject: '（无主题）',
  unknown: '（未知）',
  retry: '重新处理',
  poll: '立即收取邮件',
  pollHint: '系统会定时收取邮件；需要时可立即收取一次。',
  done: {
    'retry-item': '已重新处理，来信已生成事项。',
    'retry-threaded': '已重新处理，来信已并入原事项。',
    'retry-automatic': '已重新处理：这是自动回复或退信，不生成事项。',
    'retry-duplicate': '已重新处理：这封邮件此前已登记，未重复生成事项。',
    'retry-failed': '重新处理仍未成功，失败原因已更新，请查看列表。',
    'poll-skipped': '另一处正在收取邮件，本次未重复收取。',
  } as Record<string, string>,
  polled: (n: { fetched: number; created: number; threaded: number; failed: number }) =>
    `已收取邮件${n.fetched}封：新增事项${n.created}件，并入原事项${n.threaded}封，失败${n.failed}封。`,
  errors: {
    gone: '该邮件已不在失败列表中（可能已被他人处理），请刷新页面。',
    tooLarge: '该邮件过大，系统没有保存副本，请到邮箱的 Failed 文件夹中手工处理。',
    noMailbox: '没有配置收件邮箱（IMAP_HOST 未设置），无法收取邮件。',
    pollFailed: '连接邮箱服务器失败，请稍后再试或联系系统管理员。',
  },
};

export function mailBody(o: {
  rows: MailFailure[];
  total: number;
  page: number;
  pageSize: number;
  csrf: string;
  admin: boolean;
  flash?: string;
  error?: string;
}): string {
  const csrf = `<input type="hidden" name="_csrf" value="${e(o.csrf)}">`;
  const poll = o.admin
    ? `<form class="card inline" method="post" action="/console/intake/mail/poll">${csrf}<p class="hint grow">${T_MAIL.pollHint}</p><div><button type="submit" class="secondary">${T_MAIL.poll}</button></div></form>`
    : '';
  const c = T_MAIL.cols;
  const head = [c.at, c.from, c.subject, c.reason, c.retries, c.action].map((h) => `<th scope="col">${h}</th>`).join('');
  const rows = o.rows
    .map(
      (r) =>
        `<tr><td class="nowrap">${chinaDateTime(r.at)}</td><td>${e(r.from ?? T_MAIL.unknown)}</td><td>${e(r.subject || T_MAIL.noSubject)}</td><td>${e(r.reason)}</td><td>${r.retries}</td><td><form method="post" action="/console/intake/mail/${r.id}/retry">${csrf}<button type="submit" class="secondary" aria-label="${e(`${T_MAIL.retry}：${r.subject || T_MAIL.noSubject}`)}">${T_MAIL.retry}</button></form></td></tr>`,
    )
    .join('');
  const table = o.rows.length
    ? `<table><caption class="sr">${T_MAIL.title}</caption><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>${pager({ path: '/console/intake/mail', page: o.page, pageSize: o.pageSize, total: o.total })}`
    : `<p class="empty">${T_MAIL.empty}</p>`;
  return `${INTAKE_CSS}<h1>${T_MAIL.title}（${o.total}）</h1>${flashOk(o.flash)}${flashErr(o.error)}<p>${T_MAIL.intro}</p>${poll}${table}`;
}
