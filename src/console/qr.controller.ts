import { Controller, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { ConsoleErrorFilter } from './console-error.filter.js';
import { ConsolePages } from './console-pages.js';

/** Console: 二维码 (being built). */
@ApiExcludeController()
@Public()
@UseFilters(ConsoleErrorFilter)
@Controller('console')
export class ConsoleQrController {
  constructor(private readonly pages: ConsolePages) {}
}
