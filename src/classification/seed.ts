/**
 * Training the seed model shipped in config/classification/model.json, and the file plumbing the CLI needs
 * (JSON Lines in, a report or a model out). The CLI commands `train` and `eval` are thin wrappers around these.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Catalog } from '../org/catalog.types.js';
import { loadCatalogYaml } from '../routing/catalog-yaml.js';
import { isLabel } from './dimensions.js';
import { evaluate, formatReport, type EvaluationResult, type LabelledRow } from './evaluate.js';
import { lexiconPhrases, loadLexicon } from './lexicon.js';
import { modelFromJson, modelToJson, SHIPPED_TRAINING, trainModel, type Model, type ModelJson } from './model.js';
import { createSegmenter } from './segmenter.js';

/** Reads labelled JSON Lines; a bad line is reported with its number. */
export function readLabelledJsonl(path: string): LabelledRow[] {
  const rows: LabelledRow[] = [];
  const problems: string[] = [];
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        const row = JSON.parse(line) as LabelledRow;
        if (typeof row.text !== 'string') problems.push(`${path}:${i + 1}: text missing`);
        else if (!isLabel(row.dimension)) problems.push(`${path}:${i + 1}: dimension must be D1..D5 or none`);
        else rows.push(row);
      } catch (err) {
        problems.push(`${path}:${i + 1}: ${(err as Error).message}`);
      }
    });
  if (problems.length) throw new Error(`bad labelled rows:\n  ${problems.join('\n  ')}`);
  return rows;
}

/** One catalogue that knows every name of several, so the segmenter keeps all counties' names whole. */
export function mergeCatalogs(catalogs: Catalog[]): Catalog {
  return {
    region: catalogs[0]?.region ?? null,
    units: catalogs.flatMap((c) => c.units),
    windows: catalogs.flatMap((c) => c.windows),
    items: catalogs.flatMap((c) => c.items),
  };
}

export interface SeedOptions {
  /** labelled JSON Lines files (dev.jsonl, extra.jsonl, corrections…) */
  trainingFiles: string[];
  /** catalogues the rows were written against (their names are masked as entities) */
  catalogFiles: string[];
  lexiconPath: string;
  outPath?: string;
}

export function trainSeed(options: SeedOptions): { model: Model; json: ModelJson; rows: number; bytes: number } {
  const rows = options.trainingFiles.flatMap(readLabelledJsonl);
  const catalog = mergeCatalogs(options.catalogFiles.map(loadCatalogYaml));
  const lexicon = loadLexicon(options.lexiconPath);
  const segmenter = createSegmenter({ catalog, words: lexiconPhrases(lexicon) });
  const model = trainModel(rows, segmenter, SHIPPED_TRAINING);
  const json = modelToJson(model);
  const text = JSON.stringify(json);
  if (options.outPath) writeFileSync(options.outPath, text + '\n');
  return { model, json, rows: rows.length, bytes: Buffer.byteLength(text) };
}

export function loadModel(path: string): Model {
  return modelFromJson(JSON.parse(readFileSync(path, 'utf8')));
}

export interface EvalFilesOptions {
  labelledPath: string;
  catalogPath: string;
  lexiconPath: string;
  /** rows always added to training (e.g. the seed data); rows also being scored are left out */
  baseTrainingFiles?: string[];
  folds?: number;
  seed?: number;
  /** the catalogue the base rows were labelled against (their units teach the routing memory only where the same) */
  baseCatalogPath?: string;
  /** score as a held-out set with this shipped model (no cross-validation); base rows seed the routing memory */
  modelPath?: string;
  mistakes?: number;
}

export function evaluateFiles(options: EvalFilesOptions): { result: EvaluationResult; report: string } {
  const rows = readLabelledJsonl(options.labelledPath);
  const catalog = loadCatalogYaml(options.catalogPath);
  const lexicon = loadLexicon(options.lexiconPath);
  const baseRows = (options.baseTrainingFiles ?? []).flatMap(readLabelledJsonl);
  const model = options.modelPath ? loadModel(options.modelPath) : undefined;
  const baseCatalog = options.baseCatalogPath ? loadCatalogYaml(options.baseCatalogPath) : undefined;
  const result = evaluate(rows, {
    catalog,
    lexicon,
    baseRows,
    folds: options.folds ?? 5,
    seed: options.seed ?? 42,
    ...(model ? { model } : {}),
    ...(baseCatalog ? { baseCatalog } : {}),
  });
  return { result, report: formatReport(result, { mistakes: options.mistakes ?? 40 }) };
}
