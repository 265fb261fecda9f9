/**
 * Classify + route time of hostile long texts: each of the catalogue's unit names and aliases, the locality words
 * (镇上, 社区, 村里…) and a few phrases the routing rules look around, repeated up to the router's 20,000-character
 * limit. A real message names a unit a few times; one of these names it thousands of times, and any rule that
 * compares every mention with every other shows here as seconds per item on the classification thread.
 *   npm run bench:build && node dist-bench/bench/hostile-text.bench.js
 * Same-run baseline: BENCH_BASELINE=<dist-bench folder of an older build> (see classify.bench.ts) is timed on the same texts.
 * Paths are resolved from the working directory (the project root).
 */
import os from 'node:os';
import path from 'node:path';
import { loadEngineBuild } from './engine-build.js';

const root = process.cwd();
const SIZES = [2_000, 20_000];

async function load(distBench: string): Promise<{ both(text: string): unknown; names: string[] }> {
  const { catalog, classifier, index, route } = await loadEngineBuild(distBench, root);
  return {
    names: [...new Set(catalog.units.flatMap((u) => [u.name, ...u.aliases]))],
    both: (text) => {
      const classification = classifier.classify({ text, channel: 'email' });
      return route({ text, channel: 'email', classification }, index);
    },
  };
}

const current = await load(path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'));
const baseline = process.env.BENCH_BASELINE ? await load(path.resolve(process.env.BENCH_BASELINE)) : null;
const fragments = [
  ...current.names,
  ...['镇上', '镇里', '街道', '社区', '村里', '社区说', '镇上说', '窗口说', '说是', '要我拿', '证明', '不给办', '隔壁', '的'],
  ...current.names.slice(0, 5).map((n) => `${n}说找${current.names[current.names.length - 1]}，`),
];
process.stdout.write(`machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, node ${process.version}; ${fragments.length} fragments × ${SIZES.join(', ')} characters\n`);

function time(fn: (text: string) => unknown, text: string): number {
  const t = performance.now();
  fn(text);
  return performance.now() - t;
}

for (const size of SIZES) {
  for (const [name, build] of [['this build', current], ['baseline', baseline]] as const) {
    if (!build) continue;
    build.both('预热'.repeat(50));
    const times = fragments.map((f) => {
      const text = f.repeat(Math.ceil(size / f.length)).slice(0, size);
      return { f, ms: time(build.both, text) };
    });
    times.sort((a, b) => b.ms - a.ms);
    const median = times[Math.floor(times.length / 2)]!.ms;
    const worst = times.slice(0, 3).map((t) => `${t.f.slice(0, 12)} ${t.ms.toFixed(0)} ms`).join(', ');
    process.stdout.write(`${String(size).padStart(6)} chars  ${name.padEnd(10)}  median ${median.toFixed(1)} ms   worst: ${worst}\n`);
  }
}
