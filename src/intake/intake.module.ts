import { Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { EntriesController } from './entries/entries.controller.js';
import { IntakeService } from './intake.service.js';

/** Intake: the one entry point, and one sub-folder per channel that feeds it. */
@Module({
  imports: [ItemsModule],
  controllers: [EntriesController],
  providers: [IntakeService],
  exports: [IntakeService],
})
export class IntakeModule {}
