import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { CLASSIFICATION_DIR } from '../../classification/classification.service.js';
import { ClassifyingAssessor } from '../../classification/classifying.assessor.js';
import { PROJECT_ROOT } from '../../config/config.js';
import type { CatalogSnapshot } from '../../org/catalog.cache.js';
import { ItemAssessor, type IntakeDraft } from '../intake.types.js';
import { assessInput, type AssessAnswer, type AssessInput, type AssessWorkerData } from './assess-types.js';

/** the thread's script, built (npm run build); in-process classification when it is missing */
const WORKER_FILE = path.join(PROJECT_ROOT, 'dist', 'intake', 'assess', 'assess-worker.js');
/** threads are stopped after this long without work (each holds a jieba dictionary and the models) */
const IDLE_MS = 30_000;
/** each thread's JavaScript heap is capped: its footprint stays flat whatever the file's size */
const THREAD_HEAP_MB = 64;
/** …and its young generation (V8 would otherwise size it like a server's main thread) */
const THREAD_YOUNG_MB = 8;

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  busy: number;
  waiting: Map<number, (a: AssessAnswer[] | Error) => void>;
}

interface Pool {
  key: string;
  threads: Thread[];
  next: number;
}

/**
 * Classification and routing of file imports on worker threads, so a large import uses the other cores while the
 * importing thread parses and writes. The threads run the same public classify/route code as the service, built from
 * the same catalogue snapshot, classifier model and learned router (the newest in the store, as ClassificationService
 * picks them); only small inputs and assessments cross between threads. Used only when intake's assessor is the
 * classifying one (a test's own assessor runs in-process), and when the built thread script exists.
 */
@Injectable()
export class AssessPool implements OnModuleDestroy {
  private readonly logger = new Logger(AssessPool.name);
  private pool: Pool | null = null;
  private building: Promise<Pool> | null = null;
  private idle: NodeJS.Timeout | null = null;
  private seq = 0;
  /**
   * One thread per core beyond the importing one (one on a 2-core machine): each costs ~120 MB (jieba's dictionary,
   * the models), and one classifies ~13,000 rows/s, faster than a batch is stored.
   */
  readonly size = Math.max(1, Math.min(os.availableParallelism() - 1, 3));

  constructor(
    private readonly ds: DataSource,
    private readonly assessor: ItemAssessor,
  ) {}

  /** whether imports classify on threads here */
  get usable(): boolean {
    return this.assessor instanceof ClassifyingAssessor && existsSync(WORKER_FILE);
  }

  /** Assessments of the drafts, in order (an error for a draft the classifier could not take). */
  async assess(drafts: IntakeDraft[], snap: CatalogSnapshot): Promise<AssessAnswer[]> {
    const pool = await this.current(snap);
    this.touch();
    const t = pool.threads.reduce((best, th) => (th.busy < best.busy ? th : best), pool.threads[pool.next++ % pool.threads.length]);
    await t.ready;
    const id = ++this.seq;
    t.busy++;
    try {
      const inputs: AssessInput[] = drafts.map(assessInput);
      const out = await new Promise<AssessAnswer[] | Error>((resolve) => {
        t.waiting.set(id, resolve);
        t.worker.postMessage({ id, inputs });
      });
      if (out instanceof Error) throw out;
      return out;
    } finally {
      t.busy--;
      this.touch();
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  private touch(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = setTimeout(() => void this.stop(), IDLE_MS);
    this.idle.unref();
  }

  private async stop(): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    const p = this.pool;
    this.pool = null;
    if (p) await Promise.all(p.threads.map((t) => t.worker.terminate().catch(() => undefined)));
  }

  private async current(snap: CatalogSnapshot): Promise<Pool> {
    // the same choice as ClassificationService: the newest model in the store, else the shipped one; the routing
    // memory with every routing label up to the newest
    const [latest] = await this.ds.query(
      `SELECT (SELECT max(id) FROM classifier_model WHERE kind = 'classifier')::text AS model,
              (SELECT max(id) FROM item_label WHERE kind = 'routing')::text AS router`,
    );
    const key = `${snap.version}|${latest.model ?? 'seed'}|${latest.router ?? 'none'}`;
    if (this.pool?.key === key) return this.pool;
    if (this.building) {
      const p = await this.building;
      if (p.key === key) return p;
    }
    this.building = this.build(key, snap, latest.model as string | null, latest.router as string | null).finally(() => (this.building = null));
    return this.building;
  }

  private async build(key: string, snap: CatalogSnapshot, modelId: string | null, routerId: string | null): Promise<Pool> {
    await this.stop();
    const model = modelId
      ? (await this.ds.query(`SELECT model FROM classifier_model WHERE id = $1`, [modelId]))[0].model
      : JSON.parse(readFileSync(path.join(CLASSIFICATION_DIR, 'model.json'), 'utf8'));
    const labels: AssessWorkerData['labels'] = routerId
      ? await this.ds.query(
          `SELECT item_id::text AS item, text, unit_code AS unit FROM item_label WHERE kind = 'routing' AND unit_code IS NOT NULL AND id <= $1 ORDER BY id`,
          [routerId],
        )
      : [];
    const workerData: AssessWorkerData = { catalog: snap.catalog, model, labels };
    const threads = Array.from({ length: this.size }, () => this.spawn(workerData));
    const pool: Pool = { key, threads, next: 0 };
    this.pool = pool;
    return pool;
  }

  private spawn(workerData: AssessWorkerData): Thread {
    const worker = new Worker(WORKER_FILE, { workerData, resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: THREAD_YOUNG_MB } });
    worker.unref();
    const waiting = new Map<number, (a: AssessAnswer[] | Error) => void>();
    let markReady: () => void = () => undefined;
    let fail: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      fail = reject;
    });
    ready.catch(() => undefined);
    worker.on('message', (m: { ready?: true; id?: number; out?: AssessAnswer[] }) => {
      if (m.ready) return markReady();
      const w = waiting.get(m.id as number);
      waiting.delete(m.id as number);
      w?.(m.out as AssessAnswer[]);
    });
    const died = (e: Error) => {
      fail(e);
      for (const w of waiting.values()) w(e);
      waiting.clear();
      // a thread that died takes its pool with it; the next batch builds a new one
      if (this.pool?.threads.some((t) => t.worker === worker)) this.pool = null;
    };
    worker.on('error', (e) => {
      this.logger.error({ err: e }, 'classification thread failed');
      died(e);
    });
    worker.on('exit', (code) => died(new Error(`classification thread stopped (exit ${code})`)));
    return { worker, ready, busy: 0, waiting };
  }
}
