/**
 * Department duties (config/routing/duties/*.yaml): which kind of department a matter belongs to, in the words
 * people use ("二手房过户" → 不动产登记, "清税" → 税务), and which catalogue units are of that kind.
 *
 * A duty book is compiled once per process: every literal term of every type goes into one phrase table keyed by
 * its first character, scanned leftmost-longest over the normalised text (one pass, no per-term search); the few
 * regular-expression terms are tested after it. Nothing here knows a county: catalogue units get their types
 * from an explicit `department` field, from the naming patterns of their names and aliases, or from the service
 * items and windows they hold (a town centre, an approval bureau's section).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CodeUnitTrie } from '../classification/code-unit-trie.js';
import { LiteralGate, requiredLiterals } from '../classification/lexicon.js';
import { normalizeText } from '../classification/normalize.js';
import { sortSmall } from '../common/small-sort.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Catalog } from '../org/catalog.types.js';

export interface DutyType {
  type: string;
  name: string;
  /** the type this one refines (police.hukou → police) */
  parent: string | null;
  patterns: RegExp[];
  bodies: string[];
  except: string[];
  /** types whose units take the matter when the catalogue has no unit of this type */
  fallback: string[];
  regexTerms: Array<{ re: RegExp; weight: number; source: string }>;
}

export interface DutyHit {
  score: number;
  /** the terms found, strongest first */
  terms: string[];
}

export interface DutyBook {
  types: Map<string, DutyType>;
  /** type scores of a normalised text; a type whose `except` phrase is present scores nothing */
  score(normalizedText: string, weightAt?: (index: number) => number): Map<string, DutyHit>;
  /** phrase → types, for the words that name a department as a body ("税务", "房管局") */
  bodies: Map<string, string[]>;
  /** longer words that merely contain a department's word ("人民政府" holds "民政"): read as a whole, worth nothing */
  shadows: string[];
  size: number;
}

/**
 * Phrases by their UTF-16 code units for leftmost-longest scanning: `longestAt(text, i)` is the longest phrase that
 * starts at i (what trying a first-character list sorted longest first with startsWith finds), without trying them.
 */
export class PhraseTrie<T> {
  private readonly trie = new CodeUnitTrie();
  private readonly values: Array<T | undefined> = [];

  set(phrase: string, value: T): void {
    if (!phrase) return;
    const node = this.trie.add(phrase);
    while (this.values.length < this.trie.size) this.values.push(undefined);
    this.values[node] = value;
  }

  longestAt(text: string, i: number): T | undefined {
    let node = this.trie.root(text.charCodeAt(i));
    if (node < 0) return undefined;
    let best = this.values[node];
    for (let j = i + 1; j < text.length; j++) {
      node = this.trie.next(node, text.charCodeAt(j));
      if (node < 0) break;
      if (this.values[node] !== undefined) best = this.values[node];
    }
    return best;
  }
}

interface TermEntry {
  phrase: string;
  hits: Array<{ type: number; weight: number }>;
}

type Loose = Record<string, unknown>;

export const DUTIES_DIR = path.join(PROJECT_ROOT, 'config', 'routing', 'duties');

/** Reads every *.yaml in the folder; throws with every problem found (a file, a key, a bad regex). */
export function loadDutyBook(dir = DUTIES_DIR): DutyBook {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const docs: Array<{ file: string; doc: Loose }> = files.map((f) => ({ file: f, doc: (parse(readFileSync(path.join(dir, f), 'utf8')) ?? {}) as Loose }));
  return compileDutyBook(docs);
}

export function compileDutyBook(docs: Array<{ file: string; doc: Loose }>): DutyBook {
  const problems: string[] = [];
  const types = new Map<string, DutyType>();
  const literal = new Map<string, Map<number, number>>(); // phrase → type index → weight
  const typeList: DutyType[] = [];
  const shadows = new Set<string>();
  for (const { file, doc } of docs) {
    if (doc.shadows !== undefined) {
      if (!Array.isArray(doc.shadows)) problems.push(`${file}: shadows must be a list of phrases`);
      else for (const x of doc.shadows) if (Array.from(normalizeText(String(x))).length >= 2) shadows.add(normalizeText(String(x)));
    }
    const id = typeof doc.type === 'string' ? doc.type.trim() : '';
    if (!/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/.test(id)) {
      problems.push(`${file}: type must be a lower-case id such as tax or police.hukou`);
      continue;
    }
    if (types.has(id)) {
      problems.push(`${file}: type ${id} is defined twice`);
      continue;
    }
    const regexes = (v: unknown, key: string): RegExp[] =>
      (Array.isArray(v) ? v : []).flatMap((p, i) => {
        try {
          return [new RegExp(String(p), 'u')];
        } catch (e) {
          problems.push(`${file}: ${key}[${i}] is not a valid regular expression (${(e as Error).message})`);
          return [];
        }
      });
    const words = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => normalizeText(String(x))).filter((x) => x.length >= 1) : []);
    const t: DutyType = {
      type: id,
      name: typeof doc.name === 'string' && doc.name.trim() ? doc.name.trim() : id,
      parent: id.includes('.') ? id.slice(0, id.lastIndexOf('.')) : null,
      patterns: regexes(doc.patterns, 'patterns'),
      bodies: words(doc.bodies),
      except: words(doc.except),
      fallback: Array.isArray(doc.fallback) ? doc.fallback.map(String) : [],
      regexTerms: [],
    };
    const ti = typeList.length;
    typeList.push(t);
    types.set(id, t);
    const terms = Array.isArray(doc.terms) ? doc.terms : [];
    terms.forEach((entry: unknown, i: number) => {
      let phrase: string | null = null;
      let weight = 1;
      if (Array.isArray(entry)) {
        phrase = String(entry[0] ?? '');
        weight = Number(entry[1] ?? 1);
      } else if (typeof entry === 'string') {
        phrase = entry;
      } else if (entry && typeof entry === 'object') {
        const e = entry as Loose;
        weight = Number(e.weight ?? 1);
        if (typeof e.regex === 'string') {
          try {
            t.regexTerms.push({ re: new RegExp(e.regex, 'u'), weight, source: e.regex });
          } catch (err) {
            problems.push(`${file}: terms[${i}] regex is not valid (${(err as Error).message})`);
          }
          return;
        }
        if (typeof e.text === 'string') phrase = e.text;
      }
      if (!Number.isFinite(weight) || weight <= 0 || weight > 5) {
        problems.push(`${file}: terms[${i}] weight must be a number in (0, 5]`);
        return;
      }
      const p = phrase ? normalizeText(phrase) : '';
      if (Array.from(p).length < 2) {
        problems.push(`${file}: terms[${i}] needs a phrase of at least two characters`);
        return;
      }
      const byType = literal.get(p) ?? new Map<number, number>();
      byType.set(ti, Math.max(byType.get(ti) ?? 0, weight));
      literal.set(p, byType);
    });
  }
  for (const t of typeList) {
    for (const f of t.fallback) if (!types.has(f)) problems.push(`${t.type}: fallback ${f} is not a known type`);
  }
  if (problems.length) throw new Error(`duty configuration has problems:\n  ${problems.join('\n  ')}`);

  const byFirst = new Map<string, TermEntry[]>();
  for (const [phrase, byType] of literal) {
    const first = phrase[0] as string;
    const list = byFirst.get(first) ?? [];
    list.push({ phrase, hits: [...byType].map(([type, weight]) => ({ type, weight })) });
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.phrase.length - a.phrase.length);
  const trie = new PhraseTrie<TermEntry>();
  // a shadow is read as one word that counts for nothing (a real term of the same spelling wins)
  for (const phrase of shadows) if (!literal.has(phrase)) trie.set(phrase, { phrase, hits: [] });
  for (const list of byFirst.values()) for (const e of list) trie.set(e.phrase, e);
  const bodies = new Map<string, string[]>();
  for (const t of typeList) {
    for (const b of t.bodies) {
      if (Array.from(b).length < 2) continue;
      bodies.set(b, [...new Set([...(bodies.get(b) ?? []), t.type])]);
    }
  }
  // every regex term with its type, in type order; a term whose literals are missing from the text is not run
  const regexTerms = typeList.flatMap((t, ti) => t.regexTerms.map((r) => ({ r, ti })));
  const regexGate = new LiteralGate(regexTerms.map(({ r }) => requiredLiterals(r.source)));
  const withExcept = typeList.map((t, i) => [t, i] as const).filter(([t]) => t.except.length > 0);

  // weightAt: how much a term found at an index counts (a paper in a list of required documents counts less)
  // per type: the sum of its terms' weights in the text being scored (reused: a new typed array per text costs more
  // than clearing this one)
  const sums = new Float64Array(typeList.length);
  function score(text: string, weightAt: (index: number) => number = () => 1): Map<string, DutyHit> {
    sums.fill(0);
    const found: Array<Array<{ term: string; weight: number }> | undefined> = [];
    const note = (ti: number, term: string, weight: number): void => {
      const list = (found[ti] ??= []);
      if (list.some((x) => x.term === term)) return; // a term said twice is one piece of evidence
      list.push({ term, weight });
      sums[ti] = (sums[ti] as number) + weight;
    };
    let i = 0;
    while (i < text.length) {
      const hit = trie.longestAt(text, i);
      if (hit) {
        const w = weightAt(i);
        for (const h of hit.hits) note(h.type, hit.phrase, h.weight * w);
        i += hit.phrase.length;
      } else {
        i++;
      }
    }
    for (const k of regexTerms.length ? regexGate.open(text) : []) {
      const { r, ti } = regexTerms[k]!;
      const m = r.re.exec(text);
      if (m) note(ti, m[0], r.weight * weightAt(m.index));
    }
    for (const [t, ti] of withExcept) {
      if (sums[ti] && t.except.some((x) => text.includes(x))) sums[ti] = 0;
    }
    const out = new Map<string, DutyHit>();
    for (let ti = 0; ti < typeList.length; ti++) {
      if (!sums[ti]) continue;
      const terms = sortSmall(found[ti] ?? [], (a, b) => b.weight - a.weight).map((x) => x.term);
      out.set((typeList[ti] as DutyType).type, { score: sums[ti] as number, terms });
    }
    return out;
  }

  return { types, score, bodies, shadows: [...shadows], size: literal.size + typeList.reduce((n, t) => n + t.regexTerms.length, 0) };
}

/** How a unit came by a department type: named so, its name says so, or the items/windows it holds say so. */
export type TypeSource = 'explicit' | 'name' | 'items';

export interface UnitTypes {
  /** unit code → type → how strongly the unit is of that type (1 for explicit/name; item share for items) */
  byUnit: Map<string, Map<string, { weight: number; source: TypeSource }>>;
  /** type → unit codes of that type, strongest first */
  byType: Map<string, Array<{ unit: string; weight: number; source: TypeSource }>>;
  /** service item code → its type (the strongest duty of its name and aliases) */
  itemType: Map<string, string>;
}

/**
 * Department types of a catalogue's units. Only the explicit field and the unit's own name and aliases make a
 * unit "the department"; a unit whose name says nothing (a town centre, an approval section) takes the types of
 * the items and windows it holds, weighted by their share.
 */
export function typeUnits(book: DutyBook, catalog: Catalog, activeUnits: ReadonlySet<string>): UnitTypes {
  const byUnit: UnitTypes['byUnit'] = new Map();
  const itemType = new Map<string, string>();
  const set = (unit: string, type: string, weight: number, source: TypeSource): void => {
    const m = byUnit.get(unit) ?? new Map();
    const prev = m.get(type);
    if (!prev || prev.weight < weight) m.set(type, { weight, source });
    byUnit.set(unit, m);
  };
  for (const u of catalog.units) {
    if (!activeUnits.has(u.code)) continue;
    const list = u.department ?? [];
    for (const t of list) if (book.types.has(t)) set(u.code, t, 1, 'explicit');
    if (list.length) continue;
    const names = [u.name, ...u.aliases].map((n) => normalizeText(n));
    // the most specific pattern wins: a unit matching police.hukou is not also "police in general" unless a name says so
    for (const t of book.types.values()) {
      if (t.patterns.some((re) => names.some((n) => re.test(n)))) set(u.code, t.type, 1, 'name');
    }
  }
  const bestType = (text: string): string | null => {
    let best: string | null = null;
    let top = 0;
    for (const [t, h] of book.score(normalizeText(text))) {
      if (h.score > top) {
        top = h.score;
        best = t;
      }
    }
    return top >= 1.5 ? best : null;
  };
  const heldBy = new Map<string, Map<string, number>>();
  const hold = (unit: string, type: string | null): void => {
    if (!type || !activeUnits.has(unit)) return;
    const m = heldBy.get(unit) ?? new Map<string, number>();
    m.set(type, (m.get(type) ?? 0) + 1);
    heldBy.set(unit, m);
  };
  for (const it of catalog.items) {
    const t = bestType([it.name, ...it.aliases].join('，'));
    if (t) itemType.set(it.code, t);
    hold(it.unit, t);
  }
  for (const w of catalog.windows) hold(w.unit, bestType(w.name));
  for (const [unit, counts] of heldBy) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    for (const [type, n] of counts) {
      // a unit named for one duty that also holds another's items (a 民政 window issuing 残疾证) gets both
      set(unit, type, Math.min(0.9, 0.4 + 0.5 * (n / total)), 'items');
    }
  }
  const byType: UnitTypes['byType'] = new Map();
  for (const [unit, m] of byUnit) {
    for (const [type, v] of m) {
      const list = byType.get(type) ?? [];
      list.push({ unit, weight: v.weight, source: v.source });
      byType.set(type, list);
    }
  }
  for (const list of byType.values()) list.sort((a, b) => b.weight - a.weight);
  return { byUnit, byType, itemType };
}
