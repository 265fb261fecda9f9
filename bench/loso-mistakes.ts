/**
 * The classifier's mistakes on the tuning sets, each set left out in turn (the seed model trained on the shipped rows
 * and the other tuning sets, as train:seed would without it): one JSON line per dimension, misconduct or junk mistake
 * ({set, id, text, expected, got, kind}), and the counts by kind. What new cues are written from; the held-out sets
 * are never read. Compare two lexicons by running it before and after and diffing the files on (set, id, kind).
 *   npm run bench:build && OUT=/tmp/loso.jsonl node dist-bench/bench/loso-mistakes.js
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config/config.js';
import { evaluate } from '../src/classification/evaluate.js';
import { lexiconPhrases, loadLexicon } from '../src/classification/lexicon.js';
import { SHIPPED_TRAINING, trainModel } from '../src/classification/model.js';
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
const segmenter = createSegmenter({ catalog: mergeCatalogs(catalogs.map(loadCatalogYaml)), words: lexiconPhrases(lexicon) });

const out: string[] = [];
const cnt: Record<string, number> = {};
for (const left of sets) {
  const model = trainModel([...shipped, ...sets.filter((s) => s !== left).flatMap((s) => s.rows)], segmenter, SHIPPED_TRAINING);
  const r = evaluate(left.rows, { catalog: loadCatalogYaml(left.catalog), lexicon, model, segmenter });
  // routing has its own leave-one-set-out figures (train:ranker --cv)
  for (const m of r.mistakes) {
    if (m.kind === 'unit') continue;
    out.push(JSON.stringify({ set: left.name, ...m }));
    cnt[m.kind] = (cnt[m.kind] ?? 0) + 1;
  }
}
const file = process.env.OUT ?? 'loso-mistakes.jsonl';
writeFileSync(file, out.join('\n') + '\n');
console.log(`${out.length} mistakes written to ${file}`);
console.log(cnt);
