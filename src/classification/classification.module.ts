import { Global, Module } from '@nestjs/common';
import { ItemAssessor } from '../intake/intake.types.js';
import { ItemsModule } from '../items/items.module.js';
import { ClassificationController } from './classification.controller.js';
import { ClassificationService } from './classification.service.js';
import { ClassifyingAssessor } from './classifying.assessor.js';
import { ReclassifyService } from './reclassify.service.js';

@Global()
@Module({
  imports: [ItemsModule],
  controllers: [ClassificationController],
  providers: [ClassificationService, ReclassifyService, ClassifyingAssessor],
  exports: [ClassificationService, ClassifyingAssessor, ReclassifyService],
})
export class ClassificationModule {}

export { ItemAssessor };
