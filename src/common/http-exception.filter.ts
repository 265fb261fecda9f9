import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { DomainError, ErrorCode } from './domain-error.js';

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: HttpStatus.BAD_REQUEST,
  [ErrorCode.CatalogInvalid]: HttpStatus.BAD_REQUEST,
  [ErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorCode.InvalidCredentials]: HttpStatus.UNAUTHORIZED,
  [ErrorCode.TooManyAttempts]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorCode.Conflict]: HttpStatus.CONFLICT,
  [ErrorCode.TransitionNotAllowed]: HttpStatus.CONFLICT,
  [ErrorCode.PayloadTooLarge]: HttpStatus.PAYLOAD_TOO_LARGE,
  [ErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
};

/** One error shape for every answer: `{error: code, message, details?, requestId}`. Never a stack trace. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    answerError(exception, ctx.getRequest<Request & { id?: string }>(), ctx.getResponse<Response>(), this.logger);
  }
}

/** The filter's answer, also used by the handlers mounted outside the framework (the QR rating submit). */
export function answerError(exception: unknown, req: { id?: string }, res: ServerResponse, logger: Pick<Logger, 'error'>): void {
  let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let body: Record<string, unknown> = { error: 'internal', message: 'internal error' };

  if (exception instanceof DomainError) {
    status = STATUS[exception.code];
    body = { error: exception.code, message: exception.message };
    if (exception.details !== undefined) body.details = exception.details;
    if (exception.retryAfterSeconds) res.setHeader('Retry-After', String(exception.retryAfterSeconds));
  } else if (exception instanceof HttpException) {
    status = exception.getStatus();
    const r = exception.getResponse();
    const message = typeof r === 'string' ? r : ((r as { message?: unknown }).message ?? exception.message);
    body = {
      error: httpCode(status),
      message: Array.isArray(message) ? 'request is not valid' : String(message),
    };
    if (Array.isArray(message)) body.details = message;
  } else if (isBodyParserError(exception)) {
    status = exception.status;
    body = {
      error: status === 413 ? ErrorCode.PayloadTooLarge : status === 415 ? ErrorCode.UnsupportedMediaType : 'bad_request',
      message: status === 413 ? 'request body too large' : exception.message,
    };
  } else {
    logger.error({ err: exception, requestId: req.id }, 'unhandled error');
  }
  if (res.headersSent) return;
  // written on the bare response (what Express's json would write), so handlers outside the framework answer alike
  const json = JSON.stringify({ ...body, requestId: req.id });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return ErrorCode.ValidationFailed;
    case 401:
      return ErrorCode.Unauthenticated;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 413:
      return ErrorCode.PayloadTooLarge;
    case 415:
      return ErrorCode.UnsupportedMediaType;
    case 429:
      return ErrorCode.TooManyAttempts;
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}

function isBodyParserError(e: unknown): e is { status: number; message: string; type: string } {
  return typeof e === 'object' && e !== null && typeof (e as { status?: unknown }).status === 'number' && 'type' in e;
}
