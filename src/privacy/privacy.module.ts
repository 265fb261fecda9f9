import { Global, Module } from '@nestjs/common';
import { PersonalDataAudit } from './personal-data-audit.service.js';
import { PersonalDataService } from './personal-data.service.js';
import { PrivacyController } from './privacy.controller.js';

/** Personal data (PIPL): retention, a person's export and erasure, the audit of unmasked views (global: items and exports record to it). */
@Global()
@Module({ controllers: [PrivacyController], providers: [PersonalDataService, PersonalDataAudit], exports: [PersonalDataService, PersonalDataAudit] })
export class PrivacyModule {}
