import type { Classification } from '../../classification/index.js';
import type { RouteResult } from '../../routing/index.js';
import type { Assessment, IntakeDraft } from '../intake.types.js';
import type { MatterColumns } from '../../repeats/matter.js';

/** What a classification thread needs of a draft (ClassifyingAssessor's input). */
export interface AssessInput {
  text: string;
  subject: string | null;
  channel: string;
  rating: number | null;
  tags: string[] | null;
  window: string | null;
  assignedUnit: string | null;
}

export interface AssessWorkerData {
  catalog: unknown;
  /** the classifier model in use (ModelJson) */
  model: unknown;
  /** the store's routing labels (confirmations, dispatches, corrections) in order, for the routing memory */
  labels: Array<{ item: string; text: string; unit: string }>;
}

/** An assessment, and the text's matter columns for repeats (computed on the thread: they segment the text too). */
export type AssessAnswer = { ok: true; a: Assessment; matter: MatterColumns } | { ok: false; error: string };

export function assessInput(d: IntakeDraft): AssessInput {
  return {
    text: d.text,
    subject: d.subject ?? null,
    channel: d.channel,
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
