import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { buildCatalogIndex, type CatalogIndex } from '../routing/catalog-index.js';
import { routerToJson, trainRouter, type RoutingRow } from '../routing/learned-router.js';
import { RoutingMemory } from '../routing/memory.js';
import type { RouteInput, RouteResult } from '../routing/router.js';
import { createClassifier, type Classification, type ClassifyInput, type Classifier } from './classifier.js';
import { isLabel } from './dimensions.js';
import { lexiconPhrases, loadLexicon, type Lexicon } from './lexicon.js';
import { modelFromJson, modelToJson, trainModel, type TrainingRow } from './model.js';
import { createSegmenter, type Segmenter } from './segmenter.js';
import { classifierModelJson, latestModels, routingLabels } from './model-store.js';
import { CLASSIFICATION_DIR, seedMemory, shippedTrainingRows } from './shipped.js';
import { assessInput, type AssessAnswer, type AssessInput } from './thread/assess-types.js';
import { EngineThreads } from './thread/engine-threads.js';
import { assessBatch, classifyAndRoute } from './thread/classify-route.js';
import { matterWords } from '../repeats/matter.js';

// the shipped data's readers live apart (no framework imports) so the import threads can load them lightly
export { CLASSIFICATION_DIR, seedMemory, shippedRoutingRows, shippedTrainingRows } from './shipped.js';

const CHECK_EVERY_MS = 3000;

interface Engine {
  catalogVersion: string;
  modelId: string;
  classifier: Classifier;
  index: CatalogIndex;
  /** confirmed routings and corrections, searched by similarity; grows as labels arrive */
  memory: RoutingMemory;
  /** the newest routing label the memory holds */
  labelId: number;
}

export interface ModelStatus {
  /** null: the shipped model (config/classification/model.json) is in use, never retrained here */
  trainedAt: string | null;
  trainedBy: string | null;
  rows: number | null;
  /** staff corrections (classification and routing labels) stored after that training */
  correctionsSince: number;
}

export interface TrainReport {
  rows: number;
  labels: number;
  routingRows: number;
  modelId: string;
  routerId: string;
}

/**
 * Classification and routing as a service: the cue lexicon and seed model from config/, the catalogue from the
 * store, and the newest models trained from the store (staff corrections). Every copy of the service checks for a
 * newer model every few seconds, so a retrain reaches all of them without a restart.
 *
 * Where it runs: on the process's classification thread (EngineThreads) when the thread script is built, so the
 * process holds one engine (jieba's dictionary, the models, the routing memory: ~100 MB) for every channel and
 * import; in-process (the engine below) when it is not, or when the thread cannot start.
 */
@Injectable()
export class ClassificationService implements OnModuleDestroy {
  private readonly logger = new Logger(ClassificationService.name);
  private readonly lexicon: Lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
  private engine: Engine | null = null;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private building: Promise<Engine> | null = null;
  private threads: EngineThreads | null;

  constructor(
    private readonly ds: DataSource,
    private readonly catalog: CatalogCache,
  ) {
    this.threads = EngineThreads.available() ? new EngineThreads(ds) : null;
  }

  /** 'thread' when classification runs on the process's classification thread, else 'in-process'. */
  get runsOn(): 'thread' | 'in-process' {
    return this.threads ? 'thread' : 'in-process';
  }

  /** whether the in-process engine has been built (it is not while the thread serves) */
  get holdsEngine(): boolean {
    return this.engine !== null;
  }

  /** Classify in this process from now on (tests compare both places; a diagnosis can rule the thread out). */
  useInProcess(): void {
    const t = this.threads;
    this.threads = null;
    void t?.close();
  }

  async onModuleDestroy(): Promise<void> {
    await this.threads?.close();
  }

  async classify(input: ClassifyInput): Promise<Classification> {
    return (await this.assess(input)).c;
  }

  /** Both, as intake does them: the classification feeds routing (misconduct → supervision). */
  async assess(input: ClassifyInput & Omit<RouteInput, 'classification'>, snap?: CatalogSnapshot): Promise<{ c: Classification; r: RouteResult }> {
    if (this.threads) {
      const s = snap ?? (await this.catalog.get());
      const [answer] = await this.onThread((t) => t.full([assessInput(input)], s));
      if (answer) {
        if (!answer.ok) throw new Error(answer.error);
        return { c: answer.c, r: answer.r };
      }
    }
    return classifyAndRoute(await this.current(snap), input);
  }

  /**
   * Compact assessments for intake, in order (an import's batch or a single submission), with the matter columns
   * for repeats when the thread computed them; an error entry for an input the classifier could not take.
   */
  async assessMany(inputs: AssessInput[], snap: CatalogSnapshot): Promise<AssessAnswer[]> {
    if (this.threads && inputs.length) {
      const answers = await this.onThread((t) => t.assess(inputs, snap));
      if (answers.length) return answers;
    }
    if (!inputs.length) return [];
    return assessBatch(await this.current(snap), inputs);
  }

  /**
   * The matter words of each text (repeats' evidence), cut by the thread's segmenter so that the process holds no
   * jieba of its own; in-process when there is no thread. Same function either way (src/repeats/matter.ts).
   */
  async matterWords(texts: string[]): Promise<string[][]> {
    if (this.threads && texts.length) {
      const snap = await this.catalog.get();
      const answers = await this.onThread((t) => t.words(texts, snap));
      if (answers.length === texts.length && answers.every(Array.isArray)) return answers;
    }
    if (!texts.length) return [];
    const seg = (await this.current()).classifier.segmenter;
    return texts.map((t) => matterWords(t, seg));
  }

  /** A correction was stored here: look for new labels on the next call instead of within a few seconds. */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.threads?.invalidate();
  }

  /** The thread's answer; [] when it cannot start (classification goes on in-process from then on, and says so). */
  private async onThread<T>(call: (t: EngineThreads) => Promise<T[]>): Promise<T[]> {
    const t = this.threads;
    if (!t) return [];
    try {
      return await call(t);
    } catch (e) {
      if (this.threads !== t) return [];
      this.logger.error({ err: e }, 'the classification thread failed twice; classifying in-process from now on (one more engine in memory)');
      this.threads = null;
      void t.close();
      return [];
    }
  }

  /** Retrains the model and the learned router from the shipped rows plus every staff correction in the store. */
  async retrain(by: string): Promise<TrainReport> {
    const segmenter = await this.trainingSegmenter();
    const base = shippedTrainingRows();
    const labels: { text: string; dimension: string | null; secondary: string[]; misconduct: boolean | null; kind: string; unit_code: string | null }[] =
      await this.ds.query(
        `SELECT DISTINCT ON (item_id, kind) text, dimension, secondary, misconduct, kind, unit_code
         FROM item_label ORDER BY item_id, kind, id DESC`,
      );
    // a correction overrides a shipped row with the same text
    const corrected = new Map<string, TrainingRow>();
    for (const l of labels) {
      if (l.kind === 'classification' && l.dimension && isLabel(l.dimension)) {
        corrected.set(l.text, { text: l.text, dimension: l.dimension, secondary: l.secondary as never, misconduct: l.misconduct ?? false });
      }
    }
    const rows: TrainingRow[] = [...base.filter((r) => !corrected.has(r.text)), ...corrected.values()];
    // one run, not the shipped model's five (SHIPPED_TRAINING): five would make a retrain five times as long
    const model = trainModel(rows, segmenter);
    const routing: RoutingRow[] = [
      ...base.filter((r): r is TrainingRow & { unit: string } => typeof (r as { unit?: unknown }).unit === 'string').map((r) => ({ text: r.text, subject: r.subject, unit: r.unit })),
      ...labels.filter((l) => l.kind === 'routing' && l.unit_code).map((l) => ({ text: l.text, unit: l.unit_code as string })),
    ];
    const router = trainRouter(routing, segmenter);
    const [m] = await this.ds.query(
      `INSERT INTO classifier_model (kind, model, rows, trained_by) VALUES ('classifier', $1::jsonb, $2, $3) RETURNING id`,
      [JSON.stringify(modelToJson(model)), rows.length, by],
    );
    const [r] = await this.ds.query(
      `INSERT INTO classifier_model (kind, model, rows, trained_by) VALUES ('router', $1::jsonb, $2, $3) RETURNING id`,
      [JSON.stringify(routerToJson(router)), routing.length, by],
    );
    this.invalidate();
    this.logger.log({ rows: rows.length, labels: labels.length, routing: routing.length }, 'models retrained');
    return { rows: rows.length, labels: labels.length, routingRows: routing.length, modelId: String(m.id), routerId: String(r.id) };
  }

  /**
   * The segmenter the engine uses (the catalogue's names and the lexicon's phrases as words): the in-process
   * engine's when it exists, else one made for this training and dropped after it.
   */
  private async trainingSegmenter(): Promise<Segmenter> {
    if (this.engine) return (await this.current()).classifier.segmenter;
    const snap = await this.catalog.get();
    return createSegmenter({ catalog: snap.catalog, words: lexiconPhrases(this.lexicon) });
  }

  /** What the classifier in use was trained from, and how many staff corrections have come in since. */
  async modelStatus(): Promise<ModelStatus> {
    const [row]: { trained_at: Date | null; trained_by: string | null; rows: number | null; corrections: number }[] = await this.ds.query(
      `SELECT m.trained_at, m.trained_by, m.rows,
              (SELECT count(*)::int FROM item_label l WHERE m.trained_at IS NULL OR l.created_at > m.trained_at) AS corrections
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT trained_at, trained_by, rows FROM classifier_model WHERE kind = 'classifier' ORDER BY id DESC LIMIT 1) m ON true`,
    );
    return {
      trainedAt: row.trained_at?.toISOString() ?? null,
      trainedBy: row.trained_by,
      rows: row.rows,
      correctionsSince: row.corrections,
    };
  }

  private async current(snap?: CatalogSnapshot): Promise<Engine> {
    if (this.engine && performance.now() - this.checkedAt < CHECK_EVERY_MS && (!snap || snap.version === this.engine.catalogVersion)) {
      return this.engine;
    }
    this.building ??= this.refresh(snap).finally(() => (this.building = null));
    return this.building;
  }

  private async refresh(given?: CatalogSnapshot): Promise<Engine> {
    const snap = given ?? (await this.catalog.get());
    // the same choice as the classification thread's (model-store.ts). The learned router the store may also hold is
    // not read: routing uses the routing memory below (the router's naive-Bayes model is kept for evaluation only)
    const { model: modelId, label: labelId } = await latestModels(this.ds);
    this.checkedAt = performance.now();
    const e = this.engine;
    if (e && e.labelId < labelId) await this.remember(e.memory, e.labelId, labelId);
    if (e && e.catalogVersion === snap.version && e.modelId === modelId) {
      e.labelId = Math.max(e.labelId, labelId);
      return e;
    }

    let classifier = e?.classifier;
    if (!e || e.catalogVersion !== snap.version) {
      // the segmenter learns the catalogue's names as words; rebuilt only when the catalogue changes
      const segmenter = createSegmenter({ catalog: snap.catalog, words: lexiconPhrases(this.lexicon) });
      classifier = createClassifier({ lexicon: this.lexicon, segmenter, catalog: snap.catalog });
    }
    const c = classifier as Classifier;
    if (!e || e.modelId !== modelId || e.catalogVersion !== snap.version) c.setModel(modelFromJson(await classifierModelJson(this.ds, modelId)));
    let memory = e?.memory;
    if (!memory) {
      memory = seedMemory(snap.catalog);
      await this.remember(memory, 0, labelId);
    }
    const engine: Engine = { catalogVersion: snap.version, modelId, classifier: c, index: buildCatalogIndex(snap.catalog), memory, labelId };
    this.engine = engine;
    return engine;
  }

  /** Adds the routing labels (staff confirmations, dispatches, corrections) stored after `from` to the memory. */
  private async remember(memory: RoutingMemory, from: number, to: number): Promise<void> {
    // an item corrected twice counts once, with its latest unit
    for (const r of await routingLabels(this.ds, from, to)) memory.add(r.text, r.unit, `item:${r.item}`);
  }

}

