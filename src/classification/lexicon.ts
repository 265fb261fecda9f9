/**
 * The explainable half of the classifier: weighted cue phrases per dimension, praise/question cues for `none`,
 * and a separate misconduct list, kept in config/classification/lexicon.yaml so staff can read and change them.
 * A cue is a literal phrase or a regular expression over normalised text. A cue preceded by a negation inside
 * the same clause ("没有乱收费", "不是态度问题") does not count.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CLAUSE_BREAK_CHARS, normalizeText } from './normalize.js';
import { CodeUnitTrie } from './code-unit-trie.js';
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
  /**
   * junk cues only: the kind of advert evidence (contact, offer, sender, action…); a kind counts once, at its
   * heaviest, so an advert is told by several kinds together (a phone number and a price), not by one repeated
   */
  group?: string;
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

function compileCue(entry: unknown, path: string, problems: string[], allowNegative = false, allowGroup = false): Cue | null {
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
    if (!['text', 'regex', 'weight', 'note', ...(allowGroup ? ['group'] : [])].includes(key)) problems.push(`${path}.${key}: unknown field`);
  }
  if (obj.group !== undefined && (typeof obj.group !== 'string' || !obj.group)) problems.push(`${path}.group: expected a name`);
  const group = typeof obj.group === 'string' && obj.group ? { group: obj.group } : {};
  const weight = obj.weight === undefined ? 1 : obj.weight;
  // a misconduct cue may weigh against the flag: a gift refused, a fee on the schedule, "本以为要托人"; a junk cue
  // against junk: the words of a complaint that reports a seller
  const low = allowNegative ? -MAX_WEIGHT : 0;
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight === 0 || weight < low || weight > MAX_WEIGHT) {
    problems.push(`${path}.weight: must be a number in ${allowNegative ? `[-${MAX_WEIGHT}, ${MAX_WEIGHT}], not 0` : `(0, ${MAX_WEIGHT}]`}`);
    return null;
  }
  // a group counts its heaviest hit once: a negative one would never count
  if (weight < 0 && obj.group !== undefined) {
    problems.push(`${path}: a negative weight takes no group`);
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
    return { source: obj.text as string, weight, regex: null, literal: text, lead: [text[0] as string], ...group };
  }
  const source = obj.regex as string;
  try {
    // no 'u' flag: cues are BMP text and V8 scans non-unicode patterns markedly faster
    const regex = new RegExp(source, 'g');
    if (regex.test('')) {
      problems.push(`${path}.regex: matches the empty string`);
      return null;
    }
    return { source, weight, regex, literal: null, lead: leadingChars(source), ...group };
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
    const cue = compileCue(entry, `junk[${i}]`, problems, true, true);
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

// per lexicon: by code unit, 1 when a negation or a filler ends with it; null if one is empty (it would end anywhere)
const negationEnds = new WeakMap<Lexicon, Uint8Array | null>();
// the last lexicon asked about and its table (one lexicon serves thousands of hits in a row)
let endsLexicon: Lexicon | null = null;
let endsTable: Uint8Array | null = null;

function negationEndsOf(lexicon: Lexicon): Uint8Array | null {
  if (lexicon === endsLexicon) return endsTable;
  let ends = negationEnds.get(lexicon);
  if (ends === undefined) {
    const words = [...lexicon.shortNegators, ...lexicon.fillers, ...lexicon.negators];
    ends = null;
    if (words.every((w) => w.length > 0)) {
      ends = new Uint8Array(65536);
      for (const w of words) ends[w.charCodeAt(w.length - 1)] = 1;
    }
    negationEnds.set(lexicon, ends);
  }
  endsLexicon = lexicon;
  endsTable = ends;
  return ends;
}

/** Whether the cue starting at `index` is negated by what precedes it in the same clause. */
export function isNegated(lexicon: Lexicon, text: string, index: number): boolean {
  // every check below wants a negation or a filler right before the cue: most cues follow some other character
  const ends = negationEndsOf(lexicon);
  if (ends && (index === 0 || !ends[text.charCodeAt(index - 1)])) return false;
  let start = index;
  // Look back at most 8 characters and never across a clause break.
  while (start > 0 && index - start < 8 && !CLAUSE_CODES[text.charCodeAt(start - 1)]) start--;
  for (const short of lexicon.shortNegators) if (endsAt(text, start, index, short) && !inWord(text, start, index - short.length)) return true;
  // Strip one filler ("没有任何乱收费", "不是很满意") before looking for a multi-character negation.
  let end = index;
  for (const filler of lexicon.fillers) {
    if (endsAt(text, start, index, filler)) {
      end = filler.length ? index - filler.length : start;
      break;
    }
  }
  for (const neg of lexicon.negators) if (endsAt(text, start, end, neg)) return true;
  for (const short of lexicon.shortNegators) if (end < index && endsAt(text, start, end, short) && !inWord(text, start, end - short.length)) return true;
  return false;
}

// characters that make a one-character negator the end of a word that negates nothing: 特别 (especially), 分别, 区别,
// 差别, 级别, 个别, 类别, 告别 for 别; 毫无, 并无 stay negations
const WORD_BEFORE_NEGATOR = new Set([...'特分区差级个类告识性派鉴辨']);

/** Whether the one-character negator at `at` ends a word with the character before it (within the clause). */
function inWord(text: string, start: number, at: number): boolean {
  return at > start && text.charCodeAt(at) === 0x522b && WORD_BEFORE_NEGATOR.has(text[at - 1] as string);
}

/**
 * The characters a match of a simple pattern must start with: literal characters, classes without ranges and
 * top-level alternations of those. Anything cleverer (anchors, optional first atoms, escapes) returns null.
 */
export function leadingChars(source: string): string[] | null {
  const first = source[0];
  if (first === undefined) return null;
  // "ab|cd": a match starts with a lead of either branch (read as the first branch only, "cd" was never found)
  const branches = topLevelBranches(source);
  if (branches.length > 1) {
    const out = new Set<string>();
    for (const branch of branches) {
      const lead = branch ? leadingChars(branch) : null;
      if (!lead) return null;
      lead.forEach((c) => out.add(c));
    }
    return [...out];
  }
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

/** The branches of a pattern's top-level alternation ("ab|(c|d)e" → ["ab", "(c|d)e"]); one branch if none. */
function topLevelBranches(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === '|' && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  out.push(source.slice(start));
  return out;
}

const META = new Set(Array.from('\\^$.|?*+()[]{}'));

/**
 * Literal strings every match of a simple pattern must contain, each as the alternatives one of which must occur
 * ("排了.{0,6}(小时|钟头)" → [["排了"], ["小时", "钟头"]]). An alternation whose branches are not plain literals
 * needs one literal of some branch: "(关系户|(是|给了).{0,4}(亲戚|熟人))" → [["关系户", "亲戚", "熟人"]].
 * Conservative: what it cannot read (escapes, lookarounds) adds no requirement, so a text failing one can never
 * match the pattern.
 */
export function requiredLiterals(source: string): string[][] {
  if (source.includes('\\')) return [];
  const branches = alternatives(source);
  if (!branches) return [];
  if (branches.length > 1) {
    const either = eitherOf(branches);
    return either ? [either] : [];
  }
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
      else if (body.startsWith('?')) continue; // a lookaround: what it looks at is not part of the match
      const branches = alternatives(body);
      const either = branches && eitherOf(branches);
      if (either) out.push(either);
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

/** The top-level branches of a pattern ("a|(b|c)d" → ["a", "(b|c)d"]); null when its brackets do not close. */
function alternatives(source: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '[') {
      const close = source.indexOf(']', i + 1);
      if (close < 0) return null;
      i = close;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      out.push(source.slice(start, i));
      start = i + 1;
    }
  }
  out.push(source.slice(start));
  return depth === 0 ? out : null;
}

/**
 * The literals one of which a match of some branch must contain: a plain branch itself, any other branch its most
 * selective requirement (the longest shortest literal). Null when some branch requires nothing.
 */
function eitherOf(branches: string[]): string[] | null {
  const out = new Set<string>();
  for (const branch of branches) {
    if (!branch) return null;
    if (!Array.from(branch).some((c) => META.has(c))) {
      out.add(branch);
      continue;
    }
    let best: string[] | null = null;
    let bestLength = 0;
    for (const requirement of requiredLiterals(branch)) {
      const shortest = Math.min(...requirement.map((a) => a.length));
      if (shortest > bestLength) {
        best = requirement;
        bestLength = shortest;
      }
    }
    if (!best) return null;
    best.forEach((a) => out.add(a));
  }
  return [...out];
}

/**
 * Which of a list of patterns may match a text. Each pattern needs some literals (requirements, each a list of
 * alternatives one of which must occur, as `requiredLiterals` gives them); one scan of the text over a trie of every
 * literal finds the ones present, and a pattern opens when all its requirements are met. A pattern without
 * requirements is always open. Only whether a literal occurs counts, so this never changes what a pattern finds.
 *
 * The scan runs at every character of every text (the cue gate, the junk gate, the duty terms' gate) and its cost is
 * memory reads, so the per-text state sits in few arrays, side by side: one block per trie node (its literal's users
 * and whether it was seen) and one per pattern (whether it was touched, the requirements met as bits, all of them as
 * bits). A literal found costs one read per pattern that needs it, where a counter per requirement and per pattern in
 * arrays of their own cost five scattered reads.
 */
export class LiteralGate {
  private readonly trie = new CodeUnitTrie();
  /**
   * per trie node, 4 numbers: the users of the literal ending there (users[2·a … 2·b), a = b when none ends there),
   * and the text it was last seen in (`gen`)
   */
  private readonly nodes: Int32Array;
  /** per use of a literal: (pattern, the bit of the requirement it meets) */
  private readonly users: Int32Array;
  /** per pattern, 4 numbers: the text it was last touched in, the requirements met (bits), all its requirements (bits) */
  private readonly patterns: Int32Array;
  private readonly always: Int32Array;
  private readonly opened: Int32Array;
  private gen = 0;
  private lastText: string | null = null;
  private lastCount = 0;

  constructor(requirements: string[][][]) {
    // literal → its uses: (pattern, requirement bit); a requirement with "" (in every text) holds already and has no bit
    const uses = new Map<string, number[]>();
    this.patterns = new Int32Array(requirements.length * 4);
    const always: number[] = [];
    requirements.forEach((list, p) => {
      let full = 0;
      list.forEach((alternatives, r) => {
        // (a pattern needs a handful of literals; past 31 a requirement is not checked, which only opens more)
        if (r > 30 || alternatives.includes('')) return;
        const bit = 1 << r;
        full |= bit;
        for (const a of alternatives) {
          let list = uses.get(a);
          if (!list) uses.set(a, (list = []));
          list.push(p, bit);
        }
      });
      this.patterns[4 * p + 2] = full;
      if (full === 0) always.push(p);
    });
    const at = new Map<string, number>();
    for (const a of uses.keys()) at.set(a, this.trie.add(a));
    this.nodes = new Int32Array(this.trie.size * 4);
    const flat: number[] = [];
    for (const [a, list] of uses) {
      const node = at.get(a) as number;
      this.nodes[4 * node] = flat.length / 2;
      for (const x of list) flat.push(x);
      this.nodes[4 * node + 1] = flat.length / 2;
    }
    this.users = Int32Array.from(flat);
    this.always = Int32Array.from(always);
    this.opened = new Int32Array(requirements.length);
  }

  /** The patterns the text may match, in list order: a view of a buffer that the next call overwrites. */
  open(text: string): Int32Array {
    return this.opened.subarray(0, this.scan(text));
  }

  /**
   * `scan(text)`, unless the last scan was of this text: then its answer, still in `list` (the classifier asks one
   * gate about the cues and then about the junk patterns of one text)
   */
  scanOnce(text: string): number {
    return text === this.lastText ? this.lastCount : this.scan(text);
  }

  /** How many patterns the text may match; they are `list[0 … n)`, in list order, until the next call. */
  scan(text: string): number {
    this.lastText = text;
    this.lastCount = this.count(text);
    return this.lastCount;
  }

  private count(text: string): number {
    if (++this.gen === 0x7fffffff) {
      this.gen = 1;
      for (let i = 0; i < this.nodes.length; i += 4) this.nodes[i + 2] = 0;
      for (let i = 0; i < this.patterns.length; i += 4) this.patterns[i] = 0;
    }
    const { gen, trie, nodes, users, patterns, opened } = this;
    opened.set(this.always);
    let n = this.always.length;
    // every literal of the text, once: each meets its patterns' requirements
    for (let i = 0; i < text.length; i++) {
      let node = trie.root(text.charCodeAt(i));
      for (let j = i + 1; node >= 0; j++) {
        const b = 4 * node;
        const end = nodes[b + 1] as number;
        if (end !== (nodes[b] as number) && nodes[b + 2] !== gen) {
          nodes[b + 2] = gen;
          for (let k = 2 * (nodes[b] as number); k < 2 * end; k += 2) {
            const q = 4 * (users[k] as number);
            if (patterns[q] !== gen) {
              patterns[q] = gen;
              patterns[q + 1] = 0;
            }
            const met = patterns[q + 1] as number;
            const now = met | (users[k + 1] as number);
            if (now !== met) {
              patterns[q + 1] = now;
              if (now === patterns[q + 2]) opened[n++] = q >> 2;
            }
          }
        }
        if (j >= text.length) break;
        node = trie.next(node, text.charCodeAt(j));
      }
    }
    // in list order; a handful open per text, so insertion sort in place
    for (let i = 1; i < n; i++) {
      const p = opened[i] as number;
      let at = i;
      while (at > 0 && (opened[at - 1] as number) > p) {
        opened[at] = opened[at - 1] as number;
        at--;
      }
      opened[at] = p;
    }
    return n;
  }

  /** The buffer `scan` fills. */
  get list(): Int32Array {
    return this.opened;
  }
}

interface CueIndex {
  cues: Array<{ cue: Cue; label: Label | 'misconduct' }>;
  /** a lead that is not one BMP character (a surrogate pair, a lone surrogate): decided on the text's code points */
  exotic: boolean;
  /**
   * the cues a text may hold (patterns 0 … cues.length - 1: their lead characters as one requirement, the literals
   * they need as the others), then the junk cues (a literal cue needs itself, a pattern the literals it needs): one
   * scan of a text answers for both, where two gates cost two walks over the text and two tries in the caches
   */
  gate: LiteralGate;
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
  const gate = new LiteralGate(
    cues.map(({ cue }) => {
      const requirements = cue.regex ? requiredLiterals(cue.source) : [[cue.literal as string]];
      // with exotic leads the lead is checked on the text's code points instead; a lead is no requirement of its own
      // when a literal that must occur starts with it anyway (a literal cue, "(推诿|扯皮)…"): fewer literals to track
      const lead = new Set(cue.lead);
      const implied = requirements.some((alternatives) => alternatives.every((a) => lead.has(a[0] as string)));
      if (cue.lead && !exotic && !implied) requirements.push([...lead]);
      return requirements;
    }).concat(
      lexicon.junk.map((cue) => {
        if (cue.literal !== null) return [[cue.literal]];
        const requirements = requiredLiterals(cue.source);
        if (cue.lead?.every(isPlainBmp)) requirements.push(cue.lead);
        return requirements;
      }),
    ),
  );
  index = { cues, exotic, gate };
  cueIndexes.set(lexicon, index);
  return index;
}

/** All cue hits in normalised text, negated ones included (marked) so they can be shown as evidence. */
export function matchCues(lexicon: Lexicon, text: string): CueHit[] {
  const hits: CueHit[] = [];
  const index = cueIndex(lexicon);
  // a lead that is not a plain BMP character counts as it always did: present among the text's code points
  const codePoints = index.exotic ? new Set(text) : null;
  const gate = index.gate;
  const n = gate.scanOnce(text);
  const open = gate.list;
  const cueCount = index.cues.length;
  // cues in lexicon order, as they always ran (what `findCue` finds, without a callback per cue); the junk cues after
  for (let o = 0; o < n && (open[o] as number) < cueCount; o++) {
    const { cue, label } = index.cues[open[o] as number]!;
    if (codePoints && cue.lead && !cue.lead.some((ch) => codePoints.has(ch))) continue;
    const literal = cue.literal;
    if (literal) {
      let i = text.indexOf(literal);
      while (i >= 0) {
        hits.push({ label, text: literal, index: i, weight: cue.weight, negated: isNegated(lexicon, text, i) });
        i = text.indexOf(literal, i + literal.length);
      }
      continue;
    }
    const re = cue.regex as RegExp;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      hits.push({ label, text: m[0], index: m.index, weight: cue.weight, negated: isNegated(lexicon, text, m.index) });
    }
  }
  return hits;
}

export interface CueScores {
  scores: Record<Label, number>;
  misconduct: number;
  hits: CueHit[];
  /** the hits not negated, heaviest first (equal weights in the order of `hits`) */
  positive: CueHit[];
}

/**
 * Sums the weights of non-negated hits. A phrase counts once per label even when repeated, so a long text that
 * says "排队" ten times does not drown everything else; overlapping cues of one label count once, the heavier.
 * Misconduct cues with a negative weight (a refused gift, a fee on the schedule) lower the misconduct score.
 */
export function scoreCues(lexicon: Lexicon, text: string): CueScores {
  const hits = matchCues(lexicon, text);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let misconduct = 0;
  // heavier first, so an overlapping lighter cue of the same label is skipped (equal weights keep the hits' order,
  // as a stable sort leaves them; a handful per text, so insertion, and the library sort for a long text's many)
  const positive: CueHit[] = [];
  for (const h of hits) if (!h.negated) positive.push(h);
  if (positive.length > 32) positive.sort((a, b) => b.weight - a.weight);
  else {
    for (let i = 1; i < positive.length; i++) {
      const h = positive[i] as CueHit;
      let at = i;
      while (at > 0 && (positive[at - 1] as CueHit).weight < h.weight) {
        positive[at] = positive[at - 1] as CueHit;
        at--;
      }
      positive[at] = h;
    }
  }
  // per slot (D1…D5, none, misconduct, a cue against the flag): the phrases seen, and the spans that scored
  // (start, end, start, end…); the phrases a short list until it grows, then a set
  const seen: Array<string[] | Set<string> | undefined> = [];
  const spans: Array<number[] | undefined> = [];
  for (const hit of positive) {
    const slot = slotOfLabel(hit.label);
    const phrases = seen[slot];
    if (phrases === undefined) seen[slot] = [hit.text];
    else if (Array.isArray(phrases)) {
      if (phrases.includes(hit.text)) continue;
      phrases.push(hit.text);
      if (phrases.length > 16) seen[slot] = new Set(phrases);
    } else {
      if (phrases.has(hit.text)) continue;
      phrases.add(hit.text);
    }
    // a cue against the flag overlaps the cue it answers ("递烟他不要"): it is kept apart
    const spanSlot = hit.weight < 0 ? 7 : slot;
    let list = spans[spanSlot];
    if (!list) spans[spanSlot] = list = [];
    const end = hit.index + hit.text.length;
    if (overlaps(list, hit.index, end)) continue;
    // words wholly inside another dimension's heavier phrase are that phrase's ("窗口说的跟网上办事指南对不上" is D3;
    // its 办事指南 adds nothing to D2)
    if (slot < 5 && insideOther(spans, slot, hit.index, end)) continue;
    list.push(hit.index, end);
    switch (slot) {
      case 0:
        s0 += hit.weight;
        break;
      case 1:
        s1 += hit.weight;
        break;
      case 2:
        s2 += hit.weight;
        break;
      case 3:
        s3 += hit.weight;
        break;
      case 4:
        s4 += hit.weight;
        break;
      case 5:
        s5 += hit.weight;
        break;
      default:
        misconduct += hit.weight;
    }
  }
  const scores: Record<Label, number> = { D1: s0, D2: s1, D3: s2, D4: s3, D5: s4, none: s5 };
  return { scores, misconduct, hits, positive };
}

/** D1…D5 → 0…4, none → 5, misconduct → 6 */
const slotOfLabel = (label: Label | 'misconduct'): number => (label === 'misconduct' ? 6 : label === 'none' ? 5 : label.charCodeAt(1) - 49);

/** Whether [start, end) lies wholly inside a longer span scored for another of the five dimensions. */
function insideOther(spans: Array<number[] | undefined>, slot: number, start: number, end: number): boolean {
  for (let s = 0; s < 5; s++) {
    const list = spans[s];
    if (s === slot || !list) continue;
    for (let i = 0; i < list.length; i += 2) {
      const a = list[i] as number;
      const b = list[i + 1] as number;
      if (a <= start && end <= b && b - a > end - start) return true;
    }
  }
  return false;
}

function overlaps(spans: number[], start: number, end: number): boolean {
  for (let i = 0; i < spans.length; i += 2) if (start < (spans[i + 1] as number) && (spans[i] as number) < end) return true;
  return false;
}

/**
 * Weight of the junk cues (adverts, spam, test messages) found in a normalised text, with the phrases found and
 * the spans (start, end, start, end…) of the grouped cues' matches. Cues of one group (contact, offer, sender…)
 * count once, the heaviest. A negative cue (words of a complaint that reports a seller) lowers the score and is not
 * listed among the phrases found.
 */
export function junkScore(lexicon: Lexicon, text: string): { score: number; found: string[]; spans: number[] } {
  let score = 0;
  const found: string[] = [];
  const spans: number[] = [];
  let groups: Map<string, number> | null = null;
  // most texts hold none of the literals an advert pattern needs: those patterns are not run
  // (the gate of the cues, whose junk patterns follow the cues': usually `scoreCues` has just scanned this text)
  const index = cueIndex(lexicon);
  const gate = index.gate;
  const n = gate.scanOnce(text);
  const open = gate.list;
  const cueCount = index.cues.length;
  let first = 0;
  while (first < n && (open[first] as number) < cueCount) first++;
  // the cues in order; one the text cannot hold finds nothing
  for (let o = first; o < n; o++) {
    const cue = lexicon.junk[(open[o] as number) - cueCount] as Cue;
    let hit: string | null = null;
    let at = -1;
    if (cue.literal !== null) {
      at = text.indexOf(cue.literal);
      if (at >= 0) hit = cue.literal;
    } else if (cue.regex) {
      // these patterns are global: exec starts where the previous text's match ended unless told to start afresh
      // (without this, a text after a matching one could miss its own advert)
      cue.regex.lastIndex = 0;
      let m = cue.regex.exec(text);
      if (m) {
        hit = m[0];
        at = m.index;
        // every match's span ("家电维修 空调加氟"): the words the advert explains
        while (cue.group && (m = cue.regex.exec(text)) !== null) {
          if (m[0].length === 0) cue.regex.lastIndex++;
          else spans.push(m.index, m.index + m[0].length);
        }
      }
    }
    if (hit !== null) {
      if (cue.group) {
        groups ??= new Map();
        const had = groups.get(cue.group) ?? 0;
        if (cue.weight > had) {
          score += cue.weight - had;
          groups.set(cue.group, cue.weight);
        }
      } else score += cue.weight;
      if (cue.weight > 0) found.push(hit);
      // only the kinds of advert evidence explain words away: a lone "推销" in a complaint about staff does not
      if (cue.group) spans.push(at, at + hit.length);
    }
  }
  return { score, found, spans };
}
