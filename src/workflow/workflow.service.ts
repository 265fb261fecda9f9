import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import type { Channel, ItemView } from '../items/item.types.js';
import { ItemsRepository } from '../items/items.repository.js';
import { ItemsService } from '../items/items.service.js';
import { OutboxService, type OutgoingMail } from '../notification/outbox.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { DeadlinesService, type DeadlineBasis, type DeadlineKind } from './deadlines.service.js';
import {
  type AppealState,
  decide,
  type ExtensionState,
  type TimelineEvent,
  type WorkflowAction,
  type WorkflowEffect,
  type WorkflowItem,
} from './state-machine.js';
import { CHANNEL_NAMES } from '../items/item.types.js';
import { chinaTime } from '../common/china-time.js';
import { Clock } from '../common/clock.js';
import { RepeatsService } from '../repeats/repeats.service.js';

/** The item's columns the workflow reads, locked FOR UPDATE. */
interface WorkRow {
  id: string;
  channel: Channel;
  external_id: string;
  received_at: Date;
  subject: string | null;
  text: string;
  rating: number | null;
  appeal_type: string | null;
  misconduct: boolean;
  dimension: string | null;
  contact_email: string | null;
  unit_id: string;
  unit_code: string;
  routing_rule: string;
  status: ItemStatus;
  accept_due_at: Date | null;
  answer_due_at: Date | null;
  callback_due_at: Date | null;
  deadline_basis: DeadlineBasis | null;
  extension_state: ExtensionState;
  extension_days: number | null;
  appeal_state: AppealState;
  return_reason: string | null;
  answer_text: string | null;
  tracking_code: string;
}

/** Past-tense timeline kinds, like the spine's `received`, `routed`, `reclassified`. */
const EVENT_KIND: Record<WorkflowAction['type'], string> = {
  accept: 'accepted',
  return: 'returned',
  answer: 'answered',
  callback: 'called_back',
  close: 'closed',
  reopen: 'reopened',
  reclassify: 'reclassified',
  dispatch: 'dispatched',
  request_extension: 'extension_requested',
  decide_extension: 'extension_decided',
  appeal: 'appealed',
  decide_appeal: 'appeal_decided',
};

export interface ApplyResult {
  id: number;
  status: ItemStatus;
  unit: string;
  event: TimelineEvent;
}

/** The deadline the item is held to in a status: the same rule as the generated column `item.due_at`. */
export function dueFor(status: ItemStatus, d: { accept: Date | null; answer: Date | null; callback: Date | null }): Date | null {
  if (status === 'new' || status === 'assigned' || status === 'returned') return d.accept;
  if (status === 'accepted' || status === 'reopened') return d.answer;
  if (status === 'answered') return d.callback;
  return null;
}



/**
 * Workflow steps on items: load what the actor may see (else 404), lock the row, ask the pure state machine, then
 * save the next state, the deadlines, the timeline entry and the mails in one transaction. A refused step answers
 * 409 with the steps that are allowed.
 */
@Injectable()
export class WorkflowService {
  private readonly logger = new Logger(WorkflowService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: ItemsRepository,
    private readonly items: ItemsService,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly repeats: RepeatsService,
  ) {}

  /** A step through HTTP: the item as the actor now sees it (or, when the step moved it out of their scope, its id and status). */
  async step(actor: Actor, id: string, action: WorkflowAction): Promise<ItemView | { id: number; status: ItemStatus; unit: string }> {
    const r = await this.apply(id, action, actor);
    const row = await this.repo.findVisible(actor, id);
    if (!row) return { id: r.id, status: r.status, unit: r.unit };
    return this.items.get(actor, id);
  }

  /** One step on one item, in its own transaction. Throws 404 when the actor cannot see the item. */
  async apply(itemId: string | number, action: WorkflowAction, actor: Actor): Promise<ApplyResult> {
    const id = String(itemId);
    if (actor.role !== 'system' && !(await this.repo.findVisible(actor, id))) throw notFound('item');
    const snap = await this.catalog.get();
    const result = await this.ds.transaction((m) => this.applyIn(m, id, action, actor, snap));
    this.outbox.kickSoon();
    return result;
  }

  /** The step inside the caller's transaction (problem verification moves many items in one). */
  async applyIn(m: EntityManager, id: string, action: WorkflowAction, actor: Actor, snap: CatalogSnapshot, now: Date = this.clock.now()): Promise<ApplyResult> {
    const [row]: WorkRow[] = await m.query(
      `SELECT i.id, i.channel, i.external_id, i.received_at, i.subject, i.text, i.rating, i.appeal_type, i.misconduct,
         i.dimension, i.contact_email, i.unit_id, u.code AS unit_code, i.routing_rule, i.status, i.accept_due_at,
         i.answer_due_at, i.callback_due_at, i.deadline_basis, i.extension_state, i.extension_days, i.appeal_state, i.return_reason,
         i.answer_text, i.tracking_code
       FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.id = $1 FOR UPDATE OF i`,
      [id],
    );
    if (!row) throw notFound('item');
    const owns = await this.owns(m, actor, row.unit_id);
    const triage = snap.triageUnitCode;
    const current: WorkflowItem = {
      status: row.status,
      // an item held by the triage office has no responsible unit yet
      unit: row.unit_code === triage ? null : row.unit_code,
      dimension: row.dimension,
      rating: row.rating,
      extension: row.extension_state,
      extensionDays: row.extension_days,
      appeal: row.appeal_state,
      returnReason: row.return_reason,
      answerDueAt: row.answer_due_at,
    };
    const decision = decide(current, action, { role: actor.role, ownsItem: owns }, now);
    if (!decision.ok) {
      const details = { allowed: decision.allowed, status: row.status };
      if (decision.code === 'not_allowed') throw new DomainError(ErrorCode.TransitionNotAllowed, decision.message, details);
      if (decision.code === 'invalid') throw new DomainError(ErrorCode.ValidationFailed, decision.message, details);
      throw new DomainError(ErrorCode.Forbidden, decision.message, details);
    }
    const { next, effects, event } = decision;

    const set: Record<string, unknown> = {
      status: next.status,
      extension_state: next.extension,
      extension_days: next.extensionDays,
      appeal_state: next.appeal,
      return_reason: next.returnReason,
    };
    const data: Record<string, unknown> = { from: event.from, to: event.to, note: event.note, ...event.data };
    let unitCode = row.unit_code;
    let accept = row.accept_due_at;
    let answer = row.answer_due_at;
    let callback = row.callback_due_at;
    // how each deadline was counted: kept beside it, so a calendar entered later can count it again
    const basis: DeadlineBasis = { ...(row.deadline_basis ?? {}) };
    const counted = (k: DeadlineKind, from: Date, due: Date | null): void => {
      const b = this.deadlines.basisOf(from, due);
      if (b) basis[k] = b;
      else delete basis[k];
      set.deadline_basis = JSON.stringify(basis);
    };

    switch (action.type) {
      case 'accept':
        set.accepted_at = now;
        break;
      case 'return': {
        // back to the triage office, which gets a fresh working day to dispatch it
        if (!triage) throw new DomainError(ErrorCode.Conflict, 'the catalogue has no triage unit to return items to');
        set.unit_id = snap.unitIdByCode.get(triage);
        unitCode = triage;
        accept = this.deadlines.addWorkingDays(now, this.deadlines.acceptDays);
        set.accept_due_at = accept;
        counted('accept', now, accept);
        set.accepted_at = null;
        break;
      }
      case 'answer':
        set.answer_text = event.note;
        set.answered_at = now;
        break;
      case 'callback':
        set.callback_satisfied = action.satisfied;
        set.callback_note = event.note;
        set.callback_at = now;
        break;
      case 'dispatch': {
        const unitId = snap.unitIdByCode.get(next.unit ?? '');
        const unit = snap.catalog.units.find((u) => u.code === next.unit);
        if (!unitId || !unit) throw new DomainError(ErrorCode.ValidationFailed, `unit: unknown or inactive unit "${next.unit}"`);
        set.unit_id = unitId;
        set.routing_rule = 'dispatch';
        set.routing_reason = `由工作人员分派至${unit.name}：${event.note ?? ''}`;
        set.accepted_at = null;
        unitCode = unit.code;
        // a dispatcher's choice is a confirmed routing: the routing memory of every copy learns it within seconds
        await m.query(
          `INSERT INTO item_label (item_id, kind, text, unit_code, actor_id)
           SELECT id, 'routing', coalesce(subject || '。', '') || text, $2, $3 FROM item WHERE id = $1`,
          [id, unit.code, actor.id ?? null],
        );
        break;
      }
      case 'reclassify': {
        if (next.dimension !== row.dimension) set.dimension = next.dimension;
        // a move to another unit: like a dispatch, by hand (assignTo in the state machine set the status and deadlines)
        if (next.unit && next.unit !== current.unit) {
          const unitId = snap.unitIdByCode.get(next.unit);
          const unit = snap.catalog.units.find((u) => u.code === next.unit);
          if (!unitId || !unit) throw new DomainError(ErrorCode.ValidationFailed, `unit: unknown or inactive unit "${next.unit}"`);
          set.unit_id = unitId;
          set.routing_rule = 'manual';
          set.routing_reason = `由工作人员改派至${unit.name}`;
          set.accepted_at = null;
          unitCode = unit.code;
        }
        break;
      }
      case 'close':
      case 'reopen':
      case 'request_extension':
      case 'decide_extension':
      case 'appeal':
      case 'decide_appeal':
        // their state is in `next` (status, extension, appeal); deadlines and the rating follow from the effects
        break;
    }
    if (next.status === 'closed' && row.status !== 'closed') set.closed_at = now;
    if (next.status !== 'closed' && row.status === 'closed') set.closed_at = null;

    for (const e of effects) {
      switch (e.type) {
        case 'set_deadlines':
          if (e.basis === 'dispatch') {
            accept = this.deadlines.addWorkingDays(now, this.deadlines.acceptDays);
            counted('accept', now, accept);
            if (!answer) {
              answer = this.fresh(row, row.received_at).answerDueAt;
              counted('answer', row.received_at, answer);
            }
          } else {
            const f = this.fresh(row, now);
            accept = f.acceptDueAt;
            answer = f.answerDueAt;
            counted('accept', now, accept);
            counted('answer', now, answer);
          }
          set.accept_due_at = accept;
          set.answer_due_at = answer;
          data.deadlines = { accept: accept.toISOString(), answer: answer?.toISOString() ?? null };
          break;
        case 'extend_deadlines':
          if (answer) {
            answer = this.deadlines.extend(answer, e.workingDays);
            set.answer_due_at = answer;
            // the same count from the same instant, longer by the days granted
            const was = basis.answer;
            if (was) {
              basis.answer = { from: was.from, days: was.days + e.workingDays };
              set.deadline_basis = JSON.stringify(basis);
            }
            data.answerDueAt = answer.toISOString();
          }
          break;
        case 'schedule_callback':
          callback = this.deadlines.addWorkingDays(now, this.deadlines.callbackDays);
          set.callback_due_at = callback;
          counted('callback', now, callback);
          data.callbackDueAt = callback.toISOString();
          break;
        case 'mark_rating_invalid':
          set.rating_valid = false;
          break;
        case 'count_misroute':
          // misroutes are counted per routing rule from the timeline (GET /api/reports/summary → misroutes)
          data.misroute = { unit: e.unit, routingRule: row.routing_rule };
          break;
        case 'record_callback': // the callback columns are set with the step above
        case 'notify_unit':
        case 'notify_triage':
        case 'notify_supervisor':
        case 'notify_person':
          // mails, below, once the event has its id
          break;
      }
    }

    // a new deadline to be held to: its reminder, 督办 and 通报 are still to come
    const before = dueFor(row.status, { accept: row.accept_due_at, answer: row.answer_due_at, callback: row.callback_due_at });
    const after = dueFor(next.status, { accept, answer, callback });
    if ((before?.getTime() ?? null) !== (after?.getTime() ?? null)) {
      set.reminded_at = null;
      set.overdue_notified_at = null;
      set.reported_at = null;
    }

    const cols = Object.keys(set);
    await m.query(
      `UPDATE item SET ${cols.map((c, i) => `${c} = $${i + 2}`).join(', ')}, updated_at = now() WHERE id = $1`,
      [id, ...cols.map((c) => set[c])],
    );
    const [{ id: eventId }] = await m.query(
      `INSERT INTO item_event (item_id, at, actor_id, actor, kind, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id`,
      [id, now, actor.id, actor.username, EVENT_KIND[action.type], JSON.stringify(data)],
    );

    for (const mail of this.mails(row, action, effects, event, snap, { answer, unitCode, eventId: String(eventId) })) {
      await this.outbox.enqueue(m, mail);
    }
    // one case: the person's repeats on other channels are answered (and closed) with their lead
    if (action.type === 'answer') await this.repeats.answerRepeats(m, id, event.note ?? '', actor, now);
    if (next.status === 'closed' && row.status !== 'closed') await this.repeats.closeRepeats(m, id, actor, now);
    return { id: Number(id), status: next.status, unit: unitCode, event };
  }

  /** Deadlines as if the item arrived at `from` (reopen counts afresh; a missing answer deadline falls back to the complaint limit). */
  private fresh(row: WorkRow, from: Date): { acceptDueAt: Date; answerDueAt: Date } {
    const d = this.deadlines.forNewItem({
      channel: row.channel,
      appealType: row.appeal_type,
      rating: row.rating,
      misconduct: row.misconduct,
      receivedAt: from,
    });
    const fallback = this.deadlines.policy.appealTypes[this.deadlines.policy.misconduct]?.answer ?? 10;
    return { acceptDueAt: d.acceptDueAt, answerDueAt: d.answerDueAt ?? d.rectifyDueAt ?? this.deadlines.addWorkingDays(from, fallback) };
  }

  /** Unit staff own an item routed to their unit or a unit below it; the office owns every item. */
  private async owns(m: EntityManager, actor: Actor, unitId: string): Promise<boolean> {
    if (actor.role !== 'unit_staff') return true;
    if (!actor.unitId) return false;
    const [{ owns }] = await m.query(
      `WITH RECURSIVE scope(id) AS (
         SELECT id FROM unit WHERE id = $1
         UNION SELECT u.id FROM unit u JOIN scope s ON u.parent_id = s.id)
       SELECT EXISTS (SELECT 1 FROM scope WHERE id = $2) AS owns`,
      [actor.unitId, unitId],
    );
    return owns as boolean;
  }

  private mails(
    row: WorkRow,
    action: WorkflowAction,
    effects: WorkflowEffect[],
    event: TimelineEvent,
    snap: CatalogSnapshot,
    ctx: { answer: Date | null; unitCode: string; eventId: string },
  ): OutgoingMail[] {
    const out: OutgoingMail[] = [];
    const unitOf = (code: string | null) => snap.catalog.units.find((u) => u.code === code);
    const office = unitOf(snap.triageUnitCode) ?? unitOf(snap.supervisionUnitCode);
    const channel = CHANNEL_NAMES[row.channel] ?? row.channel;
    const tag = `${channel} ${row.tracking_code}`;
    const excerpt = Array.from(`${row.subject ? `${row.subject}：` : ''}${row.text}`).slice(0, 200).join('');
    const key = (who: string) => `wf:${row.id}:${ctx.eventId}:${who}`;
    for (const e of effects) {
      if (e.type === 'notify_unit') {
        const u = unitOf(e.unit);
        if (!u?.email) continue;
        const subject =
          action.type === 'dispatch' || action.type === 'reclassify'
            ? `【待签收】${tag}`
            : action.type === 'decide_extension'
              ? `【延期${event.data.approve ? '已批准' : '未批准'}】${tag}`
              : action.type === 'decide_appeal'
                ? `【申诉复核${event.data.uphold ? '成立' : '不成立'}】${tag}`
                : `【重新办理】${tag}`;
        const lines = [`${u.name}：`, '', `事项 ${row.tracking_code}（${channel}）：${event.note ?? ''}`];
        if (action.type === 'dispatch') lines.push('请在1个工作日内登录系统签收。');
        if (ctx.answer && action.type !== 'decide_appeal') lines.push(`办理期限：${chinaTime(ctx.answer)}`);
        lines.push('', `内容摘要：${excerpt}`);
        out.push({ kind: action.type === 'dispatch' || action.type === 'reclassify' ? 'assigned' : 'notice', dedupeKey: key(`unit:${u.code}`), itemId: Number(row.id), to: u.email, subject, text: lines.join('\n') });
      } else if (e.type === 'notify_triage' || e.type === 'notify_supervisor') {
        if (!office?.email) continue;
        const what =
          action.type === 'return'
            ? `【退回待分派】${tag}`
            : action.type === 'request_extension'
              ? `【延期申请待审批】${tag}`
              : action.type === 'appeal'
                ? `【差评申诉待复核】${tag}`
                : `【待分派】${tag}`;
        const lines = [`${office.name}：`, '', `${unitOf(row.unit_code)?.name ?? row.unit_code}：${event.note ?? ''}`];
        if (action.type === 'request_extension') lines.push(`申请延期 ${String(event.data.days)} 个工作日，现期限 ${chinaTime(row.answer_due_at)}。`);
        lines.push('', `内容摘要：${excerpt}`);
        out.push({ kind: 'notice', dedupeKey: key(e.type), itemId: Number(row.id), to: office.email, subject: what, text: lines.join('\n') });
      } else if (e.type === 'notify_person') {
        // the person hears back by mail when they wrote by mail; other channels are called back by staff
        if (row.channel !== 'email' || !row.contact_email) continue;
        const inReplyTo = /^<[^<>\s]+>$/.test(row.external_id) ? row.external_id : null;
        if (action.type === 'answer') {
          out.push({
            kind: 'answer',
            dedupeKey: key('person'),
            itemId: Number(row.id),
            to: row.contact_email,
            subject: `答复：${row.subject ?? '您反映的问题'}（查询码 ${row.tracking_code}）`,
            text: ['您好：', '', '您反映的问题，办理答复如下：', '', event.note ?? '', '', `查询码：${row.tracking_code}`, '如对答复不满意，可直接回复本邮件。'].join('\n'),
            inReplyTo,
          });
        } else if (action.type === 'decide_extension' && ctx.answer) {
          out.push({
            kind: 'answer',
            dedupeKey: key('person'),
            itemId: Number(row.id),
            to: row.contact_email,
            subject: `办理期限延长（查询码 ${row.tracking_code}）`,
            text: ['您好：', '', `您反映的问题需要更多时间办理，答复期限延长至 ${chinaTime(ctx.answer)}。`, '', `查询码：${row.tracking_code}`].join('\n'),
            inReplyTo,
          });
        }
      }
    }
    return out;
  }
}
