import { Module } from '@nestjs/common';
import { ItemStatsService } from './item-stats.service.js';
import { ListsService } from './lists.service.js';
import { ReportsController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Figures and the programme's lists (spreadsheets). */
@Module({
  controllers: [ReportsController],
  providers: [ReportsService, ListsService, ItemStatsService],
  exports: [ReportsService, ListsService, ItemStatsService],
})
export class ReportsModule {}
