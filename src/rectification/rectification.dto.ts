import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PROBLEM_KINDS, PROBLEM_STATUSES, type ProblemKind, type ProblemStatus } from './problems.service.js';

const DIMS = ['D1', 'D2', 'D3', 'D4', 'D5'] as const;

export class CreateProblemDto {
  @ApiProperty({ maxLength: 500 }) @IsString() @IsNotEmpty() @MaxLength(500) title: string;
  @ApiProperty({ maxLength: 5000, description: '根源: why it happened' }) @IsString() @IsNotEmpty() @MaxLength(5000) rootCause: string;
  @ApiProperty({ enum: DIMS }) @IsIn(DIMS) dimension: string;
  @ApiProperty({ type: [String], description: 'responsible unit codes' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  units: string[];
  @ApiProperty({ enum: PROBLEM_KINDS, description: 'immediate 立行立改 · deadline 限期整改 · ledger 长效台账' })
  @IsIn(PROBLEM_KINDS)
  kind: ProblemKind;
  @ApiPropertyOptional({ description: 'a date (2026-12-31, end of that China day) or a time with an offset; needed for kind deadline' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  deadline?: string;
  @ApiPropertyOptional({ maxLength: 200, description: '堵点环节' }) @IsOptional() @IsString() @MaxLength(200) blockedStep?: string;
  @ApiPropertyOptional({ type: [Number], description: 'item ids linked to the problem' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  items?: number[];
}

export class LinkItemsDto {
  @ApiProperty({ type: [Number] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsInt({ each: true })
  @Min(1, { each: true })
  items: number[];
}

export class MeasureDto {
  @ApiProperty({ maxLength: 5000 }) @IsString() @IsNotEmpty() @MaxLength(5000) text: string;
}

export class DoneDto {
  @ApiProperty({ maxLength: 20000, description: 'evidence of the fix (整改成效)' }) @IsString() @IsNotEmpty() @MaxLength(20_000) evidence: string;
}

export class ListProblemsQuery {
  @ApiPropertyOptional({ enum: PROBLEM_STATUSES }) @IsOptional() @IsIn(PROBLEM_STATUSES) status?: ProblemStatus;
  @ApiPropertyOptional({ description: 'a responsible unit code' }) @IsOptional() @IsString() @MaxLength(64) unit?: string;
  @ApiPropertyOptional({ description: 'past the deadline and not yet reported done' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}

export class RejectDto {
  @ApiProperty({ maxLength: 2000, description: 'why the fix is not accepted (验收不通过)' }) @IsString() @IsNotEmpty() @MaxLength(2000) reason: string;
}
