import { Module } from '@nestjs/common';
import { ItemsModule } from '../items/items.module.js';
import { EntriesController } from './entries/entries.controller.js';
import { IntakeService } from './intake.service.js';
import { QrCodesController } from './qr/qr-codes.controller.js';
import { QrCodesService } from './qr/qr-codes.service.js';
import { QrCaseController } from './qr/qr-case.controller.js';
import { QrCaseService } from './qr/qr-case.service.js';
import { QrRatingController } from './qr/qr-rating.controller.js';
import { QrRatingService } from './qr/qr-rating.service.js';
import { TrackingController } from '../web/tracking.controller.js';
import { MailboxController } from './mailbox/mailbox.controller.js';
import { HotlineController } from './hotline/hotline.controller.js';
import { HotlineImportService } from './hotline/hotline-import.service.js';
import { HotlineService } from './hotline/hotline.service.js';
import { AckLimiter } from './mailbox/ack-limit.js';
import { MailboxService } from './mailbox/mailbox.service.js';

/** Intake: the one entry point, and one sub-folder per channel that feeds it. */
@Module({
  imports: [ItemsModule],
  controllers: [EntriesController, QrRatingController, QrCaseController, QrCodesController, TrackingController, MailboxController, HotlineController],
  providers: [IntakeService, QrRatingService, QrCaseService, QrCodesService, MailboxService, AckLimiter, HotlineImportService, HotlineService],
  // the console's intake and QR screens use the same services as the API
  exports: [IntakeService, HotlineImportService, HotlineService, MailboxService, QrCodesService],
})
export class IntakeModule {}
