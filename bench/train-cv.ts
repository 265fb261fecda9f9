/**
 * The seed model's training settings chosen without the held-out sets: leave one tuning set out. For each setting,
 * the model is trained on the shipped rows and every tuning set but one, and scored (macro-F1, misconduct F1) on the
 * one left out, with its own catalogue; the mean over the tuning sets decides. The held-out sets are never read.
 *   npm run bench:build && node dist-bench/bench/train-cv.js [l2=1e-4,3e-4 epochs=40,20 minCount=2]
 * Each argument lists the values to try for one setting (the others keep the defaults of trainModel); every
 * combination is tried.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/config.js';
import { evaluate } from '../src/classification/evaluate.js';
import { lexiconPhrases, loadLexicon } from '../src/classification/lexicon.js';
import { trainModel, type TrainOptions } from '../src/classification/model.js';
import { mergeCatalogs, readLabelledJsonl } from '../src/classification/seed.js';
import { createSegmenter } from '../src/classification/segmenter.js';
import { CLASSIFICATION_DIR } from '../src/classification/shipped.js';
import { loadCatalogYaml } from '../src/routing/catalog-yaml.js';

const TUNING = path.join(PROJECT_ROOT, 'test', 'fixtures', 'routing-tuning');
const SAMPLE = path.resolve(PROJECT_ROOT, '../shared/data/org/anping.yaml');
const OTHER = path.join(PROJECT_ROOT, 'test', 'fixtures', 'classification', 'other-county.yaml');

const jsonl = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f));
const shipped = jsonl(path.join(CLASSIFICATION_DIR, 'training')).flatMap(readLabelledJsonl);
const sets = jsonl(TUNING).map((file) => {
  const stem = file.replace(/\.jsonl$/, '');
  return { name: path.basename(stem), rows: readLabelledJsonl(file), catalog: existsSync(`${stem}.yaml`) ? `${stem}.yaml` : SAMPLE };
});
const catalogs = [SAMPLE, ...(existsSync(OTHER) ? [OTHER] : []), ...new Set(sets.map((s) => s.catalog))];
const lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
// one segmenter that masks every catalogue's names, as train:seed does
const segmenter = createSegmenter({ catalog: mergeCatalogs(catalogs.map(loadCatalogYaml)), words: lexiconPhrases(lexicon) });

// the grid: "l2=1e-4,3e-4" → l2 ∈ {1e-4, 3e-4}
const grid: Array<[keyof TrainOptions, number[]]> = process.argv.slice(2).map((a) => {
  const [k, v] = a.split('=') as [keyof TrainOptions, string];
  return [k, v.split(',').map(Number)];
});
let settings: TrainOptions[] = [{}];
for (const [k, values] of grid) settings = settings.flatMap((s) => values.map((v) => ({ ...s, [k]: v })));

console.log(`${shipped.length} shipped rows; ${sets.length} tuning sets (${sets.reduce((n, s) => n + s.rows.length, 0)} rows), each left out in turn`);
for (const setting of settings) {
  const started = process.hrtime.bigint();
  const f1: number[] = [];
  const mis: number[] = [];
  for (const left of sets) {
    const train = [...shipped, ...sets.filter((s) => s !== left).flatMap((s) => s.rows)];
    const model = trainModel(train, segmenter, setting);
    const r = evaluate(left.rows, { catalog: loadCatalogYaml(left.catalog), lexicon, model, segmenter });
    f1.push(r.macroF1);
    const { precision: p, recall: q } = r.misconduct;
    mis.push(p + q ? (2 * p * q) / (p + q) : 0);
  }
  const mean = (xs: number[]): string => ((100 * xs.reduce((a, b) => a + b, 0)) / xs.length).toFixed(2);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${JSON.stringify(setting).padEnd(40)} macro-F1 mean ${mean(f1)}  misconduct F1 mean ${mean(mis)}  (${seconds.toFixed(0)} s)`);
  console.log(`  per set: ${sets.map((s, i) => `${s.name} ${(100 * f1[i]!).toFixed(1)}`).join(', ')}`);
}
