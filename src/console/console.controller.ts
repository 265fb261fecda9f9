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
import { ConsolePages, dispatchTargets, fields, owns } from './console-pages.js';
import { ConsoleSession, sameOrigin, type ConsoleSessionInfo } from './console-session.js';
import { STATUS_NAMES } from './format.js';
import { itemBody, T_ITEM } from './item.page.js';
import { homeOf, isOffice, L, layout, messageBody, sendPage } from './layout.js';
import { loginPage, T_LOGIN } from './login.page.js';
import { QUEUE_TABS, queueBody, type QueueSection, type QueueTab } from './queue.page.js';
import { triageBody } from './triage.page.js';

/** The steps posted from the console, by the last segment of their address. */
const STEPS = {
  accept: 'accept',
  return: 'return',
  answer: 'answer',
  extension: 'request_extension',
  dispatch: 'dispatch',
} as const satisfies Record<string, ActionType>;
type StepPath = keyof typeof STEPS;

/** What a finished step says on the next page (a fixed list: nothing from the address is echoed). */
const DONE: Record<StepPath, string> = {
  accept: '已签收，请按期限办理答复。',
  return: '已退回管理办公室重新分派。',
  answer: '答复已提交，等待回访。',
  extension: '延期申请已提交，等待管理办公室审批。',
  dispatch: '已分派，已通知责任单位签收。',
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

const REFUSAL_STATUS: Partial<Record<ErrorCode, number>> = {
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
      const { token, role } = await this.auth.login(username.slice(0, 100), form.password.slice(0, 200), req.ip ?? 'unknown');
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
  async queue(@Req() req: Request, @Res() res: Response, @Query('show') show?: string, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    const tab: QueueTab = (QUEUE_TABS as readonly string[]).includes(show ?? '') ? (show as QueueTab) : 'all';
    const list = (f: { status?: ItemView['status']; overdue?: boolean }) => this.items.list(s.actor, { ...f, page: 1, pageSize: 100 });
    const sections: QueueSection[] = [];
    if (tab === 'all' || tab === 'assigned') {
      const r = await list({ status: 'assigned' });
      sections.push({ key: 'assigned', items: r.items, total: r.total });
    }
    if (tab === 'all' || tab === 'accepted') {
      const [a, b] = await Promise.all([list({ status: 'accepted' }), list({ status: 'reopened' })]);
      sections.push({ key: 'accepted', items: [...a.items, ...b.items], total: a.total + b.total });
    }
    if (tab === 'all' || tab === 'overdue') {
      const r = await list({ overdue: true });
      sections.push({ key: 'overdue', items: r.items, total: r.total });
    }
    const body = queueBody({ tab, sections, showUnit: s.actor.role !== 'unit_staff', now: new Date(), flash: doneText(done) });
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
    if (!this.session.checkCsrf(req, form._csrf)) return this.pages.expired(res, s);
    if (!Object.hasOwn(STEPS, step)) return this.pages.notFound(res, s);
    const path = step as StepPath;
    const action = toAction(path, form);
    try {
      await this.workflow.apply(id, action, s.actor);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      if (err.code === ErrorCode.NotFound) return this.pages.notFound(res, s);
      const status = REFUSAL_STATUS[err.code] ?? 400;
      if (form.from === 'triage') return this.showTriage(res, s, status, { error: refusalText(err) });
      return this.showItem(res, s, id, status, { error: refusalText(err), values: form });
    }
    if (form.from === 'triage') return res.redirect(303, `/console/triage?done=${path}`);
    const stillVisible = await this.items.get(s.actor, id).then(
      () => true,
      () => false,
    );
    res.redirect(303, stillVisible ? `/console/items/${encodeURIComponent(id)}?done=${path}` : `/console/queue?done=${path}`);
  }

  @Get('triage')
  async triage(@Req() req: Request, @Res() res: Response, @Query('done') done?: string): Promise<void> {
    const s = await this.pages.signedIn(req, res);
    if (!s) return;
    await this.showTriage(res, s, 200, { flash: doneText(done) });
  }

  // ---- pages ----

  private async showItem(
    res: Response,
    s: ConsoleSessionInfo,
    id: string,
    status: number,
    extra: { flash?: string; error?: string; values?: Record<string, string> },
  ): Promise<void> {
    let item: ItemView;
    try {
      item = await this.items.get(s.actor, id);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return this.pages.notFound(res, s);
      throw err;
    }
    const snap = await this.catalog.get();
    const allowed = this.allowed(item, s.actor, snap);
    const body = itemBody({ item, allowed, csrf: s.csrf, units: dispatchTargets(snap), now: new Date(), ...extra });
    await this.pages.send(res, status, s, { title: T_ITEM.title(item.trackingCode), body, active: 'queue' });
  }

  private async showTriage(res: Response, s: ConsoleSessionInfo, status: number, extra: { flash?: string; error?: string }): Promise<void> {
    if (!isOffice(s.actor)) {
      return this.pages.send(res, 403, s, { title: '无权访问', body: messageBody('无权访问', '分派页面仅供管理办公室使用。') });
    }
    const snap = await this.catalog.get();
    const triage = snap.triageUnitCode;
    const triageUnit = snap.catalog.units.find((u) => u.code === triage) ?? null;
    let rows: { item: ItemView; canDispatch: boolean }[] = [];
    let total = 0;
    if (triage) {
      const lists = await Promise.all(
        (['returned', 'new', 'assigned'] as const).map((st) => this.items.list(s.actor, { unit: triage, status: st, page: 1, pageSize: 100 })),
      );
      total = lists.reduce((n, l) => n + l.total, 0);
      rows = lists.flatMap((l) => l.items).map((item) => ({ item, canDispatch: this.allowed(item, s.actor, snap).includes('dispatch') }));
    }
    const body = triageBody({ triageUnitName: triageUnit?.name ?? null, items: rows, total, units: dispatchTargets(snap), csrf: s.csrf, now: new Date(), ...extra });
    await this.pages.send(res, status, s, { title: '分派', body, active: 'triage' });
  }

  private allowed(item: ItemView, actor: Actor, snap: CatalogSnapshot): ActionType[] {
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
    );
  }
}

function toAction(step: StepPath, f: Record<string, string>): WorkflowAction {
  switch (step) {
    case 'accept':
      return { type: 'accept', note: f.note?.trim() || undefined };
    case 'return':
      return { type: 'return', reason: f.reason ?? '' };
    case 'answer':
      return { type: 'answer', text: f.text ?? '' };
    case 'extension':
      // a non-number becomes NaN, which the state machine refuses with its range message
      return { type: 'request_extension', days: /^\s*\d{1,3}\s*$/.test(f.days ?? '') ? Number(f.days) : NaN, reason: f.reason ?? '' };
    case 'dispatch':
      return { type: 'dispatch', unit: f.unit ?? '', reason: f.reason ?? '' };
  }
}

function doneText(done: string | undefined): string | undefined {
  return done && Object.hasOwn(DONE, done) ? DONE[done as StepPath] : undefined;
}

