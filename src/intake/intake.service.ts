import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import type { ItemStatus } from '../items/item.entity.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { initialStatus } from './initial-status.js';
import { ItemAssessor, type IntakeDraft, type IntakeResult } from './intake.types.js';
import { newTrackingCode } from './tracking-code.js';

export const MAX_TEXT = 100_000;

/**
 * The one entry point every channel calls. Idempotent on (channel, external id) through the unique index and
 * ON CONFLICT, never by looking first; classification and routing happen inside the same transaction, and the
 * timeline records what decided.
 */
@Injectable()
export class IntakeService {
  private readonly logger = new Logger(IntakeService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
    private readonly assessor: ItemAssessor,
  ) {}

  async intake(draft: IntakeDraft, actor: Actor, manager?: EntityManager): Promise<IntakeResult> {
    validateDraft(draft);
    if (manager) return this.intakeIn(manager, draft, actor);
    return this.ds.transaction((m) => this.intakeIn(m, draft, actor));
  }

  private async intakeIn(m: EntityManager, draft: IntakeDraft, actor: Actor): Promise<IntakeResult> {
    const snap = await this.catalog.get();
    const windowId = draft.window ? snap.windowIdByCode.get(draft.window) : null;
    if (draft.window && !windowId) throw new DomainError(ErrorCode.ValidationFailed, `window: unknown window "${draft.window}"`);
    if (draft.serviceItem && !snap.itemIdByCode.has(draft.serviceItem)) {
      throw new DomainError(ErrorCode.ValidationFailed, `item: unknown service item "${draft.serviceItem}"`);
    }
    const a = await this.assessor.assess(draft, snap);
    const unitId = snap.unitIdByCode.get(a.unit);
    if (!unitId) throw new Error(`assessor chose unknown unit ${a.unit}`);
    const supervisionId = a.supervisionUnit ? (snap.unitIdByCode.get(a.supervisionUnit) ?? null) : null;
    const serviceItemCode = draft.serviceItem ?? a.serviceItem;
    const status: ItemStatus = initialStatus({ ...draft, dimension: a.dimension, misconduct: a.misconduct });

    const rows: { id: string; tracking_code: string }[] = await m.query(
      `INSERT INTO item (channel, external_id, received_at, subject, text, rating, tags, appeal_type, source, case_no,
         window_id, service_item_id, contact_name, contact_phone, contact_email, raw,
         dimension, secondary, misconduct, confidence, evidence, unit_id, supervision_unit_id, routing_reason, routing_rule,
         status, tracking_code, created_by, closed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16::jsonb,$17,$18,$19,$20,$21::jsonb,$22,$23,$24,$25,$26,$27,$28, CASE WHEN $26 = 'closed' THEN now() END)
       ON CONFLICT (channel, external_id) DO NOTHING
       RETURNING id, tracking_code`,
      [
        draft.channel,
        draft.externalId,
        draft.receivedAt,
        draft.subject ?? null,
        draft.text,
        draft.rating ?? null,
        draft.tags ?? [],
        draft.appealType ?? null,
        draft.source ?? null,
        draft.caseNo ?? null,
        windowId ?? null,
        serviceItemCode ? (snap.itemIdByCode.get(serviceItemCode) ?? null) : null,
        draft.contact?.name ?? null,
        draft.contact?.phone ?? null,
        draft.contact?.email ?? null,
        JSON.stringify(draft.raw ?? null),
        a.dimension,
        a.secondary,
        a.misconduct,
        a.confidence,
        JSON.stringify(a.evidence),
        unitId,
        supervisionId,
        a.routingReason,
        a.routingRule,
        status,
        newTrackingCode(),
        actor.id,
      ],
    );
    if (!rows.length) {
      const [existing] = await m.query(`SELECT id, tracking_code FROM item WHERE channel = $1 AND external_id = $2`, [
        draft.channel,
        draft.externalId,
      ]);
      return { id: Number(existing.id), created: false, trackingCode: existing.tracking_code };
    }
    const id = rows[0].id;
    await m.query(
      `INSERT INTO item_event (item_id, actor_id, actor, kind, data) VALUES
         ($1, $2, $3, 'received', $4::jsonb),
         ($1, NULL, 'system', 'classified', $5::jsonb),
         ($1, NULL, 'system', 'routed', $6::jsonb)`,
      [
        id,
        actor.id,
        actor.username,
        JSON.stringify({ channel: draft.channel, externalId: draft.externalId, source: draft.source ?? null }),
        JSON.stringify({ dimension: a.dimension, secondary: a.secondary, misconduct: a.misconduct, confidence: a.confidence }),
        JSON.stringify({ unit: a.unit, supervisionUnit: a.supervisionUnit, rule: a.routingRule, reason: a.routingReason, status }),
      ],
    );
    this.logger.log({ itemId: Number(id), channel: draft.channel, unit: a.unit, rule: a.routingRule }, 'item received');
    return { id: Number(id), created: true, trackingCode: rows[0].tracking_code };
  }
}

function validateDraft(d: IntakeDraft): void {
  const problems: string[] = [];
  if (!d.externalId || d.externalId.length > 500) problems.push('externalId: required, at most 500 characters');
  if (!(d.receivedAt instanceof Date) || Number.isNaN(d.receivedAt.getTime())) problems.push('receivedAt: not a valid time');
  if (typeof d.text !== 'string') problems.push('text: required');
  else if (d.text.length > MAX_TEXT) problems.push(`text: longer than ${MAX_TEXT} characters`);
  if (d.rating !== undefined && d.rating !== null && !(Number.isInteger(d.rating) && d.rating >= 1 && d.rating <= 5)) {
    problems.push('rating: a whole number from 1 to 5');
  }
  if (problems.length) throw new DomainError(ErrorCode.ValidationFailed, problems.join('; '), { problems });
}
