/**
 * The organisation catalogue as the rest of the hub sees it: plain data, the shape of the import format
 * (../shared/data/org/anping.yaml). Codes are stable identifiers; names and aliases are what people write.
 */
export const UNIT_LEVELS = [
  'province',
  'city',
  'district',
  'county',
  'town',
  'township',
  'street',
  'community',
  'village',
  'park',
  'outlet',
] as const;
export type UnitLevel = (typeof UNIT_LEVELS)[number];

export const UNIT_ROLES = ['triage', 'supervision'] as const;
export type UnitRole = (typeof UNIT_ROLES)[number];

export interface CatalogUnit {
  code: string;
  name: string;
  aliases: string[];
  parent: string | null;
  level: UnitLevel;
  role: UnitRole | null;
  email: string | null;
  /** optional: the kinds of department the unit is (config/routing/duties types); else inferred by the router */
  department?: string[];
}

export interface CatalogWindow {
  code: string;
  unit: string;
  name: string;
  location: string | null;
}

export interface CatalogStep {
  name: string;
  unit: string;
  /** committed working days for the step; 0 = done on the spot */
  days: number;
}

export interface CatalogServiceItem {
  code: string;
  name: string;
  unit: string;
  aliases: string[];
  steps: CatalogStep[];
}

export interface Catalog {
  region: string | null;
  units: CatalogUnit[];
  windows: CatalogWindow[];
  items: CatalogServiceItem[];
}
