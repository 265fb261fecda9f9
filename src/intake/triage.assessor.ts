import { Injectable } from '@nestjs/common';
import type { CatalogSnapshot } from '../org/catalog.cache.js';
import { ItemAssessor, type Assessment, type IntakeDraft } from './intake.types.js';

/** Fallback assessor: no classification, everything to the triage unit where a person dispatches it. */
@Injectable()
export class TriageAssessor extends ItemAssessor {
  assess(_draft: IntakeDraft, catalog: CatalogSnapshot): Assessment {
    if (!catalog.triageUnitCode) throw new Error('the catalogue has no triage unit');
    return {
      dimension: null,
      secondary: [],
      misconduct: false,
      confidence: null,
      evidence: [],
      unit: catalog.triageUnitCode,
      supervisionUnit: null,
      routingReason: '待政务服务管理部门人工分派',
      routingRule: 'triage',
      serviceItem: null,
    };
  }
}
