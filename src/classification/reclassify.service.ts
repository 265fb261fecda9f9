import { ClassificationService } from './classification.service.js';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import type { ItemView } from '../items/item.types.js';
import { ItemsRepository } from '../items/items.repository.js';
import { ItemsService } from '../items/items.service.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { OutboxService } from '../notification/outbox.service.js';
import { Clock } from '../common/clock.js';
import { decide, type WorkflowAction } from '../workflow/state-machine.js';
import { WorkflowService } from '../workflow/workflow.service.js';
import type { ReclassifyDto } from './classification.dto.js';

/**
 * A person corrects the dimension or the unit. The correction changes the item, goes on its timeline, and is kept as
 * a label that the next retraining learns from (`npm run cli -- train`).
 */
@Injectable()
export class ReclassifyService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: ItemsRepository,
    private readonly items: ItemsService,
    private readonly catalog: CatalogCache,
    private readonly workflow: WorkflowService,
    private readonly outbox: OutboxService,
    private readonly clock: Clock,
    private readonly classification: ClassificationService,
  ) {}

  async reclassify(actor: Actor, id: string, dto: ReclassifyDto): Promise<ItemView> {
    if (dto.dimension === undefined && dto.unit === undefined && dto.secondary === undefined && dto.misconduct === undefined) {
      throw new DomainError(ErrorCode.ValidationFailed, 'give at least one of dimension, secondary, misconduct, unit');
    }
    const visible = await this.repo.findVisible(actor, id);
    if (!visible) throw notFound('item');
    if (dto.unit !== undefined && actor.role === 'unit_staff') {
      // a unit does not hand its items to another unit; it returns them to the office, which dispatches
      throw new DomainError(ErrorCode.Forbidden, 'unit staff cannot move an item to another unit; return it instead (POST /api/items/{id}/return)');
    }
    const snap = await this.catalog.get();
    let unitId: string | null = null;
    if (dto.unit !== undefined) {
      unitId = snap.unitIdByCode.get(dto.unit) ?? null;
      if (!unitId || !snap.catalog.units.some((u) => u.code === dto.unit)) {
        throw new DomainError(ErrorCode.ValidationFailed, `unit: unknown or inactive unit "${dto.unit}"`);
      }
    }
    await this.ds.transaction(async (m) => {
      const [item] = await m.query(
        `SELECT i.id, i.subject, i.text, i.dimension, i.secondary, i.misconduct, i.status, i.supervision_unit_id, u.code AS unit,
           i.rating, i.extension_state, i.extension_days, i.appeal_state, i.return_reason, i.answer_due_at
         FROM item i JOIN unit u ON u.id = i.unit_id WHERE i.id = $1 FOR UPDATE OF i`,
        [id],
      );
      if (!item) throw notFound('item');
      // the workflow decides every correction (who, in which state), not only a move: a unit cannot touch a closed
      // item nor the misconduct flag; a refused attempt leaves nothing behind, not even a training label
      const action: WorkflowAction = {
        type: 'reclassify',
        dimension: dto.dimension,
        unit: dto.unit,
        secondary: dto.secondary,
        misconduct: dto.misconduct,
        note: dto.note,
      };
      const decision = decide(
        {
          status: item.status,
          unit: item.unit === snap.triageUnitCode ? null : item.unit,
          dimension: item.dimension,
          rating: item.rating,
          extension: item.extension_state,
          extensionDays: item.extension_days,
          appeal: item.appeal_state,
          returnReason: item.return_reason,
          answerDueAt: item.answer_due_at,
        },
        action,
        // visible to the actor (checked above) is the unit's scope: its own unit and those below
        { role: actor.role, ownsItem: true },
        this.clock.now(),
      );
      if (!decision.ok) {
        const details = { allowed: decision.allowed, status: item.status };
        if (decision.code === 'not_allowed') throw new DomainError(ErrorCode.TransitionNotAllowed, decision.message, details);
        if (decision.code === 'invalid') throw new DomainError(ErrorCode.ValidationFailed, decision.message, details);
        throw new DomainError(ErrorCode.Forbidden, decision.message, details);
      }
      if (unitId && item.status === 'closed') {
        throw new DomainError(ErrorCode.TransitionNotAllowed, 'a closed item cannot be sent to another unit; reopen it first');
      }
      const text = item.subject ? `${item.subject}。${item.text}` : item.text;
      const dimension = dto.dimension ?? item.dimension;
      const secondary = (dto.secondary ?? item.secondary).filter((d: string) => d !== dimension);
      const misconduct = dto.misconduct ?? item.misconduct;
      const supervision = misconduct ? (item.supervision_unit_id ?? (snap.supervisionUnitCode ? snap.unitIdByCode.get(snap.supervisionUnitCode) : null) ?? null) : null;
      const classificationChanged = dto.dimension !== undefined || dto.secondary !== undefined || dto.misconduct !== undefined;
      if (classificationChanged) {
        await m.query(
          `UPDATE item SET dimension = $2, secondary = $3, misconduct = $4, supervision_unit_id = $5, confidence = 1, updated_at = now() WHERE id = $1`,
          [id, dimension, secondary, misconduct, supervision],
        );
        await m.query(
          `INSERT INTO item_label (item_id, kind, text, dimension, secondary, misconduct, actor_id) VALUES ($1, 'classification', $2, $3, $4, $5, $6)`,
          [id, text, dimension, secondary, misconduct, actor.id],
        );
      }
      let moved = false;
      if (unitId && dto.unit !== item.unit) {
        // a move is the workflow's step: its rules, fresh deadlines, the extension reset, the new unit told by mail,
        // a misroute counted against the old unit — and its own timeline entry
        await this.workflow.applyIn(m, id, { type: 'reclassify', unit: dto.unit, note: dto.note }, actor, snap);
        moved = true;
      }
      if (dto.unit !== undefined) {
        // confirming the current unit is a routing label too
        await m.query(`INSERT INTO item_label (item_id, kind, text, unit_code, actor_id) VALUES ($1, 'routing', $2, $3, $4)`, [
          id,
          text,
          dto.unit,
          actor.id,
        ]);
      }
      // the move has its entry from the workflow; this one records the classification (and a confirmed unit)
      if (moved && !classificationChanged) return;
      await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'reclassified', $4::jsonb, $5)`, [
        id,
        actor.id,
        actor.username,
        JSON.stringify({
          before: { dimension: item.dimension, secondary: item.secondary, misconduct: item.misconduct, unit: item.unit },
          after: { dimension, secondary, misconduct, unit: dto.unit ?? item.unit },
          note: dto.note ?? null,
        }),
        this.clock.now(),
      ]);
    });
    this.outbox.kickSoon();
    // this copy's routing memory takes the correction on its next call; the other copies within seconds
    this.classification.invalidate();
    return this.items.get(actor, id);
  }
}
