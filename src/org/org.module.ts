import { Global, Module } from '@nestjs/common';
import { CatalogImportService } from './catalog-import.service.js';
import { CatalogCache } from './catalog.cache.js';
import { OrgController } from './org.controller.js';

@Global()
@Module({
  controllers: [OrgController],
  providers: [CatalogCache, CatalogImportService],
  exports: [CatalogCache, CatalogImportService],
})
export class OrgModule {}
