/**
 * Minimal reader of the catalogue import format (YAML) for the evaluation CLI, the seed-training script and tests.
 * It trusts the file's shape; validation with every problem reported belongs to the org import.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Catalog, CatalogServiceItem, CatalogUnit, CatalogWindow, UnitLevel, UnitRole } from '../org/catalog.types.js';

type Loose = Record<string, unknown>;
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const list = (v: unknown): Loose[] => (Array.isArray(v) ? (v as Loose[]) : []);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter(Boolean) : []);

export function catalogFromObject(doc: unknown): Catalog {
  const root = (doc ?? {}) as Loose;
  const units: CatalogUnit[] = list(root.units).map((u) => ({
    code: str(u.code),
    name: str(u.name),
    aliases: strings(u.aliases),
    parent: u.parent ? str(u.parent) : null,
    level: str(u.level) as UnitLevel,
    role: u.role ? (str(u.role) as UnitRole) : null,
    email: u.email ? str(u.email) : null,
    ...(u.department ? { department: Array.isArray(u.department) ? strings(u.department) : [str(u.department)] } : {}),
    ...(u.active === false ? { active: false } : {}),
  }));
  const windows: CatalogWindow[] = list(root.windows).map((w) => ({
    code: str(w.code),
    unit: str(w.unit),
    name: str(w.name),
    location: w.location ? str(w.location) : null,
  }));
  const items: CatalogServiceItem[] = list(root.items).map((i) => ({
    code: str(i.code),
    name: str(i.name),
    unit: str(i.unit),
    aliases: strings(i.aliases),
    steps: list(i.steps).map((s) => ({ name: str(s.name), unit: str(s.unit), days: Number(s.days ?? 0) })),
  }));
  return { region: root.region ? str(root.region) : null, units, windows, items };
}

export function loadCatalogYaml(path: string): Catalog {
  return catalogFromObject(parse(readFileSync(path, 'utf8')));
}
