import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { IntakeService } from '../../src/intake/intake.service.js';
import { ItemAssessor, type Assessment, type IntakeDraft } from '../../src/intake/intake.types.js';
import type { CatalogSnapshot } from '../../src/org/catalog.cache.js';
import type { TestContext } from './test-app.js';

/**
 * For tests of the spine that need items in given units: routes to the unit code in `assignedUnit`, else triage.
 * (Classification and routing have their own tests; this keeps the spine's tests about scope and storage.)
 */
export class AssignedUnitAssessor extends ItemAssessor {
  assess(d: IntakeDraft, c: CatalogSnapshot): Assessment {
    const unit = d.assignedUnit && c.unitIdByCode.has(d.assignedUnit) ? d.assignedUnit : (c.triageUnitCode as string);
    return {
      dimension: 'D1',
      secondary: [],
      misconduct: false,
      confidence: 1,
      evidence: [],
      unit,
      supervisionUnit: null,
      routingReason: `测试：分派至${unit}`,
      routingRule: 'assigned_unit',
      serviceItem: null,
    };
  }
}

let personSeq = 0;

/** Inserts a real item through the real intake. */
export async function newItem(ctx: TestContext, over: Partial<IntakeDraft> = {}): Promise<{ id: number; trackingCode: string }> {
  const draft: IntakeDraft = {
    channel: 'phone',
    externalId: randomUUID(),
    receivedAt: ctx.clock.now(),
    text: '窗口排队时间太长',
    // a different person each time unless the test says otherwise: the same phone on the same text is one case (issue 16)
    // (a counter, not a random number: 60 random draws from 10,000 collide about one run in six)
    contact: { name: '张三', phone: `138${String(personSeq++ % 10_000).padStart(4, '0')}5678` }, // masked: 138****5678
    raw: { test: true },
    ...over,
  };
  return ctx.app.get(IntakeService).intake(draft, SYSTEM_ACTOR);
}
