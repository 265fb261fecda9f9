import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import multer from 'multer';
import { AccountsService } from '../auth/accounts.service.js';
import { Public } from '../auth/auth.decorators.js';
import { ROLES, type Role } from '../auth/user.entity.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { ClassificationService } from '../classification/classification.service.js';
import { CatalogImportService } from '../org/catalog-import.service.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { ACCOUNTS_PAGE_SIZE, adminBody, catalogFinding, T_ADMIN, type AdminView } from './admin.page.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields, pageNumber } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';

const MAX_CATALOG = 5 * 1024 * 1024;
/** The import form is multipart (a file, or a pasted text larger than the console's urlencoded limit). */
const catalogUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_CATALOG, fieldSize: MAX_CATALOG, files: 1, fields: 5, parts: 8 } }).single('file');

/** Console: 系统管理 — the organisation catalogue import and the accounts. Administrators only. */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleAdminController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly accounts: AccountsService,
    private readonly importer: CatalogImportService,
    private readonly catalog: CatalogCache,
    private readonly classification: ClassificationService,
  ) {}

  @Get('admin')
  async admin(@Req() req: Request, @Res() res: Response, @Query('page') page?: string, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    const flash = done && Object.hasOwn(T_ADMIN.done, done) ? T_ADMIN.done[done] : undefined;
    await this.show(res, s, 200, { flash }, pageNumber(page));
  }

  @Post('admin/catalog')
  async importCatalog(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    let uploadError: string | null = null;
    try {
      await new Promise<void>((resolve, reject) => catalogUpload(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    } catch (err) {
      // multer's limits, or the parser's own errors (a cut-off upload: "Unexpected end of form"): the sender's problem
      if (!(err instanceof Error)) throw err;
      const tooBig = err instanceof multer.MulterError && (err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE');
      uploadError = tooBig ? T_ADMIN.tooBig : T_ADMIN.badForm;
    }
    const form = fields(req.body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const typed = form.text ?? '';
    if (uploadError) return this.show(res, s, uploadError === T_ADMIN.tooBig ? 413 : 400, { catalog: { text: typed, error: uploadError } });
    const file = (req as Request & { file?: Express.Multer.File }).file;
    let text = typed;
    if (file?.buffer.length) {
      text = new TextDecoder('utf-8', { fatal: false }).decode(file.buffer);
      if (text.includes('\ufffd')) return this.show(res, s, 400, { catalog: { text: typed, error: T_ADMIN.notUtf8 } });
    }
    if (!text.trim()) return this.show(res, s, 400, { catalog: { text: typed, error: T_ADMIN.emptyImport } });
    try {
      const result = await this.importer.importText(text);
      // the outcome (counts, warnings) is shown on this answer: it is not a fixed message a redirect could carry
      return this.show(res, s, 200, { catalog: { text: typed, result, warnings: result.warnings.map(catalogFinding) } });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.CatalogInvalid) throw err;
      const problems = ((err.details as { problems?: string[] } | undefined)?.problems ?? [err.message]).map(catalogFinding);
      return this.show(res, s, 400, { catalog: { text: typed, problems } });
    }
  }

  /** Retrains the classifier and router from the shipped rows and every staff correction (as the API's retrain). */
  @Post('admin/retrain')
  async retrain(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    const trained = await this.classification.retrain(s.actor.username);
    await this.show(res, s, 200, { trained });
  }

  @Post('admin/accounts')
  async createAccount(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const values = { username: form.username ?? '', role: form.role ?? '', unit: form.unit ?? '', password: form.password ?? '' };
    if (!(ROLES as readonly string[]).includes(values.role)) return this.show(res, s, 400, { create: { values, error: T_ADMIN.refusals.role } });
    if (values.role === 'unit_staff' && !values.unit) return this.show(res, s, 400, { create: { values, error: T_ADMIN.refusals.unitRequired } });
    try {
      const { user, password } = await this.accounts.create({ username: values.username, role: values.role as Role, unit: values.unit || null, password: values.password || null });
      // the password is shown on this answer only, never put in an address or stored
      return this.show(res, s, 200, { secret: { note: T_ADMIN.created(user.username), password } });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      return this.show(res, s, err.code === ErrorCode.Conflict ? 409 : 400, { create: { values, error: refusal(err) } });
    }
  }

  @Post('admin/accounts/:id/:step')
  async account(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('step') step: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const page = pageNumber(form.page);
    try {
      if (step === 'deactivate' || step === 'activate') {
        await this.accounts.setActive(s.actor, id, step === 'activate');
        return res.redirect(303, `/console/admin?done=${step === 'activate' ? 'activated' : 'deactivated'}${page > 1 ? `&page=${page}` : ''}`);
      }
      if (step === 'reset') {
        const { account, password } = await this.accounts.resetPassword(s.actor, id);
        return this.show(res, s, 200, { secret: { note: T_ADMIN.reset(account.username), password } }, page);
      }
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const status = err.code === ErrorCode.NotFound ? 404 : err.code === ErrorCode.Forbidden ? 403 : 400;
      return this.show(res, s, status, { accountError: refusal(err) }, page);
    }
    return this.pages.notFound(res, s, 'page');
  }

  private async show(res: Response, s: ConsoleSessionInfo, status: number, extra: Partial<AdminView>, page = 1): Promise<void> {
    const snap = await this.catalog.get();
    const [list, model] = await Promise.all([this.accounts.list(page, ACCOUNTS_PAGE_SIZE), this.classification.modelStatus()]);
    const view: AdminView = {
      csrf: s.csrf,
      selfId: s.actor.id,
      units: snap.catalog.units.map((u) => ({ code: u.code, name: u.name })),
      accounts: { ...list, page },
      model,
      ...extra,
    };
    await this.pages.send(res, status, s, { title: T_ADMIN.title, body: adminBody(view), active: 'admin' });
  }
}

function refusal(err: DomainError): string {
  const r = T_ADMIN.refusals;
  if (err.code === ErrorCode.Conflict) return r.exists;
  if (err.code === ErrorCode.NotFound) return r.gone;
  if (err.code === ErrorCode.Forbidden) return r.self;
  if (/^username/.test(err.message)) return r.username;
  if (/^password/.test(err.message)) return r.password;
  if (/unit: required/.test(err.message)) return r.unitRequired;
  if (/^unit/.test(err.message)) return r.unitUnknown;
  if (/^role/.test(err.message)) return r.role;
  return '操作未能完成，请检查填写的内容。';
}
