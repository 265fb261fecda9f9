import { escapeHtml } from '../web/html.js';

export const PAGE_SIZE = 50;

/**
 * The page links under a long list: 上一页 · 第 2 / 7 页（共 312 条） · 下一页. `query` holds the list's other
 * filters; only they and the page number go into the links (escaped). Nothing when one page holds everything.
 */
export function pager(o: { path: string; query?: Record<string, string | undefined>; page: number; pageSize?: number; total: number; label?: string }): string {
  const size = o.pageSize ?? PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(o.total / size));
  if (pages <= 1) return '';
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(o.query ?? {})) if (v) q.set(k, v);
    q.set('page', String(p));
    return escapeHtml(`${o.path}?${q.toString()}`);
  };
  const page = Math.min(Math.max(1, o.page), pages);
  const prev = page > 1 ? `<a href="${href(page - 1)}" rel="prev">上一页</a>` : '<span aria-disabled="true">上一页</span>';
  const next = page < pages ? `<a href="${href(page + 1)}" rel="next">下一页</a>` : '<span aria-disabled="true">下一页</span>';
  return `<nav class="pager" aria-label="${escapeHtml(o.label ?? '分页')}">${prev}<span>第 ${page} / ${pages} 页（共 ${o.total} 条）</span>${next}</nav>`;
}
