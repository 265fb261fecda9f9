import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { ComponentStateService } from './component-state.service.js';
import { HealthController } from './health.controller.js';

/** /health (as in the contract), /health/live and /health/ready; the outside servers' last known state. */
@Global()
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [ComponentStateService],
  exports: [ComponentStateService],
})
export class HealthModule {}
