import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../config/config.js';

export const REPEATS_FILE = path.join(PROJECT_ROOT, 'config', 'repeats.yaml');

export interface RepeatsConfig {
  enabled: boolean;
  windowDays: number;
  repeat: { similarity: number; similarityWithContext: number };
  hotSpot: { similarity: number; similarityWithContext: number; minItems: number; candidates: number };
}

export const DEFAULT_REPEATS: RepeatsConfig = {
  enabled: true,
  windowDays: 30,
  repeat: { similarity: 0.3, similarityWithContext: 0.2 },
  hotSpot: { similarity: 0.3, similarityWithContext: 0.3, minItems: 3, candidates: 300 },
};

/** Reads and checks config/repeats.yaml (every problem listed); HUB_REPEATS=off|on overrides `enabled`. */
export function loadRepeatsConfig(file = REPEATS_FILE, env: NodeJS.ProcessEnv = process.env): RepeatsConfig {
  const raw = (parse(readFileSync(file, 'utf8')) ?? {}) as Record<string, unknown>;
  return repeatsConfigFrom(raw, env.HUB_REPEATS);
}

export function repeatsConfigFrom(raw: Record<string, unknown>, override?: string): RepeatsConfig {
  const problems: string[] = [];
  const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const num = (where: string, v: unknown, dflt: number, min: number, max: number): number => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`${where}: a number from ${min} to ${max}`);
      return dflt;
    }
    return v;
  };
  const r = obj(raw.repeat);
  const h = obj(raw.hotSpot);
  const D = DEFAULT_REPEATS;
  const cfg: RepeatsConfig = {
    enabled: raw.enabled === undefined ? D.enabled : raw.enabled === true,
    windowDays: num('windowDays', raw.windowDays, D.windowDays, 1, 366),
    repeat: {
      similarity: num('repeat.similarity', r.similarity, D.repeat.similarity, 0, 1),
      similarityWithContext: num('repeat.similarityWithContext', r.similarityWithContext, D.repeat.similarityWithContext, 0, 1),
    },
    hotSpot: {
      similarity: num('hotSpot.similarity', h.similarity, D.hotSpot.similarity, 0, 1),
      similarityWithContext: num('hotSpot.similarityWithContext', h.similarityWithContext, D.hotSpot.similarityWithContext, 0, 1),
      minItems: num('hotSpot.minItems', h.minItems, D.hotSpot.minItems, 2, 1000),
      candidates: num('hotSpot.candidates', h.candidates, D.hotSpot.candidates, 10, 10000),
    },
  };
  if (raw.enabled !== undefined && typeof raw.enabled !== 'boolean') problems.push('enabled: true or false');
  if (override !== undefined && override !== '') {
    if (override === 'off' || override === 'false') cfg.enabled = false;
    else if (override === 'on' || override === 'true') cfg.enabled = true;
    else problems.push('HUB_REPEATS: on or off');
  }
  if (problems.length) throw new Error(`config/repeats.yaml: ${problems.join('; ')}`);
  return cfg;
}
