import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Actor } from '../../auth/actor.js';
import { CurrentActor, Roles } from '../../auth/auth.decorators.js';
import type { ItemView } from '../../items/item.types.js';
import { QrCaseService } from './qr-case.service.js';

export class CaseCheckDto {
  @ApiProperty({ description: 'true: this rating is the real one for its case number (the others sharing it stop counting); false: it is not' })
  @IsBoolean()
  verified: boolean;
  @ApiPropertyOptional({ maxLength: 2000 }) @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

@ApiTags('items')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('api/items/:id')
export class QrCaseController {
  constructor(private readonly cases: QrCaseService) {}

  @Post('case-check')
  @HttpCode(200)
  @ApiOperation({
    summary: 'the office checks a QR rating’s case number (办件编号)',
    description:
      "Ratings that give the same case number at one window are each kept and flagged (`caseCheck: 'shared'`). Verifying one applies the one-rating rule: the others become `rejected` and their rating stops counting (`ratingValid: false`).",
  })
  check(@CurrentActor() a: Actor, @Param('id') id: string, @Body() b: CaseCheckDto): Promise<ItemView> {
    return this.cases.check(a, id, b.verified, b.note);
  }
}
