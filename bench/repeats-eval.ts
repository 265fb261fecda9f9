/**
 * Precision and recall of the repeat and hot-spot decisions (issue 16) on a labelled pair set.
 *   npm run eval:repeats                     # test/fixtures/repeats/pairs.jsonl, thresholds from config/repeats.yaml
 *   npm run eval:repeats -- --build          # rebuild pairs.jsonl from matters.yaml (deterministic)
 * A pair of the same person is judged by the repeat rule, a pair of different people by the hot-spot rule; each side
 * carries its channel, text and, when it was scanned or entered at one, the window.
 * Words are cut as the hub cuts them: by the classification engine's segmenter for the sample catalogue (catalogue
 * names and lexicon phrases known to it); `--plain` cuts them with a plain jieba instead, for comparison.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../src/config/config.js';
import { compare, sameMatter, type MatterFacts, type Thresholds } from '../src/repeats/decide.js';
import { createSegmenter, loadLexicon } from '../src/classification/index.js';
import { lexiconPhrases } from '../src/classification/lexicon.js';
import { CLASSIFICATION_DIR } from '../src/classification/shipped.js';
import { matterText, matterTokens, matterWords } from '../src/repeats/matter.js';
import { loadCatalogYaml } from '../src/routing/catalog-yaml.js';
import { loadRepeatsConfig } from '../src/repeats/repeats.config.js';

const DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'repeats');

interface Side {
  channel: string;
  text: string;
  window?: string;
}
interface Pair {
  a: Side;
  b: Side;
  samePerson: boolean;
  sameMatter: boolean;
  kind: string;
}

function build(): Pair[] {
  const matters = parse(readFileSync(path.join(DIR, 'matters.yaml'), 'utf8')) as { id: string; window?: string; texts: [string, string][] }[];
  const side = (m: (typeof matters)[number], j: number, forceWindow = false): Side => {
    const [channel, text] = m.texts[j]!;
    // a QR rating carries the window it was scanned at; staff entries and calls do not
    return m.window && (channel === 'qr' || forceWindow) ? { channel, text, window: m.window } : { channel, text };
  };
  const pairs: Pair[] = [];
  matters.forEach((m, mi) => {
    for (let i = 0; i < 4; i++)
      for (let j = i + 1; j < 4; j++) pairs.push({ a: side(m, i), b: side(m, j), samePerson: mi % 2 === 0, sameMatter: true, kind: 'paraphrase across channels' });
    const next = matters[(mi + 1) % matters.length]!;
    for (let j = 0; j < 2; j++) pairs.push({ a: side(m, j), b: side(next, 3 - j), samePerson: true, sameMatter: false, kind: 'same person, different matter' });
    matters.forEach((o, oi) => {
      if (oi <= mi || !m.window || o.window !== m.window) return;
      for (let j = 0; j < 4; j++) pairs.push({ a: side(m, j, true), b: side(o, j, true), samePerson: j === 3, sameMatter: false, kind: 'same window, different complaint' });
    });
  });
  return pairs;
}

interface Tally {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}
const pr = (t: Tally) => ({ precision: t.tp + t.fp ? t.tp / (t.tp + t.fp) : 1, recall: t.tp + t.fn ? t.tp / (t.tp + t.fn) : 1 });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function main(): void {
  const file = path.join(DIR, 'pairs.jsonl');
  if (process.argv.includes('--build')) {
    const pairs = build();
    writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    console.log(`wrote ${pairs.length} pairs to ${path.relative(PROJECT_ROOT, file)}`);
    return;
  }
  const pairs = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Pair);
  const cfg = loadRepeatsConfig();
  const plain = process.argv.includes('--plain');
  const seg = plain
    ? createSegmenter()
    : createSegmenter({
        catalog: loadCatalogYaml(path.join(PROJECT_ROOT, 'config', 'catalog.sample.yaml')),
        words: lexiconPhrases(loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'))),
      });
  console.log(`words cut by ${plain ? 'a plain jieba' : "the classification engine's segmenter (sample catalogue, lexicon phrases)"}`);
  const facts = (s: Side, id: string): MatterFacts => {
    const words = matterWords(matterText(null, s.text), seg);
    return { id, words, tokens: matterTokens(words), windowId: s.window ?? null, serviceItemId: null };
  };
  const scored = pairs.map((p) => ({ p, m: compare(facts(p.a, 'a'), facts(p.b, 'b')) }));
  const run = (samePerson: boolean, t: Thresholds): Tally => {
    const tally: Tally = { tp: 0, fp: 0, fn: 0, tn: 0 };
    for (const { p, m } of scored) {
      if (p.samePerson !== samePerson) continue;
      const said = sameMatter(m, t);
      if (said && p.sameMatter) tally.tp++;
      else if (said) tally.fp++;
      else if (p.sameMatter) tally.fn++;
      else tally.tn++;
    }
    return tally;
  };
  const n = (samePerson: boolean, label: boolean) => pairs.filter((p) => p.samePerson === samePerson && p.sameMatter === label).length;
  console.log(`pairs: ${pairs.length} (same person: ${n(true, true)} same matter, ${n(true, false)} different; different people: ${n(false, true)} same matter, ${n(false, false)} different)\n`);
  console.log('| decision | thresholds (text / with shared window) | precision | recall | TP | FP | FN | TN |');
  console.log('|---|---|---|---|---|---|---|---|');
  const line = (name: string, sp: boolean, t: Thresholds, mark = '') => {
    const r = run(sp, t);
    const { precision, recall } = pr(r);
    console.log(`| ${name}${mark} | ${t.similarity} / ${t.similarityWithContext} | ${pct(precision)} | ${pct(recall)} | ${r.tp} | ${r.fp} | ${r.fn} | ${r.tn} |`);
  };
  line('repeat (same person)', true, cfg.repeat, ' **(config)**');
  line('hot spot (different people)', false, cfg.hotSpot, ' **(config)**');
  for (const s of [0.2, 0.25, 0.3, 0.34, 0.4, 0.5]) line('repeat', true, { similarity: s, similarityWithContext: Math.min(s, cfg.repeat.similarityWithContext) });
  for (const s of [0.3, 0.4, 0.5, 0.6]) line('hot spot', false, { similarity: s, similarityWithContext: Math.min(s, cfg.hotSpot.similarityWithContext) });
  const errors = scored.filter(({ p, m }) => sameMatter(m, p.samePerson ? cfg.repeat : cfg.hotSpot) !== p.sameMatter);
  console.log(`\nerrors at the configured thresholds (${errors.length}):`);
  for (const { p, m } of errors.slice(0, 30)) console.log(`- [${p.kind}${p.samePerson ? ', same person' : ''}] sim ${m.similarity} ${m.context.join(',')}: ${p.a.text} ⟷ ${p.b.text}`);
}

main();
