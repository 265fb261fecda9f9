import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

const NOTE = 2000;
const TEXT = 20_000;

export class NoteDto {
  @ApiPropertyOptional({ maxLength: NOTE }) @IsOptional() @IsString() @MaxLength(NOTE) note?: string;
}

export class ReasonDto {
  @ApiProperty({ maxLength: NOTE }) @IsString() @IsNotEmpty() @MaxLength(NOTE) reason: string;
}

export class ReopenDto {
  @ApiPropertyOptional({ maxLength: NOTE }) @IsOptional() @IsString() @MaxLength(NOTE) reason?: string;
}

export class AnswerDto {
  @ApiProperty({ maxLength: TEXT, description: 'the answer to the person (mailed to them when they wrote by mail)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEXT)
  text: string;
}

export class CallbackDto {
  @ApiProperty({ description: 'the person is satisfied: closes the item; not satisfied: reopens it' }) @IsBoolean() satisfied: boolean;
  @ApiPropertyOptional({ maxLength: NOTE }) @IsOptional() @IsString() @MaxLength(NOTE) note?: string;
}

export class DispatchDto {
  @ApiProperty({ description: 'unit code' }) @IsString() @IsNotEmpty() @MaxLength(64) unit: string;
  @ApiProperty({ maxLength: NOTE }) @IsString() @IsNotEmpty() @MaxLength(NOTE) reason: string;
}

export class ExtensionDto {
  @ApiProperty({ minimum: 1, maximum: 60, description: 'working days asked for' }) @IsInt() @Min(1) @Max(60) days: number;
  @ApiProperty({ maxLength: NOTE }) @IsString() @IsNotEmpty() @MaxLength(NOTE) reason: string;
}

export class ExtensionDecisionDto {
  @ApiProperty() @IsBoolean() approve: boolean;
  @ApiPropertyOptional({ maxLength: NOTE }) @IsOptional() @IsString() @MaxLength(NOTE) note?: string;
}

export class AppealDecisionDto {
  @ApiProperty({ description: 'upheld: the rating is marked invalid (kept, excluded from the figures)' }) @IsBoolean() uphold: boolean;
  @ApiPropertyOptional({ maxLength: NOTE }) @IsOptional() @IsString() @MaxLength(NOTE) note?: string;
}
