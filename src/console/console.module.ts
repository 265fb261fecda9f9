import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import express from 'express';
import { AuthModule } from '../auth/auth.module.js';
import { ItemsModule } from '../items/items.module.js';
import { OrgModule } from '../org/org.module.js';
import { ConsoleController } from './console.controller.js';
import { ConsoleSession } from './console-session.js';

/** The browser console for unit staff and the management office (issue 7). */
@Module({
  imports: [AuthModule, ItemsModule, OrgModule],
  controllers: [ConsoleController],
  providers: [ConsoleSession],
})
export class ConsoleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // the console's forms post urlencoded bodies; the API's parsers stay where they are
    consumer.apply(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 20 })).forRoutes(ConsoleController);
  }
}
