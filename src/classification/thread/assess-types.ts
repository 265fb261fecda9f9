import type { Classification } from '../classifier.js';
import type { RouteResult } from '../../routing/index.js';
import type { Assessment } from '../../intake/intake.types.js';
import type { MatterColumns } from '../../repeats/matter.js';

/** What the classification thread needs of a draft (ClassifyingAssessor's input). */
export interface AssessInput {
  text: string;
  subject: string | null;
  channel: string | null;
  rating: number | null;
  tags: string[] | null;
  window: string | null;
  assignedUnit: string | null;
}

export interface EngineWorkerData {
  catalog: unknown;
  /** the classifier model in use (ModelJson) */
  model: unknown;
  /** the store's routing labels (confirmations, dispatches, corrections) in order, for the routing memory */
  labels: Array<{ item: string; text: string; unit: string }>;
}

/**
 * An assessment, and the text's matter columns for repeats, cut by the same engine's segmenter (the thread or the
 * in-process engine segments the text anyway; absent only from an assessor without an engine, and repeats computes them).
 */
export type AssessAnswer = { ok: true; a: Assessment; matter?: MatterColumns } | { ok: false; error: string };

/** The whole classification and routing (the API's classify and route answers). */
export type FullAnswer = { ok: true; c: Classification; r: RouteResult } | { ok: false; error: string };

/**
 * What a request asks of each input: a compact assessment with matter columns, the whole classification and
 * routing, or only the matter words of its text (repeats' evidence, so the process needs no segmenter of its own).
 */
export type EngineMode = 'compact' | 'full' | 'words';

/** To the thread: inputs to answer, or routing labels to remember. */
export type EngineRequest = { id: number; inputs: AssessInput[]; mode: EngineMode } | { remember: EngineWorkerData['labels'] };

/** A draft, or an API input, as the thread takes it (absent fields are null). */
export function assessInput(d: { text: string } & { [K in Exclude<keyof AssessInput, 'text'>]?: AssessInput[K] | undefined }): AssessInput {
  return {
    text: d.text,
    subject: d.subject ?? null,
    channel: d.channel ?? null,
    rating: d.rating ?? null,
    tags: d.tags ?? null,
    window: d.window ?? null,
    assignedUnit: d.assignedUnit ?? null,
  };
}

/** Classification and routing as intake stores them (ClassifyingAssessor and the import threads both use this). */
export function toAssessment(c: Classification, r: RouteResult): Assessment {
  return {
    dimension: c.dimension,
    secondary: c.secondary,
    misconduct: c.misconduct,
    confidence: c.confidence,
    evidence: [
      ...c.evidence,
      ...r.evidence.map((e) => ({ kind: `route:${e.rule}`, text: e.text, ...(e.score !== undefined ? { weight: e.score } : {}), ...(e.unit ? { unit: e.unit } : {}) })),
    ],
    unit: r.unit,
    supervisionUnit: r.supervision,
    routingReason: r.reason,
    routingRule: r.rule,
    serviceItem: r.serviceItem,
  };
}
