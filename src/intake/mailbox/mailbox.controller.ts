import { Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators.js';
import { MailboxService, type PollResult } from './mailbox.service.js';

@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/intake/mailbox')
export class MailboxController {
  constructor(private readonly mailbox: MailboxService) {}

  /** Polls once now: `{fetched, created, threaded, failed}` (plus automatic and duplicates). */
  @Roles('admin')
  @Post('poll')
  @HttpCode(200)
  poll(): Promise<PollResult> {
    return this.mailbox.poll();
  }

  @Roles('admin', 'supervisor')
  @Get('failures')
  failures(): ReturnType<MailboxService['failures']> {
    return this.mailbox.failures();
  }

  @Roles('admin', 'supervisor')
  @Post('failures/:id/retry')
  @HttpCode(200)
  retry(@Param('id', ParseIntPipe) id: number): ReturnType<MailboxService['retry']> {
    return this.mailbox.retry(id);
  }
}
