import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';

/** One work order forwarded by the hotline system (the same fields as a row of its export). */
export class HotlineOrderDto {
  @ApiProperty({ description: '工单编号' }) @IsString() @Length(1, 100) orderNo: string;
  @ApiProperty({ description: '来电时间, ISO 8601 or "2026-11-09 17:21:00" (China time)' }) @IsString() @Length(1, 50) receivedAt: string;
  @ApiPropertyOptional({ description: '来电人' }) @IsOptional() @IsString() @MaxLength(100) caller?: string;
  @ApiPropertyOptional({ description: '联系电话' }) @IsOptional() @IsString() @MaxLength(50) phone?: string;
  @ApiProperty({ description: '诉求类型: 咨询/求助/投诉/举报/建议/表扬' }) @IsString() @Length(1, 50) appealType: string;
  @ApiPropertyOptional({ description: '诉求标题' }) @IsOptional() @IsString() @MaxLength(500) title?: string;
  @ApiProperty({ description: '诉求内容' }) @IsString() @Length(1, 10000) content: string;
  @ApiPropertyOptional({ description: '承办单位, as the hotline wrote it' }) @IsOptional() @IsString() @MaxLength(200) assignedUnit?: string;
  @ApiPropertyOptional({ description: '办理时限' }) @IsOptional() @IsString() @MaxLength(100) deadline?: string;
  @ApiPropertyOptional({ description: '所属区域' }) @IsOptional() @IsString() @MaxLength(100) region?: string;
}
