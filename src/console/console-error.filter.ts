import { ArgumentsHost, Catch, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { L, layout, messageBody, sendPage } from './layout.js';

/** Anything the handlers did not turn into a page: a Chinese page, never a stack trace or JSON. */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('console');
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    if (exception instanceof DomainError && exception.code === ErrorCode.NotFound) {
      return sendPage(res, 404, layout({ title: L.notFoundTitle, body: messageBody(L.notFoundTitle, L.notFoundBody) }));
    }
    const status = typeof (exception as { status?: unknown })?.status === 'number' ? (exception as { status: number }).status : 500;
    if (status >= 500) this.logger.error({ err: exception }, 'console page failed');
    sendPage(res, status >= 400 && status < 600 ? status : 500, layout({ title: L.errorTitle, body: messageBody(L.errorTitle, L.errorBody) }));
  }
}
