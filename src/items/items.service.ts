import { Injectable } from '@nestjs/common';
import { seesPersonalData, type Actor } from '../auth/actor.js';
import { notFound } from '../common/domain-error.js';
import type { DimensionCode } from './item.entity.js';
import type { Channel, EvidenceEntry, ItemView, TimelineEntry } from './item.types.js';
import { ItemsRepository, type ItemFilter, type ItemRow, type ItemWalk } from './items.repository.js';
import { mapStrings, maskEmail, maskName, maskPhone, maskText, maskTimelineData } from './masking.js';
import { PersonalDataAudit } from '../privacy/personal-data-audit.service.js';

@Injectable()
export class ItemsService {
  constructor(
    private readonly repo: ItemsRepository,
    private readonly audit: PersonalDataAudit,
  ) {}

  async list(actor: Actor, filter: ItemFilter): Promise<{ items: ItemView[]; total: number }> {
    const { rows, total } = await this.repo.list(actor, filter);
    return { items: rows.map((r) => toView(r, actor)), total };
  }

  /** One keyset page for an export: filtered by period in the SQL, no count, under a statement timeout. */
  async walk(actor: Actor, filter: ItemFilter, walk: ItemWalk): Promise<ItemView[]> {
    const { rows } = await this.repo.list(actor, filter, walk);
    return rows.map((r) => toView(r, actor));
  }

  /** The latest timeline entry of `kind` for each item of a list this service returned (so already in scope), by id. */
  async latestEvents(items: ItemView[], kind: string): Promise<Map<number, TimelineEntry>> {
    const byId = await this.repo.latestEvents(items.map((i) => String(i.id)), kind);
    return new Map([...byId].map(([id, ev]) => [Number(id), ev]));
  }

  /** An export of these items (already scoped and masked by this service) left the hub: audited when unmasked. */
  async auditExport(actor: Actor, ids: number[]): Promise<void> {
    if (seesPersonalData(actor) && actor.id !== null && ids.length) await this.audit.record(actor, 'items_export', ids, { detail: { items: ids.length } });
  }

  async get(actor: Actor, id: string): Promise<ItemView> {
    const row = await this.repo.findVisible(actor, id);
    if (!row) throw notFound('item');
    const full = seesPersonalData(actor);
    // a person (not the system) opened the item unmasked: on the PIPL audit log
    if (full && actor.id !== null) await this.audit.record(actor, 'item_view', [row.id]);
    const timeline = await this.repo.timeline(row.id);
    // the timeline holds inputs as received (a changed 12345 row, a reply's sender): whole inputs withheld, contact
    // fields masked like the item's, and numbers or addresses typed into its texts masked too
    return {
      ...toView(row, actor),
      timeline: full ? timeline : timeline.map((e) => ({ ...e, data: mapStrings(maskTimelineData(e.data), maskText) as Record<string, unknown> })),
    };
  }
}

export function toView(r: ItemRow, actor: Actor): ItemView {
  const full = seesPersonalData(actor);
  const view: ItemView = {
    id: Number(r.id),
    channel: r.channel as Channel,
    externalId: r.external_id,
    receivedAt: r.received_at.toISOString(),
    createdAt: r.created_at.toISOString(),
    subject: full ? r.subject : maskText(r.subject),
    text: full ? r.text : maskText(r.text),
    rating: r.rating,
    tags: r.tags,
    appealType: r.appeal_type,
    source: r.source,
    caseNo: r.case_no,
    window: r.window_code,
    serviceItem: r.item_code,
    contact: {
      name: full ? r.contact_name : maskName(r.contact_name),
      phone: full ? r.contact_phone : maskPhone(r.contact_phone),
      email: full ? r.contact_email : maskEmail(r.contact_email),
    },
    dimension: r.dimension as DimensionCode | null,
    secondary: r.secondary,
    misconduct: r.misconduct,
    confidence: r.confidence,
    evidence: r.evidence as EvidenceEntry[],
    unit: r.unit_code,
    unitName: r.unit_name,
    supervisionUnit: r.supervision_code,
    routingReason: r.routing_reason,
    routingRule: r.routing_rule,
    status: r.status,
    acceptDueAt: r.accept_due_at?.toISOString() ?? null,
    answerDueAt: r.answer_due_at?.toISOString() ?? null,
    closedAt: r.closed_at?.toISOString() ?? null,
    callbackDueAt: r.callback_due_at?.toISOString() ?? null,
    rectifyDueAt: r.rectify_due_at?.toISOString() ?? null,
    extension: { state: r.extension_state, days: r.extension_days },
    appeal: r.appeal_state,
    answer: full ? r.answer_text : maskText(r.answer_text),
    answeredAt: r.answered_at?.toISOString() ?? null,
    callbackSatisfied: r.callback_satisfied,
    ratingValid: r.rating_valid,
    caseCheck: r.case_check,
    returnReason: full ? r.return_reason : maskText(r.return_reason),
    trackingCode: r.tracking_code,
    leadId: r.lead_id === null ? null : Number(r.lead_id),
  };
  // the raw input may hold phone numbers and names: only for roles that see personal data
  if (full) view.raw = r.raw;
  return view;
}
