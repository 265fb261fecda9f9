import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from './user.entity.js';

export class LoginDto {
  @ApiProperty() @IsString() @Length(1, 100) username: string;
  @ApiProperty() @IsString() @Length(1, 200) password: string;
}

export class LoginResponseDto {
  @ApiProperty() token: string;
  @ApiProperty({ enum: ROLES }) role: Role;
}

export class CreateUserDto {
  @ApiProperty({ example: 'scjg01' })
  @IsString()
  @Matches(/^[\p{L}\p{N}_.@-]{2,64}$/u, { message: 'username: 2–64 letters, digits or _ . @ -' })
  username: string;
  @ApiProperty({ minLength: 8 }) @IsString() @Length(8, 200) password: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role: Role;
  @ApiPropertyOptional({ description: 'unit code, required for unit_staff' }) @IsOptional() @IsString() @MaxLength(64) unit?: string;
}

export class UserDto {
  @ApiProperty() id: string;
  @ApiProperty() username: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ nullable: true, type: String }) unit: string | null;
}
