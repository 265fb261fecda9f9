import { Body, Controller, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validateCatalog } from './catalog.parse.js';
import { CatalogImportService, type ImportResult } from './catalog-import.service.js';

@ApiTags('organisation')
@ApiBearerAuth()
@Controller('api/org')
export class OrgController {
  constructor(private readonly importer: CatalogImportService) {}

  /** The catalogue as YAML (application/yaml) or JSON; all or nothing; 400 lists every problem with its path. */
  @Roles('admin')
  @Post('import')
  @HttpCode(200)
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({ description: 'the catalogue, in the format of ../shared/data/org/anping.yaml', schema: { type: 'string' } })
  async import(@Body() body: unknown, @Headers('content-type') type: string | undefined): Promise<ImportResult> {
    if (typeof body === 'string') return this.importer.importText(body);
    if (type?.includes('json') && body && typeof body === 'object') {
      const parsed = validateCatalog(body);
      if (!parsed.catalog) {
        throw new DomainError(ErrorCode.CatalogInvalid, `the catalogue has ${parsed.problems.length} problem(s); nothing was changed`, {
          problems: parsed.problems,
          warnings: parsed.warnings,
        });
      }
      const r = await this.importer.importCatalog(parsed.catalog);
      return { ...r, warnings: parsed.warnings };
    }
    throw new DomainError(ErrorCode.UnsupportedMediaType, 'send the catalogue as application/yaml or application/json');
  }
}
