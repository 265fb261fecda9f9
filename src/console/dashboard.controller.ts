import { Controller, Get, Param, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { LIST_NAMES, LIST_TITLES, ListsService, type ListName } from '../reports/lists.service.js';
import { parseBound, ReportsService, type Period } from '../reports/reports.service.js';
import { chinaDateKey, chinaDayOf, parseChinaDate, weekdayOf } from '../workflow/calendar.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';
import { DASHBOARD_SCRIPT, dashboardBody, PRESETS, T_DASH, type DashboardView, type Preset } from './dashboard.page.js';
import { parseItemExportQuery, T_EXPORT, writeItemsXlsx } from './export-items.js';
import { messageBody } from './layout.js';

const require = createRequire(import.meta.url);
/** ECharts from node_modules, resolved through the package (not a path relative to this file, which moves on build) */
const ECHARTS_FILE = require.resolve('echarts/dist/echarts.min.js');
const ECHARTS_VERSION = (JSON.parse(readFileSync(require.resolve('echarts/package.json'), 'utf8')) as { version: string }).version;
/** the version in the address lets the file be cached for a year and still change with an upgrade */
export const ECHARTS_URL = `/console/assets/echarts.min.js?v=${ECHARTS_VERSION}`;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const T_ERR = {
  badDate: '日期格式不正确，请按“2026-10-01”的格式填写。',
  badOrder: '开始日期不能晚于结束日期。',
  badUnit: '所选单位不存在或已停用。',
  tooLong: '统计期间太长，请缩短到十年以内。',
};

/** Console: 数据看板 (figures and charts for a period), the spreadsheet exports, and the chart library they load. */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleDashboardController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly reports: ReportsService,
    private readonly lists: ListsService,
    private readonly items: ItemsService,
    private readonly catalog: CatalogCache,
  ) {}

  /** A public library file, the same for everyone: no session needed, cached long (the address carries its version). */
  @Get('assets/echarts.min.js')
  echarts(@Res() res: Response): void {
    res.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
    const file = createReadStream(ECHARTS_FILE);
    file.on('error', () => (res.headersSent ? res.destroy() : res.status(500).end()));
    file.pipe(res);
  }

  @Get('dashboard')
  async dashboard(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const snap = await this.catalog.get();
    const presets = presetPeriods(this.pages.now());
    const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim().slice(0, 40) : '');
    const form = { from: str('from') || presets.month.from, to: str('to') || presets.month.to, unit: str('unit') };
    const preset = PRESETS.find((p) => presets[p].from === form.from && presets[p].to === form.to) ?? null;
    const units = snap.catalog.units.map((u) => ({ code: u.code, name: u.name }));
    const view: DashboardView = { form, preset, presets, units };

    const from = parseChinaDate(form.from);
    const to = parseChinaDate(form.to);
    if (from === null || to === null) view.error = T_ERR.badDate;
    else if (from > to) view.error = T_ERR.badOrder;
    else if (to - from > 3660) view.error = T_ERR.tooLong;
    else if (form.unit && !snap.unitIdByCode.has(form.unit)) view.error = T_ERR.badUnit;
    if (view.error) {
      return this.pages.send(res, 400, s, { title: T_DASH.title, body: dashboardBody(view), active: 'dashboard' });
    }
    const period: Period = { from: parseBound(form.from, 'from'), to: parseBound(form.to, 'to'), unit: form.unit || null };
    // a fortnight or less reads better by day; longer periods by week
    const grain = (to as number) - (from as number) < 14 ? 'day' : 'week';
    const [summary, points] = await Promise.all([this.reports.summary(period), this.reports.trend(period, grain)]);
    view.summary = summary;
    view.trend = { grain, points };
    await this.pages.send(res, 200, s, { title: T_DASH.title, body: dashboardBody(view), active: 'dashboard', script: DASHBOARD_SCRIPT, scripts: [ECHARTS_URL] });
  }

  /** The items the signed-in person may see, with the list's filters (and a period of receipt), as XLSX. */
  @Get('exports/items.xlsx')
  async exportItems(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    const parsed = parseItemExportQuery(q);
    if ('error' in parsed) return this.refuse(res, s, parsed.error);
    this.startXlsx(res, 'items', T_EXPORT.fileName);
    await this.stream(res, () => writeItemsXlsx(this.items, s.actor, parsed.ok, res));
  }

  /** The programme's seven lists, for the office (the same as /api/reports/lists). */
  @Get('exports/:name.xlsx')
  async exportList(@Req() req: Request, @Res() res: Response, @Param('name') name: string, @Query() q: Record<string, unknown>): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!(LIST_NAMES as readonly string[]).includes(name)) return this.pages.send(res, 404, s, { title: '找不到该清单', body: messageBody('找不到该清单', '没有这个名称的清单。') });
    const str = (k: string) => (typeof q[k] === 'string' ? (q[k] as string).trim() : '');
    let period: Period;
    try {
      period = { from: parseBound(str('from') || undefined, 'from'), to: parseBound(str('to') || undefined, 'to'), unit: str('unit') || null };
      await this.reports.scope(period);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.ValidationFailed) throw err;
      return this.refuse(res, s, /^unit/.test(err.message) ? T_ERR.badUnit : /after to/.test(err.message) ? T_ERR.badOrder : T_ERR.badDate);
    }
    const list = name as ListName;
    this.startXlsx(res, list, LIST_TITLES[list]);
    await this.stream(res, () => this.lists.write(list, period, res));
  }

  private refuse(res: Response, s: ConsoleSessionInfo, text: string): Promise<void> {
    return this.pages.send(res, 400, s, { title: T_EXPORT.badTitle, body: messageBody(T_EXPORT.badTitle, text) });
  }

  private startXlsx(res: Response, ascii: string, title: string): void {
    const day = chinaDateKey(chinaDayOf(this.pages.now()));
    res.status(200).set({
      'Content-Type': XLSX,
      'Content-Disposition': `attachment; filename="${ascii}-${day}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${title}-${day}.xlsx`)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
  }

  /** Once the spreadsheet has started no page can follow: a failure cuts the download, so it never looks complete. */
  private async stream(res: Response, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!res.headersSent) throw err;
      res.destroy(err as Error);
    }
  }
}

/** This week, last week, this month, last month and this year up to today, as China dates. */
export function presetPeriods(now: Date): Record<Preset, { from: string; to: string }> {
  const today = chinaDayOf(now);
  const key = chinaDateKey(today);
  const monday = today - ((weekdayOf(today) + 6) % 7);
  const firstOfMonth = parseChinaDate(`${key.slice(0, 8)}01`) as number;
  const lastMonthEnd = firstOfMonth - 1;
  const firstOfLastMonth = parseChinaDate(`${chinaDateKey(lastMonthEnd).slice(0, 8)}01`) as number;
  return {
    week: { from: chinaDateKey(monday), to: key },
    lastWeek: { from: chinaDateKey(monday - 7), to: chinaDateKey(monday - 1) },
    month: { from: chinaDateKey(firstOfMonth), to: key },
    lastMonth: { from: chinaDateKey(firstOfLastMonth), to: chinaDateKey(lastMonthEnd) },
    year: { from: `${key.slice(0, 4)}-01-01`, to: key },
  };
}
