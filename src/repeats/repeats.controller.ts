import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { ProblemView } from '../rectification/problems.service.js';
import { parseBound } from '../reports/reports.service.js';
import { HotSpotsService, type HotSpotSummary } from './hot-spots.service.js';
import { RepeatFiguresService, type RepeatFigures } from './repeat-figures.service.js';
import { RepeatLinksService, type ItemLinks } from './repeat-links.service.js';
import { HotSpotsQuery, LinkItemDto, OpenProblemDto, PeriodQuery } from './repeats.dto.js';

@ApiTags('repeats')
@ApiBearerAuth()
@Controller('api')
export class RepeatsController {
  constructor(
    private readonly links: RepeatLinksService,
    private readonly hotSpots: HotSpotsService,
    private readonly figures: RepeatFiguresService,
  ) {}

  @Get('items/:id/links')
  @ApiOperation({ summary: 'the case of an item: its lead, its repeats (with the evidence of each link) and its hot spot; scoped like the item' })
  itemLinks(@CurrentActor() a: Actor, @Param('id') id: string): Promise<ItemLinks> {
    return this.links.links(a, id);
  }

  @Post('items/:id/links')
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'link the item as a repeat of `lead` (the same person on the same matter): no job or deadline of its own' })
  link(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: LinkItemDto): Promise<ItemLinks> {
    return this.links.link(a, id, String(b.lead));
  }

  @Delete('items/:id/links')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'take a repeat out of its case: an item of its own again, deadlines counted from now' })
  unlink(@CurrentActor() a: Actor, @Param('id') id: string): Promise<ItemLinks> {
    return this.links.unlink(a, id);
  }

  @Post('items/:id/lead')
  @Roles('supervisor', 'admin')
  @HttpCode(200)
  @ApiOperation({ summary: 'make a repeat the lead of its case (it takes over the unit, status and deadlines)' })
  relead(@CurrentActor() a: Actor, @Param('id') id: string): Promise<ItemLinks> {
    return this.links.relead(a, id);
  }

  @Get('hot-spots')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'hot spots: items of different people on one matter, with size, trend (last 7 days / before), units and sample texts' })
  list(@CurrentActor() a: Actor, @Query() q: HotSpotsQuery): Promise<HotSpotSummary[]> {
    return this.hotSpots.list(a, { minItems: q.minItems });
  }

  @Get('hot-spots/:id')
  @Roles('supervisor', 'admin')
  get(@CurrentActor() a: Actor, @Param('id') id: string): Promise<HotSpotSummary & { members: number[] }> {
    return this.hotSpots.get(a, id);
  }

  @Post('hot-spots/:id/problem')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: 'open a problem (问题清单) from the hot spot with every item (and their repeats) linked, in one step' })
  openProblem(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: OpenProblemDto): Promise<ProblemView> {
    return this.hotSpots.openProblem(a, id, b);
  }

  @Get('reports/repeats')
  @Roles('supervisor', 'admin')
  @ApiOperation({ summary: '重复投诉率 (repeats / people), repeats after the answer, items per hot spot, hours from a hot spot’s first item to its problem' })
  repeatFigures(@CurrentActor() a: Actor, @Query() q: PeriodQuery): Promise<RepeatFigures> {
    return this.figures.figures(a, parseBound(q.from, 'from'), parseBound(q.to, 'to'));
  }
}
