/**
 * Routing: one responsible unit per item and the plain-words reason, in DESIGN.md's order of authority —
 * (1) the scanned window, (2) the unit the hotline assigned, (3/4) the service item or unit the text is about,
 * (5) the learned router when confident, (6) the triage unit. Misconduct also goes to the supervision unit.
 */
import { normalizeText } from '../classification/normalize.js';
import type { Segmenter } from '../classification/segmenter.js';
import type { CatalogIndex, Mention } from './catalog-index.js';
import { canonicalName, nameSimilarity } from './fuzzy.js';
import { predictRoute, type LearnedRouter } from './learned-router.js';

export type RouteRule = 'window' | 'assigned_unit' | 'service_item' | 'named_unit' | 'learned' | 'triage';

export interface RouteEvidence {
  rule: RouteRule | 'supervision' | 'skipped';
  text: string;
  score?: number;
}

export interface RouteInput {
  text: string;
  subject?: string | null;
  channel?: string | null;
  /** window code (from the QR token) */
  window?: string | null;
  /** 承办单位 as the hotline wrote it: a code, a name or an alias */
  assignedUnit?: string | null;
  classification?: { misconduct: boolean; dimension?: string } | null;
}

export interface RouteResult {
  unit: string;
  reason: string;
  rule: RouteRule;
  supervision: string | null;
  serviceItem: string | null;
  evidence: RouteEvidence[];
}

export interface RouteOptions {
  learned?: LearnedRouter | null;
  /** needed by the learned router */
  segmenter?: Segmenter | null;
  /** posterior the learned router needs before it is trusted */
  learnedThreshold?: number;
  /** similarity an assigned-unit string needs to match a unit */
  assignedThreshold?: number;
}

const TEXT_LIMIT = 20_000;

type UnitMatch = { code: string; score: number; matched: string } | null;
// an export names the same few 承办单位 on thousands of rows: remember each answer per catalogue index
const matchMemo = new WeakMap<CatalogIndex, Map<string, UnitMatch>>();

/** Best unit for a written name (code, name, alias, or an abbreviation of them), with its similarity. */
export function matchUnitName(index: CatalogIndex, written: string): UnitMatch {
  let memo = matchMemo.get(index);
  if (!memo) matchMemo.set(index, (memo = new Map()));
  const key = written.trim();
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const found = matchUnitNameUncached(index, key);
  if (memo.size < 10_000) memo.set(key, found);
  return found;
}

function matchUnitNameUncached(index: CatalogIndex, written: string): UnitMatch {
  const raw = written.trim();
  if (!raw) return null;
  if (index.units.has(raw)) return { code: raw, score: 1, matched: raw };
  const canon = canonicalName(raw, index.prefixes);
  let best: { code: string; score: number; matched: string } | null = null;
  for (const c of index.canonical) {
    const score = nameSimilarity(canon, c.canonical);
    if (!best || score > best.score || (score === best.score && c.canonical.length < best.matched.length)) {
      best = { code: c.code, score, matched: c.written };
    }
  }
  return best;
}

function unitName(index: CatalogIndex, code: string): string {
  return index.units.get(code)?.name ?? code;
}

/** Picks the entity the complaint is about among service items and units named in the text. */
function pickFromText(index: CatalogIndex, mentions: Mention[], staffConduct: boolean): { mention: Mention; unit: string } | null {
  const usable = mentions.filter((m) => !m.negated);
  const notHall = (m: Mention): boolean => {
    if (m.kind === 'item') return true;
    const role = index.units.get(m.code)?.role;
    // the hall or office that hosts every window is where things happen, not who did them; the supervision
    // office is who people write to
    return role !== 'triage' && role !== 'supervision';
  };
  const unitOf = (m: Mention): string | null => (m.kind === 'item' ? (index.items.get(m.code)?.unit ?? null) : m.code);
  const strong = usable.filter((m) => m.strength >= 1.5 && notHall(m));
  const weak = usable.filter((m) => m.strength < 1.5 && notHall(m));
  // The first thing the text names is what it is about ("开发区代办点与住建窗口对接不上…施工许可" is about the
  // proxy point); a bare core word ("医保", "税务") counts only when no full name is there.
  // A person's conduct belongs to the unit whose staff they are, even when the text names the item first.
  if (staffConduct) {
    const u = [...strong, ...weak].find((m) => m.kind !== 'item');
    if (u) return { mention: u, unit: u.code };
  }
  for (const pool of [strong, weak]) {
    for (const m of pool) {
      const unit = unitOf(m);
      if (unit && index.units.has(unit)) return { mention: m, unit };
    }
  }
  return null;
}

export function route(input: RouteInput, index: CatalogIndex, options: RouteOptions = {}): RouteResult {
  const evidence: RouteEvidence[] = [];
  const misconduct = input.classification?.misconduct === true;
  const supervision = misconduct && index.supervision ? index.supervision.code : null;
  const finish = (unit: string, rule: RouteRule, reason: string, serviceItem: string | null = null): RouteResult => {
    if (supervision) {
      evidence.push({ rule: 'supervision', text: `反映廉政问题，同时抄送${unitName(index, supervision)}` });
      reason += `；反映内容涉及廉政问题，同时转${unitName(index, supervision)}监督`;
    }
    return { unit, reason, rule, supervision, serviceItem, evidence };
  };

  // (1) the window whose QR code was scanned
  if (input.window) {
    const w = index.windows.get(input.window) ?? index.windowsByName.get(normalizeText(input.window));
    if (w) {
      evidence.push({ rule: 'window', text: w.code });
      return finish(w.unit, 'window', `扫码评价的窗口“${w.name}”属于${unitName(index, w.unit)}`);
    }
    evidence.push({ rule: 'skipped', text: `窗口“${input.window}”不在目录中或已停用` });
  }

  // (2) the unit the hotline already assigned
  if (input.assignedUnit && input.assignedUnit.trim()) {
    const m = matchUnitName(index, input.assignedUnit);
    const threshold = options.assignedThreshold ?? 0.6;
    if (m && m.score >= threshold) {
      evidence.push({ rule: 'assigned_unit', text: `${input.assignedUnit} → ${m.matched}`, score: Math.round(m.score * 100) / 100 });
      return finish(m.code, 'assigned_unit', `热线已指定承办单位“${input.assignedUnit.trim()}”，即${unitName(index, m.code)}`);
    }
    evidence.push({ rule: 'skipped', text: `承办单位“${input.assignedUnit}”未能对应到目录中的单位`, score: m ? Math.round(m.score * 100) / 100 : 0 });
  }

  const raw = `${input.subject ? `${input.subject}。` : ''}${input.text ?? ''}`.slice(0, TEXT_LIMIT);
  const text = normalizeText(raw);
  const mentions = index.findMentions(text);
  for (const m of mentions.filter((x) => x.negated)) {
    evidence.push({ rule: 'skipped', text: `“${m.phrase}”在文中被说明不是责任方` });
  }

  // (3)/(4) the service item or unit the text is about
  const picked = pickFromText(index, mentions, input.classification?.dimension === 'D5');
  if (picked) {
    const { mention, unit } = picked;
    if (mention.kind === 'item') {
      const item = index.items.get(mention.code)!;
      evidence.push({ rule: 'service_item', text: mention.phrase });
      return finish(unit, 'service_item', `诉求涉及的事项“${item.name}”由${unitName(index, unit)}负责`, item.code);
    }
    const item = mentions.find((m) => m.kind === 'item' && !m.negated);
    evidence.push({ rule: 'named_unit', text: mention.phrase });
    return finish(unit, 'named_unit', `诉求中提到“${mention.phrase}”，属于${unitName(index, unit)}`, item ? item.code : null);
  }

  // (5) past confirmed routings of similar text
  if (options.learned && options.segmenter && text) {
    const guess = predictRoute(options.learned, options.segmenter, text, (code) => index.units.has(code));
    if (guess && guess.probability >= (options.learnedThreshold ?? 0.95) && guess.unit !== index.triage.code) {
      evidence.push({ rule: 'learned', text: guess.words.join('、'), score: Math.round(guess.probability * 100) / 100 });
      return finish(guess.unit, 'learned', `与以往确认由${unitName(index, guess.unit)}办理的诉求相似`);
    }
  }

  // (6) a person dispatches it
  return finish(index.triage.code, 'triage', `未能自动确定责任单位，转${index.triage.name}人工分派`);
}
