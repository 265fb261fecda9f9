import { Body, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import multer from 'multer';
import { Public } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemView } from '../items/item.types.js';
import { ItemsService } from '../items/items.service.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { CasesService, type BacktraceAnswer } from '../rectification/cases.service.js';
import { attachmentHeader, MAX_EVIDENCE_BYTES } from '../rectification/evidence-file.js';
import { ProblemFilesService, type EvidenceRefusal } from '../rectification/problem-files.service.js';
import { PROBLEM_KINDS, PROBLEM_STATUSES, ProblemsService, type ProblemKind, type ProblemStatus } from '../rectification/problems.service.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, dispatchTargets, fields, pageNumber } from './console-pages.js';
import type { ConsoleSessionInfo } from './console-session.js';
import { excerpt } from './format.js';
import { isOffice } from './layout.js';
import { caseFileError, casesBody, T_CASES } from './problem-cases.page.js';
import { DIMENSIONS, newBody, T_NEW, valuesFromTrace, type NewProblemValues } from './problem-new.page.js';
import { detailBody, listBody, T_PROBLEMS, type DetailPageOptions } from './problems.page.js';
import { PAGE_SIZE } from './pager.js';

/** What a finished step says on the next page (a fixed list: nothing from the address is echoed). */
const DONE = {
  created: '问题已建立。',
  measure: '整改措施已记录。',
  file: '佐证材料已上传。',
  done: '已报整改完成，等待管理办公室验收。',
  items: '事项已关联到本问题。',
  verified: '验收通过，关联事项已按整改措施答复，进入回访。',
  verifiedSome: '验收通过。仍在办理的关联事项已按整改措施答复并进入回访；已答复、已办结或尚在分派中的事项保持原状态。',
  rejected: '已退回责任单位继续整改。',
} as const;
type DoneKey = keyof typeof DONE;
const doneText = (d: string | undefined) => (d && Object.hasOwn(DONE, d) ? DONE[d as DoneKey] : undefined);

/** Refused uploads in words for the person at the desk. */
const UPLOAD_REFUSALS: Record<EvidenceRefusal | 'parse', { status: number; text: string }> = {
  empty: { status: 400, text: '请选择要上传的文件。' },
  too_large: { status: 413, text: `文件超过 ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB，未保存。请压缩或拆分后再上传。` },
  type: { status: 415, text: '该文件未保存：只能上传图片（PNG、JPEG、GIF、WebP）、PDF 或 Office 文档（Word、Excel、PowerPoint），且文件内容须与扩展名一致。' },
  too_many: { status: 409, text: '该问题的佐证材料已达上限，不能再上传。' },
  closed: { status: 409, text: '问题已报整改完成，不能再上传佐证材料。' },
  parse: { status: 400, text: '上传未完成，请重新选择文件后再试。' },
};

/** One file, a few small fields; parsed in memory (10 MB at most) so the bytes go straight to PostgreSQL. */
const evidenceUpload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_EVIDENCE_BYTES, files: 1, fields: 5, fieldSize: 4096, parts: 6 },
  // browsers send the file name as UTF-8 (Chinese names)
  defParamCharset: 'utf8',
}).single('file');

/** A case log (办件记录) for the back-trace: as large as the API takes. */
const MAX_CASE_FILE = 50 * 1024 * 1024;
const caseUpload = multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_CASE_FILE, files: 1, fields: 5, fieldSize: 4096, parts: 6 } }).single('file');

function readUpload(req: Request, res: Response, parse = evidenceUpload): Promise<Express.Multer.File | undefined> {
  return new Promise((resolve, reject) => parse(req, res, (err: unknown) => (err ? reject(err) : resolve(req.file))));
}

/** Repeated form fields (the unit checkboxes) as a list. */
function many(body: unknown, key: string): string[] {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** Tracking codes as typed: one a line, or separated by spaces, commas or 、. */
const splitCodes = (s: string | undefined) => (s ?? '').split(/[\s,，、;；]+/).filter(Boolean).slice(0, 1000);

/**
 * Console: 问题整改. Unit staff work on their units' problems (measures, evidence files, reporting done); the office
 * keeps the ledger, creates problems from items (with the back-trace), links items and verifies. Every handler checks
 * the session; the services scope unit staff in the SQL, so another unit's problem is the 404 page.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleProblemsController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly problems: ProblemsService,
    private readonly files: ProblemFilesService,
    private readonly cases: CasesService,
    private readonly items: ItemsService,
  ) {}

  @Get('problems')
  async list(
    @Req() req: Request,
    @Res() res: Response,
    @Query('status') status?: string,
    @Query('unit') unit?: string,
    @Query('overdue') overdue?: string,
    @Query('page') page?: string,
    @Query('done') done?: string,
  ): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    const office = isOffice(s.actor);
    const snap = await this.pages.catalog.get();
    const filter = {
      status: (PROBLEM_STATUSES as readonly string[]).includes(status ?? '') ? (status as ProblemStatus) : undefined,
      unit: office && unit && snap.unitIdByCode.has(unit) ? unit : undefined,
      overdue: overdue === '1' ? true : undefined,
    };
    const n = pageNumber(page);
    const r = await this.problems.list(s.actor, { ...filter, page: n, pageSize: PAGE_SIZE });
    const body = listBody({ office, ...r, page: n, filter, unitNames: names(snap), units: dispatchTargets(snap), now: this.pages.now(), flash: doneText(done) });
    await this.pages.send(res, 200, s, { title: office ? T_PROBLEMS.ledgerTitle : T_PROBLEMS.myTitle, body, active: 'problems' });
  }

  @Get('problems/new')
  async newForm(@Req() req: Request, @Res() res: Response, @Query('item') itemId?: string): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    let item: ItemView | undefined;
    if (itemId) {
      item = await this.pages.visibleItem(s.actor, itemId);
      if (!item) return this.pages.notFound(res, s);
    }
    const snap = await this.pages.catalog.get();
    await this.showNew(res, s, 200, { item, values: item ? fromItem(item, snap) : {} });
  }

  @Post('problems/new/backtrace')
  async backtrace(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const item = await this.pages.visibleItem(s.actor, form.item ?? '');
    if (!item) return this.pages.notFound(res, s);
    const trace = await this.cases.backtrace(s.actor, String(item.id));
    const snap = await this.pages.catalog.get();
    await this.showNew(res, s, 200, { item, trace, values: valuesFromTrace(trace, names(snap), fromItem(item, snap)) });
  }

  @Post('problems/new')
  async create(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const snap = await this.pages.catalog.get();
    const values: NewProblemValues = {
      title: form.title ?? '',
      rootCause: form.rootCause ?? '',
      dimension: form.dimension,
      blockedStep: form.blockedStep ?? '',
      units: many(body, 'units').slice(0, 50),
      kind: form.kind,
      deadline: form.deadline ?? '',
      codes: form.codes ?? '',
    };
    const item = form.item ? await this.pages.visibleItem(s.actor, form.item) : undefined;
    const refuse = (error: string) => this.showNew(res, s, 400, { item: item ?? undefined, values, error });
    const title = values.title!.trim();
    const rootCause = values.rootCause!.trim();
    if (!title || title.length > 500) return refuse('请填写问题标题（不超过500字）。');
    if (!rootCause || rootCause.length > 5000) return refuse('请填写问题根源（不超过5000字）。');
    if (!(DIMENSIONS as readonly string[]).includes(values.dimension ?? '')) return refuse('请选择问题类别。');
    if (!(PROBLEM_KINDS as readonly string[]).includes(values.kind ?? '')) return refuse('请选择整改类型。');
    const units = values.units!.filter((u) => snap.unitIdByCode.has(u));
    if (!units.length) return refuse('请至少选择一个责任单位。');
    const deadline = values.deadline!.trim();
    if (deadline && !/^\d{4}-\d{2}-\d{2}$/.test(deadline)) return refuse('整改期限的日期格式不正确。');
    if (values.kind === 'deadline' && !deadline) return refuse('限期整改须填写整改期限。');
    if ((values.blockedStep ?? '').length > 200) return refuse('堵点环节不超过200字。');
    const { ids, missing } = await this.problems.itemIdsByTrackingCode(splitCodes(values.codes));
    if (missing.length) return refuse(`找不到以下查询码对应的事项：${missing.slice(0, 20).join('、')}`);
    try {
      const p = await this.problems.create(s.actor, {
        title,
        rootCause,
        dimension: values.dimension!,
        units,
        kind: values.kind as ProblemKind,
        deadline: deadline || undefined,
        blockedStep: values.blockedStep?.trim() || undefined,
        items: ids,
      });
      res.redirect(303, `/console/problems/${p.id}?done=created`);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.ValidationFailed) {
        return refuse(/deadline/.test(err.message) ? '整改期限的日期不正确。' : '填写的内容不完整或格式不正确，请检查后重新提交。');
      }
      throw err;
    }
  }

  @Get('problems/cases')
  async casesForm(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.importer(req, res);
    if (!s) return;
    await this.pages.send(res, 200, s, { title: T_CASES.title, body: casesBody({ csrf: s.csrf, office: isOffice(s.actor) }), active: 'problems' });
  }

  @Post('problems/cases')
  async importCases(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.importer(req, res);
    if (!s) return;
    let file: Express.Multer.File | undefined;
    let error: { status: number; text: string } | null = null;
    try {
      file = await readUpload(req, res, caseUpload);
    } catch (err) {
      error =
        err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE'
          ? { status: 413, text: '文件超过 50 MB，未导入。请拆分后分批导入。' }
          : { status: 400, text: '上传未完成，请重新选择文件后再试。' };
    }
    if (!(await this.pages.csrfOk(req, res, s, fields(req.body)._csrf))) return;
    const send = (status: number, o: Omit<Parameters<typeof casesBody>[0], 'office'>) =>
      this.pages.send(res, status, s, { title: T_CASES.title, body: casesBody({ ...o, office: isOffice(s.actor) }), active: 'problems' });
    if (error) return send(error.status, { csrf: s.csrf, error: error.text });
    if (!file?.buffer.length) return send(400, { csrf: s.csrf, error: '请选择要导入的办件记录文件。' });
    try {
      const result = await this.cases.importFile(file.buffer, s.actor);
      await send(200, { csrf: s.csrf, result });
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.ValidationFailed) return send(400, { csrf: s.csrf, error: caseFileError(err.message) });
      throw err;
    }
  }

  @Get('problems/:id')
  async detail(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('done') done?: string): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    await this.showDetail(res, s, id, 200, { flash: doneText(done) });
  }

  @Post('problems/:id/measures')
  async measure(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const text = (form.text ?? '').trim();
    const bad = !text ? '请填写整改措施。' : text.length > 5000 ? '整改措施不超过5000字。' : null;
    if (bad) return this.showDetail(res, s, id, 400, { error: bad, errorAt: 'measure', values: form });
    await this.step(res, s, id, 'measure', form, () => this.problems.addMeasure(s.actor, id, text));
  }

  @Post('problems/:id/files')
  async upload(@Req() req: Request, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    let file: Express.Multer.File | undefined;
    let refused: EvidenceRefusal | 'parse' | null = null;
    try {
      file = await readUpload(req, res);
    } catch (err) {
      // a cut-off or malformed upload is the sender's problem, not a failure of ours
      refused = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE' ? 'too_large' : 'parse';
    }
    // the form's token arrives in the multipart body, ahead of the file: checked before anything is kept
    if (!(await this.pages.csrfOk(req, res, s, fields(req.body)._csrf))) return;
    if (!refused && !file?.buffer.length) refused = 'empty';
    if (!refused && file) {
      try {
        await this.files.add(s.actor, id, { name: file.originalname, data: file.buffer });
        return res.redirect(303, `/console/problems/${encodeURIComponent(id)}?done=file`);
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        if (err.code === ErrorCode.NotFound) return this.pages.notFound(res, s, 'problem');
        const reason = (err.details as { reason?: EvidenceRefusal } | undefined)?.reason;
        if (!reason) return this.showDetail(res, s, id, err.code === ErrorCode.Forbidden ? 403 : 400, { error: refusalText(err), errorAt: 'file' });
        refused = reason;
      }
    }
    const r = UPLOAD_REFUSALS[refused ?? 'parse'];
    await this.showDetail(res, s, id, r.status, { error: r.text, errorAt: 'file' });
  }

  @Get('problems/:id/files/:file')
  async download(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('file') fileId: string): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    let f;
    try {
      f = await this.files.get(s.actor, id, fileId);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return this.pages.notFound(res, s, 'problem');
      throw err;
    }
    // always a download, never rendered here: the type is the one sniffed at upload, and the browser may not guess
    res
      .status(200)
      .set({
        'Content-Type': f.contentType,
        'Content-Length': String(f.data.length),
        'Content-Disposition': attachmentHeader(f.name),
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, no-store',
      })
      .end(f.data);
  }

  @Post('problems/:id/done')
  async done(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.worker(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const evidence = (form.evidence ?? '').trim();
    const bad = !evidence ? '请填写整改成效。' : evidence.length > 20000 ? '整改成效不超过20000字。' : null;
    if (bad) return this.showDetail(res, s, id, 400, { error: bad, errorAt: 'done', values: form });
    await this.step(res, s, id, 'done', form, () => this.problems.done(s.actor, id, evidence));
  }

  @Post('problems/:id/items')
  async link(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const codes = splitCodes(form.codes);
    if (!codes.length) return this.showDetail(res, s, id, 400, { error: '请填写要关联事项的查询码。', errorAt: 'items', values: form });
    const { ids, missing } = await this.problems.itemIdsByTrackingCode(codes);
    if (missing.length) {
      return this.showDetail(res, s, id, 400, { error: `找不到以下查询码对应的事项：${missing.slice(0, 20).join('、')}`, errorAt: 'items', values: form });
    }
    await this.step(res, s, id, 'items', form, () => this.problems.addItems(s.actor, id, ids));
  }

  @Post('problems/:id/verify')
  async verify(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    await this.step(res, s, id, 'verified', form, async () => ((await this.problems.verify(s.actor, id)).skipped.length ? 'verifiedSome' : undefined));
  }

  @Post('problems/:id/reject')
  async reject(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.office(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    const reason = (form.reason ?? '').trim();
    const bad = !reason ? '请填写验收不通过的原因。' : reason.length > 2000 ? '原因不超过2000字。' : null;
    if (bad) return this.showDetail(res, s, id, 400, { error: bad, errorAt: 'verify', values: form });
    await this.step(res, s, id, 'rejected', form, () => this.problems.reject(s.actor, id, reason));
  }

  // ---- helpers ----

  /** signedIn, and a role that works on problems (unit staff and the office); operators get the 403 page. */
  private async worker(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return null;
    if (s.actor.role !== 'unit_staff' && !isOffice(s.actor)) {
      await this.pages.forbidden(res, s);
      return null;
    }
    return s;
  }

  /** signedIn, and a role that imports case logs (operators and the office, as the API allows). */
  private async importer(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return null;
    if (s.actor.role !== 'operator' && !isOffice(s.actor)) {
      await this.pages.forbidden(res, s);
      return null;
    }
    return s;
  }

  /** Runs a step; a refusal re-renders the problem with a Chinese message and what was typed. */
  /** `run` may answer a more precise message key than `done` (verification that left some items as they were). */
  private async step(res: Response, s: ConsoleSessionInfo, id: string, done: DoneKey, form: Record<string, string>, run: () => Promise<unknown>): Promise<void> {
    let said: unknown;
    try {
      said = await run();
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === ErrorCode.NotFound) return this.pages.notFound(res, s, 'problem');
      const status = err.code === ErrorCode.Forbidden ? 403 : err.code === ErrorCode.TransitionNotAllowed || err.code === ErrorCode.Conflict ? 409 : 400;
      const at: DetailPageOptions['errorAt'] = done === 'measure' ? 'measure' : done === 'done' ? 'done' : done === 'items' ? 'items' : 'verify';
      return this.showDetail(res, s, id, status, { error: refusalText(err), errorAt: at, values: form });
    }
    const key = typeof said === 'string' && Object.hasOwn(DONE, said) ? said : done;
    res.redirect(303, `/console/problems/${encodeURIComponent(id)}?done=${key}`);
  }

  private async showDetail(
    res: Response,
    s: ConsoleSessionInfo,
    id: string,
    status: number,
    extra: Pick<DetailPageOptions, 'flash' | 'error' | 'errorAt' | 'values'>,
  ): Promise<void> {
    let problem;
    try {
      problem = await this.problems.get(s.actor, id);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return this.pages.notFound(res, s, 'problem');
      throw err;
    }
    const snap = await this.pages.catalog.get();
    const body = detailBody({ problem, office: isOffice(s.actor), csrf: s.csrf, unitNames: names(snap), now: this.pages.now(), ...extra });
    await this.pages.send(res, status, s, { title: T_PROBLEMS.docTitle(problem.id), body, active: 'problems' });
  }

  private async showNew(
    res: Response,
    s: ConsoleSessionInfo,
    status: number,
    o: { item?: ItemView; trace?: BacktraceAnswer; values: NewProblemValues; error?: string },
  ): Promise<void> {
    const snap = await this.pages.catalog.get();
    const body = newBody({
      csrf: s.csrf,
      units: dispatchTargets(snap),
      unitNames: names(snap),
      serviceNames: new Map(snap.catalog.items.map((i) => [i.code, i.name])),
      ...o,
    });
    await this.pages.send(res, status, s, { title: T_NEW.title, body, active: 'problems' });
  }

}

function names(snap: CatalogSnapshot): Map<string, string> {
  return new Map(snap.catalog.units.map((u) => [u.code, u.name]));
}

/** The form as an item suggests it: its text as the title, its category, its unit, its code to link. */
function fromItem(item: ItemView, snap: CatalogSnapshot): NewProblemValues {
  return {
    title: excerpt(item.subject || item.text, 40),
    dimension: item.dimension ?? undefined,
    units: item.unit !== snap.triageUnitCode ? [item.unit] : [],
    kind: 'deadline',
    codes: item.trackingCode,
  };
}

function refusalText(err: DomainError): string {
  if (/record the measures taken/.test(err.message)) return '请先记录整改措施，再报整改完成。';
  if (err.code === ErrorCode.TransitionNotAllowed) {
    const st = (err.details as { status?: ProblemStatus } | undefined)?.status;
    return `问题当前状态为“${st ? T_PROBLEMS.statusNames[st] : ''}”，不能进行这一步（可能已被他人办理）。`;
  }
  if (err.code === ErrorCode.Forbidden) return '您没有权限办理这一步。';
  if (err.code === ErrorCode.ValidationFailed) return '填写的内容不完整或格式不正确，请检查后重新提交。';
  return '操作未能完成，请稍后再试。';
}
