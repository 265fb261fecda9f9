import { Global, Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { DeadlineJobsService } from './deadline-jobs.service.js';
import { DeadlinesService } from './deadlines.service.js';
import { WorkflowController } from './workflow.controller.js';
import { WorkflowService } from './workflow.service.js';

/** Workflow steps, working-day deadlines and the deadline jobs (催办, 督办, 通报). Global: intake reads the deadlines. */
@Global()
@Module({
  imports: [ItemsModule],
  controllers: [WorkflowController],
  providers: [DeadlinesService, WorkflowService, DeadlineJobsService],
  exports: [DeadlinesService, WorkflowService, DeadlineJobsService],
})
export class WorkflowModule {}
