import { Injectable } from '@nestjs/common';
import { ItemAssessor, type Assessment, type IntakeDraft } from '../intake/intake.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { ClassificationService } from './classification.service.js';

/** Intake's classification and routing: the five dimensions, then the responsible unit by order of authority. */
@Injectable()
export class ClassifyingAssessor extends ItemAssessor {
  constructor(private readonly classification: ClassificationService) {
    super();
  }

  async assess(d: IntakeDraft, snap: CatalogSnapshot): Promise<Assessment> {
    const { c, r } = await this.classification.assess(
      {
        text: d.text,
        subject: d.subject ?? null,
        channel: d.channel,
        rating: d.rating ?? null,
        tags: d.tags ?? null,
        window: d.window ?? null,
        assignedUnit: d.assignedUnit ?? null,
      },
      snap,
    );
    return {
      dimension: c.dimension,
      secondary: c.secondary,
      misconduct: c.misconduct,
      confidence: c.confidence,
      evidence: [
        ...c.evidence,
        ...r.evidence.map((e) => ({ kind: `route:${e.rule}`, text: e.text, ...(e.score !== undefined ? { weight: e.score } : {}), ...(e.unit ? { unit: e.unit } : {}) })),
      ],
      unit: r.unit,
      supervisionUnit: r.supervision,
      routingReason: r.reason,
      routingRule: r.rule,
      serviceItem: r.serviceItem,
    };
  }
}
