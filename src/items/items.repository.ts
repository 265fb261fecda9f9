import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { ItemStatus } from './item.entity.js';
import type { TimelineEntry } from './item.types.js';
import { Clock } from '../common/clock.js';

export interface ItemFilter {
  unit?: string;
  /** one status, or any of several (the console's 办理中 is accepted or reopened) */
  status?: ItemStatus | readonly ItemStatus[];
  dimension?: string;
  channel?: string;
  overdue?: boolean;
  /** extension request state: 'requested' lists the requests waiting for the office */
  extension?: string;
  /** appeal state: 'pending' lists the appeals waiting for the office */
  appeal?: string;
  /** 'received' (default): newest first; 'due': the deadline the item is held to, earliest (most overdue) first */
  sort?: 'received' | 'due';
  /** repeats (items linked to a lead, issue 16): 'exclude' for queues (a case is one job), 'only' for the office's view */
  repeats?: 'exclude' | 'only';
  page: number;
  pageSize: number;
}

/**
 * How an export walks the list (ItemsRepository.list's third argument): a period of receipt filtered in the SQL,
 * keyset pages after the last item seen instead of OFFSET, no total, and each page under a statement timeout.
 */
export interface ItemWalk {
  from?: Date | null;
  to?: Date | null;
  /** the id of the last item of the previous page */
  after?: string | null;
  /** the page's query is cancelled past this (a request must not hold a connection and the table for minutes) */
  timeoutMs: number;
}

export interface ItemRow {
  id: string;
  channel: string;
  external_id: string;
  received_at: Date;
  created_at: Date;
  subject: string | null;
  text: string;
  rating: number | null;
  tags: string[];
  appeal_type: string | null;
  source: string | null;
  case_no: string | null;
  window_code: string | null;
  item_code: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  raw: unknown;
  dimension: string | null;
  secondary: string[];
  misconduct: boolean;
  confidence: number | null;
  evidence: unknown[];
  unit_code: string;
  unit_name: string;
  supervision_code: string | null;
  routing_reason: string;
  routing_rule: string;
  status: ItemStatus;
  accept_due_at: Date | null;
  answer_due_at: Date | null;
  closed_at: Date | null;
  tracking_code: string;
  callback_due_at: Date | null;
  rectify_due_at: Date | null;
  extension_state: string;
  extension_days: number | null;
  appeal_state: string;
  answer_text: string | null;
  answered_at: Date | null;
  callback_satisfied: boolean | null;
  rating_valid: boolean;
  return_reason: string | null;
  case_check: 'shared' | 'verified' | 'rejected' | null;
  lead_id: string | null;
}

const SELECT = `
  SELECT i.id, i.channel, i.external_id, i.received_at, i.created_at, i.subject, i.text, i.rating, i.tags, i.appeal_type,
    i.source, i.case_no, w.code AS window_code, si.code AS item_code, i.contact_name, i.contact_phone, i.contact_email,
    i.raw, i.dimension, i.secondary, i.misconduct, i.confidence, i.evidence, u.code AS unit_code, u.name AS unit_name,
    su.code AS supervision_code, i.routing_reason, i.routing_rule, i.status, i.accept_due_at, i.answer_due_at,
    i.closed_at, i.tracking_code, i.callback_due_at, i.rectify_due_at, i.extension_state, i.extension_days, i.appeal_state,
    i.answer_text, i.answered_at, i.callback_satisfied, i.rating_valid, i.return_reason, i.case_check, i.lead_id
  FROM item i
  JOIN unit u ON u.id = i.unit_id
  LEFT JOIN unit su ON su.id = i.supervision_unit_id
  LEFT JOIN service_window w ON w.id = i.window_id
  LEFT JOIN service_item si ON si.id = i.service_item_id`;

/** The units a staff member may see: their own and every unit below it, computed in the database. */
const SCOPE_CTE = `
  WITH RECURSIVE scope(id) AS (
    SELECT id FROM unit WHERE id = $1
    UNION
    SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id
  )`;

/** past a deadline at `$n`, the hub's clock (never the database's `now()`) */
export const overdueAt = (n: number): string => `(
  (i.status IN ('new', 'assigned', 'returned', 'reopened') AND i.accept_due_at < $${n})
  OR (i.status NOT IN ('answered', 'closed') AND i.answer_due_at < $${n}))`;

/**
 * Reads items. Unit staff are scoped in the SQL itself (the unit an item is routed to, or the supervision unit it
 * is copied to, must lie in their subtree), so no caller can forget the check.
 */
@Injectable()
export class ItemsRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(actor: Actor, f: ItemFilter, walk?: ItemWalk): Promise<{ rows: ItemRow[]; total: number }> {
    const params: unknown[] = [actor.role === 'unit_staff' ? actor.unitId : null];
    const where: string[] = [];
    if (actor.role === 'unit_staff') {
      where.push(`(i.unit_id IN (SELECT id FROM scope) OR i.supervision_unit_id IN (SELECT id FROM scope))`);
    }
    if (f.unit) {
      params.push(f.unit);
      where.push(`u.code = $${params.length}`);
    }
    if (typeof f.status === 'string') {
      params.push(f.status);
      where.push(`i.status = $${params.length}`);
    } else if (f.status?.length) {
      params.push(f.status);
      where.push(`i.status = ANY($${params.length}::text[])`);
    }
    if (f.dimension) {
      params.push(f.dimension);
      where.push(`i.dimension = $${params.length}`);
    }
    if (f.channel) {
      params.push(f.channel);
      where.push(`i.channel = $${params.length}`);
    }
    if (f.extension) {
      params.push(f.extension);
      where.push(`i.extension_state = $${params.length}`);
    }
    if (f.appeal) {
      params.push(f.appeal);
      where.push(`i.appeal_state = $${params.length}`);
    }
    if (f.repeats === 'exclude') where.push(`i.lead_id IS NULL`);
    if (f.repeats === 'only') where.push(`i.lead_id IS NOT NULL`);
    if (typeof f.overdue === 'boolean') {
      params.push(this.clock.now());
      where.push(f.overdue ? overdueAt(params.length) : `NOT ${overdueAt(params.length)}`);
    }
    if (walk) return this.walk(actor, f, walk, params, where);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const cte = actor.role === 'unit_staff' ? SCOPE_CTE : `WITH scope(id) AS (SELECT $1::uuid)`;
    const [{ total }] = await this.ds.query(
      `${cte} SELECT count(*)::int AS total FROM item i JOIN unit u ON u.id = i.unit_id ${cond}`,
      params,
    );
    params.push(f.pageSize, (f.page - 1) * f.pageSize);
    const order = f.sort === 'due' ? 'i.due_at ASC NULLS LAST, i.id' : 'i.received_at DESC, i.id DESC';
    const rows: ItemRow[] = await this.ds.query(
      `${cte} ${SELECT} ${cond} ORDER BY ${order} LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return { rows, total };
  }

  /** One keyset page of `list` (see ItemWalk); `total` is the page's length, nothing is counted. */
  private async walk(actor: Actor, f: ItemFilter, w: ItemWalk, params: unknown[], where: string[]): Promise<{ rows: ItemRow[]; total: number }> {
    if (w.from) {
      params.push(w.from);
      where.push(`i.received_at >= $${params.length}`);
    }
    if (w.to) {
      params.push(w.to);
      where.push(`i.received_at <= $${params.length}`);
    }
    // the same order as the list's, as a key: deadlines last when there is none, then the id
    const due = `coalesce(i.due_at, 'infinity'::timestamptz)`;
    if (w.after) {
      params.push(w.after);
      const c = `(SELECT received_at, ${due.replace('i.', '')} AS due, id FROM item WHERE id = $${params.length}::bigint)`;
      where.push(f.sort === 'due' ? `(${due}, i.id) > (SELECT due, id FROM ${c} c)` : `(i.received_at, i.id) < (SELECT received_at, id FROM ${c} c)`);
    }
    params.push(f.pageSize);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const cte = actor.role === 'unit_staff' ? SCOPE_CTE : `WITH scope(id) AS (SELECT $1::uuid)`;
    const order = f.sort === 'due' ? `${due} ASC, i.id ASC` : 'i.received_at DESC, i.id DESC';
    const rows: ItemRow[] = await this.ds.transaction(async (m) => {
      await m.query(`SELECT set_config('statement_timeout', $1, true)`, [String(Math.max(1, Math.round(w.timeoutMs)))]);
      return m.query(`${cte} ${SELECT} ${cond} ORDER BY ${order} LIMIT $${params.length}`, params);
    });
    return { rows, total: rows.length };
  }

  /** One item, or null when it does not exist or lies outside the actor's scope (the caller answers 404 for both). */
  async findVisible(actor: Actor, id: string): Promise<ItemRow | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    if (actor.role === 'unit_staff') {
      const rows: ItemRow[] = await this.ds.query(
        `${SCOPE_CTE} ${SELECT} WHERE i.id = $2
           AND (i.unit_id IN (SELECT id FROM scope) OR i.supervision_unit_id IN (SELECT id FROM scope))`,
        [actor.unitId, id],
      );
      return rows[0] ?? null;
    }
    const rows: ItemRow[] = await this.ds.query(`${SELECT} WHERE i.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /**
   * The latest timeline entry of one kind for each of these items (e.g. the reason of the waiting extension request).
   * The caller passes ids it already read through a scoped list.
   */
  async latestEvents(itemIds: string[], kind: string): Promise<Map<string, TimelineEntry>> {
    if (!itemIds.length) return new Map();
    const rows: { item_id: string; at: Date; actor: string; kind: string; data: Record<string, unknown> }[] = await this.ds.query(
      `SELECT DISTINCT ON (item_id) item_id, at, actor, kind, data FROM item_event
       WHERE item_id = ANY($1::bigint[]) AND kind = $2 ORDER BY item_id, id DESC`,
      [itemIds, kind],
    );
    return new Map(rows.map((r) => [String(r.item_id), { at: r.at.toISOString(), actor: r.actor, kind: r.kind, data: r.data }]));
  }

  async timeline(itemId: string): Promise<TimelineEntry[]> {
    const rows: { at: Date; actor: string; kind: string; data: Record<string, unknown> }[] = await this.ds.query(
      `SELECT at, actor, kind, data FROM item_event WHERE item_id = $1 ORDER BY id`,
      [itemId],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, kind: r.kind, data: r.data }));
  }
}
