import { Injectable, Logger } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { parseCatalogText } from './catalog.parse.js';
import type { Catalog } from './catalog.types.js';
import { CatalogCache } from './catalog.cache.js';

export interface ImportCounts {
  units: number;
  windows: number;
  items: number;
}

export interface ImportResult extends ImportCounts {
  changes: { created: number; updated: number; deactivated: number; reactivated: number };
  warnings: string[];
}

/**
 * Upserts the catalogue by code in one transaction: all or nothing. Rows are written only when they differ, so
 * re-importing the same file changes nothing; a unit, window or item missing from the file is deactivated, never
 * deleted (items point to it).
 */
@Injectable()
export class CatalogImportService {
  private readonly logger = new Logger(CatalogImportService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly cache: CatalogCache,
  ) {}

  async importText(text: string): Promise<ImportResult> {
    const parsed = parseCatalogText(text);
    if (!parsed.catalog) {
      throw new DomainError(ErrorCode.CatalogInvalid, `the catalogue has ${parsed.problems.length} problem(s); nothing was changed`, {
        problems: parsed.problems,
        warnings: parsed.warnings,
      });
    }
    const result = await this.importCatalog(parsed.catalog);
    result.warnings = parsed.warnings;
    return result;
  }

  async importCatalog(catalog: Catalog): Promise<ImportResult> {
    const changes = { created: 0, updated: 0, deactivated: 0, reactivated: 0 };
    await this.ds.transaction(async (m) => {
      // one import at a time, across every copy of the service
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('feedback-hub:catalog-import'))`);
      const unitIds = await this.upsertUnits(m, catalog, changes);
      await this.upsertWindows(m, catalog, unitIds, changes);
      await this.upsertItems(m, catalog, unitIds, changes);
    });
    await this.cache.invalidate();
    const counts = { units: catalog.units.length, windows: catalog.windows.length, items: catalog.items.length };
    this.logger.log({ ...counts, ...changes }, 'catalogue imported');
    return { ...counts, changes, warnings: [] };
  }

  private async upsertUnits(m: EntityManager, c: Catalog, changes: ImportResult['changes']): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const u of c.units) {
      const parentId = u.parent ? (ids.get(u.parent) ?? null) : null;
      const rows: { id: string; inserted: boolean; was_active: boolean | null }[] = await m.query(
        `WITH old AS (SELECT id, active FROM unit WHERE code = $1)
         INSERT INTO unit (code, name, aliases, parent_id, level, role, email, department, active)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, aliases = EXCLUDED.aliases, parent_id = EXCLUDED.parent_id,
           level = EXCLUDED.level, role = EXCLUDED.role, email = EXCLUDED.email, department = EXCLUDED.department, active = true, updated_at = now()
         WHERE (unit.name, unit.aliases, unit.parent_id, unit.level, unit.role, unit.email, unit.department, unit.active)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.aliases, EXCLUDED.parent_id, EXCLUDED.level, EXCLUDED.role, EXCLUDED.email, EXCLUDED.department, true)
         RETURNING id, (xmax = 0) AS inserted, (SELECT active FROM old) AS was_active`,
        [u.code, u.name, u.aliases, parentId, u.level, u.role, u.email, u.department ?? []],
      );
      if (rows.length) {
        count(rows[0], changes);
        ids.set(u.code, rows[0].id);
      } else {
        const [row] = await m.query(`SELECT id FROM unit WHERE code = $1`, [u.code]);
        ids.set(u.code, row.id);
      }
    }
    const [gone] = await m.query(
      `WITH g AS (UPDATE unit SET active = false, updated_at = now() WHERE active AND NOT (code = ANY($1)) RETURNING 1)
       SELECT count(*)::int AS n FROM g`, [
      c.units.map((u) => u.code),
    ]);
    changes.deactivated += gone.n;
    return ids;
  }

  private async upsertWindows(m: EntityManager, c: Catalog, unitIds: Map<string, string>, changes: ImportResult['changes']): Promise<void> {
    for (const w of c.windows) {
      const rows = await m.query(
        `WITH old AS (SELECT active FROM service_window WHERE code = $1)
         INSERT INTO service_window (code, unit_id, name, location, active) VALUES ($1, $2, $3, $4, true)
         ON CONFLICT (code) DO UPDATE SET unit_id = EXCLUDED.unit_id, name = EXCLUDED.name, location = EXCLUDED.location,
           active = true, updated_at = now()
         WHERE (service_window.unit_id, service_window.name, service_window.location, service_window.active)
           IS DISTINCT FROM (EXCLUDED.unit_id, EXCLUDED.name, EXCLUDED.location, true)
         RETURNING (xmax = 0) AS inserted, (SELECT active FROM old) AS was_active`,
        [w.code, unitIds.get(w.unit), w.name, w.location],
      );
      if (rows.length) count(rows[0], changes);
    }
    const [gone] = await m.query(
      `WITH g AS (UPDATE service_window SET active = false, updated_at = now() WHERE active AND NOT (code = ANY($1)) RETURNING 1)
       SELECT count(*)::int AS n FROM g`,
      [c.windows.map((w) => w.code)],
    );
    changes.deactivated += gone.n;
  }

  private async upsertItems(m: EntityManager, c: Catalog, unitIds: Map<string, string>, changes: ImportResult['changes']): Promise<void> {
    for (const it of c.items) {
      const rows = await m.query(
        `WITH old AS (SELECT active FROM service_item WHERE code = $1)
         INSERT INTO service_item (code, name, aliases, unit_id, steps, active) VALUES ($1, $2, $3, $4, $5::jsonb, true)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, aliases = EXCLUDED.aliases, unit_id = EXCLUDED.unit_id,
           steps = EXCLUDED.steps, active = true, updated_at = now()
         WHERE (service_item.name, service_item.aliases, service_item.unit_id, service_item.steps, service_item.active)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.aliases, EXCLUDED.unit_id, EXCLUDED.steps, true)
         RETURNING (xmax = 0) AS inserted, (SELECT active FROM old) AS was_active`,
        [it.code, it.name, it.aliases, unitIds.get(it.unit), JSON.stringify(it.steps)],
      );
      if (rows.length) count(rows[0], changes);
    }
    const [gone] = await m.query(
      `WITH g AS (UPDATE service_item SET active = false, updated_at = now() WHERE active AND NOT (code = ANY($1)) RETURNING 1)
       SELECT count(*)::int AS n FROM g`,
      [c.items.map((i) => i.code)],
    );
    changes.deactivated += gone.n;
  }
}

function count(row: { inserted: boolean; was_active: boolean | null }, changes: ImportResult['changes']): void {
  if (row.inserted) changes.created++;
  else if (row.was_active === false) changes.reactivated++;
  else changes.updated++;
}
