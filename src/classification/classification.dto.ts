import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CHANNELS } from '../items/item.types.js';

const LABELS = ['D1', 'D2', 'D3', 'D4', 'D5', 'none'] as const;

export class ClassifyDto {
  @ApiProperty({ maxLength: 200000 }) @IsString() @MaxLength(200_000) text: string;
  @ApiPropertyOptional({ enum: CHANNELS }) @IsOptional() @IsIn(CHANNELS) channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) subject?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 5 }) @IsOptional() @IsInt() @Min(1) @Max(5) rating?: number;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
}

export class RouteDto extends ClassifyDto {
  @ApiPropertyOptional({ description: 'window code' }) @IsOptional() @IsString() @MaxLength(64) window?: string;
  @ApiPropertyOptional({ description: '承办单位 as written by the hotline' }) @IsOptional() @IsString() @MaxLength(200) assignedUnit?: string;
}

export class ReclassifyDto {
  @ApiPropertyOptional({ enum: LABELS }) @IsOptional() @IsIn(LABELS) dimension?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsIn(LABELS.slice(0, 5), { each: true }) secondary?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() misconduct?: boolean;
  @ApiPropertyOptional({ description: 'unit code: routes the item to this unit' }) @IsOptional() @IsString() @MaxLength(64) unit?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}
