import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import { OutboxService } from '../notification/outbox.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { endOfChinaDay, parseChinaDate } from '../workflow/calendar.js';
import { WorkflowService } from '../workflow/workflow.service.js';

export const PROBLEM_KINDS = ['immediate', 'deadline', 'ledger'] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];
export const PROBLEM_STATUSES = ['open', 'rectifying', 'done', 'verified'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

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
  measures: { text: string; by: string; at: string }[];
  items: { id: number; status: ItemStatus; trackingCode: string }[];
  createdAt: string;
  doneAt: string | null;
  verifiedAt: string | null;
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
  created_at: Date;
  done_at: Date | null;
  verified_at: Date | null;
}

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
        `INSERT INTO problem (title, root_cause, dimension, blocked_step, kind, deadline, units, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [dto.title, dto.rootCause, dto.dimension, dto.blockedStep ?? null, dto.kind, deadline, units, actor.id],
      );
      if (dto.items?.length) await this.link(m, actor, String(id), dto.items);
      return String(id);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: string): Promise<ProblemView> {
    const p = await this.load(this.ds.manager, id);
    if (actor.role === 'unit_staff' && !this.responsible(await this.catalog.get(), actor, p.units)) throw notFound('problem');
    return this.view(this.ds.manager, p);
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
      await m.query(`INSERT INTO problem_measure (problem_id, text, actor_id, actor) VALUES ($1, $2, $3, $4)`, [id, text, actor.id, actor.username]);
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
      await m.query(`UPDATE problem SET status = 'done', evidence = $2, done_at = now(), updated_at = now() WHERE id = $1`, [id, evidence]);
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
    const result = await this.ds.transaction(async (m) => {
      const p = await this.load(m, id, true);
      if (p.status !== 'done') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, `only a problem reported done can be verified; this one is ${p.status}`, { status: p.status });
      }
      await m.query(`UPDATE problem SET status = 'verified', verified_at = now(), verified_by = $2, updated_at = now() WHERE id = $1`, [id, actor.id]);
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
        if (status === 'assigned') status = (await this.workflow.applyIn(m, it.id, { type: 'accept', note: `问题 #${id} 验收` }, actor, snap)).status;
        if (status === 'accepted' || status === 'reopened') {
          status = (await this.workflow.applyIn(m, it.id, { type: 'answer', text: answer }, actor, snap)).status;
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
      await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data) VALUES ($1, $2, $3, 'problem_linked', $4::jsonb)`, [
        a.item_id,
        actor.id,
        actor.username,
        JSON.stringify({ problem: Number(id) }),
      ]);
    }
  }

  private async load(m: EntityManager, id: string, lock = false): Promise<ProblemRow> {
    if (!/^\d{1,18}$/.test(id)) throw notFound('problem');
    const [p] = await m.query(
      `SELECT id, title, root_cause, dimension, blocked_step, kind, deadline, status, units, evidence, created_at, done_at, verified_at
       FROM problem WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
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

  private async view(m: EntityManager, p: ProblemRow): Promise<ProblemView> {
    const measures: { text: string; actor: string; at: Date }[] = await m.query(
      `SELECT text, actor, at FROM problem_measure WHERE problem_id = $1 ORDER BY id`,
      [p.id],
    );
    const items: { id: string; status: ItemStatus; tracking_code: string }[] = await m.query(
      `SELECT i.id, i.status, i.tracking_code FROM problem_item pi JOIN item i ON i.id = pi.item_id WHERE pi.problem_id = $1 ORDER BY i.id`,
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
      measures: measures.map((x) => ({ text: x.text, by: x.actor, at: x.at.toISOString() })),
      items: items.map((i) => ({ id: Number(i.id), status: i.status, trackingCode: i.tracking_code })),
      createdAt: p.created_at.toISOString(),
      doneAt: p.done_at?.toISOString() ?? null,
      verifiedAt: p.verified_at?.toISOString() ?? null,
    };
  }
}
