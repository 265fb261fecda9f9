import { Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { CasesService } from './cases.service.js';
import { ProblemFilesService } from './problem-files.service.js';
import { ProblemsService } from './problems.service.js';
import { RectificationController } from './rectification.controller.js';

/** Back-traced rectification (倒推整改): cases, the back-trace, problems with measures and verification. */
@Module({
  imports: [ItemsModule],
  controllers: [RectificationController],
  providers: [CasesService, ProblemsService, ProblemFilesService],
  exports: [CasesService, ProblemsService, ProblemFilesService],
})
export class RectificationModule {}
