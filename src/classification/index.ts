/**
 * Classification — public API (pure, in-process; no database, no Nest).
 *
 *   const lexicon = loadLexicon('config/classification/lexicon.yaml');       // throws LexiconError listing every problem
 *   const model = modelFromJson(JSON.parse(readFileSync('config/classification/model.json', 'utf8')));
 *   const classifier = createClassifier({ catalog, lexicon, model });       // builds a catalogue-aware jieba (~150 ms)
 *   classifier.classify({ text, subject?, channel?, rating?, tags? })
 *     → { dimension, secondary, misconduct, confidence, evidence, truncated? }
 *   classifier.setModel(trainModel(rows, classifier.segmenter));           // retrain from corrections, no restart
 *   modelToJson(model) / modelFromJson(json)                                // persistence
 *   evaluate(rows, { catalog, lexicon, folds, seed, baseRows }) + formatReport(result)   // k-fold CV
 *   QR_PROBLEM_TAGS                                                         // tags for the QR page: code, label, dimension
 */
export { createClassifier, DEFAULT_TUNING, MAX_CLASSIFY_CHARS } from './classifier.js';
export type { Classification, ClassifierOptions, ClassifierTuning, ClassifyInput, Classifier, Evidence } from './classifier.js';
export { DIMENSIONS, DIMENSION_NAMES, LABELS, isDimension, isLabel } from './dimensions.js';
export type { Dimension, Label } from './dimensions.js';
export { LexiconError, lexiconFromObject, loadLexicon, parseLexicon, scoreCues } from './lexicon.js';
export type { Lexicon } from './lexicon.js';
export { modelFromJson, modelToJson, predict, trainModel } from './model.js';
export type { Model, ModelJson, TrainingRow, TrainOptions } from './model.js';
export { normalizeText } from './normalize.js';
export { QR_PROBLEM_TAGS, resolveTags } from './qr-tags.js';
export type { QrProblemTag } from './qr-tags.js';
export { createSegmenter } from './segmenter.js';
export type { Segmenter } from './segmenter.js';
export { evaluate, formatReport } from './evaluate.js';
export type { EvaluationResult, EvaluateOptions, LabelledRow } from './evaluate.js';
export { evaluateFiles, loadModel, readLabelledJsonl, trainSeed } from './seed.js';
