import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemView } from '../items/item.types.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import type { CatalogUnit } from '../org/catalog.types.js';
import { ConsoleSession, type ConsoleSessionInfo } from './console-session.js';
import { isAdmin, isOffice, L, layout, messageBody, sendPage, type NavKey } from './layout.js';
import { Clock } from '../common/clock.js';
import { CalendarStore } from '../workflow/calendar-store.service.js';
import { calendarWarningHtml } from './calendar.page.js';

/** Prevents a double post (a second click while the first is on its way); the page works without it. */
export const ENHANCE = `document.addEventListener('submit',function(e){var b=e.target.querySelector('button[type=submit]');if(b){setTimeout(function(){b.disabled=true},0)}});`;

export interface PageOptions {
  title: string;
  body: string;
  active?: NavKey;
  /** extra script for this page (runs under the page's CSP nonce, after the shared one) */
  script?: string;
  /** extra same-origin scripts, e.g. '/console/assets/echarts.min.js' */
  scripts?: string[];
}

/**
 * What every console controller shares: the session check, the frame around a page, and the refusal pages.
 * Each screen's controller stays in its own file and uses this.
 */
@Injectable()
export class ConsolePages {
  constructor(
    readonly session: ConsoleSession,
    readonly catalog: CatalogCache,
    private readonly items: ItemsService,
    private readonly clock: Clock,
    private readonly calendar: CalendarStore,
  ) {}

  /** the hub's time, for "time left", today's period and the like on every page */
  now(): Date {
    return this.clock.now();
  }

  /** The item if this person may see it (scope in SQL); undefined for a bad id, a missing item or another unit's. */
  async visibleItem(actor: Actor, id: string): Promise<ItemView | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    try {
      return await this.items.get(actor, id);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.NotFound) return undefined;
      throw err;
    }
  }

  /** The signed-in person, or a redirect to the sign-in page (and null). */
  async signedIn(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.session.read(req);
    if (!s) {
      res.redirect(303, '/console/login');
      return null;
    }
    return s;
  }

  /** signedIn, and the management office (supervisor or admin); others get a 403 page and null */
  async office(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.signedIn(req, res);
    if (!s) return null;
    if (!isOffice(s.actor)) {
      await this.forbidden(res, s);
      return null;
    }
    return s;
  }

  /** signedIn, and an administrator; others get a 403 page and null */
  async admin(req: Request, res: Response): Promise<ConsoleSessionInfo | null> {
    const s = await this.signedIn(req, res);
    if (!s) return null;
    if (!isAdmin(s.actor)) {
      await this.forbidden(res, s);
      return null;
    }
    return s;
  }

  /** The form's CSRF token checked; a failed check sends the expired page and answers false. */
  async csrfOk(req: Request, res: Response, s: ConsoleSessionInfo, submitted: unknown): Promise<boolean> {
    if (this.session.checkCsrf(req, submitted)) return true;
    await this.expired(res, s);
    return false;
  }

  async send(res: Response, status: number, s: ConsoleSessionInfo, o: PageOptions): Promise<void> {
    const snap = await this.catalog.get();
    const code = s.actor.unitId ? snap.unitCodeById.get(s.actor.unitId) : undefined;
    const unitName = code ? (snap.catalog.units.find((u) => u.code === code)?.name ?? null) : null;
    const nonce = randomBytes(12).toString('base64');
    const code0 = o.script ? `${ENHANCE}\n${o.script}` : ENHANCE;
    // the office is told on every page while a year its deadlines reach has no working-day calendar
    const notice = isOffice(s.actor) && o.active !== 'calendar' ? calendarWarningHtml(await this.calendar.warningNow(), true) : '';
    sendPage(
      res,
      status,
      layout({ title: o.title, body: o.body, active: o.active, notice, session: { actor: s.actor, csrf: s.csrf, unitName }, script: { nonce, code: code0 }, scripts: o.scripts }),
      nonce,
    );
  }

  /** The not-found page, naming what was looked for (another unit's record is "not found" too, never "forbidden"). */
  notFound(res: Response, s: ConsoleSessionInfo, what: NotFoundWhat = 'item'): Promise<void> {
    const t = NOT_FOUND[what];
    return this.send(res, 404, s, { title: t.title, body: messageBody(t.title, t.body) });
  }

  forbidden(res: Response, s: ConsoleSessionInfo, text = L.forbiddenBody): Promise<void> {
    return this.send(res, 403, s, { title: L.forbiddenTitle, body: messageBody(L.forbiddenTitle, text) });
  }

  expired(res: Response, s?: ConsoleSessionInfo): Promise<void> | void {
    const body = messageBody(L.expiredTitle, L.expiredBody, Boolean(s));
    if (s) return this.send(res, 403, s, { title: L.expiredTitle, body });
    sendPage(res, 403, layout({ title: L.expiredTitle, body }));
  }

  /** The code of the signed-in person's unit (unit staff), or null. */
  async unitCodeOf(actor: Actor): Promise<string | null> {
    if (!actor.unitId) return null;
    return (await this.catalog.get()).unitCodeById.get(actor.unitId) ?? null;
  }
}

export type NotFoundWhat = 'item' | 'problem' | 'import' | 'unit' | 'page';

const NOT_FOUND: Record<NotFoundWhat, { title: string; body: string }> = {
  item: { title: L.notFoundTitle, body: L.notFoundBody },
  problem: { title: '找不到该问题', body: '该问题不存在，或不属于您所在单位的整改范围。' },
  import: { title: '找不到该导入记录', body: '该导入记录不存在，可能地址有误。' },
  unit: { title: '找不到该单位或窗口', body: '该单位或窗口不在组织目录中，或已停用。' },
  page: { title: '找不到该页面', body: '您要打开的页面不存在，请从导航进入。' },
};

/** Form fields as strings (urlencoded bodies; repeated fields keep the first value). */
export function fields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

/** Units an item can be sent to: every active unit but the triage office itself. */
export function dispatchTargets(snap: CatalogSnapshot): CatalogUnit[] {
  return snap.catalog.units.filter((u) => u.code !== snap.triageUnitCode);
}

/** Unit staff own items of their unit and every unit below it (the same rule as the workflow's). */
export function owns(actor: Actor, unitCode: string, snap: CatalogSnapshot): boolean {
  if (actor.role !== 'unit_staff') return true;
  const mine = actor.unitId ? snap.unitCodeById.get(actor.unitId) : undefined;
  if (!mine) return false;
  const parent = new Map(snap.catalog.units.map((u) => [u.code, u.parent]));
  for (let c: string | null | undefined = unitCode, hops = 0; c && hops < 50; c = parent.get(c), hops++) {
    if (c === mine) return true;
  }
  return false;
}

/** A page number from the address: 1 when absent or not a positive integer. */
export function pageNumber(raw: string | undefined): number {
  return raw && /^\d{1,6}$/.test(raw) && Number(raw) > 0 ? Number(raw) : 1;
}
