import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import { normaliseTrackingCode } from '../intake/tracking-code.js';
import { OutboxService } from '../notification/outbox.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { endOfChinaDay, parseChinaDate } from '../workflow/calendar.js';
import { WorkflowService } from '../workflow/workflow.service.js';
import { Clock } from '../common/clock.js';

export const PROBLEM_KINDS = ['immediate', 'deadline', 'ledger'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];
/** What people call each kind of rectification and each problem status, on pages and in the programme's lists. */
export const PROBLEM_KIND_NAMES: Record<ProblemKind, string> = { immediate: '立行立改', deadline: '限期整改', ledger: '长效台账' };
export const PROBLEM_STATUSES = ['open', 'rectifying', 'done', 'verified'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
export const PROBLEM_STATUS_NAMES: Record<ProblemStatus, string> = { open: '待整改', rectifying: '整改中', done: '已完成待验收', verified: '已验收' };

export interface ProblemView {
  id: number;
  title: string;
  rootCause: string;
  dimension: string;
  blockedStep: string | null;
  kind: ProblemKind;
  deadline: string | null;
  status: ProblemStatus;
  units: string[];
  evidence: string | null;
  /** the office's reason when verification failed and the problem went back to its unit (验收不通过) */
  returnReason: string | null;
  returnedAt: string | null;
  measures: { text: string; by: string; at: string }[];
  files: ProblemFileMeta[];
  /** `trackingCode` is null for an item the viewer may not open (another unit's): the code opens its /t/ page */
  items: { id: number; status: ItemStatus; trackingCode: string | null }[];
  createdAt: string;
  doneAt: string | null;
  verifiedAt: string | null;
}

/** An evidence file as listed (the bytes are read one at a time, by ProblemFilesService). */
export interface ProblemFileMeta {
  id: number;
  name: string;
  contentType: string;
  size: number;
  by: string;
  at: string;
}

/** A row of the problem list (问题台账). */
export interface ProblemSummary {
  id: number;
  title: string;
  rootCause: string;
  dimension: string;
  kind: ProblemKind;
  deadline: string | null;
  status: ProblemStatus;
  units: string[];
  items: number;
  measures: number;
  files: number;
  returnReason: string | null;
  createdAt: string;
  doneAt: string | null;
}

export interface ProblemFilter {
  status?: ProblemStatus;
  /** a responsible unit's code */
  unit?: string;
  /** past the deadline and not yet reported done */
  overdue?: boolean;
  page: number;
  pageSize: number;
}

export interface CreateProblem {
  title: string;
  rootCause: string;
  dimension: string;
  units: string[];
  kind: ProblemKind;
  deadline?: string;
  blockedStep?: string;
  items?: number[];
}

interface ProblemRow {
  id: string;
  title: string;
  root_cause: string;
  dimension: string;
  blocked_step: string | null;
  kind: ProblemKind;
  deadline: Date | null;
  status: ProblemStatus;
  units: string[];
  evidence: string | null;
  return_reason: string | null;
  returned_at: Date | null;
  created_at: Date;
  done_at: Date | null;
  verified_at: Date | null;
}

/**
 * SQL: the problem `p` names a unit in the staff member's subtree (their unit and every unit below it), computed in
 * the database like the items' scope, so no caller can forget the check. `param` holds the actor's unit id.
 */
const IN_SCOPE = (param: string) => `p.units && ARRAY(
  WITH RECURSIVE scope(id) AS (SELECT id FROM unit WHERE id = ${param} UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
  SELECT code FROM unit WHERE id IN (SELECT id FROM scope))`;

/** past its deadline at `$n`, the hub's clock */
const overdueAt = (n: number): string => `(p.deadline < $${n} AND p.status IN ('open', 'rectifying'))`;

/** 'YYYY-MM-DD' → the end of that China day; an ISO time with an offset as given. */
function parseDeadline(s: string): Date {
  const day = parseChinaDate(s);
  if (day !== null) return endOfChinaDay(day);
  const d = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s) ? new Date(s) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new DomainError(ErrorCode.ValidationFailed, 'deadline: a date (2026-12-31) or a time with an offset');
  return d;
}

/**
 * Problems (问题) found by back-tracing or by hand: root cause, blocked step, responsible units, measures, the kind of
 * rectification, evidence, and the office's verification. Verifying a problem moves every linked item on: the unit's
 * answer is the problem's measures and the callback becomes due.
 */
@Injectable()
export class ProblemsService {
  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
    private readonly workflow: WorkflowService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
  ) {}

  async create(actor: Actor, dto: CreateProblem): Promise<ProblemView> {
    const snap = await this.catalog.get();
    const units = [...new Set(dto.units)];
    const unknown = units.filter((u) => !snap.unitIdByCode.has(u));
    if (unknown.length) throw new DomainError(ErrorCode.ValidationFailed, `units: unknown unit ${unknown.join(', ')}`);
    if (dto.kind === 'deadline' && !dto.deadline) throw new DomainError(ErrorCode.ValidationFailed, 'deadline: a 限期整改 problem needs its deadline');
    const deadline = dto.deadline ? parseDeadline(dto.deadline) : null;
    const id = await this.ds.transaction(async (m) => {
      const [{ id }] = await m.query(
        `INSERT INTO problem (title, root_cause, dimension, blocked_step, kind, deadline, units, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [dto.title, dto.rootCause, dto.dimension, dto.blockedStep ?? null, dto.kind, deadline, units, actor.id, this.clock.now()],
      );
      if (dto.items?.length) await this.link(m, actor, String(id), dto.items);
      return String(id);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ProblemView> {
    const p = await this.load(this.ds.manager, id, false, actor);
    return this.view(this.ds.manager, p, actor);
  }

  /**
   * The problem list (问题台账): the office sees every problem, unit staff those naming a unit in their subtree
   * (in the SQL). Open work first, by deadline; verified problems last.
   */
  async list(actor: Actor, f: ProblemFilter): Promise<{ problems: ProblemSummary[]; total: number }> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (actor.role === 'unit_staff') {
      if (!actor.unitId) return { problems: [], total: 0 };
      params.push(actor.unitId);
      where.push(IN_SCOPE(`$${params.length}`));
    } else if (actor.role !== 'supervisor' && actor.role !== 'admin') {
      throw new DomainError(ErrorCode.Forbidden, 'the problem list is for the office and the responsible units');
    }
    if (f.status) {
      params.push(f.status);
      where.push(`p.status = $${params.length}`);
    }
    if (f.unit) {
      params.push(f.unit);
      where.push(`$${params.length} = ANY(p.units)`);
    }
    if (typeof f.overdue === 'boolean') {
      params.push(this.clock.now());
      where.push(f.overdue ? overdueAt(params.length) : `NOT ${overdueAt(params.length)}`);
    }
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM problem p ${cond}`, params);
    params.push(f.pageSize, (f.page - 1) * f.pageSize);
    const rows: (ProblemRow & { items: number; measures: number; files: number })[] = await this.ds.query(
      `SELECT p.id, p.title, p.root_cause, p.dimension, p.kind, p.deadline, p.status, p.units, p.return_reason, p.created_at, p.done_at,
         (SELECT count(*)::int FROM problem_item pi WHERE pi.problem_id = p.id) AS items,
         (SELECT count(*)::int FROM problem_measure pm WHERE pm.problem_id = p.id) AS measures,
         (SELECT count(*)::int FROM problem_file pf WHERE pf.problem_id = p.id) AS files
       FROM problem p ${cond}
       ORDER BY p.status = 'verified', p.deadline ASC NULLS LAST, p.id DESC
       LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    );
    return {
      total,
      problems: rows.map((r) => ({
        id: Number(r.id),
        title: r.title,
        rootCause: r.root_cause,
        dimension: r.dimension,
        kind: r.kind,
        deadline: r.deadline?.toISOString() ?? null,
        status: r.status,
        units: r.units,
        items: r.items,
        measures: r.measures,
        files: r.files,
        returnReason: r.status === 'open' || r.status === 'rectifying' ? r.return_reason : null,
        createdAt: r.created_at.toISOString(),
        doneAt: r.done_at?.toISOString() ?? null,
      })),
    };
  }

  /**
   * Item ids for tracking codes as people type them (any case, with or without dashes, O for 0): the office links
   * items it knows by code. Codes that are malformed or name no item come back as missing, as typed.
   */
  async itemIdsByTrackingCode(codes: string[]): Promise<{ ids: number[]; missing: string[] }> {
    const typed = [...new Set(codes.map((c) => c.trim()).filter(Boolean))];
    const norm = new Map(typed.map((c) => [c, normaliseTrackingCode(c)]));
    const want = [...new Set([...norm.values()].filter((c): c is string => c !== null))];
    const rows: { id: string; tracking_code: string }[] = want.length
      ? await this.ds.query(`SELECT id, tracking_code FROM item WHERE tracking_code = ANY($1::text[]) ORDER BY id`, [want])
      : [];
    const found = new Set(rows.map((r) => r.tracking_code));
    return { ids: rows.map((r) => Number(r.id)), missing: typed.filter((c) => !found.has(norm.get(c) ?? '')) };
  }

  async addItems(actor: Actor, id: string, items: number[]): Promise<ProblemView> {
    await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      if (p.status === 'verified') throw new DomainError(ErrorCode.TransitionNotAllowed, 'the problem is verified; link items to a new one', { status: p.status });
      await this.link(m, actor, id, items);
    });
    return this.get(actor, id);
  }

  async addMeasure(actor: Actor, id: string, text: string): Promise<ProblemView> {
    const snap = await this.catalog.get();
    await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      this.mayWorkOn(snap, actor, p);
      if (p.status === 'done' || p.status === 'verified') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, `the problem is ${p.status}; measures are recorded before it is done`, { status: p.status });
      }
      await m.query(`INSERT INTO problem_measure (problem_id, text, actor_id, actor, at) VALUES ($1, $2, $3, $4, $5)`, [
        id,
        text,
        actor.id,
        actor.username,
        this.clock.now(),
      ]);
      await m.query(`UPDATE problem SET status = 'rectifying', updated_at = now() WHERE id = $1`, [id]);
    });
    return this.get(actor, id);
  }

  async done(actor: Actor, id: string, evidence: string): Promise<ProblemView> {
    const snap = await this.catalog.get();
    await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      this.mayWorkOn(snap, actor, p);
      if (p.status === 'done' || p.status === 'verified') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, `the problem is already ${p.status}`, { status: p.status });
      }
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM problem_measure WHERE problem_id = $1`, [id]);
      if (n === 0) throw new DomainError(ErrorCode.TransitionNotAllowed, 'record the measures taken before reporting the problem done', { status: p.status });
      await m.query(`UPDATE problem SET status = 'done', evidence = $2, done_at = $3, updated_at = now() WHERE id = $1`, [id, evidence, this.clock.now()]);
    });
    return this.get(actor, id);
  }

  /**
   * 验收 by the office. Every linked item still with its unit moves on in the same transaction: accepted if it was
   * waiting, then answered with the problem's measures (the person is told where they wrote by mail; the callback
   * becomes due). Items already answered or closed, and items in triage, are left as they are and listed.
   */
  async verify(actor: Actor, id: string): Promise<ProblemView & { moved: { id: number; from: ItemStatus; to: ItemStatus }[]; skipped: { id: number; status: ItemStatus }[] }> {
    const snap = await this.catalog.get();
    const now = this.clock.now();
    const result = await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      if (p.status !== 'done') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, `only a problem reported done can be verified; this one is ${p.status}`, { status: p.status });
      }
      await m.query(`UPDATE problem SET status = 'verified', verified_at = $3, verified_by = $2, updated_at = now() WHERE id = $1`, [id, actor.id, now]);
      const measures: { text: string }[] = await m.query(`SELECT text FROM problem_measure WHERE problem_id = $1 ORDER BY id`, [id]);
      const answer = [
        `您反映的问题已列入整改（${p.title}），整改已完成并经验收。`,
        `问题原因：${p.root_cause}`,
        `整改措施：${measures.map((x, i) => `${i + 1}. ${x.text}`).join('；')}`,
        p.evidence ? `整改成效：${p.evidence}` : '',
      ]
        .filter(Boolean)
        .join('\n');
      const items: { id: string; status: ItemStatus }[] = await m.query(
        `SELECT i.id, i.status FROM problem_item pi JOIN item i ON i.id = pi.item_id WHERE pi.problem_id = $1 ORDER BY i.id FOR UPDATE OF i`,
        [id],
      );
      const moved: { id: number; from: ItemStatus; to: ItemStatus }[] = [];
      const skipped: { id: number; status: ItemStatus }[] = [];
      for (const it of items) {
        let status = it.status;
        if (status === 'assigned') status = (await this.workflow.applyIn(m, it.id, { type: 'accept', note: `问题 #${id} 验收` }, actor, snap, now)).status;
        if (status === 'accepted' || status === 'reopened') {
          status = (await this.workflow.applyIn(m, it.id, { type: 'answer', text: answer }, actor, snap, now)).status;
          moved.push({ id: Number(it.id), from: it.status, to: status });
        } else {
          skipped.push({ id: Number(it.id), status: it.status });
        }
      }
      return { moved, skipped };
    });
    this.outbox.kickSoon();
    return { ...(await this.get(actor, id)), ...result };
  }

  /**
   * 验收不通过: the office sends a problem reported done back to its unit with the reason; the unit records more
   * measures or evidence and reports it done again. The linked items stay where they are.
   */
  async reject(actor: Actor, id: string, reason: string): Promise<ProblemView> {
    if (actor.role !== 'supervisor' && actor.role !== 'admin') throw new DomainError(ErrorCode.Forbidden, 'the office verifies problems');
    const why = reason.trim();
    if (!why) throw new DomainError(ErrorCode.ValidationFailed, 'reason: say why the rectification is not accepted');
    if (why.length > 2000) throw new DomainError(ErrorCode.ValidationFailed, 'reason: at most 2000 characters');
    await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      if (p.status !== 'done') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, `only a problem reported done can be sent back; this one is ${p.status}`, { status: p.status });
      }
      await m.query(
        `UPDATE problem SET status = 'rectifying', return_reason = $2, returned_at = $4, returned_by = $3, done_at = NULL, updated_at = now() WHERE id = $1`,
        [id, why, actor.id, this.clock.now()],
      );
    });
    return this.get(actor, id);
  }

  /**
   * The problem for work on it by the actor, locked in the caller's transaction: not found outside a unit's scope;
   * forbidden to roles that do not work on problems. (Evidence files use it.)
   */
  async loadForWork(m: EntityManager, snap: CatalogSnapshot, actor: Actor, id: string): Promise<{ id: string; status: ProblemStatus }> {
    const p = await this.load(m, id, true, actor);
    this.mayWorkOn(snap, actor, p);
    return { id: p.id, status: p.status };
  }

  /** The problem's id if the actor may see it (scope in the SQL), else not found. */
  async visibleId(actor: Actor, id: string): Promise<string> {
    return (await this.load(this.ds.manager, id, false, actor)).id;
  }

  private async link(m: EntityManager, actor: Actor, id: string, items: number[]): Promise<void> {
    const ids = [...new Set(items)].map(String);
    const found: { id: string }[] = await m.query(`SELECT id FROM item WHERE id = ANY($1::bigint[])`, [ids]);
    const missing = ids.filter((i) => !found.some((f) => f.id === i));
    if (missing.length) throw new DomainError(ErrorCode.ValidationFailed, `items: no item ${missing.join(', ')}`);
    const added: { item_id: string }[] = await m.query(
      `INSERT INTO problem_item (problem_id, item_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING RETURNING item_id`,
      [id, ids],
    );
    for (const a of added) {
      await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'problem_linked', $4::jsonb, $5)`, [
        a.item_id,
        actor.id,
        actor.username,
        JSON.stringify({ problem: Number(id) }),
        this.clock.now(),
      ]);
    }
  }

  /** One problem; with an actor from a unit, only within their scope (checked in the SQL). */
  private async load(m: EntityManager, id: string, lock = false, actor?: Actor): Promise<ProblemRow> {
    if (!/^\d{1,18}$/.test(id)) throw notFound('problem');
    const scoped = actor && actor.role !== 'supervisor' && actor.role !== 'admin';
    if (scoped && (actor.role !== 'unit_staff' || !actor.unitId)) throw notFound('problem');
    const [p] = await m.query(
      `SELECT id, title, root_cause, dimension, blocked_step, kind, deadline, status, units, evidence, return_reason, returned_at,
         created_at, done_at, verified_at
       FROM problem p WHERE id = $1 ${scoped ? `AND ${IN_SCOPE('$2')}` : ''} ${lock ? 'FOR UPDATE' : ''}`,
      scoped ? [id, actor.unitId] : [id],
    );
    if (!p) throw notFound('problem');
    return p as ProblemRow;
  }

  /** Unit staff of a responsible unit (or a unit above one) work on the problem; the office on every problem. */
  private responsible(snap: CatalogSnapshot, actor: Actor, units: string[]): boolean {
    if (actor.role === 'supervisor' || actor.role === 'admin') return true;
    if (actor.role !== 'unit_staff' || !actor.unitId) return false;
    const mine = snap.unitCodeById.get(actor.unitId);
    if (!mine) return false;
    const parent = new Map(snap.catalog.units.map((u) => [u.code, u.parent]));
    return units.some((u) => {
      for (let c: string | null | undefined = u, hops = 0; c && hops < 50; c = parent.get(c), hops++) if (c === mine) return true;
      return false;
    });
  }

  private mayWorkOn(snap: CatalogSnapshot, actor: Actor, p: ProblemRow): void {
    if (!this.responsible(snap, actor, p.units)) throw new DomainError(ErrorCode.Forbidden, 'only a responsible unit or the office records measures and results');
  }

  private async view(m: EntityManager, p: ProblemRow, actor: Actor): Promise<ProblemView> {
    const measures: { text: string; actor: string; at: Date }[] = await m.query(
      `SELECT text, actor, at FROM problem_measure WHERE problem_id = $1 ORDER BY id`,
      [p.id],
    );
    // a tracking code opens the item's progress and answer (/t/<code>): unit staff get the codes of the items they
    // may open themselves (routed or copied to their unit or one below it), the same rule as the item queries
    const scoped = actor.role !== 'supervisor' && actor.role !== 'admin';
    const items: { id: string; status: ItemStatus; tracking_code: string | null }[] = await m.query(
      `WITH RECURSIVE scope(id) AS (SELECT id FROM unit WHERE id = $2 UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
       SELECT i.id, i.status,
         CASE WHEN NOT $3::boolean OR i.unit_id IN (SELECT id FROM scope) OR i.supervision_unit_id IN (SELECT id FROM scope)
           THEN i.tracking_code END AS tracking_code
       FROM problem_item pi JOIN item i ON i.id = pi.item_id WHERE pi.problem_id = $1 ORDER BY i.id`,
      [p.id, scoped ? actor.unitId : null, scoped],
    );
    const files: { id: string; name: string; content_type: string; size: number; uploader: string; uploaded_at: Date }[] = await m.query(
      `SELECT id, name, content_type, size, uploader, uploaded_at FROM problem_file WHERE problem_id = $1 ORDER BY id`,
      [p.id],
    );
    return {
      id: Number(p.id),
      title: p.title,
      rootCause: p.root_cause,
      dimension: p.dimension,
      blockedStep: p.blocked_step,
      kind: p.kind,
      deadline: p.deadline?.toISOString() ?? null,
      status: p.status,
      units: p.units,
      evidence: p.evidence,
      returnReason: p.status === 'open' || p.status === 'rectifying' ? p.return_reason : null,
      returnedAt: p.status === 'open' || p.status === 'rectifying' ? (p.returned_at?.toISOString() ?? null) : null,
      measures: measures.map((x) => ({ text: x.text, by: x.actor, at: x.at.toISOString() })),
      items: items.map((i) => ({ id: Number(i.id), status: i.status, trackingCode: i.tracking_code })),
      files: files.map((f) => ({ id: Number(f.id), name: f.name, contentType: f.content_type, size: f.size, by: f.uploader, at: f.uploaded_at.toISOString() })),
      createdAt: p.created_at.toISOString(),
      doneAt: p.done_at?.toISOString() ?? null,
      verifiedAt: p.verified_at?.toISOString() ?? null,
    };
  }
}
