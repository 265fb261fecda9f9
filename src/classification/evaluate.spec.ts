import path from 'node:path';
import { loadCatalogYaml } from '../routing/catalog-yaml.js';
import { assignFolds, evaluate, formatReport } from './evaluate.js';
import { loadLexicon } from './lexicon.js';
import { readLabelledJsonl } from './seed.js';

describe('assignFolds', () => {
  it('spreads each label evenly and is reproducible', () => {
    const labels = [...Array(10).fill('a'), ...Array(5).fill('b')] as string[];
    const f = assignFolds(labels, 5, 1);
    expect(f).toEqual(assignFolds(labels, 5, 1));
    for (let k = 0; k < 5; k++) {
      expect(f.filter((x, i) => x === k && labels[i] === 'a')).toHaveLength(2);
      expect(f.filter((x, i) => x === k && labels[i] === 'b')).toHaveLength(1);
    }
  });
});

describe('evaluation on the labelled development set (5-fold cross-validation)', () => {
  const rows = readLabelledJsonl(path.resolve('../shared/data/feedback/dev.jsonl'));
  const baseRows = readLabelledJsonl(path.resolve('test/fixtures/classification/extra.jsonl'));
  const result = evaluate(rows, {
    catalog: loadCatalogYaml(path.resolve('../shared/data/org/anping.yaml')),
    lexicon: loadLexicon(path.resolve('config/classification/lexicon.yaml')),
    baseRows,
    folds: 5,
    seed: 42,
  });

  it('meets the acceptance targets', () => {
    expect(result.mode).toBe('cross-validation');
    expect(result.macroF1).toBeGreaterThanOrEqual(0.88);
    expect(result.routing.accuracy).toBeGreaterThanOrEqual(0.92);
    expect(result.misconduct.recall).toBe(1);
  });

  it('prints a readable report', () => {
    const report = formatReport(result, { mistakes: 3 });
    expect(report).toContain('macro-F1');
    expect(report).toContain('routing accuracy');
    expect(report).toContain('misconduct precision');
  });
});
