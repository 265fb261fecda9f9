import { Injectable } from '@nestjs/common';
import { assessInput, toAssessment } from '../intake/assess/assess-types.js';
import { ItemAssessor, type Assessment, type IntakeDraft } from '../intake/intake.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { ClassificationService } from './classification.service.js';

/** Intake's classification and routing: the five dimensions, then the responsible unit with its evidence. */
@Injectable()
export class ClassifyingAssessor extends ItemAssessor {
  constructor(private readonly classification: ClassificationService) {
    super();
  }

  async assess(d: IntakeDraft, snap: CatalogSnapshot): Promise<Assessment> {
    const { c, r } = await this.classification.assess(assessInput(d), snap);
    return toAssessment(c, r);
  }
}
