import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class PersonQuery {
  @ApiProperty({ description: 'the person: a phone number (7+ digits, any spacing) or a mail address', example: '13812345678' })
  @IsString()
  @MaxLength(200)
  person!: string;
}

export class RetentionRunBody {
  @ApiPropertyOptional({ description: 'months to keep (default HUB_PERSONAL_DATA_MONTHS)', minimum: 1, maximum: 1200 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1200)
  months?: number;
}

export const AUDIT_ACTIONS = ['item_view', 'items_export', 'person_export', 'person_erase', 'retention_erase'] as const;

export class AuditQuery {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS }) @IsOptional() @IsIn(AUDIT_ACTIONS) action?: (typeof AUDIT_ACTIONS)[number];
  @ApiPropertyOptional({ description: 'user name' }) @IsOptional() @IsString() @MaxLength(100) actor?: string;
  @ApiPropertyOptional({ default: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1_000_000) page?: number;
  @ApiPropertyOptional({ default: 50, maximum: 500 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize?: number;
}
