import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public, Roles } from './auth.decorators.js';
import { CreateUserDto, LoginDto, LoginResponseDto, UserDto } from './auth.dto.js';
import { AuthService } from './auth.service.js';
import { clientBucket } from '../common/client-address.js';

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  @ApiOkResponse({ type: LoginResponseDto })
  login(@Body() dto: LoginDto, @Req() req: Request): Promise<LoginResponseDto> {
    return this.auth.login(dto.username, dto.password, clientBucket(req.ip));
  }

  @Roles('admin')
  @ApiBearerAuth()
  @Post('users')
  @ApiOkResponse({ type: UserDto })
  createUser(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.auth.createUser(dto);
  }
}
