/**
 * Prints the evaluation report (k-fold cross-validation) for a labelled file:
 *   node dist/scripts/eval-classification.js <labelled.jsonl> [--catalog org.yaml] [--base extra.jsonl]...
 * `npm run eval` wraps the same evaluateFiles call.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { evaluateFiles } from '../src/classification/seed.js';

export function main(argv: string[]): void {
  const labelledPath = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--')) ?? '../shared/data/feedback/dev.jsonl';
  const opt = (name: string): string[] => argv.flatMap((a, i) => (a === name && argv[i + 1] ? [argv[i + 1] as string] : []));
  const { report } = evaluateFiles({
    labelledPath,
    catalogPath: opt('--catalog')[0] ?? '../shared/data/org/anping.yaml',
    lexiconPath: opt('--lexicon')[0] ?? 'config/classification/lexicon.yaml',
    baseTrainingFiles: opt('--base'),
    folds: Number(opt('--folds')[0] ?? 5),
  });
  console.log(report);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
