import { readFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuthService } from './auth/auth.service.js';
import type { HubConfig } from './config/config.js';
import { CatalogImportService } from './org/catalog-import.service.js';

export interface SeedReport {
  catalogImported: { units: number; windows: number; items: number } | null;
  admin: { created: boolean; reset: boolean; generatedPassword: string | null };
}

/**
 * First-start work, safe to run on every start and from several copies at once: import the catalogue when the
 * store has no units, then create or reset the admin account.
 */
export async function seed(app: INestApplication, config: HubConfig): Promise<SeedReport> {
  const ds = app.get(DataSource);
  let catalogImported: SeedReport['catalogImported'] = null;
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM unit`);
  if (n === 0) {
    const r = await app.get(CatalogImportService).importText(readFileSync(config.catalogPath, 'utf8'));
    catalogImported = { units: r.units, windows: r.windows, items: r.items };
  }
  const admin = await app.get(AuthService).ensureAdmin();
  return { catalogImported, admin };
}
