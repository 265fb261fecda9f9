import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { AuthModule } from '../auth/auth.module.js';
import { ClassificationModule } from '../classification/classification.module.js';
import { IntakeModule } from '../intake/intake.module.js';
import { ItemsModule } from '../items/items.module.js';
import { OrgModule } from '../org/org.module.js';
import { RectificationModule } from '../rectification/rectification.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { WorkflowModule } from '../workflow/workflow.module.js';
import { ConsoleAdminController } from './admin.controller.js';
import { ConsolePrivacyController } from './privacy.controller.js';
import { ConsolePages } from './console-pages.js';
import { ConsoleSession } from './console-session.js';
import { ConsoleController } from './console.controller.js';
import { ConsoleDashboardController } from './dashboard.controller.js';
import { ConsoleIntakeController } from './intake.controller.js';
import { ConsoleProblemsController } from './problems.controller.js';
import { ConsoleQrController } from './qr.controller.js';
import { ConsoleSupervisionController } from './supervision.controller.js';
import { ConsoleCalendarController } from './calendar.controller.js';
import { ConsoleHotSpotsController } from './hot-spots.controller.js';
import { RepeatsModule } from '../repeats/repeats.module.js';

/**
 * The browser console for unit staff, operators, the management office and administrators (issue 7).
 * One controller a screen area, in the order of the pipeline: the queue and item page, triage and supervision,
 * problems, intake, QR codes, the dashboard, administration.
 */
const CONTROLLERS = [
  ConsoleController,
  ConsoleSupervisionController,
  ConsoleProblemsController,
  ConsoleHotSpotsController,
  ConsoleIntakeController,
  ConsoleQrController,
  ConsoleCalendarController,
  ConsoleDashboardController,
  ConsoleAdminController,
  ConsolePrivacyController,
];

@Module({
  imports: [AuthModule, ItemsModule, OrgModule, WorkflowModule, ClassificationModule, RectificationModule, IntakeModule, ReportsModule, RepeatsModule],
  controllers: CONTROLLERS,
  providers: [ConsoleSession, ConsolePages],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // the console's forms post urlencoded bodies (file uploads are multipart, read by their own handlers);
    // the API's parsers stay where they are
    consumer.apply(express.urlencoded({ extended: false, limit: '256kb', parameterLimit: 200 })).forRoutes(...CONTROLLERS);
  }
}
