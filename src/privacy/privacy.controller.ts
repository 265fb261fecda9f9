import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../auth/actor.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import { PersonalDataAudit, type AuditEntry } from './personal-data-audit.service.js';
import { PersonalDataService, type PersonExport } from './personal-data.service.js';
import { AuditQuery, PersonQuery, RetentionRunBody } from './privacy.dto.js';

@ApiTags('personal data')
@ApiBearerAuth()
@Roles('admin')
@Controller('api/admin/personal-data')
export class PrivacyController {
  constructor(
    private readonly personal: PersonalDataService,
    private readonly audit: PersonalDataAudit,
  ) {}

  @Get()
  @ApiOperation({ summary: "Export one person's data (items, timeline, mails) by phone number or mail address, unmasked; audited" })
  exportPerson(@CurrentActor() actor: Actor, @Query() q: PersonQuery): Promise<PersonExport> {
    return this.personal.exportPerson(actor, q.person);
  }

  @Post('erase')
  @HttpCode(200)
  @ApiOperation({ summary: "Erase one person's name, phone number and mail address from every item and mail that holds them; audited" })
  @ApiOkResponse({ description: '`{items, mails}`: how many were erased' })
  erasePerson(@CurrentActor() actor: Actor, @Body() b: PersonQuery): Promise<{ items: number; mails: number }> {
    return this.personal.erasePerson(actor, b.person);
  }

  @Post('retention')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the retention now: erase personal data of items closed more than N months ago (the daily job does the same)' })
  @ApiOkResponse({ description: '`{cutoff, months, erased}`' })
  runRetention(@CurrentActor() actor: Actor, @Body() b: RetentionRunBody): Promise<{ cutoff: string; months: number; erased: number }> {
    return this.personal.runRetention(actor, b.months);
  }

  @Get('audit')
  @ApiOperation({ summary: 'Who opened unmasked personal data: item views by supervisors and admins, exports with phone numbers, person exports and erasures, retention' })
  auditLog(@Query() q: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    return this.audit.list(q.page ?? 1, q.pageSize ?? 50, { action: q.action, actor: q.actor });
  }
}
