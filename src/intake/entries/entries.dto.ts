import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

export const STAFF_CHANNELS = ['suggestion_box', 'phone', 'walkthrough'] as const;
export type StaffChannel = (typeof STAFF_CHANNELS)[number];

export class ContactDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) name?: string;
  @ApiPropertyOptional({ example: '13812345678' })
  @IsOptional()
  @Matches(/^\+?[\d\s-]{3,20}$/, { message: 'contact.phone: digits, spaces, - and a leading + only (3–20)' })
  phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsEmail({}, { message: 'contact.email: not a mail address' }) @MaxLength(200) email?: string;
}

/** A suggestion-box slip, a complaint call or a walk-through finding typed in by hall staff. */
export class CreateEntryDto {
  @ApiProperty({ enum: STAFF_CHANNELS }) @IsIn(STAFF_CHANNELS) channel: StaffChannel;
  @ApiProperty({ maxLength: 20000 }) @IsString() @Length(1, 20000) text: string;
  @ApiPropertyOptional({ description: 'which box or line it came from, e.g. 一楼大厅意见箱' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;
  @ApiPropertyOptional({ type: ContactDto }) @IsOptional() @ValidateNested() @Type(() => ContactDto) contact?: ContactDto;
  @ApiPropertyOptional({ description: 'window code' }) @IsOptional() @IsString() @MaxLength(64) window?: string;
  @ApiPropertyOptional({ description: 'service item code' }) @IsOptional() @IsString() @MaxLength(64) item?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) caseNo?: string;
  @ApiPropertyOptional({ description: 'when the slip was written or the call came in (ISO 8601); default now' })
  @IsOptional()
  @IsDateString({ strict: true })
  receivedAt?: string;
  @ApiPropertyOptional({ description: 'the slip or call number; a second entry with the same number is the same item' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  externalId?: string;
}
