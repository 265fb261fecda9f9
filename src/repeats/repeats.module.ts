import { Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { RectificationModule } from '../rectification/rectification.module.js';
import { HotSpotsService } from './hot-spots.service.js';
import { RepeatFiguresService } from './repeat-figures.service.js';
import { RepeatLinksService } from './repeat-links.service.js';
import { RepeatsController } from './repeats.controller.js';

/** One matter, one case (issue 16): links by people, hot spots, figures. The check itself is in RepeatsCoreModule. */
@Module({
  imports: [ItemsModule, RectificationModule],
  controllers: [RepeatsController],
  providers: [RepeatLinksService, HotSpotsService, RepeatFiguresService],
  exports: [RepeatLinksService, HotSpotsService, RepeatFiguresService],
})
export class RepeatsModule {}
