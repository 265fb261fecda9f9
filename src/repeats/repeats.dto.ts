import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PROBLEM_KINDS, type ProblemKind } from '../rectification/problems.service.js';

export class LinkItemDto {
  @ApiProperty({ description: 'the id of the lead item (or of any item of its case)' }) @Type(() => Number) @IsInt() @Min(1) lead: number;
}

export class OpenProblemDto {
  @ApiPropertyOptional({ description: 'default: 热点：<label>' }) @IsOptional() @IsString() @MaxLength(200) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) rootCause?: string;
  @ApiPropertyOptional({ enum: ['D1', 'D2', 'D3', 'D4', 'D5'], description: 'default: the items’ most common dimension' }) @IsOptional() @IsIn(['D1', 'D2', 'D3', 'D4', 'D5']) dimension?: string;
  @ApiPropertyOptional({ enum: PROBLEM_KINDS, default: 'ledger' }) @IsOptional() @IsIn(PROBLEM_KINDS) kind?: ProblemKind;
  @ApiPropertyOptional({ description: 'for kind deadline: 2026-12-31 or a time with an offset' }) @IsOptional() @IsString() @MaxLength(40) deadline?: string;
}

export class HotSpotsQuery {
  @ApiPropertyOptional({ description: 'smallest hot spot listed (default: config/repeats.yaml hotSpot.minItems)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  minItems?: number;
}

export class PeriodQuery {
  @ApiPropertyOptional({ description: '2026-10-01 (China day) or a time with an offset' }) @IsOptional() @IsString() @Matches(/^[\d\-T:.+Z]{10,40}$/) from?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(/^[\d\-T:.+Z]{10,40}$/) to?: string;
}
