import type { Dimension } from './dimensions.js';

export interface QrProblemTag {
  code: string;
  label: string;
  dimension: Dimension;
  /** Ticking it alleges an integrity breach (DIMENSIONS.md misconduct flag). */
  misconduct?: boolean;
}

/**
 * Problem tags offered on the QR rating page when the rating is low. The dimension of what was ticked decides the
 * item's dimension, so tags are worded to fall squarely in one dimension. Codes are stable; labels are shown.
 */
export const QR_PROBLEM_TAGS: readonly QrProblemTag[] = [
  { code: 'wait_long', label: '等候时间长', dimension: 'D1' },
  { code: 'queue_long', label: '排队久', dimension: 'D1' },
  { code: 'hours_inconvenient', label: '办理时间不方便', dimension: 'D1' },
  { code: 'facilities_poor', label: '设施不便', dimension: 'D1' },
  { code: 'too_many_materials', label: '材料多', dimension: 'D2' },
  { code: 'requirements_unclear', label: '要求说不清', dimension: 'D2' },
  { code: 'not_told_at_once', label: '没有一次性告知', dimension: 'D2' },
  { code: 'online_failed', label: '网上办不了', dimension: 'D3' },
  { code: 'online_offline_mismatch', label: '线上线下不一致', dimension: 'D3' },
  { code: 'back_and_forth', label: '来回跑', dimension: 'D4' },
  { code: 'buck_passing', label: '部门推诿', dimension: 'D4' },
  { code: 'bad_attitude', label: '态度不好', dimension: 'D5' },
  { code: 'asked_for_favours', label: '索要好处', dimension: 'D5', misconduct: true },
];

const BY_KEY = new Map<string, QrProblemTag>();
for (const t of QR_PROBLEM_TAGS) {
  BY_KEY.set(t.code, t);
  BY_KEY.set(t.label, t);
}

/** Resolves ticked tags given by code or by label; unknown tags are ignored (the page may be older or newer). */
export function resolveTags(tags: readonly string[] | undefined | null): QrProblemTag[] {
  if (!tags) return [];
  const out: QrProblemTag[] = [];
  for (const raw of tags) {
    const tag = BY_KEY.get(String(raw).normalize('NFKC').trim());
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}
