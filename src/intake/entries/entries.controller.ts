import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Actor } from '../../auth/actor.js';
import { CurrentActor, Roles } from '../../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../../common/domain-error.js';
import type { ItemView } from '../../items/item.types.js';
import { ItemsService } from '../../items/items.service.js';
import { IntakeService } from '../intake.service.js';
import { CreateEntryDto } from './entries.dto.js';
import { Clock } from '../../common/clock.js';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/intake/entries')
export class EntriesController {
  constructor(
    private readonly intake: IntakeService,
    private readonly items: ItemsService,
    private readonly clock: Clock,
  ) {}

  /** 201 with the new item; 200 with the existing one when the same slip (externalId or Idempotency-Key) came before. */
  @Roles('operator', 'supervisor', 'admin')
  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'makes a retried submission return the first item' })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateEntryDto,
    @Headers('idempotency-key') idemKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ItemView> {
    if (idemKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idemKey)) {
      throw new DomainError(ErrorCode.ValidationFailed, 'Idempotency-Key: 1–200 visible ASCII characters');
    }
    const externalId = dto.externalId ?? (idemKey ? `key:${idemKey}` : randomUUID());
    const r = await this.intake.intake(
      {
        channel: dto.channel,
        externalId,
        receivedAt: dto.receivedAt ? new Date(dto.receivedAt) : this.clock.now(),
        text: dto.text,
        source: dto.source ?? null,
        caseNo: dto.caseNo ?? null,
        window: dto.window ?? null,
        serviceItem: dto.item ?? null,
        contact: dto.contact,
        raw: { ...dto, enteredBy: actor.username },
      },
      actor,
    );
    res.status(r.created ? 201 : 200);
    return this.items.get(actor, String(r.id));
  }
}
