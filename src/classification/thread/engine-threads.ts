import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../../config/config.js';
import type { CatalogSnapshot } from '../../org/catalog.cache.js';
import { classifierModelJson, latestModels, routingLabels } from '../model-store.js';
import type { AssessAnswer, AssessInput, EngineMode, EngineRequest, EngineWorkerData, FullAnswer } from './assess-types.js';

/** the thread's script, built (npm run build); in-process classification when it is missing */
export const ENGINE_THREAD_FILE = path.join(PROJECT_ROOT, 'dist', 'classification', 'thread', 'engine-thread.js');
/**
 * each thread's JavaScript heap is capped: its footprint stays flat whatever the file's size. The engine lives near
 * 60 MB (model, segmenter's words, routing memory, catalogue index); at a 64 MB cap the thread spent its time in
 * full collections (50,000-row import: 552 µs of hub CPU a row against 402 µs at 128 MB, peak RSS no higher).
 */
const THREAD_HEAP_MB = 128;
/** …and its young generation (V8 would otherwise size it like a server's main thread) */
const THREAD_YOUNG_MB = 8;
/** how often the store is asked for a newer model or new routing labels (a correction here asks at once) */
const CHECK_EVERY_MS = 3000;
/** an import's batch goes in pieces of this many, so a rating submitted meanwhile waits a few milliseconds at most */
const CHUNK = 64;

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  busy: number;
  waiting: Map<number, (a: unknown[] | Error) => void>;
  /** requests made in this turn of the event loop, posted together when it ends (see EngineThreads.request) */
  queued: Queued[];
  /** the error the thread died of: requests made after it are answered with it */
  dead: Error | null;
}

interface Queued {
  inputs: AssessInput[];
  mode: EngineMode;
  resolve: (a: unknown[] | Error) => void;
}

interface Pool {
  catalogVersion: string;
  modelId: string;
  /** the newest routing label the threads' memory holds */
  labelId: number;
  threads: Thread[];
  next: number;
  /** replaced by a newer pool: stopped once its last answer is back */
  retired: boolean;
  /** a thread died: the next call builds a new pool */
  broken: boolean;
}

/**
 * The process's classification engine on worker threads: every intake (a rating, a mail, an entry, an import's rows)
 * is classified and routed there, so the process holds one copy of jieba's dictionary and the models instead of one
 * per thread that classifies (~100 MB each), and an import's classification runs on the other core while the
 * importing thread parses and writes. The threads are built from the catalogue snapshot, the newest classifier model
 * in the store (else the shipped one) and the routing memory (shipped rows, then the store's routing labels), as the
 * in-process engine of ClassificationService is; new routing labels are sent to them as they arrive (checked every
 * few seconds, at once after a correction here), a new model or catalogue builds new threads.
 */
export class EngineThreads {
  private readonly logger = new Logger(EngineThreads.name);
  private pool: Pool | null = null;
  private building: Promise<Pool> | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private seq = 0;
  private closed = false;
  /**
   * One thread per core beyond the main one (one on a 2-core machine, where the hub runs a worker process per core):
   * each classifies ~15,000 items/s, faster than the store takes them.
   */
  readonly size = Math.max(1, Math.min(os.availableParallelism() - 1, 3));

  constructor(private readonly ds: DataSource) {}

  /** whether the thread script is built (tests that run from sources without a build classify in-process) */
  static available(): boolean {
    return existsSync(ENGINE_THREAD_FILE);
  }

  /** Compact assessments with matter columns, in order (an error entry for an input the classifier could not take). */
  assess(inputs: AssessInput[], snap: CatalogSnapshot): Promise<AssessAnswer[]> {
    return this.run(inputs, snap, 'compact') as Promise<AssessAnswer[]>;
  }

  /** The whole classification and routing of each input. */
  full(inputs: AssessInput[], snap: CatalogSnapshot): Promise<FullAnswer[]> {
    return this.run(inputs, snap, 'full') as Promise<FullAnswer[]>;
  }

  /** The matter words of each text (repeats' evidence: the words two items share), in order. */
  words(texts: string[], snap: CatalogSnapshot): Promise<string[][]> {
    const inputs = texts.map((text): AssessInput => ({ text, subject: null, channel: null, rating: null, tags: null, window: null, assignedUnit: null }));
    return this.run(inputs, snap, 'words') as Promise<string[][]>;
  }

  /** A correction was stored here: look for new labels on the next call instead of within a few seconds. */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.pool;
    this.pool = null;
    if (p) await stopPool(p);
  }

  private async run(inputs: AssessInput[], snap: CatalogSnapshot, mode: EngineMode): Promise<unknown[]> {
    if (!inputs.length) return [];
    for (let attempt = 1; ; attempt++) {
      const pool = await this.current(snap);
      try {
        return await this.send(pool, inputs, mode);
      } catch (e) {
        // a thread that died (out of memory, a bug) takes its pool with it; the call is tried once on a new one
        if (attempt >= 2 || this.closed) throw e;
        this.logger.warn({ err: e }, 'classification thread lost; starting a new one');
      }
    }
  }

  private async send(pool: Pool, inputs: AssessInput[], mode: EngineMode): Promise<unknown[]> {
    const t = pool.threads.reduce((best, th) => (th.busy < best.busy ? th : best), pool.threads[pool.next++ % pool.threads.length]);
    t.busy++;
    try {
      await t.ready;
      const out: unknown[] = [];
      for (let i = 0; i < inputs.length; i += CHUNK) {
        const part = await this.request(t, inputs.slice(i, i + CHUNK), mode);
        if (part instanceof Error) throw part;
        for (const x of part) out.push(x);
      }
      return out;
    } finally {
      t.busy--;
      if (pool.retired && pool.threads.every((x) => x.busy === 0)) void stopPool(pool);
    }
  }

  /**
   * One piece of a call, answered in order. Pieces asked for in the same turn of the event loop (ratings that arrived
   * together) go to the thread as one message when the turn ends: every message costs a structured clone and a
   * wake-up of the other thread each way, more than classifying a short comment.
   */
  private request(t: Thread, inputs: AssessInput[], mode: EngineMode): Promise<unknown[] | Error> {
    return new Promise((resolve) => {
      if (t.dead) return resolve(t.dead);
      t.queued.push({ inputs, mode, resolve });
      if (t.queued.length === 1) setImmediate(() => this.flush(t));
    });
  }

  /** Posts a thread's queued pieces: neighbours of the same mode together, up to CHUNK inputs a message. */
  private flush(t: Thread): void {
    const q = t.queued;
    t.queued = [];
    for (let i = 0; i < q.length; ) {
      const first = q[i] as Queued;
      const group = [first];
      let n = first.inputs.length;
      for (i++; i < q.length && (q[i] as Queued).mode === first.mode && n + (q[i] as Queued).inputs.length <= CHUNK; i++) {
        group.push(q[i] as Queued);
        n += (q[i] as Queued).inputs.length;
      }
      if (t.dead) {
        for (const g of group) g.resolve(t.dead);
        continue;
      }
      const id = ++this.seq;
      t.waiting.set(id, (out) => {
        if (out instanceof Error) return group.forEach((g) => g.resolve(out));
        let at = 0;
        for (const g of group) {
          g.resolve(group.length === 1 ? out : out.slice(at, at + g.inputs.length));
          at += g.inputs.length;
        }
      });
      post(t, { id, inputs: group.length === 1 ? first.inputs : group.flatMap((g) => g.inputs), mode: first.mode });
    }
  }

  private async current(snap: CatalogSnapshot): Promise<Pool> {
    const p = this.pool;
    if (p && !p.broken && p.catalogVersion === snap.version && performance.now() - this.checkedAt < CHECK_EVERY_MS) return p;
    if (this.building) {
      const b = await this.building;
      if (!b.broken && b.catalogVersion === snap.version) return b;
    }
    this.building = this.refresh(snap).finally(() => (this.building = null));
    return this.building;
  }

  private async refresh(snap: CatalogSnapshot): Promise<Pool> {
    // the same choice as ClassificationService (model-store.ts): the newest model in the store, else the shipped one;
    // the routing memory with every routing label up to the newest
    const { model: modelId, label: labelId } = await latestModels(this.ds);
    this.checkedAt = performance.now();
    const p = this.pool;
    if (p && !p.broken && p.catalogVersion === snap.version && p.modelId === modelId) {
      if (labelId > p.labelId) {
        const labels = await routingLabels(this.ds, p.labelId, labelId);
        // messages to a thread are handled in order: every later call sees these labels
        for (const t of p.threads) post(t, { remember: labels });
        p.labelId = labelId;
      }
      return p;
    }
    const model = await classifierModelJson(this.ds, modelId);
    const workerData: EngineWorkerData = { catalog: snap.catalog, model, labels: await routingLabels(this.ds, 0, labelId) };
    const pool: Pool = { catalogVersion: snap.version, modelId, labelId, threads: [], next: 0, retired: false, broken: false };
    pool.threads = Array.from({ length: this.size }, () => this.spawn(workerData, pool));
    await Promise.all(pool.threads.map((t) => t.ready));
    const old = this.pool;
    this.pool = pool;
    if (old) {
      old.retired = true;
      if (old.threads.every((t) => t.busy === 0)) void stopPool(old);
    }
    if (this.closed) void this.close();
    return pool;
  }

  private spawn(workerData: EngineWorkerData, pool: Pool): Thread {
    const worker = new Worker(ENGINE_THREAD_FILE, { workerData, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: THREAD_YOUNG_MB } });
    worker.unref();
    const waiting = new Map<number, (a: unknown[] | Error) => void>();
    let markReady: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    ready.catch(() => undefined);
    const thread: Thread = { worker, ready, busy: 0, waiting, queued: [], dead: null };
    worker.on('message', (m: { ready?: true; id?: number; out?: unknown[] }) => {
      if (m.ready) return markReady();
      const w = waiting.get(m.id as number);
      waiting.delete(m.id as number);
      w?.(m.out as unknown[]);
    });
    const died = (e: Error) => {
      thread.dead ??= e;
      fail(e);
      for (const w of waiting.values()) w(e);
      waiting.clear();
      // pieces queued for the next post are answered when it comes (flush sees the thread dead)
      pool.broken = true;
    };
    worker.on('error', (e) => {
      this.logger.error({ err: e }, 'classification thread failed');
      died(e);
    });
    worker.on('exit', (code) => died(new Error(`classification thread stopped (exit ${code})`)));
    return thread;
  }
}

function post(t: Thread, m: EngineRequest): void {
  t.worker.postMessage(m);
}

async function stopPool(p: Pool): Promise<void> {
  p.broken = true;
  await Promise.all(p.threads.map((t) => t.worker.terminate().catch(() => undefined)));
}
