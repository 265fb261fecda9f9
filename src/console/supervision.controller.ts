import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { ReclassifyService } from '../classification/reclassify.service.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import type { ItemFilter } from '../items/items.repository.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { DeadlinesService } from '../workflow/deadlines.service.js';
import { WorkflowService } from '../workflow/workflow.service.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields, pageNumber } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';
import { doneText, REFUSAL_STATUS, refusalText, runStep } from './console.controller.js';
import { PAGE_SIZE } from './pager.js';
import { dueOf } from './queue.page.js';
import { SUPERVISION_FILTERS, SUPERVISION_TABS, supervisionBody, T_SUP, type SupervisionRow, type SupervisionTab } from './supervision.page.js';
import { Clock } from '../common/clock.js';

/** The decisions taken on the boards, by board. */
const BOARD_STEPS = { extensions: 'extension-decision', appeals: 'appeal-decision' } as const;

interface BoardView {
  tab: SupervisionTab;
  unit: string | null;
  page: number;
}

/** The list filter of a board, as ItemsService.list takes it. */
function listFilter(tab: SupervisionTab, unit: string | null, page: number): ItemFilter {
  const f = SUPERVISION_FILTERS[tab];
  return {
    status: f.status as ItemStatus | undefined,
    overdue: f.overdue === 'true' ? true : undefined,
    extension: f.extension,
    appeal: f.appeal,
    sort: 'due',
    // a repeat is answered and called back with its lead: one job a case
    repeats: 'exclude',
    unit: unit ?? undefined,
    page,
    pageSize: PAGE_SIZE,
  };
}

/**
 * Console: 督办, the management office's boards — overdue items, answers awaiting the callback, extension requests
 * and appeals waiting for a decision (decided in the row). Office only.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleSupervisionController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly items: ItemsService,
    private readonly workflow: WorkflowService,
    private readonly reclassifier: ReclassifyService,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  @Get('supervision')
  async board(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, unknown>): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const f = fields(q);
    await this.show(res, s, 200, await this.view(f), { flash: doneText(f.done) });
  }

  @Post('supervision/:board/:id')
  async decide(@Req() req: Request, @Res() res: Response, @Param('board') board: string, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    if (!Object.hasOwn(BOARD_STEPS, board)) return this.pages.notFound(res, s, 'page');
    const tab = board as keyof typeof BOARD_STEPS;
    const path = BOARD_STEPS[tab];
    const view = await this.view({ show: tab, unit: form.unit, page: form.page });
    try {
      await runStep({ items: this.items, workflow: this.workflow, reclassifier: this.reclassifier, catalog: this.catalog, clock: this.clock }, s.actor, id, path, form);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === ErrorCode.NotFound) return this.pages.notFound(res, s);
      return this.show(res, s, REFUSAL_STATUS[err.code] ?? 400, view, { error: refusalText(err), failed: { id: Number(id), note: form.note ?? '' } });
    }
    const q = new URLSearchParams({ show: tab });
    if (view.unit) q.set('unit', view.unit);
    q.set('done', path);
    res.redirect(303, `/console/supervision?${q.toString()}`);
  }

  /** The board asked for; an unknown tab or unit falls back to the first tab and every unit. */
  private async view(f: Record<string, string | undefined>): Promise<BoardView> {
    const tab = (SUPERVISION_TABS as readonly string[]).includes(f.show ?? '') ? (f.show as SupervisionTab) : 'overdue';
    const snap = await this.catalog.get();
    const unit = f.unit && snap.unitIdByCode.has(f.unit) ? f.unit : null;
    return { tab, unit, page: pageNumber(f.page) };
  }

  private async show(
    res: Response,
    s: ConsoleSessionInfo,
    status: number,
    v: BoardView,
    extra: { flash?: string; error?: string; failed?: { id: number; note: string } },
  ): Promise<void> {
    const snap = await this.catalog.get();
    const [list, ...counts] = await Promise.all([
      this.items.list(s.actor, listFilter(v.tab, v.unit, v.page)),
      ...SUPERVISION_TABS.map((t) => this.items.list(s.actor, { ...listFilter(t, v.unit, 1), pageSize: 1 }).then((r) => r.total)),
    ]);
    const now = this.clock.now();
    let rows: SupervisionRow[] = list.items.map((item) => ({ item }));
    if (v.tab === 'overdue') {
      rows = rows.map((r) => {
        const due = dueOf(r.item);
        return { ...r, overdue: due ? this.deadlines.overdue(due, now) : undefined };
      });
    } else if (v.tab === 'extensions' || v.tab === 'appeals') {
      const reasons = await this.items.latestEvents(list.items, v.tab === 'extensions' ? 'extension_requested' : 'appealed');
      rows = rows.map((r) => {
        const note = reasons.get(r.item.id)?.data.note;
        return { ...r, reason: typeof note === 'string' ? note : '' };
      });
    }
    const body = supervisionBody({
      tab: v.tab,
      counts: Object.fromEntries(SUPERVISION_TABS.map((t, i) => [t, counts[i]])) as Record<SupervisionTab, number>,
      rows,
      total: list.total,
      page: v.page,
      unit: v.unit,
      units: snap.catalog.units,
      csrf: s.csrf,
      now,
      ...extra,
    });
    await this.pages.send(res, status, s, { title: `${T_SUP.title} · ${T_SUP.tabs[v.tab]}`, body, active: 'supervision' });
  }
}
