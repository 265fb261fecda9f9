/**
 * The routing memory's query as the store's dispatches and corrections accumulate: µs per query at several sizes,
 * and how often the bounded query (the default budget) answers as the exact one does.
 *   npm run bench:memory [-- sizes=2000,5000,10000,14000,30000,50000]
 * Rows: every labelled message the project holds (the shipped training rows, the tuning and held-out sets:
 * ~14,000 texts of many writers); 600 of them are held back as queries, beside 1,000 of bench:classify's texts.
 * Sizes beyond the real rows are filled with synthetic rows, each the first half of one real text and the second
 * half of another with one of their two units: timing figures, and a harsh agreement test (many near-twins).
 * Same-run baseline: BENCH_BASELINE=<dist-bench folder of an older build> times that build's memory on the same rows.
 */
import os from 'node:os';
import path from 'node:path';
import { normalizeText } from '../src/classification/normalize.js';
import { seededRandom } from '../src/common/seeded-random.js';
import { PROJECT_ROOT } from '../src/config/config.js';
import { RoutingMemory, type MemoryGuess } from '../src/routing/memory.js';
import { benchTexts, labelledMessages } from './classify-texts.js';

interface Memory {
  add(text: string, unit: string): void;
  query(text: string): MemoryGuess | null;
}

const rows = labelledMessages(PROJECT_ROOT, ['config/classification/training', 'test/fixtures/routing-tuning', 'test/fixtures/routing-heldout']).map(
  (r) => ({ text: r.text, unit: `${r.file}:${r.unit ?? '-'}` }),
);
const rnd = seededRandom(7);
for (let i = rows.length - 1; i > 0; i--) {
  const j = Math.floor(rnd() * (i + 1));
  [rows[i], rows[j]] = [rows[j]!, rows[i]!];
}
const queries = [...rows.splice(rows.length - 600).map((r) => r.text), ...benchTexts(1000)].map(normalizeText);
const real = rows.length;

const sizes = (process.argv.find((a) => a.startsWith('sizes='))?.slice(6) ?? '2000,5000,10000,14000,30000,50000').split(',').map(Number);
const largest = Math.max(...sizes);
for (let i = 0; rows.length < largest; i++) {
  const a = rows[i % real]!;
  const b = rows[(i * 7919 + 13) % real]!;
  rows.push({ text: a.text.slice(0, a.text.length >> 1) + b.text.slice(b.text.length >> 1), unit: rnd() < 0.5 ? a.unit : b.unit });
}

const baselineMemory = process.env.BENCH_BASELINE
  ? ((await import(path.join(path.resolve(process.env.BENCH_BASELINE), 'src/routing/memory.js'))) as { RoutingMemory: new () => Memory }).RoutingMemory
  : null;

/** median µs per query over `rounds` passes over the queries (after one warm pass) */
function time(m: Memory, rounds = 5): number {
  for (const q of queries) m.query(q);
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (const q of queries) m.query(q);
    per.push(((performance.now() - t0) * 1000) / queries.length);
  }
  return per.sort((a, b) => a - b)[rounds >> 1]!;
}

const cpus = os.cpus();
console.log(`machine: ${cpus[0]?.model.trim()}, ${cpus.length} cores, load ${os.loadavg()[0]!.toFixed(1)}, node ${process.version}`);
console.log(`${real} real rows (beyond them, synthetic), ${queries.length} queries (600 held-back rows, 1,000 bench texts)`);
for (const n of sizes) {
  const bounded = new RoutingMemory();
  const exact = new RoutingMemory({ budget: Infinity });
  const base = baselineMemory ? new baselineMemory() : null;
  for (const r of rows.slice(0, n)) for (const m of [bounded, exact, base]) m?.add(r.text, r.unit);
  let same = 0;
  let sameUnit = 0;
  let over = 0;
  for (const q of queries) {
    const a = bounded.query(q);
    const b = exact.query(q);
    over += +(exact.lastWalked > 8000);
    same += +(JSON.stringify(a) === JSON.stringify(b));
    sameUnit += +(a?.unit === b?.unit);
  }
  const tBounded = time(bounded);
  const tExact = time(exact);
  const tBase = base ? time(base) : null;
  console.log(
    `${String(n).padStart(6)} rows${n > real ? ' (synthetic beyond ' + real + ')' : ''}: bounded ${tBounded.toFixed(1)} µs, every posting ${tExact.toFixed(1)} µs` +
      (tBase !== null ? `, baseline ${tBase.toFixed(1)} µs (${(tBase / tBounded).toFixed(2)}×)` : '') +
      `; over the budget ${((100 * over) / queries.length).toFixed(1)} % of queries; same answer ${((100 * same) / queries.length).toFixed(1)} %, same unit ${((100 * sameUnit) / queries.length).toFixed(1)} %`,
  );
}
