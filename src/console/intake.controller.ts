import { Body, Controller, Get, Inject, Logger, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import multer from 'multer';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Actor } from '../auth/actor.js';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { STAFF_CHANNELS, type StaffChannel } from '../intake/entries/entries.dto.js';
import { HotlineImportService, type ImportStatus } from '../intake/hotline/hotline-import.service.js';
import { MAX_UPLOAD } from '../intake/hotline/hotline.controller.js';
import type { HotlineOrderDto } from '../intake/hotline/hotline.dto.js';
import { HotlineService, safeCell } from '../intake/hotline/hotline.service.js';
import { APPEAL_TYPES } from '../intake/hotline/index.js';
import { IntakeService } from '../intake/intake.service.js';
import { MailboxService } from '../intake/mailbox/mailbox.service.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, fields, pageNumber } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';
import { forwardFormBody, hotlineUploadBody, hotlineUploadScript, importBody, importRunningScript, importTable, T_HOTLINE } from './intake-hotline.page.js';
import { mailBody, T_MAIL } from './intake-mail.page.js';
import { ENTRY_CHANNELS, entryDoneBody, entryFormBody, intakeHubBody, T_INTAKE } from './intake.page.js';
import { isAdmin, isOffice } from './layout.js';
import { PAGE_SIZE } from './pager.js';

/** Who works the intake screens (the API's entry and hotline roles); unit staff do not. */
const INTAKE_ROLES: readonly Actor['role'][] = ['operator', 'supervisor', 'admin'];

/** Channels whose items the confirmation page shows (what these screens create). */
const CONFIRM_CHANNELS: readonly string[] = [...STAFF_CHANNELS, 'hotline'];

/** What a finished entry says on the next page (a fixed list: nothing from the address is echoed). */
const ENTRY_DONE: Record<string, string> = { saved: T_INTAKE.confirm.saved, again: T_INTAKE.confirm.again };

const PHONE = /^\+?[\d\s-]{3,20}$/;
const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/**
 * Console: 录入 — staff-entered channels, 12345 file imports with live progress, single forwards, and the mailbox's
 * failed mail. Every handler checks the session itself; every post checks the form token first.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleIntakeController {
  private readonly logger = new Logger('console-intake');

  constructor(
    private readonly pages: ConsolePages,
    private readonly intake: IntakeService,
    private readonly items: ItemsService,
    private readonly imports: HotlineImportService,
    private readonly hotline: HotlineService,
    private readonly mailbox: MailboxService,
    private readonly catalog: CatalogCache,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** signedIn, and a role that enters things; unit staff get the 403 page. */
  private async intakeUser(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return null;
    if (!INTAKE_ROLES.includes(s.actor.role)) {
      await this.pages.forbidden(res, s);
      return null;
    }
    return s;
  }

  @Get('intake')
  async hub(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const lists = await Promise.all(ENTRY_CHANNELS.map((channel) => this.items.list(s.actor, { channel, page: 1, pageSize: 10 })));
    const recent = lists
      .flatMap((l) => l.items)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, 10);
    const imports = await this.imports.recent(5);
    const body = intakeHubBody({ recent, imports, office: isOffice(s.actor), importTable: importTable(imports) });
    await this.pages.send(res, 200, s, { title: T_INTAKE.title, body, active: 'intake' });
  }

  // ---- staff entries ----

  @Get('intake/entry/:channel')
  async entryForm(@Req() req: Request, @Res() res: Response, @Param('channel') channel: string): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    if (!isStaffChannel(channel)) return this.pages.notFound(res, s, 'page');
    await this.showEntryForm(res, s, channel, 200, {});
  }

  @Post('intake/entry/:channel')
  async entrySave(@Req() req: Request, @Res() res: Response, @Param('channel') channel: string, @Body() body: unknown): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    if (!isStaffChannel(channel)) return this.pages.notFound(res, s, 'page');
    const snap = await this.catalog.get();
    const errors = entryErrors(channel, form, snap.catalog.windows.map((w) => w.code), snap.catalog.items.map((i) => i.code));
    const now = this.pages.now();
    const receivedAt = form.receivedAt?.trim() ? chinaLocalTime(form.receivedAt.trim()) : now;
    if (form.receivedAt?.trim() && !receivedAt) errors.push(T_INTAKE.errors.receivedAt);
    else if (receivedAt && receivedAt.getTime() > now.getTime() + 5 * 60_000) errors.push(T_INTAKE.errors.future);
    if (errors.length || !receivedAt) return this.showEntryForm(res, s, channel, 400, form, errors);
    const number = form.number?.trim();
    // the form's one-time value makes a resubmitted page (back, submit again) the same entry, not a second one
    const nonce = /^[A-Za-z0-9_-]{16,64}$/.test(form.nonce ?? '') ? form.nonce : randomUUID();
    const opt = (v: string | undefined) => (v?.trim() ? v.trim() : null);
    let result;
    try {
      result = await this.intake.intake(
        {
          channel,
          externalId: number || `console:${nonce}`,
          receivedAt,
          text: form.text.trim(),
          source: opt(form.source),
          caseNo: opt(form.caseNo),
          window: opt(form.window),
          serviceItem: opt(form.item),
          contact: { name: opt(form.name), phone: opt(form.phone) },
          raw: {
            channel,
            text: form.text,
            source: form.source ?? null,
            number: number || null,
            name: form.name ?? null,
            phone: form.phone ?? null,
            window: form.window ?? null,
            item: form.item ?? null,
            caseNo: form.caseNo ?? null,
            receivedAt: form.receivedAt ?? null,
            enteredBy: s.actor.username,
            via: 'console',
          },
        },
        s.actor,
      );
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.ValidationFailed) throw err;
      const msg = /^window:/.test(err.message) ? T_INTAKE.errors.window : /^item:/.test(err.message) ? T_INTAKE.errors.item : /text/.test(err.message) ? T_INTAKE.errors.tooLong : T_INTAKE.errors.failed;
      return this.showEntryForm(res, s, channel, 400, form, [msg]);
    }
    res.redirect(303, `/console/intake/entries/${result.id}?done=${result.created ? 'saved' : 'again'}`);
  }

  @Get('intake/entries/:id')
  async entryDone(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('done') done?: string): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const item = await this.pages.visibleItem(s.actor, id);
    if (!item) return this.pages.notFound(res, s);
    if (!CONFIRM_CHANNELS.includes(item.channel)) return this.pages.notFound(res, s);
    const flash = done && Object.hasOwn(ENTRY_DONE, done) ? ENTRY_DONE[done] : undefined;
    const body = entryDoneBody({ item, flash, office: isOffice(s.actor) });
    await this.pages.send(res, 200, s, { title: T_INTAKE.confirm.title(item.trackingCode), body, active: 'intake' });
  }

  private async showEntryForm(res: Response, s: ConsoleSessionInfo, channel: StaffChannel, status: number, values: Record<string, string>, errors?: string[]): Promise<void> {
    const snap = await this.catalog.get();
    const nonce = values.nonce && /^[A-Za-z0-9_-]{16,64}$/.test(values.nonce) ? values.nonce : randomBytes(18).toString('base64url');
    const body = entryFormBody({ channel, csrf: s.csrf, snap, values, errors, nonce });
    await this.pages.send(res, status, s, { title: T_INTAKE.formTitle(T_INTAKE.channels[channel].name), body, active: 'intake' });
  }

  // ---- 12345 hotline ----

  @Get('intake/hotline')
  async hotlinePage(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    await this.showUpload(res, s, 200);
  }

  /**
   * The upload (multipart). The form's token comes before the file in the body and is checked when the file part
   * starts: without a good token the file is never written. Answers JSON to the page's script, else redirects.
   */
  @Post('intake/hotline')
  async upload(@Req() req: Request, @Res() res: Response): Promise<void> {
    const json = (req.headers.accept ?? '').includes('application/json');
    const s = await this.pages.session.read(req);
    if (!s) {
      if (json) return void res.status(401).json({ error: '登录已失效，请重新登录。' });
      return res.redirect(303, '/console/login');
    }
    if (!INTAKE_ROLES.includes(s.actor.role)) {
      if (json) return void res.status(403).json({ error: '您的账号没有使用这个页面的权限。' });
      return this.pages.forbidden(res, s);
    }
    const refuse = async (status: number, error: string): Promise<void> => {
      if (json) return void res.status(status).json({ error });
      await this.showUpload(res, s, status, error);
    };
    // next to where the import keeps it (a rename, not a copy); a refused upload is removed by multer
    const uploads = path.join(this.config.dataDir, 'uploads');
    mkdirSync(uploads, { recursive: true });
    let refused = false; // a file came without a good token before it: skipped, never written
    const parse = multer({
      storage: multer.diskStorage({ destination: uploads }),
      limits: { fileSize: MAX_UPLOAD, files: 1, fields: 4, fieldSize: 1024, parts: 6 },
      defParamCharset: 'utf8', // browsers send the file's name in UTF-8 (Chinese names)
      fileFilter: (r, file, cb) => {
        const ok = file.fieldname === 'file' && this.pages.session.checkCsrf(r as Request, (r.body as Record<string, unknown>)?._csrf);
        if (!ok) refused = true;
        cb(null, ok);
      },
    }).single('file');
    try {
      await new Promise<void>((ok, fail) => parse(req, res, (err: unknown) => (err ? fail(err) : ok())));
    } catch (err) {
      // multer removes what it wrote of a refused upload
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') return refuse(413, T_HOTLINE.errors.tooBig);
      if (!(err instanceof Error)) throw err;
      // a broken or cut-off multipart body, a second file, an unexpected field: the person uploads again
      this.logger.warn({ err: err.message }, 'hotline upload refused');
      return refuse(400, T_HOTLINE.errors.broken);
    }
    const file = req.file;
    const form = fields(req.body);
    if (refused || !this.pages.session.checkCsrf(req, form._csrf)) {
      if (file) rmSync(file.path, { force: true });
      if (json) return void res.status(403).json({ error: '页面已过期或来源不明，请刷新页面后重新上传。' });
      return void (await this.pages.expired(res, s));
    }
    if (!file) return refuse(400, T_HOTLINE.errors.noFile);
    const id = await this.imports.start({ path: file.path, originalName: file.originalname || 'upload' }, s.actor);
    const page = `/console/intake/hotline/imports/${id}`;
    if (json) return void res.status(201).json({ id, page, progress: `${page}/progress` });
    res.redirect(303, page);
  }

  @Get('intake/hotline/imports/:id')
  async importPage(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('page') page?: string): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const st = await this.importStatus(id);
    if (!st) return this.pages.notFound(res, s, 'import');
    const running = st.status === 'queued' || st.status === 'running';
    await this.pages.send(res, 200, s, {
      title: T_HOTLINE.importTitle(st.fileName),
      body: importBody({ s: st, page: pageNumber(page) }),
      active: 'intake',
      script: running ? importRunningScript(st.id) : undefined,
    });
  }

  /** The progress the pages' script polls: counts only (never the rows themselves), for a signed-in intake user. */
  @Get('intake/hotline/imports/:id/progress')
  async importProgress(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    res.set('Cache-Control', 'no-store');
    const s = await this.pages.session.read(req);
    if (!s) return void res.status(401).json({ error: '登录已失效，请重新登录。' });
    if (!INTAKE_ROLES.includes(s.actor.role)) return void res.status(403).json({ error: '无权访问' });
    const st = await this.importStatus(id);
    if (!st) return void res.status(404).json({ error: '找不到该导入记录。' });
    const { rejected: _rows, ...counts } = st;
    res.status(200).json(counts);
  }

  /** The rejected rows as a spreadsheet-safe CSV (UTF-8 with BOM, so Excel reads the Chinese). */
  @Get('intake/hotline/imports/:id/rejected.csv')
  async rejectedCsv(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const st = await this.importStatus(id);
    if (!st) return this.pages.notFound(res, s, 'import');
    const cell = (v: string) => `"${safeCell(v).replace(/"/g, '""')}"`;
    const lines = ['行号,原因', ...st.rejected.map((r) => `${r.row},${cell(r.reason)}`)];
    res
      .status(200)
      .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="import-${st.id}-rejected.csv"`, 'X-Content-Type-Options': 'nosniff' })
      .send(`\ufeff${lines.join('\r\n')}\r\n`);
  }

  /** The results for the hotline system (the API's export, behind the console session). */
  @Get('intake/hotline/results.xlsx')
  async results(@Req() req: Request, @Res() res: Response, @Query('from') from?: string, @Query('to') to?: string): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const range = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    await this.hotline.resultsXlsx(range(from), range(to), res);
  }

  @Get('intake/hotline/forward')
  async forwardForm(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    await this.pages.send(res, 200, s, { title: T_HOTLINE.forward.heading, body: forwardFormBody({ csrf: s.csrf, values: {} }), active: 'intake' });
  }

  @Post('intake/hotline/forward')
  async forward(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.intakeUser(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const again = (status: number, errors: string[]) =>
      this.pages.send(res, status, s, { title: T_HOTLINE.forward.heading, body: forwardFormBody({ csrf: s.csrf, values: form, errors }), active: 'intake' });
    const { dto, errors } = forwardDto(form);
    if (!dto) return again(400, errors);
    let r;
    try {
      r = await this.hotline.forward(dto, s.actor);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.ValidationFailed) throw err;
      return again(400, [/^receivedAt/.test(err.message) ? T_HOTLINE.forwardErrors.receivedAtBad : T_INTAKE.errors.failed]);
    }
    res.redirect(303, `/console/intake/entries/${r.item.id}?done=${r.created ? 'saved' : 'again'}`);
  }

  private async showUpload(res: Response, s: ConsoleSessionInfo, status: number, error?: string): Promise<void> {
    const imports = await this.imports.recent(20);
    await this.pages.send(res, status, s, {
      title: T_HOTLINE.title,
      body: hotlineUploadBody({ csrf: s.csrf, imports, error }),
      active: 'intake',
      script: hotlineUploadScript(),
    });
  }

  private async importStatus(id: string): Promise<ImportStatus | null> {
    try {
      return await this.imports.status(id);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return null;
      throw err;
    }
  }

  // ---- mailbox failures (the office, as in the API) ----

  @Get('intake/mail')
  async mail(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, string | undefined>): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    let flash: string | undefined;
    const done = q.done;
    if (done === 'poll') {
      const n = (k: string) => (/^\d{1,7}$/.test(q[k] ?? '') ? Number(q[k]) : 0);
      flash = T_MAIL.polled({ fetched: n('fetched'), created: n('created'), threaded: n('threaded'), failed: n('failed') });
    } else if (done && Object.hasOwn(T_MAIL.done, done)) flash = T_MAIL.done[done];
    await this.showMail(res, s, 200, pageNumber(q.page), { flash });
  }

  @Post('intake/mail/:id/retry')
  async retry(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    if (!/^\d{1,15}$/.test(id)) return this.showMail(res, s, 404, 1, { error: T_MAIL.errors.gone });
    try {
      const { outcome } = await this.mailbox.retry(Number(id));
      res.redirect(303, `/console/intake/mail?done=retry-${outcome}`);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === ErrorCode.NotFound) return this.showMail(res, s, 404, 1, { error: T_MAIL.errors.gone });
      if (err.code === ErrorCode.Conflict) return this.showMail(res, s, 409, 1, { error: T_MAIL.errors.tooLarge });
      throw err;
    }
  }

  @Post('intake/mail/poll')
  async poll(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.admin(req, res);
    if (!s) return;
    if (!(await this.pages.csrfOk(req, res, s, fields(body)._csrf))) return;
    let r;
    try {
      r = await this.mailbox.poll();
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.Conflict) return this.showMail(res, s, 409, 1, { error: T_MAIL.errors.noMailbox });
      // an IMAP server that does not answer is an everyday event here, not a fault of the page
      this.logger.warn({ err: (err as Error)?.message }, 'mailbox poll from the console failed');
      return this.showMail(res, s, 502, 1, { error: T_MAIL.errors.pollFailed });
    }
    if (r.skipped) return res.redirect(303, '/console/intake/mail?done=poll-skipped');
    res.redirect(303, `/console/intake/mail?done=poll&fetched=${r.fetched}&created=${r.created}&threaded=${r.threaded}&failed=${r.failed}`);
  }

  private async showMail(res: Response, s: ConsoleSessionInfo, status: number, page: number, extra: { flash?: string; error?: string }): Promise<void> {
    const { rows, total } = await this.mailbox.failurePage(page, PAGE_SIZE);
    const body = mailBody({ rows, total, page, pageSize: PAGE_SIZE, csrf: s.csrf, admin: isAdmin(s.actor), ...extra });
    await this.pages.send(res, status, s, { title: T_MAIL.title, body, active: 'intake' });
  }
}

function isStaffChannel(c: string): c is StaffChannel {
  return (STAFF_CHANNELS as readonly string[]).includes(c);
}

/** `2026-11-20T09:30` from a datetime-local field, read as China time (UTC+8, no DST). */
export function chinaLocalTime(v: string): Date | null {
  const m = LOCAL_TIME.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const t = new Date(Date.UTC(y, mo - 1, d, h - 8, mi));
  // 2026-02-31 rolls over in Date.UTC: refuse it rather than move the date
  const back = new Date(t.getTime() + 8 * 3600_000);
  return back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 ? t : null;
}

/** The entry form's rules, in the API DTO's limits, as Chinese sentences. */
function entryErrors(channel: StaffChannel, f: Record<string, string>, windows: string[], items: string[]): string[] {
  const out: string[] = [];
  const E = T_INTAKE.errors;
  const len = (v: string | undefined) => Array.from(v ?? '').length;
  const text = (f.text ?? '').trim();
  if (!text) out.push(E.text);
  else if (len(text) > 20000) out.push(E.textLong);
  if (len(f.source?.trim()) > 200) out.push(E.source(T_INTAKE.channels[channel].source));
  if (len(f.number?.trim()) > 200) out.push(E.number(T_INTAKE.channels[channel].number));
  if (len(f.name?.trim()) > 100) out.push(E.name);
  if (f.phone?.trim() && !PHONE.test(f.phone.trim())) out.push(E.phone);
  if (f.window && !windows.includes(f.window)) out.push(E.window);
  if (f.item && !items.includes(f.item)) out.push(E.item);
  if (len(f.caseNo?.trim()) > 100) out.push(E.caseNo);
  return out;
}

/** The single-forward form as the API's order, or the reasons it is not one yet. */
function forwardDto(f: Record<string, string>): { dto: HotlineOrderDto | null; errors: string[] } {
  const E = T_HOTLINE.forwardErrors;
  const errors: string[] = [];
  const t = (k: string) => (f[k] ?? '').trim();
  const len = (k: string) => Array.from(t(k)).length;
  if (!t('orderNo') || len('orderNo') > 100) errors.push(E.orderNo);
  let receivedAt = '';
  if (!t('receivedAt')) errors.push(E.receivedAt);
  else if (!chinaLocalTime(t('receivedAt'))) errors.push(E.receivedAtBad);
  else receivedAt = `${t('receivedAt').replace('T', ' ')}:00`;
  if (len('caller') > 100) errors.push(E.caller);
  if (len('phone') > 50) errors.push(E.phone);
  if (!(APPEAL_TYPES as readonly string[]).includes(t('appealType'))) errors.push(E.appealType);
  if (len('title') > 500) errors.push(E.title);
  if (!t('content') || len('content') > 10000) errors.push(E.content);
  if (len('assignedUnit') > 200) errors.push(E.assignedUnit);
  if (len('region') > 100) errors.push(E.region);
  if (errors.length) return { dto: null, errors };
  const opt = (k: string) => t(k) || undefined;
  return {
    dto: {
      orderNo: t('orderNo'),
      receivedAt,
      caller: opt('caller'),
      phone: opt('phone'),
      appealType: t('appealType'),
      title: opt('title'),
      content: t('content'),
      assignedUnit: opt('assignedUnit'),
      region: opt('region'),
    },
    errors,
  };
}
