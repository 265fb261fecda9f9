import { DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Writable } from 'node:stream';
import { LoggerModule } from 'nestjs-pino';
import type { DataSource } from 'typeorm';
import { AuthModule } from './auth/auth.module.js';
import { Clock } from './common/clock.js';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { chooseLogFormat, logDestination } from './common/log-format.js';
import { httpLogOptions } from './common/http-log.js';
import { HUB_CONFIG, type HubConfig } from './config/config.js';
import { dataSourceOptions } from './database/data-source.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PrivacyModule } from './privacy/privacy.module.js';
import { FrontDoorController } from './web/front-door.controller.js';
import { IntakeModule } from './intake/intake.module.js';
import { ItemAssessor } from './intake/intake.types.js';
import { ClassificationModule } from './classification/classification.module.js';
import { ClassifyingAssessor } from './classification/classifying.assessor.js';
import { ItemsModule } from './items/items.module.js';
import { OrgModule } from './org/org.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { NotificationModule } from './notification/notification.module.js';
import { WorkflowModule } from './workflow/workflow.module.js';
import { RectificationModule } from './rectification/rectification.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { ConsoleModule } from './console/console.module.js';
import { RepeatsCoreModule } from './repeats/repeats-core.module.js';
import { RepeatsModule } from './repeats/repeats.module.js';

export interface AppOptions {
  config: HubConfig;
  /** an open, migrated data source (main.ts and the tests make it) */
  dataSource: DataSource;
  /** classification + routing (tests may swap in their own) */
  assessor?: Provider;
  /** where the request log goes (tests read it); stdout otherwise */
  logStream?: Writable;
}

@Global()
@Module({})
class CoreModule {
  static forRoot(opts: AppOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: HUB_CONFIG, useValue: opts.config },
        Clock,
        opts.assessor ?? { provide: ItemAssessor, useExisting: ClassifyingAssessor },
      ],
      exports: [HUB_CONFIG, Clock, ItemAssessor],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(opts: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(opts),
        LoggerModule.forRoot({
          // JSON lines by default; readable lines when stdout is a terminal (LOG_FORMAT); a test may pass its own stream
          pinoHttp: httpLogOptions(opts.config.logLevel, opts.logStream ?? logDestination(chooseLogFormat(opts.config.logFormat, process.stdout.isTTY === true))),
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions('postgres://unused'),
          dataSourceFactory: async () => opts.dataSource,
        }),
        HealthModule,
        MetricsModule,
        JobsModule,
        NotificationModule,
        OrgModule,
        RepeatsCoreModule,
        ClassificationModule,
        AuthModule,
        ItemsModule,
        IntakeModule,
        WorkflowModule,
        RectificationModule,
        ReportsModule,
        RepeatsModule,
        ConsoleModule,
        PrivacyModule,
      ],
      controllers: [FrontDoorController],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    };
  }
}
