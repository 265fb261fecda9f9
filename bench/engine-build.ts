/**
 * The classifier and router of a compiled tree — this one, or an older build's dist-bench for a same-run baseline —
 * made from the project's lexicon, shipped model and a catalogue (the sample's unless BENCH_CATALOG names another),
 * paths resolved from `root` (the project root).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ClassifierModule from '../src/classification/classifier.js';
import type * as LexiconModule from '../src/classification/lexicon.js';
import type * as ModelModule from '../src/classification/model.js';
import type * as NormalizeModule from '../src/classification/normalize.js';
import type * as IndexModule from '../src/routing/catalog-index.js';
import type * as CatalogYamlModule from '../src/routing/catalog-yaml.js';
import type * as RouterModule from '../src/routing/router.js';
import type * as MemoryModule from '../src/routing/memory.js';
import type * as ShippedModule from '../src/classification/shipped.js';
import type * as ClassifyRouteModule from '../src/classification/thread/classify-route.js';
import type { Catalog } from '../src/org/catalog.types.js';

export interface EngineBuild {
  catalog: Catalog;
  classifier: ClassifierModule.Classifier;
  index: IndexModule.CatalogIndex;
  route: typeof RouterModule.route;
  normalizeText: typeof NormalizeModule.normalizeText;
  /** the routing memory the hub starts from for this catalogue (the shipped rows' confirmed routings) */
  memory: MemoryModule.RoutingMemory;
  /** a new memory seeded as `memory` was (to grow with more rows, as a store's memory grows) */
  newMemory: () => MemoryModule.RoutingMemory;
  /** the hub's batch path (classify every input, then route every one); null in a build from before it */
  classifyAndRouteMany: typeof ClassifyRouteModule.classifyAndRouteMany | null;
  /** milliseconds to make the classifier and the catalogue index */
  startupMs: number;
}

export async function loadEngineBuild(distBench: string, root: string): Promise<EngineBuild> {
  const mod = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(distBench, rel)).href)) as T;
  const { createClassifier } = await mod<typeof ClassifierModule>('src/classification/classifier.js');
  const { loadLexicon } = await mod<typeof LexiconModule>('src/classification/lexicon.js');
  const { modelFromJson } = await mod<typeof ModelModule>('src/classification/model.js');
  const { normalizeText } = await mod<typeof NormalizeModule>('src/classification/normalize.js');
  const { buildCatalogIndex } = await mod<typeof IndexModule>('src/routing/catalog-index.js');
  const { loadCatalogYaml } = await mod<typeof CatalogYamlModule>('src/routing/catalog-yaml.js');
  const { route } = await mod<typeof RouterModule>('src/routing/router.js');
  const { seedMemory } = await mod<typeof ShippedModule>('src/classification/shipped.js');
  const batch = await mod<Partial<typeof ClassifyRouteModule>>('src/classification/thread/classify-route.js').catch(() => ({}) as Partial<typeof ClassifyRouteModule>);
  const catalog = loadCatalogYaml(path.join(root, process.env.BENCH_CATALOG ?? '../shared/data/org/anping.yaml'));
  const lexicon = loadLexicon(path.join(root, 'config/classification/lexicon.yaml'));
  const model = modelFromJson(JSON.parse(readFileSync(path.join(root, 'config/classification/model.json'), 'utf8')));
  const t = performance.now();
  const classifier = createClassifier({ catalog, lexicon, model });
  const index = buildCatalogIndex(catalog);
  const startupMs = performance.now() - t;
  return { catalog, classifier, index, route, normalizeText, memory: seedMemory(catalog), newMemory: () => seedMemory(catalog), classifyAndRouteMany: batch.classifyAndRouteMany ?? null, startupMs };
}
