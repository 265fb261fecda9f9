import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { DomainError } from '../common/domain-error.js';
import { HotSpotsService } from '../repeats/hot-spots.service.js';
import { RepeatLinksService } from '../repeats/repeat-links.service.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields } from './console-pages.js';
import { messageBody } from './layout.js';
import { hotSpotsBody, T_HOT } from './hot-spots.page.js';

/** 热点问题 (the office) and the item page's case forms: link, unlink, re-lead (issue 16). */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleHotSpotsController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly hotSpots: HotSpotsService,
    private readonly links: RepeatLinksService,
  ) {}

  @Get('hot-spots')
  async list(@Req() req: Request, @Res() res: Response, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const spots = await this.hotSpots.list(s.actor);
    await this.pages.send(res, 200, s, { title: T_HOT.title, body: hotSpotsBody(spots, s.csrf, done === 'problem' ? T_HOT.created : undefined), active: 'hotspots' });
  }

  @Post('hot-spots/:id/problem')
  async problem(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    try {
      const p = await this.hotSpots.openProblem(s.actor, id, {});
      res.redirect(303, `/console/problems/${p.id}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await this.pages.send(res, 409, s, { title: T_HOT.title, body: messageBody(T_HOT.title, err.message), active: 'hotspots' });
    }
  }

  @Post('items/:id/case/:step')
  async caseStep(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('step') step: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    try {
      if (step === 'link' && /^\d{1,18}$/.test(form.lead ?? '')) await this.links.link(s.actor, id, form.lead as string);
      else if (step === 'unlink') await this.links.unlink(s.actor, id);
      else if (step === 'lead') await this.links.relead(s.actor, id);
      else return this.pages.notFound(res, s, 'page');
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return this.pages.send(res, 409, s, { title: T_HOT.caseTitle, body: messageBody(T_HOT.caseTitle, err.message), active: 'queue' });
    }
    res.redirect(303, `/console/items/${encodeURIComponent(id)}`);
  }
}
