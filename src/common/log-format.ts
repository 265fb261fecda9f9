import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

export type LogFormatSetting = 'auto' | 'json' | 'pretty';
export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines are the format for machines (a log collector, `docker logs | jq`); a person at a terminal gets readable
 * lines. `auto` decides by whether stdout is a terminal, so `npm start` in a shell is readable and the same build
 * under systemd, Docker or a pipe writes JSON.
 */
export function chooseLogFormat(setting: LogFormatSetting, stdoutIsTty: boolean): LogFormat {
  if (setting === 'auto') return stdoutIsTty ? 'pretty' : 'json';
  return setting;
}

/** Where pino writes: stdout as JSON (pino's default, undefined here), or pino-pretty's lines, synchronously. */
export function logDestination(format: LogFormat): DestinationStream | undefined {
  if (format === 'json') return undefined;
  // sync: a line is on the screen before the next start-up message, and none is lost on exit
  return pretty({
    sync: true,
    colorize: true,
    translateTime: 'SYS:HH:MM:ss',
    // "IntakeService: item received {…}" and "GET /api/items 200 12 ms" rather than the request's whole record
    messageFormat: '{if context}{context}: {end}{msg}{if req.method} {req.method} {req.url} {res.statusCode} {responseTime} ms{end}',
    ignore: 'pid,hostname,context,req,res,responseTime',
    singleLine: true,
  });
}

/** The framework's start-up chatter: one line per module, controller and route (≈ 150 lines). */
const CHATTER = new Set(['RouterExplorer', 'RoutesResolver', 'InstanceLoader']);

/**
 * Wraps the application logger so Nest's route-mapping and module-loading lines are logged at debug, not info:
 * `LOG_LEVEL=debug` still shows them; at the default level start-up is a few lines.
 */
export class QuietStartupLogger implements LoggerService {
  constructor(private readonly inner: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && CHATTER.has(context)) {
      this.inner.debug?.(message, ...params);
      return;
    }
    this.inner.log(message, ...params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.inner.error(message, ...params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.inner.warn(message, ...params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.inner.debug?.(message, ...params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.inner.verbose?.(message, ...params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.inner.fatal?.(message, ...params);
  }
}
