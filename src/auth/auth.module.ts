import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { AccountsService } from './accounts.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [HUB_CONFIG],
      useFactory: (c: HubConfig) => ({ secret: `token:${c.secret}`, signOptions: { algorithm: 'HS256' } }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, AccountsService, LoginThrottle, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, AccountsService],
})
export class AuthModule {}
