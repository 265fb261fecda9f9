import {
  Controller,
  Get,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  Body,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Actor } from '../auth/actor.js';
import { Public } from '../auth/auth.decorators.js';
import { AuthService } from '../auth/auth.service.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemView } from '../items/item.types.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { allowedActions, type ActionType, type WorkflowAction } from '../workflow/index.js';
import { WorkflowService } from '../workflow/workflow.service.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages, dispatchTargets, fields, owns, pageNumber } from './console-pages.js';
import { PAGE_SIZE } from './pager.js';
import { isLabel } from '../classification/dimensions.js';
import { ReclassifyService } from '../classification/reclassify.service.js';
import { ConsoleSession, sameOrigin, type ConsoleSessionInfo } from './console-session.js';
import { STATUS_NAMES } from './format.js';
import { itemBody, STEP_PATHS, T_ITEM, type StepPath } from './item.page.js';
import { homeOf, isOffice, L, layout, messageBody, sendPage } from './layout.js';
import { loginPage, T_LOGIN } from './login.page.js';
import { QUEUE_FILTERS, QUEUE_TABS, queueBody, type QueueSection, type QueueTab } from './queue.page.js';
import { TRIAGE_STATUSES, triageBody } from './triage.page.js';
import { Clock } from '../common/clock.js';
import { RepeatLinksService } from '../repeats/repeat-links.service.js';
import { caseSection } from './hot-spots.page.js';
import { clientBucket } from '../common/client-address.js';

/** What a finished step says on the next page (a fixed list: nothing from the address is echoed). */
const DONE: Record<StepPath, string> = {
  accept: '已签收，请按期限办理答复。',
  return: '已退回管理办公室重新分派。',
  answer: '答复已提交，等待回访。',
  extension: '延期申请已提交，等待管理办公室审批。',
  dispatch: '已分派，已通知责任单位签收。',
  callback: '回访已记录。',
  close: '事项已办结。',
  reopen: '已重新办理，已通知责任单位。',
  'extension-decision': '延期审批已完成，已通知责任单位。',
  appeal: '申诉已提交，等待管理办公室复核。',
  'appeal-decision': '申诉复核已完成，已通知责任单位。',
  reclassify: '分类已更正。',
};

/** The API's refusals in words for the person at the desk. */
const REFUSALS: [RegExp, string][] = [
  [/say why the item is returned/, '请填写退回原因。'],
  [/the answer is empty/, '答复内容不能为空。'],
  [/ask for 1–\d+ working days/, '延期天数须为1至60个工作日。'],
  [/say why more time is needed/, '请填写延期原因。'],
  [/deadline has passed/, '办理期限已过，不能再申请延期。'],
  [/already waiting for a decision/, '已有延期申请在等待审批。'],
  [/extension was already granted/, '已批准过一次延期，不能再次申请。'],
  [/name the unit/, '请选择分派单位。'],
  [/say why this unit/, '请填写分派理由。'],
  [/unknown or inactive unit/, '所选单位不存在或已停用。'],
  [/no triage unit/, '组织目录中没有设置分派单位。'],
  [/say whether the person is satisfied/, '请选择回访结果：满意或不满意。'],
  [/say why the item is reopened/, '请填写重新办理的原因。'],
  [/approve or refuse/, '请选择批准或不批准。'],
  [/say why the extension is decided/, '请填写审批意见。'],
  [/no extension request is waiting/, '没有待审批的延期申请（可能已被他人处理）。'],
  [/the request says no number of days/, '延期申请没有写明天数，不能批准。'],
  [/say why the rating is mistaken or malicious/, '请填写申诉理由。'],
  [/only a bad review/, '只有差评（1–2分）可以申诉。'],
  [/already appealed/, '该评价已经申诉过，不能重复申诉。'],
  [/uphold or reject/, '请选择申诉成立或不成立。'],
  [/say why the appeal is decided/, '请填写复核意见。'],
  [/no appeal is waiting/, '没有待复核的申诉（可能已被他人处理）。'],
  [/choose a dimension/, '请选择问题类别。'],
  [/cannot move an item|moving it is for the supervisor/, '单位不能改派事项；不属于本单位职责的，请退回管理办公室。'],
  [/closed item (cannot be sent|keeps its unit)/, '已办结的事项不能改派，请先重新办理。'],
];

export function refusalText(err: DomainError): string {
  for (const [re, text] of REFUSALS) if (re.test(err.message)) return text;
  const details = err.details as { allowed?: ActionType[]; status?: keyof typeof STATUS_NAMES } | undefined;
  if (err.code === ErrorCode.TransitionNotAllowed) {
    const status = details?.status ? STATUS_NAMES[details.status] : '';
    const allowed = (details?.allowed ?? []).map((a) => T_ITEM.actionNames[a]).join('、');
    return `事项当前状态为“${status}”，不能进行这一步（可能已被他人办理）。${allowed ? `现在可以：${allowed}。` : ''}`;
  }
  if (err.code === ErrorCode.Forbidden) return '您没有权限办理这一步。';
  if (err.code === ErrorCode.ValidationFailed) return '填写的内容不完整或格式不正确，请检查后重新提交。';
  return '操作未能完成，请稍后再试。';
}

export const REFUSAL_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.TransitionNotAllowed]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Forbidden]: 403,
};

/**
 * The browser console (issue 7): server-rendered pages under /console. Public for the global guard (which reads only
 * bearer headers); every handler checks the session cookie itself and sends the person to the sign-in page without it.
 */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly pages: ConsolePages,
    private readonly session: ConsoleSession,
    private readonly auth: AuthService,
    private readonly items: ItemsService,
    private readonly workflow: WorkflowService,
    private readonly catalog: CatalogCache,
    private readonly reclassifier: ReclassifyService,
    private readonly clock: Clock,
    private readonly links: RepeatLinksService,
  ) {}

  @Get()
  async home(@Req() req: Request, @Res() res: Response): Promise<void> {
    const s = await this.session.read(req);
    res.redirect(303, s ? homeOf(s.actor.role) : '/console/login');
  }

  @Get('login')
  async loginForm(@Req() req: Request, @Res() res: Response, @Query('out') out?: string): Promise<void> {
    const s = await this.session.read(req);
    if (s) return res.redirect(303, homeOf(s.actor.role));
    sendPage(res, 200, loginPage({ notice: out === '1' ? T_LOGIN.signedOut : undefined }));
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const form = fields(body);
    const username = form.username ?? '';
    if (!sameOrigin(req)) return sendPage(res, 403, layout({ title: L.expiredTitle, body: messageBody(L.expiredTitle, L.expiredBody, false) }));
    if (!username.trim() || !form.password) return sendPage(res, 400, loginPage({ username, error: T_LOGIN.missing }));
    try {
      const { token, role } = await this.auth.login(username.slice(0, 100), form.password.slice(0, 200), clientBucket(req.ip));
      this.session.start(req, res, token);
      res.redirect(303, homeOf(role));
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.TooManyAttempts) {
        const wait = err.retryAfterSeconds ?? 60;
        res.setHeader('Retry-After', String(wait));
        return sendPage(res, 429, loginPage({ username, error: T_LOGIN.throttled(wait) }));
      }
      if (err instanceof DomainError && err.code === ErrorCode.InvalidCredentials) {
        return sendPage(res, 401, loginPage({ username, error: T_LOGIN.wrong }));
      }
      throw err;
    }
  }

  @Post('logout')
  async logout(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    if (!this.session.checkCsrf(req, fields(body)._csrf)) return this.pages.expired(res);
    const s = await this.session.read(req);
    // the token in the cookie stops working everywhere, not only in this browser
    if (s?.actor.id) await this.auth.revokeTokens(s.actor.id);
    this.session.end(req, res);
    res.redirect(303, '/console/login?out=1');
  }

  @Get('queue')
  async queue(@Req() req: Request, @Res() res: Response, @Query() q: Record<string, string | undefined>): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    const tab: QueueTab = (QUEUE_TABS as readonly string[]).includes(q.show ?? '') ? (q.show as QueueTab) : 'all';
    const page = tab === 'all' ? 1 : pageNumber(q.page);
    const keys = tab === 'all' ? (['assigned', 'accepted', 'overdue'] as const) : [tab];
    const sections: QueueSection[] = await Promise.all(
      keys.map(async (key) => {
        const f = QUEUE_FILTERS[key];
        const r = await this.items.list(s.actor, {
          status: f.status ? (f.status.split(',') as ItemView['status'][]) : undefined,
          overdue: f.overdue ? true : undefined,
          repeats: 'exclude',
          page,
          pageSize: PAGE_SIZE,
        });
        return { key, items: r.items, total: r.total, page };
      }),
    );
    const body = queueBody({ tab, sections, showUnit: s.actor.role !== 'unit_staff', now: this.pages.now(), flash: doneText(q.done) });
    await this.pages.send(res, 200, s, { title: '我的待办', body, active: 'queue' });
  }

  @Get('items/:id')
  async item(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    await this.showItem(res, s, id, 200, { flash: doneText(done) });
  }

  @Post('items/:id/:step')
  async step(@Req() req: Request, @Res() res: Response, @Param('id') id: string, @Param('step') step: string, @Body() body: unknown): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    const form = fields(body);
    if (!(await this.pages.csrfOk(req, res, s, form._csrf))) return;
    if (!Object.hasOwn(STEP_PATHS, step)) return this.pages.notFound(res, s, 'page');
    const path = step as StepPath;
    try {
      await runStep({ items: this.items, workflow: this.workflow, reclassifier: this.reclassifier, catalog: this.catalog, clock: this.clock }, s.actor, id, path, form);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === ErrorCode.NotFound) return this.pages.notFound(res, s);
      const status = REFUSAL_STATUS[err.code] ?? 400;
      if (form.from === 'triage') return this.showTriage(res, s, status, { error: refusalText(err) });
      return this.showItem(res, s, id, status, { error: refusalText(err), values: form, failed: path });
    }
    if (form.from === 'triage') return res.redirect(303, `/console/triage?done=${path}`);
    const stillVisible = (await this.pages.visibleItem(s.actor, id)) !== undefined;
    res.redirect(303, stillVisible ? `/console/items/${encodeURIComponent(id)}?done=${path}` : `/console/queue?done=${path}`);
  }

  @Get('triage')
  async triage(@Req() req: Request, @Res() res: Response, @Query('done') done?: string, @Query('page') page?: string): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    await this.showTriage(res, s, 200, { flash: doneText(done), page: pageNumber(page) });
  }

  // ---- pages ----

  private async showItem(
    res: Response,
    s: ConsoleSessionInfo,
    id: string,
    status: number,
    extra: { flash?: string; error?: string; values?: Record<string, string>; failed?: StepPath },
  ): Promise<void> {
    const item = await this.pages.visibleItem(s.actor, id);
    if (!item) return this.pages.notFound(res, s);
    const snap = await this.catalog.get();
    const now = this.pages.now();
    const allowed = allowedFor(item, s.actor, snap, now);
    const office = isOffice(s.actor);
    const caseHtml = caseSection(await this.links.links(s.actor, id), s.csrf, office);
    const body = itemBody({ item, allowed, csrf: s.csrf, units: dispatchTargets(snap), now, pending: pendingReasons(item), problemLink: office, canMove: office, caseHtml, ...extra });
    await this.pages.send(res, status, s, { title: T_ITEM.title(item.trackingCode), body, active: 'queue' });
  }

  private async showTriage(res: Response, s: ConsoleSessionInfo, status: number, extra: { flash?: string; error?: string; page?: number }): Promise<void> {
    if (!isOffice(s.actor)) {
      return this.pages.send(res, 403, s, { title: '无权访问', body: messageBody('无权访问', '分派页面仅供管理办公室使用。') });
    }
    const snap = await this.catalog.get();
    const triage = snap.triageUnitCode;
    const triageUnit = snap.catalog.units.find((u) => u.code === triage) ?? null;
    let rows: { item: ItemView; canDispatch: boolean }[] = [];
    let total = 0;
    const page = extra.page ?? 1;
    const now = this.pages.now();
    if (triage) {
      // most urgent first: the earliest deadline to dispatch (or accept) by
      const l = await this.items.list(s.actor, { unit: triage, status: TRIAGE_STATUSES, sort: 'due', repeats: 'exclude', page, pageSize: PAGE_SIZE });
      total = l.total;
      rows = l.items.map((item) => ({ item, canDispatch: allowedFor(item, s.actor, snap, now).includes('dispatch') }));
    }
    const body = triageBody({ triageUnitName: triageUnit?.name ?? null, triageUnit: triage, items: rows, total, page, units: dispatchTargets(snap), csrf: s.csrf, now, ...extra });
    await this.pages.send(res, status, s, { title: '分派', body, active: 'triage' });
  }

}

/** The steps the state machine lets this person take on the item now (what the page offers). */
export function allowedFor(item: ItemView, actor: Actor, snap: CatalogSnapshot, now: Date): ActionType[] {
  const triage = snap.triageUnitCode;
  return allowedActions(
    {
      status: item.status,
      unit: item.unit === triage ? null : item.unit,
      dimension: item.dimension,
      rating: item.rating,
      extension: item.extension.state as never,
      extensionDays: item.extension.days,
      appeal: item.appeal as never,
      returnReason: item.returnReason,
      answerDueAt: item.answerDueAt ? new Date(item.answerDueAt) : null,
    },
    { role: actor.role, ownsItem: owns(actor, item.unit, snap) },
    now,
  );
}

/** The reasons of the waiting extension request and appeal, from the item's timeline. */
export function pendingReasons(item: ItemView): { extension?: string; appeal?: string } {
  const last = (kind: string) => {
    const ev = [...(item.timeline ?? [])].reverse().find((t) => t.kind === kind);
    return typeof ev?.data.note === 'string' ? ev.data.note : '';
  };
  return {
    extension: item.extension.state === 'requested' ? last('extension_requested') : undefined,
    appeal: item.appeal === 'pending' ? last('appealed') : undefined,
  };
}

export interface StepServices {
  readonly items: ItemsService;
  readonly workflow: WorkflowService;
  readonly reclassifier: ReclassifyService;
  readonly catalog: CatalogCache;
  readonly clock: Clock;
}

/**
 * One step posted from the console. The workflow's own checks decide (role → state → data); the console adds what
 * its forms require beyond the API (a reason to reopen, an opinion on each decision), checked only when the step is
 * allowed, so a step the person may not take is refused as such and not for a missing field. Reclassification is the
 * classification service's (it keeps the correction as a label), held to the state machine's rule on who may do it when.
 */
export async function runStep(d: StepServices, actor: Actor, id: string, path: StepPath, form: Record<string, string>): Promise<void> {
  const type = STEP_PATHS[path];
  const missing = missingField(path, form);
  if (!missing && type !== 'reclassify') {
    await d.workflow.apply(id, toAction(path, form), actor);
    return;
  }
  const item = await d.items.get(actor, id); // 404 outside the person's scope
  const snap = await d.catalog.get();
  const allowed = allowedFor(item, actor, snap, d.clock.now());
  if (!allowed.includes(type)) {
    if (type !== 'reclassify') {
      await d.workflow.apply(id, toAction(path, form), actor); // refused by the state machine before it reads the form
      return;
    }
    if (actor.role !== 'unit_staff' && !isOffice(actor)) throw new DomainError(ErrorCode.Forbidden, 'cannot reclassify');
    if (!owns(actor, item.unit, snap)) throw new DomainError(ErrorCode.Forbidden, 'the item is not in your unit');
    throw new DomainError(ErrorCode.TransitionNotAllowed, `cannot reclassify an item that is ${item.status}`, { allowed, status: item.status });
  }
  if (missing) throw new DomainError(ErrorCode.ValidationFailed, missing);
  await d.reclassifier.reclassify(actor, id, { dimension: form.dimension, unit: form.unit || undefined, note: form.note?.trim() || undefined });
}

/** A field the console's form requires beyond the API, in the API's manner of speaking (mapped by REFUSALS). */
function missingField(path: StepPath, f: Record<string, string>): string | null {
  const blank = (v: string | undefined) => !v?.trim();
  if (path === 'reopen' && blank(f.reason)) return 'say why the item is reopened';
  if (path === 'extension-decision' && blank(f.note)) return 'say why the extension is decided';
  if (path === 'appeal-decision' && blank(f.note)) return 'say why the appeal is decided';
  if (path === 'reclassify' && !isLabel(f.dimension)) return 'choose a dimension';
  return null;
}

/** '1' / '0' from a pair of buttons or radios; anything else is no answer (the state machine asks for one). */
function yesNo(v: string | undefined): boolean {
  return (v === '1' ? true : v === '0' ? false : undefined) as boolean;
}

export function toAction(step: StepPath, f: Record<string, string>): WorkflowAction {
  const note = f.note?.trim() || undefined;
  switch (step) {
    case 'accept':
      return { type: 'accept', note };
    case 'return':
      return { type: 'return', reason: f.reason ?? '' };
    case 'answer':
      return { type: 'answer', text: f.text ?? '' };
    case 'extension':
      // a non-number becomes NaN, which the state machine refuses with its range message
      return { type: 'request_extension', days: /^\s*\d{1,3}\s*$/.test(f.days ?? '') ? Number(f.days) : NaN, reason: f.reason ?? '' };
    case 'dispatch':
      return { type: 'dispatch', unit: f.unit ?? '', reason: f.reason ?? '' };
    case 'callback':
      return { type: 'callback', satisfied: yesNo(f.satisfied), note };
    case 'close':
      return { type: 'close', note };
    case 'reopen':
      return { type: 'reopen', reason: f.reason?.trim() || undefined };
    case 'extension-decision':
      return { type: 'decide_extension', approve: yesNo(f.approve), note };
    case 'appeal':
      return { type: 'appeal', reason: f.reason ?? '' };
    case 'appeal-decision':
      return { type: 'decide_appeal', uphold: yesNo(f.uphold), note };
    case 'reclassify':
      return { type: 'reclassify', dimension: f.dimension, unit: f.unit || undefined, note };
  }
}

export function doneText(done: string | undefined): string | undefined {
  return done && Object.hasOwn(DONE, done) ? DONE[done as StepPath] : undefined;
}

