/**
 * The process's classification engine, on its own thread (node:worker_threads): the same public classify/route code
 * as in-process (src/classification, src/routing), built from the lexicon, the model, the routing memory and the
 * catalogue snapshot the process uses (sent in workerData). It answers single submissions and an import's batches
 * alike, and takes the store's new routing labels as they arrive, so one copy of jieba and the models serves the
 * whole process (each copy costs ~100 MB).
 */
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { createClassifier, loadLexicon, modelFromJson, type ModelJson } from '../index.js';
import { CLASSIFICATION_DIR, seedMemory } from '../shipped.js';
import { buildCatalogIndex } from '../../routing/index.js';
import { assessBatch, classifyAndRouteMany } from './classify-route.js';
import type { Catalog } from '../../org/catalog.types.js';
import { matterWords } from '../../repeats/matter.js';
import type { AssessInput, EngineMode, EngineRequest, EngineWorkerData } from './assess-types.js';

const data = workerData as EngineWorkerData;
const lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
const catalog = data.catalog as Catalog;
const classifier = createClassifier({ lexicon, catalog });
classifier.setModel(modelFromJson(data.model as ModelJson));
// the routing memory the in-process engine holds: the shipped rows for this catalogue, then the store's routing labels
const memory = seedMemory(catalog);
const remember = (labels: EngineWorkerData['labels']): void => {
  for (const l of labels) memory.add(l.text, l.unit, `item:${l.item}`);
};
remember(data.labels);
// workerData lives as long as the thread: the model's JSON (~15 MB of heap) and the store's routing labels are held
// by the classifier and the memory now, so the thread's heap, which bounds an import's memory, lets them go
data.model = null;
data.labels = [];
const parts = { classifier, index: buildCatalogIndex(catalog), memory };

function words(input: AssessInput) {
  try {
    return matterWords(input.text, classifier.segmenter);
  } catch (e) {
    return { ok: false as const, error: (e as Error).message };
  }
}

/** A batch's answers in order: each input classified, then each routed (classifyAndRouteMany says why). */
function answers(inputs: AssessInput[], mode: EngineMode) {
  if (mode === 'words') return inputs.map(words);
  if (mode === 'full') return classifyAndRouteMany(parts, inputs).map((o) => (o.ok ? { ok: true as const, c: o.c, r: o.r } : o));
  return assessBatch(parts, inputs);
}

parentPort?.on('message', (msg: EngineRequest) => {
  if ('remember' in msg) return remember(msg.remember);
  parentPort?.postMessage({ id: msg.id, out: answers(msg.inputs, msg.mode) });
});
parentPort?.postMessage({ ready: true });
