import type { LoggerService } from '@nestjs/common';
import { chooseLogFormat, QuietStartupLogger } from './log-format.js';

describe('log format', () => {
  it('is JSON lines unless stdout is a terminal, and follows LOG_FORMAT when set', () => {
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it("logs Nest's route mapping and module loading at debug, everything else as it came", () => {
    const calls: [string, unknown[]][] = [];
    const inner: LoggerService = {
      log: (...a: unknown[]) => void calls.push(['log', a]),
      error: (...a: unknown[]) => void calls.push(['error', a]),
      warn: (...a: unknown[]) => void calls.push(['warn', a]),
      debug: (...a: unknown[]) => void calls.push(['debug', a]),
    };
    const logger = new QuietStartupLogger(inner);
    logger.log('Mapped {/api/items, GET} route', 'RouterExplorer');
    logger.log('ItemsController {/api/items}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log({ itemId: 1 }, 'item received', 'IntakeService');
    logger.warn('no calendar for 2027', 'DeadlinesService');
    expect(calls.map(([level, a]) => `${level}:${String(a[a.length - 1])}`)).toEqual([
      'debug:RouterExplorer',
      'debug:RoutesResolver',
      'debug:InstanceLoader',
      'log:IntakeService',
      'warn:DeadlinesService',
    ]);
  });
});
