import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { LIST_NAMES, LIST_TITLES, ListsService, type ListName } from './lists.service.js';
import { parseBound, ReportsService, type OverdueRow, type Period, type Summary } from './reports.service.js';
import { Clock } from '../common/clock.js';

export class PeriodQuery {
  @ApiPropertyOptional({ description: 'from this China date (2026-10-01) or time with an offset' }) @IsOptional() @IsString() @MaxLength(40) from?: string;
  @ApiPropertyOptional({ description: 'up to and including this China date, or a time with an offset' }) @IsOptional() @IsString() @MaxLength(40) to?: string;
  @ApiPropertyOptional({ description: 'unit code: the unit and every unit below it' }) @IsOptional() @IsString() @MaxLength(64) unit?: string;
}

const period = (q: PeriodQuery): Period => ({ from: parseBound(q.from, 'from'), to: parseBound(q.to, 'to'), unit: q.unit || null });

@ApiTags('reports')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly lists: ListsService,
    private readonly clock: Clock,
  ) {}

  @Get('summary')
  @ApiOperation({ summary: 'figures: items by channel, dimension and unit; ratings (valid only); on time; callbacks; problems; overdue; top windows and service items' })
  summary(@Query() q: PeriodQuery): Promise<Summary> {
    return this.reports.summary(period(q));
  }

  @Get('overdue')
  @ApiOperation({ summary: 'open items past their deadline, most overdue first, with working days overdue and whether named in the 通报' })
  overdue(@Query() q: PeriodQuery): Promise<{ total: number; items: OverdueRow[] }> {
    return this.reports.overdue(period(q));
  }

  @Get('lists/:name.xlsx')
  @ApiParam({ name: 'name', enum: LIST_NAMES })
  @ApiOperation({ summary: '问题清单, 责任清单, 措施清单, 成效清单, 整改台账, 差评整改台账, 超期通报 as XLSX with Chinese headers' })
  async list(@CurrentActor() _a: Actor, @Param('name') name: string, @Query() q: PeriodQuery, @Res() res: Response): Promise<void> {
    if (!(LIST_NAMES as readonly string[]).includes(name)) throw new DomainError(ErrorCode.NotFound, `no list "${name}" (${LIST_NAMES.join(', ')})`);
    const p = period(q);
    await this.reports.scope(p); // a bad unit or period answers 400 before the spreadsheet starts
    const list = name as ListName;
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(this.clock.now());
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="${list}-${day}.xlsx"; filename*=UTF-8''${encodeURIComponent(`${LIST_TITLES[list]}-${day}.xlsx`)}`);
    await this.lists.write(list, p, res);
  }
}
