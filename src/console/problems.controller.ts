import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages } from './console-pages.js';

/** Console: 问题整改 (being built). */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleProblemsController {
  constructor(private readonly pages: ConsolePages) {}
}
