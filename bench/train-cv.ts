/**
 * The seed model's training settings chosen without the held-out sets: leave one tuning set out. For each setting,
 * the model is trained on the shipped rows and every tuning set but one, and scored (macro-F1, misconduct F1, and the
 * misconduct flag's and junk's precision and recall pooled over the sets) on the
 * one left out, with its own catalogue; the mean over the tuning sets decides. The held-out sets are never read.
 *   npm run bench:build && node dist-bench/bench/train-cv.js [l2=1e-4,3e-4 epochs=40,20 minCount=2] [c.cueWeight=0.5,0.8]
 * Each argument lists the values to try for one setting (the others keep the shipped recipe, SHIPPED_TRAINING, and
 * trainModel's defaults, or with "c." the classifier's DEFAULT_TUNING); every combination is tried.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/config.js';
import type { ClassifierTuning } from '../src/classification/classifier.js';
import { evaluate } from '../src/classification/evaluate.js';
import { lexiconPhrases, loadLexicon } from '../src/classification/lexicon.js';
import { SHIPPED_TRAINING, trainModel, type TrainOptions } from '../src/classification/model.js';
import { mergeCatalogs, readLabelledJsonl } from '../src/classification/seed.js';
import { createSegmenter } from '../src/classification/segmenter.js';
import { CLASSIFICATION_DIR } from '../src/classification/shipped.js';
import { loadCatalogYaml } from '../src/routing/catalog-yaml.js';

const TUNING = path.join(PROJECT_ROOT, 'test', 'fixtures', 'routing-tuning');
const SAMPLE = path.resolve(PROJECT_ROOT, '../shared/data/org/anping.yaml');
const OTHER = path.join(PROJECT_ROOT, 'test', 'fixtures', 'classification', 'other-county.yaml');

const jsonl = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f));
const shipped = jsonl(path.join(CLASSIFICATION_DIR, 'training')).flatMap(readLabelledJsonl);
// CV_SKIP=a,b: sets neither trained on nor scored; CV_TRAIN_ONLY=c,d: sets always trained on, never scored (to ask
// whether some rows help the others)
const listed = (name: string): Set<string> => new Set((process.env[name] ?? '').split(',').filter(Boolean));
const skip = listed('CV_SKIP');
const trainOnly = listed('CV_TRAIN_ONLY');
const all = jsonl(TUNING)
  .map((file) => {
    const stem = file.replace(/\.jsonl$/, '');
    return { name: path.basename(stem), rows: readLabelledJsonl(file), catalog: existsSync(`${stem}.yaml`) ? `${stem}.yaml` : SAMPLE };
  })
  .filter((s) => !skip.has(s.name));
const sets = all.filter((s) => !trainOnly.has(s.name));
const extra = all.filter((s) => trainOnly.has(s.name)).flatMap((s) => s.rows);
const catalogs = [SAMPLE, ...(existsSync(OTHER) ? [OTHER] : []), ...new Set(all.map((s) => s.catalog))];
const lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
// one segmenter that masks every catalogue's names, as train:seed does
const segmenter = createSegmenter({ catalog: mergeCatalogs(catalogs.map(loadCatalogYaml)), words: lexiconPhrases(lexicon) });

// the grids: "l2=1e-4,3e-4" → l2 ∈ {1e-4, 3e-4} (training); "c.cueWeight=0.5,0.8" → the classifier's tuning
type Tuning = Partial<ClassifierTuning>;
const combos = <T extends object>(args: string[]): T[] => {
  let out: T[] = [{} as T];
  for (const a of args) {
    const [k, v] = a.split('=') as [string, string];
    out = out.flatMap((s) => v.split(',').map((x) => ({ ...s, [k]: Number(x) })));
  }
  return out;
};
const args = process.argv.slice(2);
const settings = combos<TrainOptions>(args.filter((a) => !a.startsWith('c.')));
const tunings = combos<Tuning>(args.filter((a) => a.startsWith('c.')).map((a) => a.slice(2)));

console.log(`${shipped.length} shipped rows; ${sets.length} tuning sets (${sets.reduce((n, s) => n + s.rows.length, 0)} rows), each left out in turn; ${extra.length} rows always trained on`);
const mean = (xs: number[]): string => ((100 * xs.reduce((a, b) => a + b, 0)) / xs.length).toFixed(2);
for (const setting of settings) {
  const started = process.hrtime.bigint();
  const f1 = tunings.map(() => [] as number[]);
  const mis = tunings.map(() => [] as number[]);
  // the flag pooled over all sets: the issue's target is recall at a floor of precision, not a per-set F1
  const flags = tunings.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const junk = tunings.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  for (const left of sets) {
    const train = [...shipped, ...extra, ...sets.filter((s) => s !== left).flatMap((s) => s.rows)];
    const model = trainModel(train, segmenter, { ...SHIPPED_TRAINING, ...setting });
    const catalog = loadCatalogYaml(left.catalog);
    tunings.forEach((tuning, t) => {
      const r = evaluate(left.rows, { catalog, lexicon, model, segmenter, tuning });
      f1[t]!.push(r.macroF1);
      const { precision: p, recall: q } = r.misconduct;
      mis[t]!.push(p + q ? (2 * p * q) / (p + q) : 0);
      flags[t]!.tp += r.misconduct.truePositive;
      flags[t]!.fp += r.misconduct.falsePositive;
      flags[t]!.fn += r.misconduct.falseNegative;
      junk[t]!.tp += r.junk.truePositive;
      junk[t]!.fp += r.junk.falsePositive;
      junk[t]!.fn += r.junk.falseNegative;
    });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  tunings.forEach((tuning, t) => {
    const pooled = (name: string, { tp, fp, fn }: { tp: number; fp: number; fn: number }): string =>
      `${name} pooled P ${((100 * tp) / Math.max(1, tp + fp)).toFixed(1)} R ${((100 * tp) / Math.max(1, tp + fn)).toFixed(1)} (tp ${tp}, fp ${fp}, fn ${fn})`;
    console.log(`${JSON.stringify({ ...setting, ...tuning }).padEnd(48)} macro-F1 mean ${mean(f1[t]!)}  misconduct F1 mean ${mean(mis[t]!)}`);
    console.log(`  ${pooled('misconduct', flags[t]!)}  ${pooled('junk', junk[t]!)}`);
    console.log(`  per set: ${sets.map((s, i) => `${s.name} ${(100 * f1[t]![i]!).toFixed(1)}`).join(', ')}`);
  });
  console.log(`  (${seconds.toFixed(0)} s)`);
}
