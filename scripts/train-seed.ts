/**
 * Trains config/classification/model.json from the labelled data:
 *   node dist/scripts/train-seed.js [--out config/classification/model.json]
 * The CLI's `train` command calls trainSeed with the same defaults.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { trainSeed } from '../src/classification/seed.js';

export const SEED_DEFAULTS = {
  trainingFiles: ['../shared/data/feedback/dev.jsonl', 'test/fixtures/classification/extra.jsonl'],
  catalogFiles: ['../shared/data/org/anping.yaml', 'test/fixtures/classification/other-county.yaml'],
  lexiconPath: 'config/classification/lexicon.yaml',
  outPath: 'config/classification/model.json',
};

export function main(argv: string[]): void {
  const out = argv.indexOf('--out');
  const result = trainSeed({ ...SEED_DEFAULTS, outPath: out >= 0 ? argv[out + 1] : SEED_DEFAULTS.outPath });
  console.log(`trained on ${result.rows} rows; ${Object.keys(result.json.weights).length} features, ${(result.bytes / 1024).toFixed(0)} KiB`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
