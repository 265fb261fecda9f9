import { Body, Controller, Get, Inject, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { PersonalDataAudit } from '../privacy/personal-data-audit.service.js';
import { PersonalDataService } from '../privacy/personal-data.service.js';
import { parsePersonKey } from '../privacy/retention.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields, pageNumber } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';
import { chinaDateTime } from './format.js';
import { privacyBody, T_PRIVACY, type PrivacyView } from './privacy.page.js';

const AUDIT_PAGE_SIZE = 50;

/** Console: 系统管理 · 个人信息保护 — a person's data found, downloaded or erased; retention now; the access log. */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console/admin/privacy')
export class ConsolePrivacyController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly personal: PersonalDataService,
    private readonly audit: PersonalDataAudit,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  @Get()
  async page(@Req() req: Request, @Res() res: Response, @Query('person') person?: string, @Query('page') page?: string): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    const wanted = person?.trim();
    if (!wanted) return this.show(res, s, 200, {}, pageNumber(page));
    if (!parsePersonKey(wanted)) return this.show(res, s, 400, { person: wanted, error: T_PRIVACY.badPerson });
    const found = await this.personal.exportPerson(s.actor, wanted);
    await this.show(res, s, 200, { person: wanted, found });
  }

  @Get('export.json')
  async download(@Req() req: Request, @Res() res: Response, @Query('person') person?: string): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    if (!person || !parsePersonKey(person)) return this.show(res, s, 400, { person, error: T_PRIVACY.badPerson });
    const data = await this.personal.exportPerson(s.actor, person);
    res.setHeader('Content-Disposition', 'attachment; filename="personal-data.json"');
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  }

  @Post('erase')
  async erase(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const person = form.person ?? '';
    if (!parsePersonKey(person)) return this.show(res, s, 400, { person, error: T_PRIVACY.badPerson });
    if (form.confirm !== 'yes') return this.show(res, s, 400, { person, error: T_PRIVACY.confirmNeeded });
    const r = await this.personal.erasePerson(s.actor, person);
    await this.show(res, s, 200, { flash: T_PRIVACY.erased(r.items, r.mails) });
  }

  @Post('retention')
  async retention(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    try {
      const r = await this.personal.runRetention(s.actor);
      await this.show(res, s, 200, { flash: T_PRIVACY.retentionDone(r.erased, chinaDateTime(new Date(r.cutoff))) });
    } catch (e) {
      if (!(e instanceof DomainError) || e.code !== ErrorCode.Conflict) throw e;
      await this.show(res, s, 409, { error: T_PRIVACY.retentionOff });
    }
  }

  private async show(res: Response, s: ConsoleSessionInfo, status: number, extra: Partial<PrivacyView>, page = 1): Promise<void> {
    const list = await this.audit.list(page, AUDIT_PAGE_SIZE);
    const view: PrivacyView = { csrf: s.csrf, months: this.config.personalDataMonths, audit: { ...list, page, pageSize: AUDIT_PAGE_SIZE }, ...extra };
    await this.pages.send(res, status, s, { title: T_PRIVACY.title, body: privacyBody(view), active: 'admin' });
  }
}
