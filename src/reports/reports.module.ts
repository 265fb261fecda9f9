import { Module } from '@nestjs/common';
import { ListsService } from './lists.service.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Figures and the programme's lists (spreadsheets). */
@Module({
  controllers: [ReportsController],
  providers: [ReportsService, ListsService],
  exports: [ReportsService, ListsService],
})
export class ReportsModule {}
