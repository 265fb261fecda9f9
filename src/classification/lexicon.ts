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
  /** a phrase of a pattern that only lists phrases (kept out of the segmenter's words, as the pattern was) */
  fromPattern?: boolean;
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

function compileCue(entry: unknown, path: string, problems: string[], allowNegative = false): Cue | null {
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
  // a misconduct cue may weigh against the flag: a gift refused, a fee on the schedule, "本以为要托人"
  const low = allowNegative ? -MAX_WEIGHT : 0;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight === 0 || weight < low || weight > MAX_WEIGHT) {
    problems.push(`${path}.weight: must be a number in ${allowNegative ? `[-${MAX_WEIGHT}, ${MAX_WEIGHT}], not 0` : `(0, ${MAX_WEIGHT}]`}`);
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

const PLAIN_ALTERNATION = /^(?:\((?:\?:)?([^()|\\.[\]{}*+?^$]+(?:\|[^()|\\.[\]{}*+?^$]+)*)\)|([^()|\\.[\]{}*+?^$]+(?:\|[^()|\\.[\]{}*+?^$]+)+))$/;

/**
 * A pattern that is only a list of phrases ("(表扬|感谢|点赞)") scores exactly as those phrases would one by one (a
 * phrase counts once per label, overlaps once): it is kept as literal cues, found by the phrase scan without a regex.
 */
function expandCue(cue: Cue): Cue[] {
  if (!cue.regex) return [cue];
  const m = PLAIN_ALTERNATION.exec(cue.source);
  if (!m) return [cue];
  const phrases = [...new Set((m[1] ?? m[2] ?? '').split('|'))];
  if (phrases.some((p) => !p)) return [cue];
  return phrases.map((p) => ({ source: cue.source, weight: cue.weight, regex: null, literal: p, lead: [p[0] as string], fromPattern: true }));
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
        if (cue) cues[key as Label].push(...expandCue(cue));
      });
    }
  }
  const misconduct: Cue[] = [];
  if (!Array.isArray(root.misconduct)) {
    problems.push('misconduct: expected a list of cues');
  } else {
    root.misconduct.forEach((entry, i) => {
      const cue = compileCue(entry, `misconduct[${i}]`, problems, true);
      if (cue) misconduct.push(...expandCue(cue));
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
    for (const cue of list) if (cue.literal && cue.literal.length >= 2 && !cue.fromPattern) out.push(cue.literal);
  }
  return out;
}

// clause breaks by code unit (they are all single BMP characters; text[i] is one code unit)
const CLAUSE_CODES = (() => {
  const table = new Uint8Array(65536);
  for (const ch of CLAUSE_BREAK_CHARS) if (ch.length === 1) table[ch.charCodeAt(0)] = 1;
  return table;
})();

/** text.slice(start, end).endsWith(s), without the slice */
function endsAt(text: string, start: number, end: number, s: string): boolean {
  const n = s.length;
  if (end - start < n) return false;
  for (let k = 1; k <= n; k++) if (text.charCodeAt(end - k) !== s.charCodeAt(n - k)) return false;
  return true;
}

/** Whether the cue starting at `index` is negated by what precedes it in the same clause. */
export function isNegated(lexicon: Lexicon, text: string, index: number): boolean {
  let start = index;
  // Look back at most 8 characters and never across a clause break.
  while (start > 0 && index - start < 8 && !CLAUSE_CODES[text.charCodeAt(start - 1)]) start--;
  for (const short of lexicon.shortNegators) if (endsAt(text, start, index, short)) return true;
  // Strip one filler ("没有任何乱收费", "不是很满意") before looking for a multi-character negation.
  let end = index;
  for (const filler of lexicon.fillers) {
    if (endsAt(text, start, index, filler)) {
      end = filler.length ? index - filler.length : start;
      break;
    }
  }
  for (const neg of lexicon.negators) if (endsAt(text, start, end, neg)) return true;
  for (const short of lexicon.shortNegators) if (end < index && endsAt(text, start, end, short)) return true;
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

const META = new Set(Array.from('\\^$.|?*+()[]{}'));

/**
 * Literal strings every match of a simple pattern must contain, each as the alternatives one of which must occur
 * ("排了.{0,6}(小时|钟头)" → [["排了"], ["小时", "钟头"]]). Conservative: what it cannot read (escapes, lookarounds,
 * nested groups, top-level alternation) adds no requirement, so a text failing one can never match the pattern.
 */
export function requiredLiterals(source: string): string[][] {
  if (source.includes('\\')) return [];
  const out: string[][] = [];
  let run = '';
  const endRun = (): void => {
    if (run) out.push([run]);
    run = '';
  };
  // skips a quantifier at i (and its lazy '?'); returns the index after it and whether it allows zero repetitions
  const quantifier = (i: number): { next: number; optional: boolean; any: boolean } => {
    const q = source[i];
    if (q === '?' || q === '*' || q === '+') return { next: source[i + 1] === '?' ? i + 2 : i + 1, optional: q !== '+', any: true };
    if (q === '{') {
      const close = source.indexOf('}', i);
      if (close < 0) return { next: source.length, optional: true, any: true };
      return { next: source[close + 1] === '?' ? close + 2 : close + 1, optional: true, any: true };
    }
    return { next: i, optional: false, any: false };
  };
  let i = 0;
  while (i < source.length) {
    const ch = source[i] as string;
    if (ch === '|') return [];
    if (!META.has(ch)) {
      const q = quantifier(i + 1);
      if (q.any) {
        endRun();
        i = q.next;
      } else {
        run += ch;
        i++;
      }
      continue;
    }
    endRun();
    if (ch === '(') {
      let depth = 0;
      let j = i;
      for (; j < source.length; j++) {
        const c = source[j];
        if (c === '[') {
          const close = source.indexOf(']', j + 1);
          if (close < 0) return out;
          j = close;
        } else if (c === '(') depth++;
        else if (c === ')' && --depth === 0) break;
      }
      if (j >= source.length) return out;
      let body = source.slice(i + 1, j);
      const q = quantifier(j + 1);
      i = q.next;
      if (q.optional) continue;
      if (body.startsWith('?:')) body = body.slice(2);
      const alternatives = body.split('|');
      if (alternatives.every((a) => a.length > 0 && !Array.from(a).some((c) => META.has(c)))) out.push(alternatives);
      continue;
    }
    if (ch === '[') {
      const close = source.indexOf(']', i + 1);
      if (close < 0) return out;
      i = quantifier(close + 1).next;
      continue;
    }
    if (ch === '.') {
      i = quantifier(i + 1).next;
      continue;
    }
    if (ch === '^' || ch === '$') {
      i++;
      continue;
    }
    return out; // a stray quantifier or bracket: stop reading, keep what is certain
  }
  endRun();
  return out;
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

/**
 * The characters and adjacent character pairs (UTF-16 code units) of one text, for cheap "can this literal occur"
 * checks: a literal whose characters or pairs are missing cannot be in the text. Buffers are reused between texts.
 */
export class TextGrams {
  private gen = 0;
  private readonly chars = new Uint32Array(65536);
  private keys = new Int32Array(1024);
  private stamps = new Uint32Array(1024);
  private mask = 1023;

  /** The distinct characters (code units) of the text last loaded, in order of first occurrence. */
  distinct = new Uint16Array(1024);
  distinctCount = 0;

  /** Records the text's characters and pairs (forgetting the previous text's). */
  load(text: string): void {
    if (++this.gen === 0xffffffff) {
      this.gen = 1;
      this.chars.fill(0);
      this.stamps.fill(0);
    }
    const gen = this.gen;
    if (text.length * 2 > this.mask) {
      let size = 1024;
      while (size < text.length * 2) size *= 2;
      this.keys = new Int32Array(size);
      this.stamps = new Uint32Array(size);
      this.mask = size - 1;
    }
    let prev = -1;
    let count = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.chars[c] !== gen) {
        this.chars[c] = gen;
        if (count === this.distinct.length) {
          const grown = new Uint16Array(count * 2);
          grown.set(this.distinct);
          this.distinct = grown;
        }
        this.distinct[count++] = c;
      }
      if (prev >= 0) this.addPair((prev << 16) | c);
      prev = c;
    }
    this.distinctCount = count;
  }

  private addPair(key: number): void {
    let h = (Math.imul(key, 0x9e3779b1) >>> 7) & this.mask;
    while (this.stamps[h] === this.gen) {
      if (this.keys[h] === key) return;
      h = (h + 1) & this.mask;
    }
    this.stamps[h] = this.gen;
    this.keys[h] = key;
  }

  hasChar(code: number): boolean {
    return this.chars[code] === this.gen;
  }

  private hasPair(key: number): boolean {
    let h = (Math.imul(key, 0x9e3779b1) >>> 7) & this.mask;
    while (this.stamps[h] === this.gen) {
      if (this.keys[h] === key) return true;
      h = (h + 1) & this.mask;
    }
    return false;
  }

  /** False when `literal` certainly does not occur in the text (a character or an adjacent pair is missing). */
  mayContain(literal: string): boolean {
    if (literal.length === 1) return this.chars[literal.charCodeAt(0)] === this.gen;
    // a pair present means both its characters are
    let prev = literal.charCodeAt(0);
    for (let i = 1; i < literal.length; i++) {
      const c = literal.charCodeAt(i);
      if (!this.hasPair((prev << 16) | c)) return false;
      prev = c;
    }
    return true;
  }

  /** False when some requirement of `requiredLiterals` certainly has none of its alternatives in the text. */
  mayHaveAll(required: string[][]): boolean {
    for (const alternatives of required) {
      let found = false;
      for (const a of alternatives) {
        if (this.mayContain(a)) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
}

interface CueIndex {
  cues: Array<{ cue: Cue; label: Label | 'misconduct' }>;
  /** a lead that is not one BMP character (a surrogate pair, a lone surrogate): decided on the text's code points */
  exotic: boolean;
  /**
   * Every literal a cue needs (its lead characters as one requirement, the literals of `requiredLiterals` or the
   * cue's own literal as the others) in one trie over code units: first code unit → node + 1, deeper by map.
   */
  first: Int32Array;
  children: Array<Map<number, number> | null>;
  /** per trie node: the literal ending there, -1 for none */
  literalAt: number[];
  /** per literal: the (cue, requirement) slots it satisfies, as slot numbers */
  users: number[][];
  /** per slot: its cue */
  slotCue: Int32Array;
  /** per cue: how many requirements it has (0: always run) */
  need: Int32Array;
  literalSeen: Uint32Array;
  slotSeen: Uint32Array;
  cueSeen: Uint32Array;
  cueCount: Int32Array;
  always: number[];
  gen: number;
}

const cueIndexes = new WeakMap<Lexicon, CueIndex>();

const isPlainBmp = (ch: string): boolean => ch.length === 1 && (ch.charCodeAt(0) < 0xd800 || ch.charCodeAt(0) > 0xdfff);

// A cue runs only when the text holds one of the characters it can start with and the literals it needs: one scan
// of the text finds every such literal, and most of the ~250 cues (regexes mostly) are never run.
function cueIndex(lexicon: Lexicon): CueIndex {
  let index = cueIndexes.get(lexicon);
  if (index) return index;
  const cues = [
    ...LABELS.flatMap((label) => lexicon.cues[label].map((cue) => ({ cue, label }))),
    ...lexicon.misconduct.map((cue) => ({ cue, label: 'misconduct' as const })),
  ];
  const exotic = cues.some(({ cue }) => cue.lead?.some((ch) => !isPlainBmp(ch)));
  const first = new Int32Array(65536);
  const children: Array<Map<number, number> | null> = [];
  const literalAt: number[] = [];
  const literalIds = new Map<string, number>();
  const users: number[][] = [];
  const slotCue: number[] = [];
  const need = new Int32Array(cues.length);
  const always: number[] = [];
  const literalId = (literal: string): number => {
    let id = literalIds.get(literal);
    if (id !== undefined) return id;
    id = users.length;
    literalIds.set(literal, id);
    users.push([]);
    let node = (first[literal.charCodeAt(0)] as number) - 1;
    if (node < 0) {
      node = children.push(null) - 1;
      literalAt.push(-1);
      first[literal.charCodeAt(0)] = node + 1;
    }
    for (let j = 1; j < literal.length; j++) {
      const map = (children[node] ??= new Map<number, number>());
      let next = map.get(literal.charCodeAt(j));
      if (next === undefined) {
        next = children.push(null) - 1;
        literalAt.push(-1);
        map.set(literal.charCodeAt(j), next);
      }
      node = next;
    }
    literalAt[node] = id;
    return id;
  };
  cues.forEach(({ cue }, i) => {
    const requirements = cue.regex ? requiredLiterals(cue.source) : [[cue.literal as string]];
    // with exotic leads the lead is checked on the text's code points instead
    if (cue.lead && !exotic) requirements.push([...new Set(cue.lead)]);
    need[i] = requirements.length;
    if (!requirements.length) always.push(i);
    for (const alternatives of requirements) {
      const slot = slotCue.push(i) - 1;
      for (const a of alternatives) {
        if (a) users[literalId(a)]!.push(slot);
        else need[i] = need[i]! - 1; // "" is in every text (and is no literal of this scan): that requirement holds
      }
    }
    if (need[i] === 0 && requirements.length) always.push(i);
  });
  always.sort((a, b) => a - b);
  index = {
    cues,
    exotic,
    first,
    children,
    literalAt,
    users,
    slotCue: Int32Array.from(slotCue),
    need,
    literalSeen: new Uint32Array(users.length),
    slotSeen: new Uint32Array(slotCue.length),
    cueSeen: new Uint32Array(cues.length),
    cueCount: new Int32Array(cues.length),
    always,
    gen: 0,
  };
  cueIndexes.set(lexicon, index);
  return index;
}

/** All cue hits in normalised text, negated ones included (marked) so they can be shown as evidence. */
export function matchCues(lexicon: Lexicon, text: string): CueHit[] {
  const hits: CueHit[] = [];
  const index = cueIndex(lexicon);
  if (++index.gen === 0xffffffff) {
    index.gen = 1;
    index.literalSeen.fill(0);
    index.slotSeen.fill(0);
    index.cueSeen.fill(0);
  }
  const gen = index.gen;
  // every literal of the text, once: each satisfies its cues' requirements; a cue with all of them met may run
  const ready: number[] = [...index.always];
  const { first, children, literalAt, users, slotCue, need, literalSeen, slotSeen, cueSeen, cueCount } = index;
  for (let i = 0; i < text.length; i++) {
    let node = (first[text.charCodeAt(i)] as number) - 1;
    for (let j = i + 1; node >= 0; j++) {
      const lit = literalAt[node] as number;
      if (lit >= 0 && literalSeen[lit] !== gen) {
        literalSeen[lit] = gen;
        for (const slot of users[lit]!) {
          if (slotSeen[slot] === gen) continue;
          slotSeen[slot] = gen;
          const c = slotCue[slot] as number;
          if (cueSeen[c] !== gen) {
            cueSeen[c] = gen;
            cueCount[c] = 0;
          }
          if (++cueCount[c]! === need[c]) ready.push(c);
        }
      }
      if (j >= text.length) break;
      node = children[node]?.get(text.charCodeAt(j)) ?? -1;
    }
  }
  ready.sort((a, b) => a - b); // cues in lexicon order, as they always ran
  // a lead that is not a plain BMP character counts as it always did: present among the text's code points
  const codePoints = index.exotic ? new Set(text) : null;
  for (const i of ready) {
    const { cue, label } = index.cues[i]!;
    if (codePoints && cue.lead && !cue.lead.some((ch) => codePoints.has(ch))) continue;
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
 * Misconduct cues with a negative weight (a refused gift, a fee on the schedule) lower the misconduct score.
 */
export function scoreCues(lexicon: Lexicon, text: string): CueScores {
  const hits = matchCues(lexicon, text);
  const scores = {} as Record<Label, number>;
  for (const l of LABELS) scores[l] = 0;
  let misconduct = 0;
  const seen = new Set<string>();
  const spans = new Map<string, Array<[number, number, number]>>();
  // heavier first, so an overlapping lighter cue of the same label is skipped
  const ordered = hits.filter((h) => !h.negated).sort((a, b) => b.weight - a.weight);
  for (const hit of ordered) {
    const key = `${hit.label}:${hit.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // a cue against the flag overlaps the cue it answers ("递烟他不要"): it is kept apart
    const spanKey = hit.weight < 0 ? 'against' : hit.label;
    const list = spans.get(spanKey) ?? [];
    const end = hit.index + hit.text.length;
    if (list.some(([s, e]) => hit.index < e && s < end)) continue;
    list.push([hit.index, end, hit.weight]);
    spans.set(spanKey, list);
    if (hit.label === 'misconduct') misconduct += hit.weight;
    else scores[hit.label] += hit.weight;
  }
  return { scores, misconduct, hits };
}

// per lexicon: the literals each junk cue needs, and the text's characters and pairs to check them against
const junkIndexes = new WeakMap<Lexicon, { grams: TextGrams; needs: string[][][] }>();

/** Weight of the junk cues (adverts, spam, test messages) found in a normalised text, with the phrases found. */
export function junkScore(lexicon: Lexicon, text: string): { score: number; found: string[] } {
  let score = 0;
  const found: string[] = [];
  let index = junkIndexes.get(lexicon);
  if (!index) {
    const needs = lexicon.junk.map((c) => (c.literal !== null ? [[c.literal]] : [...requiredLiterals(c.source), ...(c.lead ? [c.lead] : [])]));
    junkIndexes.set(lexicon, (index = { grams: new TextGrams(), needs }));
  }
  // a cue whose literals cannot all be in the text is not run (most texts are no advert)
  index.grams.load(text);
  for (let i = 0; i < lexicon.junk.length; i++) {
    const cue = lexicon.junk[i]!;
    if (!index.grams.mayHaveAll(index.needs[i]!)) continue;
    let hit: string | null = null;
    if (cue.literal !== null) hit = text.includes(cue.literal) ? cue.literal : null;
    else if (cue.regex) {
      cue.regex.lastIndex = 0; // the patterns are global: each text is searched from its start
      hit = cue.regex.exec(text)?.[0] ?? null;
    }
    if (hit !== null) {
      score += cue.weight;
      found.push(hit);
    }
  }
  return { score, found };
}
