import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS } from './item.types.js';
import { APPEAL_STATES, EXTENSION_STATES } from '../workflow/state-machine.js';
import { DIMENSIONS, ITEM_STATUSES, type ItemStatus } from './item.entity.js';

export class ListItemsQuery {
  @ApiPropertyOptional({ description: 'unit code' }) @IsOptional() @IsString() @MaxLength(64) unit?: string;
  @ApiPropertyOptional({ enum: ITEM_STATUSES }) @IsOptional() @IsIn(ITEM_STATUSES) status?: ItemStatus;
  @ApiPropertyOptional({ enum: DIMENSIONS }) @IsOptional() @IsIn(DIMENSIONS) dimension?: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional({ enum: EXTENSION_STATES, description: 'extension request state; requested = waiting for the office' })
  @IsOptional()
  @IsIn(EXTENSION_STATES)
  extension?: string;
  @ApiPropertyOptional({ enum: APPEAL_STATES, description: 'appeal state; pending = waiting for the office' }) @IsOptional() @IsIn(APPEAL_STATES) appeal?: string;
  @ApiPropertyOptional({ enum: ['received', 'due'], description: 'received (default): newest first; due: earliest deadline (most overdue) first' })
  @IsOptional()
  @IsIn(['received', 'due'])
  sort?: 'received' | 'due';
  @ApiPropertyOptional({ enum: ['exclude', 'only'], description: 'repeats linked to a lead item: exclude (a queue: one job a case) or only; absent: all' })
  @IsOptional()
  @IsIn(['exclude', 'only'])
  repeats?: 'exclude' | 'only';
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}
