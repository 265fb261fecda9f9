import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import {
  CalendarStore,
  type CalendarWarning,
  type CalendarYearSummary,
  type CalendarYearView,
  type RecountResult,
} from './calendar-store.service.js';

/**
 * The working-day calendar in the store (the office's): the years it has, one year's days, entering a year in the
 * format of config/calendar/<year>.yaml, and counting open items' deadlines again on it.
 */
@ApiTags('calendar')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('api/calendar')
export class CalendarController {
  constructor(private readonly store: CalendarStore) {}

  @Get()
  @ApiOperation({ summary: 'the years with a working-day calendar (seeded from the shipped files or entered by the office)' })
  list(): Promise<CalendarYearSummary[]> {
    return this.store.list();
  }

  @Get('warning')
  @ApiOperation({ summary: 'this year and next when they have no calendar, and open items whose deadline falls in a year without one' })
  warning(): Promise<CalendarWarning> {
    return this.store.warningNow();
  }

  @Get(':year')
  @ApiOperation({ summary: 'one year: its holidays and make-up working days, and the YAML as entered' })
  get(@Param('year', ParseIntPipe) year: number): Promise<CalendarYearView> {
    return this.store.get(year);
  }

  @Put(':year')
  @ApiOperation({
    summary: 'enter or correct a year: YAML as in config/calendar/<year>.yaml (year, source, holidays, workdays), as text/yaml or {"document": "…"}',
  })
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({ schema: { oneOf: [{ type: 'string' }, { type: 'object', properties: { document: { type: 'string' } }, required: ['document'] }] } })
  save(@CurrentActor() a: Actor, @Param('year', ParseIntPipe) year: number, @Body() body: unknown): Promise<CalendarYearSummary> {
    return this.store.save(year, documentOf(body), a);
  }

  @Post(':year/recount')
  @HttpCode(200)
  @ApiOperation({ summary: 'count the deadlines of open items again on the calendar in use (each change on the item’s timeline)' })
  recount(@CurrentActor() a: Actor, @Param('year', ParseIntPipe) year: number): Promise<RecountResult> {
    return this.store.recount(year, a);
  }
}

function documentOf(body: unknown): string {
  if (typeof body === 'string' && body.trim()) return body;
  if (typeof body === 'object' && body !== null && typeof (body as { document?: unknown }).document === 'string') {
    return (body as { document: string }).document;
  }
  throw new DomainError(ErrorCode.ValidationFailed, 'document: the year as YAML text (text/yaml), or {"document": "<yaml>"}');
}
