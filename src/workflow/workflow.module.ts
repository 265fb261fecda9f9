import { Global, Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { CalendarStore } from './calendar-store.service.js';
import { CalendarController } from './calendar.controller.js';
import { DeadlineJobsService } from './deadline-jobs.service.js';
import { DeadlinesService } from './deadlines.service.js';
import { WorkflowController } from './workflow.controller.js';
import { WorkflowService } from './workflow.service.js';

/** Workflow steps, working-day deadlines on the store's calendar and the deadline jobs (催办, 督办, 通报). Global: intake reads the deadlines. */
@Global()
@Module({
  imports: [ItemsModule],
  controllers: [WorkflowController, CalendarController],
  providers: [DeadlinesService, CalendarStore, WorkflowService, DeadlineJobsService],
  exports: [DeadlinesService, CalendarStore, WorkflowService, DeadlineJobsService],
})
export class WorkflowModule {}
