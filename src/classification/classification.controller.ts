import type { RouteResult } from '../routing/router.js';
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { ItemView } from '../items/item.types.js';
import { ClassificationService, type TrainReport } from './classification.service.js';
import { ClassifyDto, ReclassifyDto, RouteDto } from './classification.dto.js';
import type { Classification } from './classifier.js';
import { ReclassifyService } from './reclassify.service.js';

@ApiTags('classification')
@ApiBearerAuth()
@Controller('api')
export class ClassificationController {
  constructor(
    private readonly classification: ClassificationService,
    private readonly reclassifier: ReclassifyService,
  ) {}

  /** The same code intake runs: `{dimension, secondary, misconduct, confidence, evidence}`. */
  @Post('classify')
  @HttpCode(200)
  classify(@Body() dto: ClassifyDto): Promise<Classification> {
    return this.classification.classify(dto);
  }

  /**
   * `{unit, reason, supervision}` plus the rule that decided, the service item recognised, how sure the router is,
   * the best-supported candidates with their evidence, the evidence itself and whether the text is junk.
   */
  @Post('route')
  @HttpCode(200)
  async route(@Body() dto: RouteDto): Promise<{
    unit: string;
    reason: string;
    supervision: string | null;
    rule: string;
    serviceItem: string | null;
    dimension: string;
    confidence: number;
    candidates: RouteResult['candidates'];
    evidence: RouteResult['evidence'];
    junk: boolean;
  }> {
    const { c, r } = await this.classification.assess(dto);
    return {
      unit: r.unit,
      reason: r.reason,
      supervision: r.supervision,
      rule: r.rule,
      serviceItem: r.serviceItem,
      dimension: c.dimension,
      confidence: r.confidence,
      candidates: r.candidates,
      evidence: r.evidence,
      junk: r.junk === true,
    };
  }

  @Roles('unit_staff', 'supervisor', 'admin')
  @Post('items/:id/reclassify')
  @HttpCode(200)
  reclassify(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: ReclassifyDto): Promise<ItemView> {
    return this.reclassifier.reclassify(actor, id, dto);
  }

  /** Retrains from the shipped rows and every correction; every copy of the service switches within seconds. */
  @Roles('admin', 'supervisor')
  @Post('classification/retrain')
  @HttpCode(200)
  retrain(@CurrentActor() actor: Actor): Promise<TrainReport> {
    return this.classification.retrain(actor.username);
  }
}
