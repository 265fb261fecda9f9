/** The five experience dimensions of DIMENSIONS.md and the `none` label. */
export const DIMENSIONS = ['D1', 'D2', 'D3', 'D4', 'D5'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Label = Dimension | 'none';
export const LABELS: readonly Label[] = [...DIMENSIONS, 'none'];

export const DIMENSION_NAMES: Record<Label, string> = {
  D1: '便捷',
  D2: '精简',
  D3: '融通',
  D4: '衔接',
  D5: '作风',
  none: '无问题',
};

export function isLabel(value: unknown): value is Label {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}

export function isDimension(value: unknown): value is Dimension {
  return typeof value === 'string' && (DIMENSIONS as readonly string[]).includes(value);
}
