import { defaultDutyBook } from '../routing/catalog-index.js';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import {
  UNIT_LEVELS,
  UNIT_ROLES,
  type Catalog,
  type CatalogServiceItem,
  type CatalogStep,
  type CatalogUnit,
  type CatalogWindow,
  type UnitLevel,
  type UnitRole,
} from './catalog.types.js';

export interface CatalogParseResult {
  catalog: Catalog | null;
  /** everything that makes the catalogue unusable, each with its path: `items[3].steps[1].unit: unknown unit "XX"` */
  problems: string[];
  /** accepted but worth a look (unknown keys, no supervision unit, …) */
  warnings: string[];
}

const CODE_RE = /^[\p{L}\p{N}_.\-/]{1,64}$/u;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const KNOWN = {
  root: ['region', 'units', 'windows', 'items'],
  unit: ['code', 'name', 'aliases', 'parent', 'level', 'role', 'email', 'department'],
  window: ['code', 'unit', 'name', 'location'],
  item: ['code', 'name', 'unit', 'aliases', 'steps'],
  step: ['name', 'unit', 'days'],
};

/** Parses a catalogue in YAML or JSON (JSON is YAML) and checks it whole: every problem is reported at once. */
export function parseCatalogText(text: string): CatalogParseResult {
  let doc: unknown;
  try {
    doc = parseYaml(text.replace(/^\uFEFF/, ''), { maxAliasCount: 100, uniqueKeys: true });
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    return { catalog: null, problems: [`not valid YAML or JSON${where}: ${(e as Error).message.split('\n')[0]}`], warnings: [] };
  }
  return validateCatalog(doc);
}

export function validateCatalog(doc: unknown): CatalogParseResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (!isObject(doc)) return { catalog: null, problems: ['the catalogue must be a mapping with units, windows and items'], warnings };
  unknownKeys(doc, KNOWN.root, '', warnings);

  const str = (v: unknown, path: string, opts: { required: boolean; max?: number }): string | null => {
    if (v === undefined || v === null || v === '') {
      if (opts.required) problems.push(`${path}: required`);
      return null;
    }
    if (typeof v === 'number') v = String(v);
    if (typeof v !== 'string') {
      problems.push(`${path}: must be text`);
      return null;
    }
    const s = v.trim();
    if (opts.max && s.length > opts.max) problems.push(`${path}: longer than ${opts.max} characters`);
    return s;
  };
  const code = (v: unknown, path: string): string | null => {
    const s = str(v, path, { required: true });
    if (s !== null && !CODE_RE.test(s)) problems.push(`${path}: "${s}" is not a valid code (letters, digits, _ . - /; at most 64)`);
    return s;
  };
  const list = (v: unknown, path: string): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      problems.push(`${path}: must be a list`);
      return [];
    }
    return v;
  };
  const aliases = (v: unknown, path: string): string[] =>
    list(v, path)
      .map((a, i) => str(a, `${path}[${i}]`, { required: true, max: 100 }))
      .filter((a): a is string => a !== null);

  // a unit's department types: one type or a list, each one of config/routing/duties
  const knownTypes = defaultDutyBook().types;
  const departments = (v: unknown, path: string): string[] => {
    if (v === undefined || v === null) return [];
    const raw = typeof v === 'string' ? [v] : list(v, path);
    return raw
      .map((t, i) => str(t, `${path}[${i}]`, { required: true, max: 60 }))
      .filter((t): t is string => {
        if (t === null) return false;
        if (!knownTypes.has(t)) {
          problems.push(`${path}: "${t}" is not a department type (config/routing/duties: ${[...knownTypes.keys()].sort().join(', ')})`);
          return false;
        }
        return true;
      });
  };

  const region = str(doc.region, 'region', { required: false, max: 100 });

  // ---- units
  const rawUnits = list(doc.units, 'units');
  if (doc.units === undefined) problems.push('units: required');
  else if (rawUnits.length === 0 && Array.isArray(doc.units)) problems.push('units: at least one unit is required');
  const units: CatalogUnit[] = [];
  const unitPaths = new Map<string, string>();
  rawUnits.forEach((u, i) => {
    const p = `units[${i}]`;
    if (!isObject(u)) return void problems.push(`${p}: must be a mapping`);
    unknownKeys(u, KNOWN.unit, p, warnings);
    const c = code(u.code, `${p}.code`);
    const name = str(u.name, `${p}.name`, { required: true, max: 200 });
    const parent = u.parent === undefined || u.parent === null ? null : str(u.parent, `${p}.parent`, { required: false });
    let level = str(u.level, `${p}.level`, { required: true });
    if (level !== null && !(UNIT_LEVELS as readonly string[]).includes(level)) {
      problems.push(`${p}.level: "${level}" is not one of ${UNIT_LEVELS.join(', ')}`);
      level = null;
    }
    let role = str(u.role, `${p}.role`, { required: false });
    if (role !== null && !(UNIT_ROLES as readonly string[]).includes(role)) {
      problems.push(`${p}.role: "${role}" is not one of ${UNIT_ROLES.join(', ')}`);
      role = null;
    }
    const email = str(u.email, `${p}.email`, { required: false, max: 200 });
    if (email !== null && !EMAIL_RE.test(email)) problems.push(`${p}.email: "${email}" is not a mail address`);
    if (c !== null) {
      if (unitPaths.has(c)) problems.push(`${p}.code: duplicate unit "${c}" (also ${unitPaths.get(c)})`);
      else unitPaths.set(c, p);
    }
    const department = departments(u.department, `${p}.department`);
    if (c && name && level) {
      units.push({
        code: c,
        name,
        aliases: aliases(u.aliases, `${p}.aliases`),
        parent,
        level: level as UnitLevel,
        role: role as UnitRole | null,
        email,
        ...(department.length ? { department } : {}),
      });
    }
  });
  const unitCodes = new Set(unitPaths.keys());
  units.forEach((u) => {
    const p = unitPaths.get(u.code) as string;
    if (u.parent !== null && !unitCodes.has(u.parent)) problems.push(`${p}.parent: unknown unit "${u.parent}"`);
    if (u.parent === u.code) problems.push(`${p}.parent: a unit cannot be its own parent`);
  });
  // cycles in the hierarchy
  const parentOf = new Map(units.map((u) => [u.code, u.parent]));
  for (const u of units) {
    const seen = new Set<string>([u.code]);
    let cur = parentOf.get(u.code) ?? null;
    while (cur !== null && parentOf.has(cur)) {
      if (seen.has(cur)) {
        if (cur === u.code) problems.push(`${unitPaths.get(u.code)}.parent: the hierarchy loops back to "${u.code}"`);
        break;
      }
      seen.add(cur);
      cur = parentOf.get(cur) ?? null;
    }
  }
  if (rawUnits.length && !units.some((u) => u.role === 'triage')) {
    problems.push('units: no unit has role triage (it receives what no rule can route)');
  }
  if (rawUnits.length && !units.some((u) => u.role === 'supervision')) {
    warnings.push('units: no unit has role supervision; misconduct reports will go to the triage unit only');
  }

  const unitRef = (v: unknown, path: string): string | null => {
    const s = str(v, path, { required: true });
    if (s !== null && !unitCodes.has(s)) {
      problems.push(`${path}: unknown unit "${s}"`);
      return null;
    }
    return s;
  };

  // ---- windows
  const windows: CatalogWindow[] = [];
  const windowPaths = new Map<string, string>();
  list(doc.windows, 'windows').forEach((w, i) => {
    const p = `windows[${i}]`;
    if (!isObject(w)) return void problems.push(`${p}: must be a mapping`);
    unknownKeys(w, KNOWN.window, p, warnings);
    const c = code(w.code, `${p}.code`);
    const unit = unitRef(w.unit, `${p}.unit`);
    const name = str(w.name, `${p}.name`, { required: true, max: 200 });
    const location = str(w.location, `${p}.location`, { required: false, max: 200 });
    if (c !== null) {
      if (windowPaths.has(c)) problems.push(`${p}.code: duplicate window "${c}" (also ${windowPaths.get(c)})`);
      else windowPaths.set(c, p);
    }
    if (c && unit && name) windows.push({ code: c, unit, name, location });
  });

  // ---- service items
  const items: CatalogServiceItem[] = [];
  const itemPaths = new Map<string, string>();
  list(doc.items, 'items').forEach((it, i) => {
    const p = `items[${i}]`;
    if (!isObject(it)) return void problems.push(`${p}: must be a mapping`);
    unknownKeys(it, KNOWN.item, p, warnings);
    const c = code(it.code, `${p}.code`);
    const name = str(it.name, `${p}.name`, { required: true, max: 200 });
    const unit = unitRef(it.unit, `${p}.unit`);
    const steps: CatalogStep[] = [];
    list(it.steps, `${p}.steps`).forEach((s, j) => {
      const sp = `${p}.steps[${j}]`;
      if (!isObject(s)) return void problems.push(`${sp}: must be a mapping`);
      unknownKeys(s, KNOWN.step, sp, warnings);
      const sname = str(s.name, `${sp}.name`, { required: true, max: 100 });
      const sunit = unitRef(s.unit, `${sp}.unit`);
      let days: number | null = null;
      if (s.days === undefined || s.days === null) problems.push(`${sp}.days: required`);
      else if (typeof s.days !== 'number' || !Number.isFinite(s.days) || s.days < 0 || s.days > 365) {
        problems.push(`${sp}.days: must be a number of working days from 0 to 365`);
      } else days = s.days;
      if (sname && sunit && days !== null) steps.push({ name: sname, unit: sunit, days });
    });
    if (c !== null) {
      if (itemPaths.has(c)) problems.push(`${p}.code: duplicate item "${c}" (also ${itemPaths.get(c)})`);
      else itemPaths.set(c, p);
    }
    if (c && name && unit) items.push({ code: c, name, unit, aliases: aliases(it.aliases, `${p}.aliases`), steps });
  });

  if (problems.length) return { catalog: null, problems, warnings };
  return { catalog: { region, units: sortParentsFirst(units), windows, items }, problems, warnings };
}

/** Parents before children, so an import can insert in one pass. */
function sortParentsFirst(units: CatalogUnit[]): CatalogUnit[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  const out: CatalogUnit[] = [];
  const done = new Set<string>();
  const visit = (u: CatalogUnit): void => {
    if (done.has(u.code)) return;
    done.add(u.code);
    if (u.parent) {
      const p = byCode.get(u.parent);
      if (p) visit(p);
    }
    out.push(u);
  };
  units.forEach(visit);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(o: Record<string, unknown>, known: string[], path: string, warnings: string[]): void {
  for (const k of Object.keys(o)) {
    if (!known.includes(k)) warnings.push(`${path ? `${path}.` : ''}${k}: unknown field, ignored`);
  }
}
