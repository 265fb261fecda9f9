import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { chinaDayOf, yearOf } from '../workflow/calendar.js';
import { CalendarStore, calendarTemplate } from '../workflow/calendar-store.service.js';
import { calendarBody, T_CAL, type CalendarPageView } from './calendar.page.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';

/**
 * Console: 工作日历 — the years the store has, entering next year's holidays and make-up working days (the YAML of
 * config/calendar, checked with every problem listed), and counting open items' deadlines again. The office only.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleCalendarController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly store: CalendarStore,
  ) {}

  @Get('calendar')
  async page(@Req() req: Request, @Res() res: Response, @Query('year') year?: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const y = year && /^\d{4}$/.test(year) ? Number(year) : null;
    const selected = y ? await this.store.get(y).catch(() => undefined) : undefined;
    if (y && !selected) return this.pages.notFound(res, s, 'page');
    const next = yearOf(chinaDayOf(this.pages.now())) + 1;
    const form = selected ? { year: String(selected.year), document: selected.document } : { year: String(next), document: calendarTemplate(next) };
    await this.show(res, s, 200, { form, selected });
  }

  @Post('calendar')
  async save(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const f = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, f._csrf))) return;
    const form = { year: (f.year ?? '').trim(), document: f.document ?? '' };
    if (!/^\d{4}$/.test(form.year)) return this.show(res, s, 400, { form, error: '请填写四位数的年份，例如 2027。' });
    try {
      const summary = await this.store.save(Number(form.year), form.document, s.actor);
      const selected = await this.store.get(summary.year);
      return this.show(res, s, 200, { form: { year: form.year, document: selected.document }, selected, saved: { year: summary.year, summary } });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.ValidationFailed) throw err;
      const problems = (err.details as { problems?: { path: string; message: string }[] } | undefined)?.problems;
      return this.show(res, s, 400, { form, problems: problems ?? [{ path: '', message: err.message }] });
    }
  }

  @Post('calendar/:year/recount')
  async recount(@Req() req: Request, @Res() res: Response, @Param('year') year: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    if (!/^\d{4}$/.test(year)) return this.pages.notFound(res, s, 'page');
    const result = await this.store.recount(Number(year), s.actor);
    const next = yearOf(chinaDayOf(this.pages.now())) + 1;
    await this.show(res, s, 200, { form: { year: String(next), document: calendarTemplate(next) }, recounted: { year: Number(year), result } });
  }

  private async show(res: Response, s: ConsoleSessionInfo, status: number, v: Omit<CalendarPageView, 'csrf' | 'years' | 'warning'>): Promise<void> {
    const [years, warning] = await Promise.all([this.store.list(), this.store.warningNow()]);
    await this.pages.send(res, status, s, { title: T_CAL.title, body: calendarBody({ ...v, csrf: s.csrf, years, warning }), active: 'calendar' });
  }
}
