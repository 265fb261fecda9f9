import { Injectable } from '@nestjs/common';
import { ItemAssessor, type Assessment, type IntakeDraft } from '../intake/intake.types.js';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { ClassificationService } from './classification.service.js';
import { assessInput, type AssessAnswer } from './thread/assess-types.js';

/** Intake's classification and routing: the five dimensions, then the responsible unit with its evidence. */
@Injectable()
export class ClassifyingAssessor extends ItemAssessor {
  constructor(private readonly classification: ClassificationService) {
    super();
  }

  async assess(d: IntakeDraft, snap: CatalogSnapshot): Promise<Assessment> {
    const [answer] = await this.assessMany([d], snap);
    if (!answer.ok) throw new Error(answer.error);
    return answer.a;
  }

  /** On the process's classification thread (with each text's matter for repeats), else in-process. */
  override assessMany(drafts: IntakeDraft[], snap: CatalogSnapshot): Promise<AssessAnswer[]> {
    return this.classification.assessMany(drafts.map(assessInput), snap);
  }
}
