import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, SAMPLE_CATALOG } from '../../config/config.js';
import { createClassifier } from '../classifier.js';
import { loadLexicon } from '../lexicon.js';
import { modelFromJson } from '../model.js';
import { CLASSIFICATION_DIR, seedMemory } from '../shipped.js';
import { buildCatalogIndex } from '../../routing/index.js';
import { loadCatalogYaml } from '../../routing/catalog-yaml.js';
import { matterColumns } from '../../repeats/matter.js';
import { assessBatch, classifyAndRoute, classifyAndRouteMany } from './classify-route.js';
import { assessInput, toAssessment } from './assess-types.js';

// the shipped lexicon and model, the sample catalogue and its routing memory: the engine the hub runs
const catalog = loadCatalogYaml(SAMPLE_CATALOG);
const classifier = createClassifier({
  catalog,
  lexicon: loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml')),
  model: modelFromJson(JSON.parse(readFileSync(path.join(CLASSIFICATION_DIR, 'model.json'), 'utf8'))),
});
const engine = { classifier, index: buildCatalogIndex(catalog), memory: seedMemory(catalog) };

interface Row {
  text: string;
  subject?: string | null;
  channel?: string | null;
}
const rows = readFileSync(path.join(PROJECT_ROOT, '..', 'shared', 'data', 'feedback', 'dev.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row)
  .map((r) => ({ text: r.text, subject: r.subject ?? null, channel: r.channel ?? null }));

describe('classifyAndRouteMany (a batch classified, then routed)', () => {
  it('answers every input exactly as classifyAndRoute does one at a time, matter words included', () => {
    expect(rows.length).toBeGreaterThan(300);
    const matter = (r: Row) => matterColumns(r.subject, r.text, classifier.segmenter);
    const batch = classifyAndRouteMany(engine, rows, matter);
    expect(batch).toHaveLength(rows.length);
    const units = new Set<string | null>();
    rows.forEach((r, i) => {
      const one = classifyAndRoute(engine, r);
      const got = batch[i];
      expect(got?.ok).toBe(true);
      if (!got?.ok) return;
      expect(JSON.stringify({ c: got.c, r: got.r })).toBe(JSON.stringify(one));
      // the matter words were cut from this input's text, not a neighbour's
      expect(got.extra).toEqual(matter(r));
      units.add(got.r.unit);
    });
    // a real spread of answers, not one repeated
    expect(units.size).toBeGreaterThan(5);
  });

  it('gives an input whose handling throws its own error and answers the others', () => {
    const second = rows[1] as Row;
    const out = classifyAndRouteMany(engine, rows.slice(0, 3), (r) => {
      if (r === second) throw new Error('matter words failed');
      return r.text.length;
    });
    expect(out.map((o) => o.ok)).toEqual([true, false, true]);
    expect(out[1]).toEqual({ ok: false, error: 'matter words failed' });
    const third = out[2];
    expect(third?.ok && JSON.stringify({ c: third.c, r: third.r })).toBe(JSON.stringify(classifyAndRoute(engine, rows[2] as Row)));
  });

  it("gives intake's compact answers: each assessment and matter columns as one input alone would get them", () => {
    const inputs = rows.slice(0, 40).map((r) => assessInput(r));
    const batch = assessBatch(engine, inputs);
    inputs.forEach((input, i) => {
      const { c, r } = classifyAndRoute(engine, input);
      expect(batch[i]).toEqual({ ok: true, a: toAssessment(c, r), matter: matterColumns(input.subject, input.text, classifier.segmenter) });
    });
  });
});
