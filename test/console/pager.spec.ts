import { pager } from '../../src/console/pager.js';

describe('console pager', () => {
  it('says nothing when one page holds the list', () => {
    expect(pager({ path: '/console/queue', page: 1, total: 50 })).toBe('');
  });

  it('links the neighbours, keeps the filters, escapes them and clamps the page', () => {
    const html = pager({ path: '/console/queue', query: { show: 'overdue', q: '<x>' }, page: 2, total: 120 });
    expect(html).toContain('href="/console/queue?show=overdue&amp;q=%3Cx%3E&amp;page=1"');
    expect(html).toContain('href="/console/queue?show=overdue&amp;q=%3Cx%3E&amp;page=3"');
    expect(html).toContain('第 2 / 3 页（共 120 条）');
    const last = pager({ path: '/p', page: 99, total: 120 });
    expect(last).toContain('第 3 / 3 页');
    expect(last).toContain('<span aria-disabled="true">下一页</span>');
  });
});
