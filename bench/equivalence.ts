/**
 * Proof that a change to the classifier or the router changes no result: records classify + route outputs for every
 * text of ../shared/data/feedback/dev.jsonl, config/classification/training/*.jsonl, the held-out and tuning routing rows
 * (each with its own catalogue), the classification fixtures and the benchmark's texts, then compares a later run
 * against the recording.
 *   npm run bench:build && node dist-bench/bench/equivalence.js record /tmp/before.json
 *   (change the code)
 *   npm run bench:build && node dist-bench/bench/equivalence.js compare /tmp/before.json
 * Every field counts (dimension, secondary, misconduct, junk, confidence, evidence, unit, rule, reason, candidates…):
 * the whole objects are compared as JSON. Paths are resolved from the working directory (the project root).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createClassifier, type Classifier } from '../src/classification/classifier.js';
import { loadLexicon } from '../src/classification/lexicon.js';
import { modelFromJson } from '../src/classification/model.js';
import { buildCatalogIndex, type CatalogIndex } from '../src/routing/catalog-index.js';
import { loadCatalogYaml } from '../src/routing/catalog-yaml.js';
import { RoutingMemory } from '../src/routing/memory.js';
import { route } from '../src/routing/router.js';
import { benchTexts } from './classify-texts.js';

interface Row {
  id?: string;
  text: string;
  subject?: string | null;
  channel?: string | null;
  rating?: number | null;
  window?: string | null;
  unit?: string | null;
}

const root = process.cwd();
const readRows = (file: string): Row[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Row);

const lexicon = loadLexicon(path.join(root, 'config/classification/lexicon.yaml'));
const model = modelFromJson(JSON.parse(readFileSync(path.join(root, 'config/classification/model.json'), 'utf8')));

function setup(catalogFile: string): { classifier: Classifier; index: CatalogIndex } {
  const catalog = loadCatalogYaml(catalogFile);
  return { classifier: createClassifier({ catalog, lexicon, model }), index: buildCatalogIndex(catalog) };
}

const out: Record<string, unknown> = {};
function record(key: string, classifier: Classifier, index: CatalogIndex, row: Row, memory: RoutingMemory | null): void {
  if (key in out) throw new Error(`duplicate key ${key}`);
  const options = memory ? { memory } : {};
  // as the service does it: everything the row carries
  const full = classifier.classify({ text: row.text, subject: row.subject ?? null, channel: row.channel ?? null, rating: row.rating ?? null });
  const routed = route({ text: row.text, subject: row.subject ?? null, channel: row.channel ?? null, window: row.window ?? null, classification: full }, index, options);
  // the text alone (no rating, no window), so every row also goes through the text paths
  const bare = classifier.classify({ text: row.text });
  const bareRouted = route({ text: row.text, classification: bare }, index, options);
  const noClass = route({ text: row.text, classification: { misconduct: false } }, index, options);
  // the rating rules (a good rating without a complaint, a bad one) and the text with its subject
  const good = classifier.classify({ text: row.text, rating: 5, channel: 'qr' });
  const bad = classifier.classify({ text: row.text, subject: row.subject ?? '窗口', rating: 1 });
  out[key] = { full, routed, bare, bareRouted, noClass, good, bad };
}

const shared = path.join(root, '../shared/data');
const anping = setup(path.join(shared, 'org/anping.yaml'));
const files = [
  path.join(shared, 'feedback/dev.jsonl'),
  ...readdirSync(path.join(root, 'config/classification/training'))
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => path.join(root, 'config/classification/training', f)),
];
const memory = new RoutingMemory();
for (const r of readRows(files[0] as string)) if (r.unit) memory.add(r.subject ? `${r.subject}。${r.text}` : r.text, r.unit);
let n = 0;
for (const file of files) {
  readRows(file).forEach((row, i) => {
    const key = `${path.basename(file)}#${i}`;
    record(key, anping.classifier, anping.index, row, null);
    record(`${key}+memory`, anping.classifier, anping.index, row, memory);
    n++;
  });
}
// the labelled sets with their own catalogues: held-out and tuning (keys by file name, as before the second batch moved)
for (const folder of ['test/fixtures/routing-heldout', 'test/fixtures/routing-tuning']) {
  const dir = path.join(root, folder);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const yaml = path.join(dir, f.replace(/\.jsonl$/, '.yaml'));
    if (!existsSync(yaml)) continue;
    const s = setup(yaml);
    readRows(path.join(dir, f)).forEach((row, i) => {
      record(`${f}#${i}`, s.classifier, s.index, row, null);
      n++;
    });
  }
}
// the tuning rows and the classification fixtures (each with its own catalogue when it has one)
for (const dir of [path.join(root, 'test/fixtures/routing-tuning'), path.join(root, 'test/fixtures/classification')]) {
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const yaml = path.join(dir, f.replace(/\.jsonl$/, '.yaml'));
    const s = existsSync(yaml) ? setup(yaml) : anping;
    readRows(path.join(dir, f)).forEach((row, i) => {
      record(`${path.basename(dir)}/${f}#${i}`, s.classifier, s.index, row, null);
      n++;
    });
  }
}
benchTexts().forEach((text, i) => {
  record(`bench#${i}`, anping.classifier, anping.index, { text, channel: 'hotline' }, null);
  n++;
});
record('huge', anping.classifier, anping.index, { text: '窗口态度差'.repeat(10_000) }, null);

const [mode, file] = process.argv.slice(2);
if (mode === 'record' && file) {
  writeFileSync(file, JSON.stringify(out));
  console.log(`recorded ${Object.keys(out).length} cases (${n} texts) to ${file}`);
} else if (mode === 'compare' && file) {
  const before = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const keys = new Set([...Object.keys(before), ...Object.keys(out)]);
  const diffs: string[] = [];
  for (const k of keys) {
    const a = JSON.stringify(before[k]);
    const b = JSON.stringify(out[k]);
    if (a !== b) diffs.push(`${k}\n  before ${a}\n  after  ${b}`);
  }
  console.log(`compared ${keys.size} cases (${n} texts): ${diffs.length} differences`);
  for (const d of diffs.slice(0, 5)) console.log(d);
  if (diffs.length) process.exitCode = 1;
} else {
  console.error('usage: equivalence.js record|compare <file.json>');
  process.exitCode = 2;
}
