/**
 * What ships with the hub for classification: its folder, the labelled training rows, the confirmed routings among
 * them, and the routing memory seeded from those. No framework imports: the import threads (src/intake/assess/)
 * load this without NestJS or TypeORM (~27 MB less per thread).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, SAMPLE_CATALOG } from '../config/config.js';
import type { Catalog } from '../org/catalog.types.js';
import { loadCatalogYaml } from '../routing/catalog-yaml.js';
import { RoutingMemory, rowsForCatalog } from '../routing/memory.js';
import { isLabel } from './dimensions.js';
import type { TrainingRow } from './model.js';

export const CLASSIFICATION_DIR = path.join(PROJECT_ROOT, 'config', 'classification');

let sample: Catalog | null = null;
/** The catalogue the shipped rows were labelled against. */
function sampleCatalog(): Catalog {
  return (sample ??= loadCatalogYaml(SAMPLE_CATALOG));
}

/**
 * A routing memory seeded with the shipped rows that were routed by their text, for the units that are the same in
 * this catalogue (the service and the import threads both start from it, then add the store's routing labels).
 */
export function seedMemory(catalog: Catalog): RoutingMemory {
  const memory = new RoutingMemory();
  for (const r of rowsForCatalog(shippedRoutingRows().filter((x) => !x.window), sampleCatalog(), catalog)) memory.add(r.subject ? `${r.subject}。${r.text}` : r.text, r.unit);
  return memory;
}

/** The shipped rows that carry a confirmed unit (the routing memory's seed). */
export function shippedRoutingRows(): Array<{ text: string; subject?: string | null; unit: string; window: string | null }> {
  return shippedTrainingRows()
    .map((r) => r as TrainingRow & { unit?: unknown; window?: unknown })
    .filter((r): r is TrainingRow & { unit: string; window?: unknown } => typeof r.unit === 'string')
    .map((r) => ({ text: r.text, subject: r.subject, unit: r.unit, window: typeof r.window === 'string' ? r.window : null }));
}

/** The labelled rows shipped in config/classification/training/*.jsonl (the seed model's training data). */
export function shippedTrainingRows(dir = path.join(CLASSIFICATION_DIR, 'training')): TrainingRow[] {
  const rows: TrainingRow[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(path.join(dir, f), 'utf8').split(/\r?\n/)) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as TrainingRow;
      if (typeof r.text === 'string' && isLabel(r.dimension)) rows.push(r);
    }
  }
  return rows;
}
