import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { ModelJson } from './model.js';
import { CLASSIFICATION_DIR } from './shipped.js';

/**
 * Which classifier model, learned router and routing labels an engine is built from — one choice for the process's
 * classification thread (EngineThreads) and the in-process engine (ClassificationService): the newest model in the
 * store, else the shipped one ('seed'); the routing memory with every routing label up to the newest.
 */
export interface LatestModels {
  /** the newest classifier model's id, or 'seed' (config/classification/model.json) */
  model: string;
  /** the newest learned router's id, or 'seed' (learned from the shipped confirmed routings) */
  router: string;
  /** the newest routing label's id (0: none) */
  label: number;
}

export async function latestModels(ds: DataSource): Promise<LatestModels> {
  const [latest] = await ds.query(
    `SELECT (SELECT max(id) FROM classifier_model WHERE kind = 'classifier')::text AS model,
            (SELECT max(id) FROM classifier_model WHERE kind = 'router')::text AS router,
            (SELECT max(id) FROM item_label WHERE kind = 'routing')::bigint AS label`,
  );
  return { model: (latest.model as string | null) ?? 'seed', router: (latest.router as string | null) ?? 'seed', label: Number(latest.label ?? 0) };
}

/** A classifier model's JSON: the shipped one for 'seed', else the stored one. */
export async function classifierModelJson(ds: DataSource, id: string): Promise<ModelJson> {
  if (id === 'seed') return JSON.parse(readFileSync(path.join(CLASSIFICATION_DIR, 'model.json'), 'utf8')) as ModelJson;
  return (await storedModel(ds, id)) as ModelJson;
}

/** A stored model's JSON (classifier or router) by its id. */
export async function storedModel(ds: DataSource, id: string): Promise<unknown> {
  const [row] = await ds.query(`SELECT model FROM classifier_model WHERE id = $1`, [id]);
  return row.model;
}

/** One routing label (a staff confirmation, dispatch or correction) for the routing memory. */
export interface RoutingLabel {
  item: string;
  text: string;
  unit: string;
}

/** The routing labels stored after `from` up to `to`, in the order they were stored. */
export async function routingLabels(ds: DataSource, from: number, to: number): Promise<RoutingLabel[]> {
  if (to <= from) return [];
  return ds.query(
    `SELECT item_id::text AS item, text, unit_code AS unit FROM item_label
     WHERE kind = 'routing' AND unit_code IS NOT NULL AND id > $1 AND id <= $2 ORDER BY id`,
    [from, to],
  );
}
