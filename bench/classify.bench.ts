/**
 * Throughput of classify + route on ~100-character texts, one core (the loop is synchronous):
 *   npm run bench:classify
 * Paths are resolved from the working directory, so run it from the project root.
 *
 * Same-run baseline: BENCH_BASELINE=<dist-bench folder of an older build> loads that build's classifier and router
 * beside this one, times both in alternating rounds and checks that every text gets exactly the same classification
 * and routing from both (the machine is shared, so only figures of one run compare). Build the older code with e.g.
 *   git archive main | tar -x -C /tmp/before-src && ln -s $PWD/node_modules /tmp/before-src/ &&
 *   (cd /tmp/before-src && npx tsc -p tsconfig.bench.json)   # then BENCH_BASELINE=/tmp/before-src/dist-bench
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as ClassifierModule from '../src/classification/classifier.js';
import type * as LexiconModule from '../src/classification/lexicon.js';
import type * as ModelModule from '../src/classification/model.js';
import type * as NormalizeModule from '../src/classification/normalize.js';
import type * as IndexModule from '../src/routing/catalog-index.js';
import type * as CatalogYamlModule from '../src/routing/catalog-yaml.js';
import type * as RouterModule from '../src/routing/router.js';
import { benchTexts } from './classify-texts.js';

const root = process.cwd();
const texts = benchTexts();
const avgChars = texts.reduce((a, s) => a + Array.from(s).length, 0) / texts.length;

interface Build {
  startupMs: number;
  segment(text: string): unknown;
  classify(text: string): unknown;
  route(text: string): unknown;
  both(text: string): unknown;
}

/** The classifier and router of a compiled tree (this one, or a baseline's dist-bench). */
async function load(distBench: string): Promise<Build> {
  const mod = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(distBench, rel)).href)) as T;
  const { createClassifier } = await mod<typeof ClassifierModule>('src/classification/classifier.js');
  const { loadLexicon } = await mod<typeof LexiconModule>('src/classification/lexicon.js');
  const { modelFromJson } = await mod<typeof ModelModule>('src/classification/model.js');
  const { normalizeText } = await mod<typeof NormalizeModule>('src/classification/normalize.js');
  const { buildCatalogIndex } = await mod<typeof IndexModule>('src/routing/catalog-index.js');
  const { loadCatalogYaml } = await mod<typeof CatalogYamlModule>('src/routing/catalog-yaml.js');
  const { route } = await mod<typeof RouterModule>('src/routing/router.js');
  const catalog = loadCatalogYaml(path.join(root, process.env.BENCH_CATALOG ?? '../shared/data/org/anping.yaml'));
  const lexicon = loadLexicon(path.join(root, 'config/classification/lexicon.yaml'));
  const model = modelFromJson(JSON.parse(readFileSync(path.join(root, 'config/classification/model.json'), 'utf8')));
  const t = performance.now();
  const classifier = createClassifier({ catalog, lexicon, model });
  const index = buildCatalogIndex(catalog);
  const startupMs = performance.now() - t;
  return {
    startupMs,
    segment: (text) => classifier.segmenter.cut(normalizeText(text)),
    classify: (text) => classifier.classify({ text }),
    route: (text) => route({ text, classification: { misconduct: false } }, index),
    both: (text) => {
      const classification = classifier.classify({ text, channel: 'hotline' });
      return { classification, routed: route({ text, channel: 'hotline', classification }, index) };
    },
  };
}

function run(n: number, fn: (text: string) => unknown): number {
  const started = performance.now();
  for (let i = 0; i < n; i++) fn(texts[i % texts.length] as string);
  return n / ((performance.now() - started) / 1000);
}

const current = await load(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'));
const baseline = process.env.BENCH_BASELINE ? await load(path.resolve(process.env.BENCH_BASELINE)) : null;

// the same output for every text, before any timing
let differences = 0;
if (baseline) {
  for (const text of texts) {
    if (JSON.stringify(current.both(text)) !== JSON.stringify(baseline.both(text))) {
      if (!differences) console.log(`DIFFERENT: ${text}`);
      differences++;
    }
  }
}

// warm-up (JIT, jieba's internal caches)
run(2000, current.both);
if (baseline) run(2000, baseline.both);

const N = Number(process.env.BENCH_N ?? (baseline ? 10000 : 20000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (baseline ? 6 : 1));
// best of the rounds; with a baseline the two builds alternate, so load from other work hits both alike
const best = { seg: 0, classify: 0, route: 0, both: 0, baseSeg: 0, baseClassify: 0, baseRoute: 0, baseBoth: 0 };
for (let r = 0; r < ROUNDS; r++) {
  best.seg = Math.max(best.seg, run(N, current.segment));
  if (baseline) best.baseClassify = Math.max(best.baseClassify, run(N, baseline.classify));
  best.classify = Math.max(best.classify, run(N, current.classify));
  if (baseline) best.baseRoute = Math.max(best.baseRoute, run(N, baseline.route));
  best.route = Math.max(best.route, run(N, current.route));
  if (baseline) best.baseBoth = Math.max(best.baseBoth, run(N, baseline.both));
  best.both = Math.max(best.both, run(N, current.both));
}

const t = performance.now();
current.classify('窗口态度差'.repeat(10_000));
const hugeMs = performance.now() - t;

const cpu = os.cpus()[0]?.model ?? 'unknown';
const fmt = (v: number): string => Math.round(v).toLocaleString('en-US').padStart(8);
const vs = (now: number, before: number): string => (baseline ? `   baseline ${fmt(before)} items/s  (${(now / before).toFixed(2)}×)` : '');
console.log(`machine: ${cpu}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}, node ${process.version}; one core (synchronous loop)`);
console.log(`start-up (jieba + catalogue words + index): ${current.startupMs.toFixed(0)} ms`);
console.log(`${N} texts of ~${avgChars.toFixed(0)} characters, best of ${ROUNDS} round(s):`);
console.log(`  segmentation only     ${fmt(best.seg)} items/s   (the floor: jieba alone)`);
console.log(`  classify              ${fmt(best.classify)} items/s${vs(best.classify, best.baseClassify)}`);
console.log(`  route                 ${fmt(best.route)} items/s${vs(best.route, best.baseRoute)}`);
console.log(`  classify + route      ${fmt(best.both)} items/s${vs(best.both, best.baseBoth)}`);
console.log(`one 50,000-character text (classified on its first 20,000): ${hugeMs.toFixed(1)} ms`);
if (baseline) {
  console.log(`same output as the baseline on all ${texts.length} texts: ${differences ? `NO, ${differences} differ` : 'yes'}`);
  if (differences) process.exitCode = 1;
}
