/**
 * A classification thread (node:worker_threads) for file imports: the same public classify/route code the service
 * runs (src/classification, src/routing), built from the same lexicon, model, routing memory and catalogue snapshot the
 * importing process uses (sent in workerData), answering batches of small inputs with small assessments.
 */
import { parentPort, workerData } from 'node:worker_threads';
import path from 'node:path';
import { createClassifier, loadLexicon, modelFromJson, type ModelJson } from '../../classification/index.js';
import { CLASSIFICATION_DIR, seedMemory } from '../../classification/shipped.js';
import { buildCatalogIndex, route } from '../../routing/index.js';
import type { Catalog } from '../../org/catalog.types.js';
import { matterColumns } from '../../repeats/matter.js';
import { toAssessment, type AssessInput, type AssessWorkerData } from './assess-types.js';

const data = workerData as AssessWorkerData;
const lexicon = loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'));
const catalog = data.catalog as Catalog;
const classifier = createClassifier({ lexicon, catalog });
classifier.setModel(modelFromJson(data.model as ModelJson));
// the routing memory the service holds: the shipped rows for this catalogue, then the store's routing labels
const memory = seedMemory(catalog);
for (const l of data.labels) memory.add(l.text, l.unit, `item:${l.item}`);
const index = buildCatalogIndex(catalog);

parentPort?.on('message', (msg: { id: number; inputs: AssessInput[] }) => {
  const out = msg.inputs.map((input) => {
    try {
      const c = classifier.classify(input);
      const r = route({ ...input, classification: c }, index, { memory });
      return { ok: true as const, a: toAssessment(c, r), matter: matterColumns(input.subject, input.text) };
    } catch (e) {
      return { ok: false as const, error: (e as Error).message };
    }
  });
  parentPort?.postMessage({ id: msg.id, out });
});
parentPort?.postMessage({ ready: true });
