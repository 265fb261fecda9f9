import { Global, Module } from '@nestjs/common';
import { RepeatsService } from './repeats.service.js';

/** The repeat check and its effects on a case, used by intake (the check) and the workflow (answers, closing). Global. */
@Global()
@Module({ providers: [RepeatsService], exports: [RepeatsService] })
export class RepeatsCoreModule {}
