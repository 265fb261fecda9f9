/**
 * The explainable half of the classifier: weighted cue phrases per dimension, praise/question cues for `none`,
 * and a separate misconduct list, kept in config/classification/lexicon.yaml so staff can read and change them.
 * A cue is a literal phrase or a regular expression over normalised text. A cue preceded by a negation inside
 * the same clause ("没有乱收费", "不是态度问题") does not count.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLAUSE_BREAK_CHARS, normalizeText } from './normalize.js';
import { LABELS, type Label } from './dimensions.js';

export interface Cue {
  /** The phrase as written in the file (literal) or the regex source. */
  source: string;
  weight: number;
  regex: RegExp | null;
  literal: string | null;
  /** Characters one of which every match starts with; null when unknown. Lets most regexes be skipped cheaply. */
  lead: string[] | null;
}

export interface Lexicon {
  cues: Record<Label, Cue[]>;
  misconduct: Cue[];
  /** Multi-character negations that may be followed by a short filler ("没有任何", "不是很"). */
  negators: string[];
  /** Single-character negations, honoured only right before the cue ("不满意"). */
  shortNegators: string[];
  fillers: string[];
  /** Misconduct score at or above which an item is flagged. */
  misconductThreshold: number;
  /** adverts, spam and test messages: kept and counted, never sent to a unit (see `junkScore`) */
  junk: Cue[];
  junkThreshold: number;
}

export interface CueHit {
  label: Label | 'misconduct';
  text: string;
  index: number;
  weight: number;
  negated: boolean;
}

export class LexiconError extends Error {
  constructor(
    readonly problems: string[],
    source: string,
  ) {
    super(`invalid lexicon ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'LexiconError';
  }
}

const MAX_WEIGHT = 20;

function compileCue(entry: unknown, path: string, problems: string[]): Cue | null {
  if (typeof entry === 'string') {
    const text = normalizeText(entry);
    if (!text) {
      problems.push(`${path}: empty phrase`);
      return null;
    }
    return { source: entry, weight: 1, regex: null, literal: text, lead: [text[0] as string] };
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
    problems.push(`${path}: expected a phrase or {text|regex, weight}`);
    return null;
  }
  const obj = entry as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['text', 'regex', 'weight', 'note'].includes(key)) problems.push(`${path}.${key}: unknown field`);
  }
  const weight = obj.weight === undefined ? 1 : obj.weight;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0 || weight > MAX_WEIGHT) {
    problems.push(`${path}.weight: must be a number in (0, ${MAX_WEIGHT}]`);
    return null;
  }
  const hasText = typeof obj.text === 'string';
  const hasRegex = typeof obj.regex === 'string';
  if (hasText === hasRegex) {
    problems.push(`${path}: give exactly one of text or regex`);
    return null;
  }
  if (hasText) {
    const text = normalizeText(obj.text as string);
    if (!text) {
      problems.push(`${path}.text: empty phrase`);
      return null;
    }
    return { source: obj.text as string, weight, regex: null, literal: text, lead: [text[0] as string] };
  }
  const source = obj.regex as string;
  try {
    // no 'u' flag: cues are BMP text and V8 scans non-unicode patterns markedly faster
    const regex = new RegExp(source, 'g');
    if (regex.test('')) {
      problems.push(`${path}.regex: matches the empty string`);
      return null;
    }
    return { source, weight, regex, literal: null, lead: leadingChars(source) };
  } catch (err) {
    problems.push(`${path}.regex: ${(err as Error).message}`);
    return null;
  }
}

function stringList(value: unknown, path: string, problems: string[], fallback: string[]): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || !v)) {
    problems.push(`${path}: expected a list of non-empty strings`);
    return fallback;
  }
  return (value as string[]).map(normalizeText);
}

/** Validates a parsed lexicon document; every problem is reported with its path. */
export function lexiconFromObject(doc: unknown, source = 'lexicon'): Lexicon {
  const problems: string[] = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new LexiconError(['(root): expected a mapping'], source);
  const root = doc as Record<string, unknown>;
  for (const key of Object.keys(root)) {
    if (!['version', 'negators', 'shortNegators', 'fillers', 'dimensions', 'misconduct', 'misconductThreshold', 'junk', 'junkThreshold'].includes(key)) {
      problems.push(`${key}: unknown field`);
    }
  }
  const cues = Object.fromEntries(LABELS.map((l) => [l, [] as Cue[]])) as Record<Label, Cue[]>;
  const dims = root.dimensions;
  if (!dims || typeof dims !== 'object' || Array.isArray(dims)) {
    problems.push('dimensions: expected a mapping of D1..D5 and none to cue lists');
  } else {
    for (const [key, list] of Object.entries(dims as Record<string, unknown>)) {
      if (!(LABELS as readonly string[]).includes(key)) {
        problems.push(`dimensions.${key}: not one of ${LABELS.join(', ')}`);
        continue;
      }
      if (!Array.isArray(list)) {
        problems.push(`dimensions.${key}: expected a list`);
        continue;
      }
      list.forEach((entry, i) => {
        const cue = compileCue(entry, `dimensions.${key}[${i}]`, problems);
        if (cue) cues[key as Label].push(cue);
      });
    }
  }
  const misconduct: Cue[] = [];
  if (!Array.isArray(root.misconduct)) {
    problems.push('misconduct: expected a list of cues');
  } else {
    root.misconduct.forEach((entry, i) => {
      const cue = compileCue(entry, `misconduct[${i}]`, problems);
      if (cue) misconduct.push(cue);
    });
  }
  const junk: Cue[] = [];
  if (root.junk !== undefined && !Array.isArray(root.junk)) problems.push('junk: expected a list of cues');
  (Array.isArray(root.junk) ? root.junk : []).forEach((entry, i) => {
    const cue = compileCue(entry, `junk[${i}]`, problems);
    if (cue) junk.push(cue);
  });
  const junkThreshold = root.junkThreshold ?? 3;
  if (typeof junkThreshold !== 'number' || !(junkThreshold > 0)) problems.push('junkThreshold: must be a positive number');
  const threshold = root.misconductThreshold ?? 2;
  if (typeof threshold !== 'number' || !(threshold > 0)) problems.push('misconductThreshold: must be a positive number');
  const negators = stringList(root.negators, 'negators', problems, ['不是', '没有', '并非', '并没有', '不存在']);
  const shortNegators = stringList(root.shortNegators, 'shortNegators', problems, ['不', '没', '无', '未', '别']);
  const fillers = stringList(root.fillers, 'fillers', problems, ['任何', '什么', '太', '很']);
  if (problems.length) throw new LexiconError(problems, source);
  return {
    cues,
    misconduct,
    negators: [...negators].sort((a, b) => b.length - a.length),
    shortNegators,
    fillers: [...fillers].sort((a, b) => b.length - a.length),
    misconductThreshold: threshold as number,
    junk,
    junkThreshold: junkThreshold as number,
  };
}

export function parseLexicon(yamlText: string, source = 'lexicon'): Lexicon {
  let doc: unknown;
  try {
    doc = parse(yamlText);
  } catch (err) {
    throw new LexiconError([`(yaml): ${(err as Error).message}`], source);
  }
  return lexiconFromObject(doc, source);
}

export function loadLexicon(path: string): Lexicon {
  return parseLexicon(readFileSync(path, 'utf8'), path);
}

/** Every literal phrase, for the segmenter's user dictionary. */
export function lexiconPhrases(lexicon: Lexicon): string[] {
  const out: string[] = [];
  for (const list of [...Object.values(lexicon.cues), lexicon.misconduct]) {
    for (const cue of list) if (cue.literal && cue.literal.length >= 2) out.push(cue.literal);
  }
  return out;
}

/** Whether the cue starting at `index` is negated by what precedes it in the same clause. */
export function isNegated(lexicon: Lexicon, text: string, index: number): boolean {
  let start = index;
  // Look back at most 8 characters and never across a clause break.
  while (start > 0 && index - start < 8 && !CLAUSE_BREAK_CHARS.has(text[start - 1] as string)) start--;
  let before = text.slice(start, index);
  for (const short of lexicon.shortNegators) if (before.endsWith(short)) return true;
  // Strip one filler ("没有任何乱收费", "不是很满意") before looking for a multi-character negation.
  for (const filler of lexicon.fillers) {
    if (before.endsWith(filler)) {
      before = before.slice(0, -filler.length);
      break;
    }
  }
  for (const neg of lexicon.negators) if (before.endsWith(neg)) return true;
  for (const short of lexicon.shortNegators) if (before.length < index - start && before.endsWith(short)) return true;
  return false;
}

/**
 * The characters a match of a simple pattern must start with: literal characters, classes without ranges and
 * top-level alternations of those. Anything cleverer (anchors, optional first atoms, escapes) returns null.
 */
export function leadingChars(source: string): string[] | null {
  const first = source[0];
  if (first === undefined) return null;
  const optional = (after: number): boolean => /^[?*]|^\{0/.test(source.slice(after));
  if (first === '(') {
    let depth = 0;
    let end = -1;
    const alternatives: string[] = [];
    let start = 1;
    for (let i = 0; i < source.length; i++) {
      const ch = source[i];
      if (ch === '\\') {
        i++;
        continue;
      }
      if (ch === '(') depth++;
      else if (ch === ')') {
        depth--;
        if (depth === 0) {
          end = i;
          alternatives.push(source.slice(start, i));
          break;
        }
      } else if (ch === '|' && depth === 1) {
        alternatives.push(source.slice(start, i));
        start = i + 1;
      }
    }
    if (end < 0 || optional(end + 1)) return null;
    const out = new Set<string>();
    for (const alt of alternatives) {
      const body = alt.startsWith('?:') ? alt.slice(2) : alt;
      const lead = body ? leadingChars(body) : null;
      if (!lead) return null;
      lead.forEach((c) => out.add(c));
    }
    return [...out];
  }
  if (first === '[') {
    const close = source.indexOf(']');
    const body = source.slice(1, close);
    if (close < 0 || body.startsWith('^') || body.includes('\\') || optional(close + 1)) return null;
    const chars: string[] = [];
    const list = Array.from(body);
    for (let i = 0; i < list.length; i++) {
      if (list[i + 1] === '-' && list[i + 2] !== undefined) {
        const from = list[i]!.codePointAt(0)!;
        const to = list[i + 2]!.codePointAt(0)!;
        if (to - from > 64) return null;
        for (let c = from; c <= to; c++) chars.push(String.fromCodePoint(c));
        i += 2;
      } else {
        chars.push(list[i]!);
      }
    }
    return chars;
  }
  if ('\\.^$|)?*+{}'.includes(first) || optional(1)) return null;
  return [first];
}

function findCue(cue: Cue, text: string, cb: (index: number, matched: string) => void): void {
  if (cue.literal) {
    let i = text.indexOf(cue.literal);
    while (i >= 0) {
      cb(i, cue.literal);
      i = text.indexOf(cue.literal, i + cue.literal.length);
    }
    return;
  }
  const re = cue.regex as RegExp;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    cb(m.index, m[0]);
  }
}

interface CueIndex {
  cues: Array<{ cue: Cue; label: Label | 'misconduct' }>;
  byLead: Map<string, number[]>;
  always: number[];
}

const cueIndexes = new WeakMap<Lexicon, CueIndex>();

// Cues indexed by the characters they can start with, so a text only runs the cues whose first character it
// contains: most of the ~300 cues are skipped for a typical 100-character complaint.
function cueIndex(lexicon: Lexicon): CueIndex {
  let index = cueIndexes.get(lexicon);
  if (index) return index;
  const cues = [
    ...LABELS.flatMap((label) => lexicon.cues[label].map((cue) => ({ cue, label }))),
    ...lexicon.misconduct.map((cue) => ({ cue, label: 'misconduct' as const })),
  ];
  const byLead = new Map<string, number[]>();
  const always: number[] = [];
  cues.forEach(({ cue }, i) => {
    if (!cue.lead) always.push(i);
    else for (const ch of new Set(cue.lead)) byLead.set(ch, [...(byLead.get(ch) ?? []), i]);
  });
  index = { cues, byLead, always };
  cueIndexes.set(lexicon, index);
  return index;
}

/** All cue hits in normalised text, negated ones included (marked) so they can be shown as evidence. */
export function matchCues(lexicon: Lexicon, text: string): CueHit[] {
  const hits: CueHit[] = [];
  const index = cueIndex(lexicon);
  const run = new Uint8Array(index.cues.length);
  for (const i of index.always) run[i] = 1;
  for (const ch of new Set(text)) {
    const list = index.byLead.get(ch);
    if (list) for (const i of list) run[i] = 1;
  }
  for (let i = 0; i < run.length; i++) {
    if (!run[i]) continue;
    const { cue, label } = index.cues[i]!;
    findCue(cue, text, (at, matched) =>
      hits.push({ label, text: matched, index: at, weight: cue.weight, negated: isNegated(lexicon, text, at) }),
    );
  }
  return hits;
}

export interface CueScores {
  scores: Record<Label, number>;
  misconduct: number;
  hits: CueHit[];
}

/**
 * Sums the weights of non-negated hits. A phrase counts once per label even when repeated, so a long text that
 * says "排队" ten times does not drown everything else; overlapping cues of one label count once, the heavier.
 */
export function scoreCues(lexicon: Lexicon, text: string): CueScores {
  const hits = matchCues(lexicon, text);
  const scores = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  let misconduct = 0;
  const seen = new Set<string>();
  const spans = new Map<string, Array<[number, number, number]>>();
  // heavier first, so an overlapping lighter cue of the same label is skipped
  const ordered = hits.filter((h) => !h.negated).sort((a, b) => b.weight - a.weight);
  for (const hit of ordered) {
    const key = `${hit.label}:${hit.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = spans.get(hit.label) ?? [];
    const end = hit.index + hit.text.length;
    if (list.some(([s, e]) => hit.index < e && s < end)) continue;
    list.push([hit.index, end, hit.weight]);
    spans.set(hit.label, list);
    if (hit.label === 'misconduct') misconduct += hit.weight;
    else scores[hit.label] += hit.weight;
  }
  return { scores, misconduct, hits };
}

/** Weight of the junk cues (adverts, spam, test messages) found in a normalised text, with the phrases found. */
export function junkScore(lexicon: Lexicon, text: string): { score: number; found: string[] } {
  let score = 0;
  const found: string[] = [];
  for (const cue of lexicon.junk) {
    let hit: string | null = null;
    if (cue.literal !== null) hit = text.includes(cue.literal) ? cue.literal : null;
    else if (cue.regex) hit = cue.regex.exec(text)?.[0] ?? null;
    if (hit !== null) {
      score += cue.weight;
      found.push(hit);
    }
  }
  return { score, found };
}
