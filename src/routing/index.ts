/**
 * Routing — public API (pure, in-process; no database, no Nest).
 *
 *   const index = buildCatalogIndex(catalog);          // once per catalogue version; only active units count
 *   route({ text, subject?, channel?, window?, assignedUnit?, classification? }, index, { learned?, segmenter? })
 *     → { unit, reason, rule, supervision, serviceItem, evidence }
 *   trainRouter(rows: {text, unit}[], segmenter)        // learned router from staff-confirmed routings (step 5)
 *   routerToJson / routerFromJson                       // persistence
 *   matchUnitName(index, '区市场监管局')                 // fuzzy name → unit, for 承办单位 columns and forms
 */
export { buildCatalogIndex } from './catalog-index.js';
export type { CatalogIndex, Mention } from './catalog-index.js';
export { canonicalName, nameSimilarity } from './fuzzy.js';
export { predictRoute, routerFromJson, routerToJson, trainRouter } from './learned-router.js';
export type { LearnedRouter, LearnedRouterJson, RoutingRow } from './learned-router.js';
export { matchUnitName, route } from './router.js';
export type { RouteEvidence, RouteInput, RouteOptions, RouteResult, RouteRule } from './router.js';
export { catalogFromObject, loadCatalogYaml } from './catalog-yaml.js';
