/**
 * Throughput of classify + route on ~100-character texts, one core (the loop is synchronous):
 *   npm run bench:classify
 * Lines: jieba alone, classify, route, classify + route without the routing memory (the figure issue 14 set its
 * target on), then as the hub runs it — routed with the routing memory seeded from the shipped rows — one item at a
 * time (a rating, a mail) and in the classification thread's pieces of 64 (an import: classified, then routed);
 * last, one at a time with the memory grown by every labelled text of the tuning and held-out sets (~14,000 rows, as
 * a store's dispatches and corrections accumulate).
 * Paths are resolved from the working directory, so run it from the project root.
 *
 * Same-run baseline: BENCH_BASELINE=<dist-bench folder of an older build> loads that build's classifier and router
 * beside this one, times both in alternating rounds and checks that every text gets exactly the same classification
 * and routing from both (the machine is shared, so only figures of one run compare). Build the older code with e.g.
 *   git archive main | tar -x -C /tmp/before-src && ln -s $PWD/node_modules /tmp/before-src/ &&
 *   (cd /tmp/before-src && npx tsc -p tsconfig.bench.json)   # then BENCH_BASELINE=/tmp/before-src/dist-bench
 * The baseline reads this project's lexicon and model unless BENCH_BASELINE_ROOT names its own project root (for a
 * change of the model's format or the lexicon: then the outputs may differ, and the differences are counted).
 */
import os from 'node:os';
import path from 'node:path';
import { benchTexts, labelledMessages } from './classify-texts.js';
import { loadEngineBuild } from './engine-build.js';

const root = process.cwd();
const texts = benchTexts();
const avgChars = texts.reduce((a, s) => a + Array.from(s).length, 0) / texts.length;

interface Build {
  startupMs: number;
  segment(text: string): unknown;
  classify(text: string): unknown;
  route(text: string): unknown;
  both(text: string): unknown;
  /** classify + route as the hub does it: with the routing memory */
  withMemory(text: string): unknown;
  memorySize: number;
  /** the same with a memory grown by every labelled text of the tuning and held-out sets (a store years on) */
  withGrownMemory(text: string): unknown;
  grownSize: number;
  /** the same for a batch, as the classification thread answers an import's batch (one item at a time in a build
   * from before the batch path) */
  batch(texts: string[]): unknown;
}

/** The classifier and router of a compiled tree (this one, or a baseline's dist-bench). */
async function load(distBench: string, projectRoot = root): Promise<Build> {
  const { catalog, classifier, index, route, normalizeText, startupMs, memory, newMemory, classifyAndRouteMany } = await loadEngineBuild(distBench, projectRoot);
  const withMemory = (text: string): unknown => {
    const classification = classifier.classify({ text, channel: 'hotline' });
    return { classification, routed: route({ text, channel: 'hotline', classification }, index, { memory }) };
  };
  // grown by the labelled texts of the tuning and held-out sets, each given one of this catalogue's units in turn
  const grown = newMemory();
  const codes = catalog.units.map((u) => u.code);
  labelledMessages(root, ['test/fixtures/routing-tuning', 'test/fixtures/routing-heldout']).forEach(({ text }, i) => grown.add(text, codes[i % codes.length] as string));
  return {
    startupMs,
    segment: (text) => classifier.segmenter.cut(normalizeText(text)),
    classify: (text) => classifier.classify({ text }),
    route: (text) => route({ text, classification: { misconduct: false } }, index),
    both: (text) => {
      const classification = classifier.classify({ text, channel: 'hotline' });
      return { classification, routed: route({ text, channel: 'hotline', classification }, index) };
    },
    withMemory,
    memorySize: memory.size,
    withGrownMemory: (text) => {
      const classification = classifier.classify({ text, channel: 'hotline' });
      return { classification, routed: route({ text, channel: 'hotline', classification }, index, { memory: grown }) };
    },
    grownSize: grown.size,
    batch: (texts) =>
      classifyAndRouteMany
        ? classifyAndRouteMany(
            { classifier, index, memory },
            texts.map((text) => ({ text, channel: 'hotline' })),
          )
        : texts.map(withMemory),
  };
}

/** an import's piece on the classification thread (src/classification/thread/engine-threads.ts: CHUNK) */
const BATCH = 64;

/**
 * items/s (wall clock) and CPU µs per item (process.cpuUsage: steadier on a shared machine) of one round; `work`
 * runs the round and returns how many items it did
 */
function timed(work: () => number): { rate: number; cpu: number } {
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const done = work();
  const rate = done / ((performance.now() - started) / 1000);
  const cpu = process.cpuUsage(cpu0);
  return { rate, cpu: (cpu.user + cpu.system) / done };
}

/** `n` items, one at a time */
function run(n: number, fn: (text: string) => unknown): { rate: number; cpu: number } {
  return timed(() => {
    for (let i = 0; i < n; i++) fn(texts[i % texts.length] as string);
    return n;
  });
}

/** at least `n` items in batches of BATCH texts (the last batch of the texts may be shorter) */
const batches = Array.from({ length: Math.ceil(texts.length / BATCH) }, (_, i) => texts.slice(i * BATCH, (i + 1) * BATCH));
function runBatches(n: number, fn: (texts: string[]) => unknown): { rate: number; cpu: number } {
  return timed(() => {
    let done = 0;
    for (let i = 0; done < n; i++) {
      const batch = batches[i % batches.length] as string[];
      fn(batch);
      done += batch.length;
    }
    return done;
  });
}

const current = await load(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'));
const baseline = process.env.BENCH_BASELINE
  ? await load(path.resolve(process.env.BENCH_BASELINE), process.env.BENCH_BASELINE_ROOT ? path.resolve(process.env.BENCH_BASELINE_ROOT) : root)
  : null;

// the same output for every text, before any timing
let differences = 0;
if (baseline) {
  for (const text of texts) {
    // without the routing memory and with it (the batch path's answers are the same as these: its spec)
    const same = JSON.stringify([current.both(text), current.withMemory(text)]) === JSON.stringify([baseline.both(text), baseline.withMemory(text)]);
    if (!same) {
      if (!differences) console.log(`DIFFERENT: ${text}`);
      differences++;
    }
  }
}

// warm-up (JIT, jieba's internal caches)
run(2000, current.both);
run(2000, current.withMemory);
if (baseline) run(2000, baseline.both);
if (baseline) run(2000, baseline.withMemory);
run(2000, current.withGrownMemory);
if (baseline) run(2000, baseline.withGrownMemory);

const N = Number(process.env.BENCH_N ?? (baseline ? 10000 : 20000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (baseline ? 6 : 1));
// best of the rounds (items/s) and the median CPU time per item; with a baseline the two builds alternate, so load
// from other work hits both alike
const kinds = ['seg', 'classify', 'route', 'both', 'mem', 'batch', 'grown', 'baseClassify', 'baseRoute', 'baseBoth', 'baseMem', 'baseBatch', 'baseGrown'] as const;
type Kind = (typeof kinds)[number];
const rounds = Object.fromEntries(kinds.map((k) => [k, [] as Array<{ rate: number; cpu: number }>])) as Record<Kind, Array<{ rate: number; cpu: number }>>;
for (let r = 0; r < ROUNDS; r++) {
  rounds.seg.push(run(N, current.segment));
  if (baseline) rounds.baseClassify.push(run(N, baseline.classify));
  rounds.classify.push(run(N, current.classify));
  if (baseline) rounds.baseRoute.push(run(N, baseline.route));
  rounds.route.push(run(N, current.route));
  if (baseline) rounds.baseBoth.push(run(N, baseline.both));
  rounds.both.push(run(N, current.both));
  if (baseline) rounds.baseMem.push(run(N, baseline.withMemory));
  rounds.mem.push(run(N, current.withMemory));
  if (baseline) rounds.baseBatch.push(runBatches(N, baseline.batch));
  rounds.batch.push(runBatches(N, current.batch));
  if (baseline) rounds.baseGrown.push(run(N, baseline.withGrownMemory));
  rounds.grown.push(run(N, current.withGrownMemory));
}
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const best = Object.fromEntries(kinds.map((k) => [k, Math.max(0, ...rounds[k].map((x) => x.rate))])) as Record<Kind, number>;
const cpu = Object.fromEntries(kinds.map((k) => [k, rounds[k].length ? median(rounds[k].map((x) => x.cpu)) : 0])) as Record<Kind, number>;

const t = performance.now();
current.classify('窗口态度差'.repeat(10_000));
const hugeMs = performance.now() - t;

const cpuModel = os.cpus()[0]?.model ?? 'unknown';
const fmt = (v: number): string => Math.round(v).toLocaleString('en-US').padStart(8);
const us = (v: number): string => v.toFixed(1).padStart(5);
const vs = (now: Kind, before: Kind): string =>
  baseline
    ? `   baseline ${fmt(best[before])} items/s  (${(best[now] / best[before]).toFixed(2)}×);  CPU ${us(cpu[now])} vs ${us(cpu[before])} µs/item (${(cpu[before] / cpu[now]).toFixed(2)}×)`
    : `;  CPU ${us(cpu[now])} µs/item`;
console.log(`machine: ${cpuModel}, ${os.cpus().length} cores, load ${os.loadavg()[0]?.toFixed(1)}, node ${process.version}; one core (synchronous loop)`);
console.log(`start-up (jieba + catalogue words + index): ${current.startupMs.toFixed(0)} ms`);
console.log(`${N} texts of ~${avgChars.toFixed(0)} characters, best of ${ROUNDS} round(s) (CPU: the rounds' median):`);
console.log(`  segmentation only     ${fmt(best.seg)} items/s   (the floor: jieba alone);  CPU ${us(cpu.seg)} µs/item`);
console.log(`  classify              ${fmt(best.classify)} items/s${vs('classify', 'baseClassify')}`);
console.log(`  route                 ${fmt(best.route)} items/s${vs('route', 'baseRoute')}`);
console.log(`  classify + route      ${fmt(best.both)} items/s${vs('both', 'baseBoth')}`);
console.log(`  … with the routing memory (the hub's path), one item at a time:`);
console.log(`                        ${fmt(best.mem)} items/s${vs('mem', 'baseMem')}`);
console.log(`  … and in batches of ${BATCH} (an import's pieces on the classification thread):`);
console.log(`                        ${fmt(best.batch)} items/s${vs('batch', 'baseBatch')}`);
console.log(`  (the routing memory: ${current.memorySize.toLocaleString('en-US')} rows, the shipped rows confirmed for this catalogue)`);
console.log(`  … with a routing memory grown to ${current.grownSize.toLocaleString('en-US')} rows (every labelled text of the tuning and held-out sets, as a store's`);
console.log(`    dispatches and corrections accumulate), one item at a time:`);
console.log(`                        ${fmt(best.grown)} items/s${vs('grown', 'baseGrown')}`);
console.log(`one 50,000-character text (classified on its first 20,000): ${hugeMs.toFixed(1)} ms`);
if (baseline) {
  console.log(`same output as the baseline on all ${texts.length} texts (with and without the routing memory): ${differences ? `NO, ${differences} differ` : 'yes'}`);
  if (differences) process.exitCode = 1;
}
