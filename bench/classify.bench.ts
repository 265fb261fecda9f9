/**
 * Throughput of classify + route on ~100-character texts, one core (the loop is synchronous):
 *   npm run bench:classify
 * Paths are resolved from the working directory, so run it from the project root.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClassifier } from '../src/classification/classifier.js';
import { loadLexicon } from '../src/classification/lexicon.js';
import { modelFromJson } from '../src/classification/model.js';
import { normalizeText } from '../src/classification/normalize.js';
import { buildCatalogIndex } from '../src/routing/catalog-index.js';
import { loadCatalogYaml } from '../src/routing/catalog-yaml.js';
import { route } from '../src/routing/router.js';

const root = process.cwd();
const catalog = loadCatalogYaml(path.join(root, process.env.BENCH_CATALOG ?? '../shared/data/org/anping.yaml'));
const lexicon = loadLexicon(path.join(root, 'config/classification/lexicon.yaml'));
const model = modelFromJson(JSON.parse(readFileSync(path.join(root, 'config/classification/model.json'), 'utf8')));

let t = performance.now();
const classifier = createClassifier({ catalog, lexicon, model });
const index = buildCatalogIndex(catalog);
const startupMs = performance.now() - t;

// ~100-character texts built from realistic fragments, varied so no cache can help
const fragments = [
  '市民来电反映，在区政务服务中心社保窗口排了两个多小时的队，',
  '网上申请提交了三次都失败，最后还是得跑到窗口交纸质材料，',
  '窗口工作人员态度恶劣，问两句就不耐烦，还让我自己看墙上的指南，',
  '不动产说要先去税务，税务又让回不动产，两边互相推诿，来回跑了四趟，',
  '办公积金提取要交的复印件一大摞，每次只说一样，没有一次性告知，',
  '有人在门口揽客，说交两千块加急费保证当天出证，还说里面有人，',
  '感谢户政窗口的民警耐心细致，老人换身份证十分钟就办好了，',
  '诉求：希望尽快处理并给予答复。',
];
const texts: string[] = [];
for (let i = 0; i < 2000; i++) {
  let s = '';
  let j = i;
  while (Array.from(s).length < 95) {
    s += fragments[j % fragments.length];
    j = (j * 7 + 3) % 97;
  }
  texts.push(Array.from(s).slice(0, 100).join('') + `（编号${i}）`);
}
const avgChars = texts.reduce((a, s) => a + Array.from(s).length, 0) / texts.length;

function run(n: number, fn: (text: string) => void): number {
  const started = performance.now();
  for (let i = 0; i < n; i++) fn(texts[i % texts.length] as string);
  return n / ((performance.now() - started) / 1000);
}

// warm-up (JIT, jieba's internal caches)
run(2000, (text) => route({ text, classification: classifier.classify({ text }) }, index));

const N = Number(process.env.BENCH_N ?? 20000);
const segOnly = run(N, (text) => classifier.segmenter.cut(normalizeText(text)));
const classifyOnly = run(N, (text) => classifier.classify({ text }));
const routeOnly = run(N, (text) => route({ text, classification: { misconduct: false } }, index));
const both = run(N, (text) => route({ text, channel: 'hotline', classification: classifier.classify({ text, channel: 'hotline' }) }, index));

t = performance.now();
classifier.classify({ text: '窗口态度差'.repeat(10_000) });
const hugeMs = performance.now() - t;

const cpu = os.cpus()[0]?.model ?? 'unknown';
const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');
console.log(`machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}; one core (synchronous loop)`);
console.log(`start-up (jieba + catalogue words + index): ${startupMs.toFixed(0)} ms`);
console.log(`${N} texts of ~${avgChars.toFixed(0)} characters:`);
console.log(`  segmentation only     ${fmt(segOnly)} items/s`);
console.log(`  classify              ${fmt(classifyOnly)} items/s`);
console.log(`  route                 ${fmt(routeOnly)} items/s`);
console.log(`  classify + route      ${fmt(both)} items/s`);
console.log(`one 50,000-character text (classified on its first 20,000): ${hugeMs.toFixed(1)} ms`);
