import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Catalog, CatalogStep, UnitLevel, UnitRole } from './catalog.types.js';

export interface CatalogSnapshot {
  /** active units, windows and items only: what classification and routing may choose */
  catalog: Catalog;
  version: string;
  unitIdByCode: Map<string, string>;
  unitCodeById: Map<string, string>;
  windowIdByCode: Map<string, string>;
  itemIdByCode: Map<string, string>;
  /** active windows with what the QR page shows and the key version of their printed codes */
  windowInfo: Map<string, { code: string; name: string; location: string | null; unitName: string; qrVersion: number }>;
  triageUnitCode: string | null;
  supervisionUnitCode: string | null;
}

const CHECK_EVERY_MS = 3000;

/**
 * The active catalogue, read from the store and kept in memory. Each copy of the service checks a cheap version
 * stamp every few seconds, so an import made through any copy reaches all of them without a restart.
 */
@Injectable()
export class CatalogCache {
  private snapshot: CatalogSnapshot | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private loading: Promise<CatalogSnapshot> | null = null;
  private readonly listeners: ((s: CatalogSnapshot) => void)[] = [];

  constructor(private readonly ds: DataSource) {}

  onChange(listener: (s: CatalogSnapshot) => void): void {
    this.listeners.push(listener);
  }

  async get(): Promise<CatalogSnapshot> {
    if (this.snapshot && performance.now() - this.checkedAt < CHECK_EVERY_MS) return this.snapshot;
    this.loading ??= this.refresh().finally(() => (this.loading = null));
    return this.loading;
  }

  async invalidate(): Promise<CatalogSnapshot> {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    return this.get();
  }

  private async refresh(): Promise<CatalogSnapshot> {
    const [{ version }] = await this.ds.query(
      `SELECT concat_ws('/', (SELECT max(updated_at) FROM unit), (SELECT count(*) FROM unit),
         (SELECT max(updated_at) FROM service_window), (SELECT count(*) FROM service_window),
         (SELECT max(updated_at) FROM service_item), (SELECT count(*) FROM service_item)) AS version`,
    );
    this.checkedAt = performance.now();
    if (this.snapshot && this.snapshot.version === version) return this.snapshot;
    const snapshot = await this.load(version);
    this.snapshot = snapshot;
    for (const l of this.listeners) l(snapshot);
    return snapshot;
  }

  private async load(version: string): Promise<CatalogSnapshot> {
    const units: {
      id: string;
      code: string;
      name: string;
      aliases: string[];
      parent: string | null;
      level: UnitLevel;
      role: UnitRole | null;
      email: string | null;
      department: string[] | null;
      active: boolean;
    }[] = await this.ds.query(
      `SELECT u.id, u.code, u.name, u.aliases, p.code AS parent, u.level, u.role, u.email, u.department, u.active
       FROM unit u LEFT JOIN unit p ON p.id = u.parent_id ORDER BY u.code`,
    );
    const windows: { id: string; code: string; unit: string; name: string; location: string | null; qr_version: number; unit_name: string }[] =
      await this.ds.query(
        `SELECT w.id, w.code, u.code AS unit, w.name, w.location, w.qr_version, u.name AS unit_name
         FROM service_window w JOIN unit u ON u.id = w.unit_id WHERE w.active AND u.active ORDER BY w.code`,
      );
    const items: { id: string; code: string; name: string; unit: string; aliases: string[]; steps: CatalogStep[] }[] =
      await this.ds.query(
        `SELECT i.id, i.code, i.name, u.code AS unit, i.aliases, i.steps FROM service_item i JOIN unit u ON u.id = i.unit_id
         WHERE i.active ORDER BY i.code`,
      );
    const active = units.filter((u) => u.active);
    const pick = (role: UnitRole): string | null => {
      const candidates = active.filter((u) => u.role === role);
      // the one highest in the hierarchy when there are several
      const depth = (code: string): number => {
        let d = 0;
        let cur = active.find((u) => u.code === code)?.parent ?? null;
        while (cur && d < 50) {
          d++;
          cur = units.find((u) => u.code === cur)?.parent ?? null;
        }
        return d;
      };
      return candidates.sort((a, b) => depth(a.code) - depth(b.code) || a.code.localeCompare(b.code))[0]?.code ?? null;
    };
    return {
      version,
      catalog: {
        region: null,
        units: active.map(({ code, name, aliases, parent, level, role, email, department }) => ({
          code,
          name,
          aliases,
          parent,
          level,
          role,
          email,
          ...(department?.length ? { department } : {}),
        })),
        windows: windows.map(({ code, unit, name, location }) => ({ code, unit, name, location })),
        items: items.map(({ code, name, unit, aliases, steps }) => ({ code, name, unit, aliases, steps })),
      },
      unitIdByCode: new Map(units.map((u) => [u.code, u.id])),
      unitCodeById: new Map(units.map((u) => [u.id, u.code])),
      windowIdByCode: new Map(windows.map((w) => [w.code, w.id])),
      itemIdByCode: new Map(items.map((i) => [i.code, i.id])),
      windowInfo: new Map(
        windows.map((w) => [w.code, { code: w.code, name: w.name, location: w.location, unitName: w.unit_name, qrVersion: w.qr_version }]),
      ),
      triageUnitCode: pick('triage'),
      supervisionUnitCode: pick('supervision'),
    };
  }
}
