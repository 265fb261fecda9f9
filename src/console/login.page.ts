import { escapeHtml } from '../web/html.js';
import { L, layout } from './layout.js';

/** Strings of the sign-in page. */
export const T_LOGIN = {
  title: '登录',
  heading: `${L.app}工作台登录`,
  username: '用户名',
  password: '密码',
  submit: '登录',
  wrong: '用户名或密码错误，请重新输入。',
  missing: '请填写用户名和密码。',
  throttled: (seconds: number) => `登录失败次数过多，请在${seconds}秒后再试。`,
  signedOut: '您已退出登录。',
  expired: '登录已失效，请重新登录。',
};

export function loginPage(o: { username?: string; error?: string; notice?: string }): string {
  const msg = o.error
    ? `<div class="msg err" role="alert" id="login-error">${escapeHtml(o.error)}</div>`
    : o.notice
      ? `<div class="msg ok" role="status">${escapeHtml(o.notice)}</div>`
      : '';
  const body = `<div class="login card"><h1>${T_LOGIN.heading}</h1>${msg}
<form method="post" action="/console/login">
<label for="username">${T_LOGIN.username}</label><input type="text" id="username" name="username" autocomplete="username" required maxlength="100" value="${escapeHtml(o.username ?? '')}"${o.error ? ' aria-describedby="login-error"' : ''}>
<label for="password">${T_LOGIN.password}</label><input type="password" id="password" name="password" autocomplete="current-password" required maxlength="200">
<button type="submit">${T_LOGIN.submit}</button></form></div>`;
  return layout({ title: T_LOGIN.title, body });
}
