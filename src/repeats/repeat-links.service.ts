import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import { ItemsRepository } from '../items/items.repository.js';
import { DeadlinesService } from '../workflow/deadlines.service.js';
import { RepeatsService } from './repeats.service.js';

export interface LinkedItem {
  id: number;
  trackingCode: string;
  channel: string;
  status: string;
  receivedAt: string;
  unit: string;
  /** why it is linked: similarity, shared words, shared window/service item, after the lead was closed, by check or staff */
  evidence: Record<string, unknown> | null;
}

export interface ItemLinks {
  id: number;
  /** the case's lead (null when this item is the lead or stands alone) */
  lead: LinkedItem | null;
  /** the other items of the case (the lead's repeats), those the actor may see */
  repeats: LinkedItem[];
  hotSpot: { id: number; label: string } | null;
  /** this item's own link evidence when it is a repeat */
  evidence: Record<string, unknown> | null;
}

interface LinkRow {
  id: string;
  tracking_code: string;
  channel: string;
  status: string;
  received_at: Date;
  unit_code: string;
  repeat_evidence: Record<string, unknown> | null;
  lead_id: string | null;
}

const OFFICE = new Set(['supervisor', 'admin']);

/** People decide: the office links, unlinks and re-leads items; everyone sees the links of the items they may see. */
@Injectable()
export class RepeatLinksService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: ItemsRepository,
    private readonly repeats: RepeatsService,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  async links(actor: Actor, id: string): Promise<ItemLinks> {
    const item = await this.repo.findVisible(actor, id);
    if (!item) throw notFound('item');
    const leadId = item.lead_id ?? item.id;
    const rows: LinkRow[] = await this.ds.query(
      `SELECT i.id, i.tracking_code, i.channel, i.status, i.received_at, u.code AS unit_code, i.repeat_evidence, i.lead_id
       FROM item i JOIN unit u ON u.id = i.unit_id WHERE (i.id = $1 OR i.lead_id = $1) ORDER BY i.received_at, i.id`,
      [leadId],
    );
    // the other items of the case, as far as this person may see them (scope in SQL, one look-up each)
    const visible: LinkRow[] = [];
    for (const r of rows) {
      if (r.id === String(item.id) || OFFICE.has(actor.role) || (await this.repo.findVisible(actor, r.id))) visible.push(r);
    }
    const view = (r: LinkRow): LinkedItem => ({
      id: Number(r.id),
      trackingCode: r.tracking_code,
      channel: r.channel,
      status: r.status,
      receivedAt: r.received_at.toISOString(),
      unit: r.unit_code,
      evidence: r.repeat_evidence,
    });
    const lead = item.lead_id ? visible.find((r) => r.id === String(item.lead_id)) : undefined;
    const [spot]: { id: string; label: string }[] = await this.ds.query(
      `SELECT h.id, h.label FROM hot_spot_item hi JOIN hot_spot h ON h.id = hi.hot_spot_id WHERE hi.item_id = $1`,
      [leadId],
    );
    return {
      id: Number(item.id),
      lead: lead ? view(lead) : null,
      repeats: visible.filter((r) => r.lead_id !== null && r.id !== String(item.id)).map(view),
      hotSpot: spot ? { id: Number(spot.id), label: spot.label } : null,
      evidence: rows.find((r) => r.id === String(item.id))?.repeat_evidence ?? null,
    };
  }

  /** The office makes `id` a repeat of `leadId` (or of that item's lead); the item's own repeats move along. */
  async link(actor: Actor, id: string, leadId: string): Promise<ItemLinks> {
    this.office(actor);
    if (id === leadId) throw new DomainError(ErrorCode.ValidationFailed, 'lead: an item cannot be its own lead');
    await this.ds.transaction(async (m) => {
      const [item, target] = await this.lock(m, [id, leadId]);
      const lead = target.lead_id ? (await this.lock(m, [target.lead_id]))[0] : target;
      if (lead.id === item.id) throw new DomainError(ErrorCode.Conflict, 'the item already leads that case');
      await m.query(`UPDATE item SET lead_id = $2, updated_at = now() WHERE lead_id = $1`, [item.id, lead.id]);
      await this.repeats.link(m, { id: item.id, trackingCode: item.tracking_code, channel: item.channel }, { id: lead.id, trackingCode: lead.tracking_code }, null, lead.status === 'closed', actor, this.clock.now());
    });
    return this.links(actor, id);
  }

  /** The office takes an item out of its case: it becomes an item of its own, with deadlines counted from now. */
  async unlink(actor: Actor, id: string): Promise<ItemLinks> {
    this.office(actor);
    await this.ds.transaction(async (m) => {
      const [item] = await this.lock(m, [id]);
      if (!item.lead_id) throw new DomainError(ErrorCode.Conflict, 'the item is not a repeat of another item');
      const now = this.clock.now();
      const done = item.status === 'closed' || item.status === 'answered';
      const d = done ? null : this.deadlines.forNewItem({ channel: item.channel as never, appealType: item.appeal_type, rating: item.rating, misconduct: item.misconduct, receivedAt: now });
      await m.query(
        `UPDATE item SET lead_id = NULL, repeat_evidence = NULL, accept_due_at = $2, answer_due_at = $3, callback_due_at = $4, rectify_due_at = $5,
           deadline_basis = $6::jsonb, cluster_pending = $7, updated_at = now() WHERE id = $1`,
        [item.id, d?.acceptDueAt ?? null, d?.answerDueAt ?? null, d?.callbackDueAt ?? null, d?.rectifyDueAt ?? null, JSON.stringify(d?.basis ?? {}), !done],
      );
      await m.query(
        `INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $3, $4, 'repeat_unlinked', $5::jsonb, $6), ($2, $3, $4, 'repeat_unlinked', $5::jsonb, $6)`,
        [item.id, item.lead_id, actor.id, actor.username, JSON.stringify({ item: Number(item.id), lead: Number(item.lead_id) }), now],
      );
    });
    return this.links(actor, id);
  }

  /**
   * The office makes a repeat the lead of its case: it takes over the case's work (unit, status, deadlines) and the
   * former lead becomes a repeat like the others.
   */
  async relead(actor: Actor, id: string): Promise<ItemLinks> {
    this.office(actor);
    await this.ds.transaction(async (m) => {
      const [item] = await this.lock(m, [id]);
      if (!item.lead_id) throw new DomainError(ErrorCode.Conflict, 'the item already leads its case');
      const oldLead = item.lead_id;
      await this.lock(m, [oldLead]);
      await m.query(
        `UPDATE item n SET lead_id = NULL, repeat_evidence = NULL, status = o.status, unit_id = o.unit_id, accept_due_at = o.accept_due_at,
           answer_due_at = o.answer_due_at, callback_due_at = o.callback_due_at, rectify_due_at = o.rectify_due_at, deadline_basis = o.deadline_basis,
           accepted_at = o.accepted_at, extension_state = o.extension_state, extension_days = o.extension_days, updated_at = now()
         FROM item o WHERE n.id = $1 AND o.id = $2`,
        [item.id, oldLead],
      );
      await m.query(
        `UPDATE item SET lead_id = $1, repeat_evidence = jsonb_build_object('lead', $1::bigint, 'by', 'staff', 'releadFrom', $2::bigint),
           accept_due_at = NULL, answer_due_at = NULL, callback_due_at = NULL, rectify_due_at = NULL, deadline_basis = '{}'::jsonb, updated_at = now()
         WHERE id = $2`,
        [item.id, oldLead],
      );
      await m.query(`UPDATE item SET lead_id = $1, updated_at = now() WHERE lead_id = $2`, [item.id, oldLead]);
      // the case's hot-spot membership follows its lead
      await m.query(`UPDATE hot_spot_item SET item_id = $1 WHERE item_id = $2 AND NOT EXISTS (SELECT 1 FROM hot_spot_item WHERE item_id = $1)`, [item.id, oldLead]);
      const now = this.clock.now();
      await m.query(
        `INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $3, $4, 'relead', $5::jsonb, $6), ($2, $3, $4, 'relead', $5::jsonb, $6)`,
        [item.id, oldLead, actor.id, actor.username, JSON.stringify({ lead: Number(item.id), formerLead: Number(oldLead) }), now],
      );
    });
    return this.links(actor, id);
  }

  private office(actor: Actor): void {
    if (!OFFICE.has(actor.role)) throw new DomainError(ErrorCode.Forbidden, 'linking items is for the management office');
  }

  private async lock(
    m: EntityManager,
    ids: string[],
  ): Promise<{ id: string; lead_id: string | null; status: string; tracking_code: string; channel: string; appeal_type: string | null; rating: number | null; misconduct: boolean }[]> {
    for (const id of ids) if (!/^\d{1,18}$/.test(id)) throw notFound('item');
    const rows: { id: string; lead_id: string | null; status: string; tracking_code: string; channel: string; appeal_type: string | null; rating: number | null; misconduct: boolean }[] = await m.query(
      `SELECT id, lead_id, status, tracking_code, channel, appeal_type, rating, misconduct FROM item WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return ids.map((id) => {
      const r = rows.find((x) => x.id === id);
      if (!r) throw notFound('item');
      return r;
    });
  }
}
