/**
 * Precomputed look-ups over a catalogue for routing: active units, windows and items by code, the triage and
 * supervision units, canonical names for fuzzy matching, and one phrase matcher that finds unit, window and
 * service-item names in text (leftmost-longest, so "公积金贷款" is the item, not the unit "公积金").
 * Nothing here knows a particular catalogue; every name comes from the catalogue passed in.
 */
import type { Catalog, CatalogServiceItem, CatalogUnit, CatalogWindow } from '../org/catalog.types.js';
import { normalizeText } from '../classification/normalize.js';
import { canonicalName, regionPrefixes } from './fuzzy.js';
import { loadDutyBook, PhraseTrie, typeUnits, type DutyBook, type UnitTypes } from './duties.js';

/** unit/unit_core/window/item name a catalogue entry; body names a department type ("税务说…") */
export type MentionKind = 'unit' | 'unit_core' | 'window' | 'item' | 'body';

export interface PhraseTarget {
  kind: MentionKind;
  /** unit code; item code for kind item; duty type for kind body */
  code: string;
  /** window code, for kind window */
  window?: string;
  phrase: string;
  /** how sure a mention of this phrase names the target */
  strength: number;
}

export interface Mention extends PhraseTarget {
  index: number;
  negated: boolean;
}

export interface CatalogIndex {
  region: string | null;
  units: Map<string, CatalogUnit>;
  windows: Map<string, CatalogWindow>;
  windowsByName: Map<string, CatalogWindow>;
  items: Map<string, CatalogServiceItem>;
  triage: CatalogUnit;
  supervision: CatalogUnit | null;
  prefixes: string[];
  /** canonical name → unit codes, from names and aliases of active units */
  canonical: Array<{ canonical: string; code: string; written: string }>;
  findMentions(normalizedText: string): Mention[];
  /** department duties and the catalogue's units typed by them */
  duties: DutyBook;
  types: UnitTypes;
  /** windows by the floor and number in their name or location ("二楼6号窗口") */
  windowsByNumber: Map<string, CatalogWindow[]>;
}

let defaultBook: DutyBook | null = null;
/** The shipped duty configuration (config/routing/duties), read once per process. */
export function defaultDutyBook(): DutyBook {
  return (defaultBook ??= loadDutyBook());
}

const CN_DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
/** "6", "十二", "二十一" → 6, 12, 21 (window numbers and floors people write). */
export function parseNumber(s: string): number | null {
  if (/^[0-9]+$/.test(s)) return Number(s);
  if (!/^[零〇一二两三四五六七八九十]+$/.test(s)) return null;
  if (!s.includes('十')) return s.length === 1 ? (CN_DIGITS[s] ?? null) : null;
  const [tens, ones] = s.split('十') as [string, string];
  return (tens ? (CN_DIGITS[tens] ?? 0) : 1) * 10 + (ones ? (CN_DIGITS[ones] ?? 0) : 0);
}

const NUMBER_WORD = '([0-9]{1,3}|[零〇一二两三四五六七八九十]{1,3})';
const FLOOR_RE = new RegExp(`${NUMBER_WORD}(?:楼|层)`);
const WINDOW_NO_RE = new RegExp(`${NUMBER_WORD}号(?:综合|服务|受理|办理|业务)?(?:窗口|窗|柜台|台)`);
// "二楼1号" with the floor right before it is a window too, and "一楼A区5号" with the floor's area between
const FLOOR_NO_RE = new RegExp(`(?:楼|层)的?(?:[a-z]区)?${NUMBER_WORD}号`);
// the lettered area of a hall ("A区", "b区") right before a window's number, or the short form ("C7的小姑娘", "B1窗口")
const AREA_NO_RE = new RegExp(`([a-z])区的?${NUMBER_WORD}号`);
const AREA_CODE_RE = /(?<![a-z0-9])([a-z])([0-9]{1,2})(?=号|窗口|窗|柜台|的|那个|这个)/;

/**
 * "f2a#6", "a#6", "f2#6", "#6" keys of a window's floor, area and number, from its name and location, the most
 * specific first (a text's keys are tried in order until one names a single window).
 */
export function windowNumberKeys(text: string): string[] {
  const t = normalizeText(text);
  if (!t.includes('号') && !/[a-z][0-9]/.test(t)) return []; // every pattern needs one or the other
  const a = AREA_NO_RE.exec(t) ?? AREA_CODE_RE.exec(t);
  const n = a ? [a[0], a[2]] : (WINDOW_NO_RE.exec(t) ?? FLOOR_NO_RE.exec(t));
  if (!n) return [];
  const no = parseNumber(n[1] as string);
  if (no === null) return [];
  const f = FLOOR_RE.exec(t);
  const floor = f ? parseNumber(f[1] as string) : null;
  const plain = floor === null ? [`#${no}`] : [`f${floor}#${no}`, `#${no}`];
  if (!a) return plain;
  const area = a[1] as string;
  return [...(floor === null ? [] : [`f${floor}${area}#${no}`]), `${area}#${no}`, ...plain];
}

/** Units may carry an `active` flag once the org module stores one; absent means active. */
function isActive(unit: CatalogUnit): boolean {
  return (unit as CatalogUnit & { active?: boolean }).active !== false;
}

// Generic tails of unit names; what is left is the distinctive core people use alone ("医保窗口" → "医保").
const GENERIC_TAIL =
  /(综合受理窗口|服务窗口|业务窗口|办理窗口|受理窗口|窗口|便民服务中心|便民服务站|便民中心|服务中心|服务专区|服务站|服务点|服务厅|管理中心|管理部|中心|分局|局|处|办|委|服务部)$/;
// Cores too generic to name one unit on their own.
const GENERIC_CORE = new Set([
  '政务', '政务服务', '便民', '便民服务', '综合', '服务', '业务', '行政', '政府', '区', '市', '县', '镇', '乡', '街道', '社区', '村',
  '中心', '大厅', '窗口', '办事', '帮办', '代办', '全科', '党群', '审批', '管理', '行政审批', '公共', '专区', '一楼', '二楼',
  '登记', '受理', '综合受理', '咨询', '缴费', '收费', '办理', '自助', '一窗受理', '导办', '导服',
  // everyday words a centre may be named for ("企业服务中心", "项目代办中心", "群众服务中心")
  '企业', '项目', '群众', '人民', '居民', '市民', '农民', '老年', '青年', '妇女', '儿童',
]);

/** Levels whose units are a locality: their counters are named with the locality ("青石镇综合受理窗口"). */
const LOCAL_LEVELS = new Set(['town', 'township', 'street', 'community', 'village']);

/** Comprehensive and result counters: which window names they match, and the words people call them by. */
const COMMON_COUNTERS: ReadonlyArray<readonly [string, RegExp, readonly string[]]> = [
  [
    'comprehensive',
    /综合受理|综合窗口|无差别|一窗受理|综合服务窗口/,
    ['综合受理窗口', '综合窗口', '综合服务窗口', '综窗', '无差别窗口', '无差别受理窗口', '无差别综合受理窗口', '无差别综合窗口', '一窗受理窗口', '综合柜台', '综合受理台'],
  ],
  ['results', /出件|取件|发证/, ['出件窗口', '统一出件窗口', '取件窗口', '出证窗口', '发证窗口', '统一出件']],
];

function coreOf(phrase: string): string | null {
  const core = phrase.replace(GENERIC_TAIL, '');
  if (core === phrase || Array.from(core).length < 2 || GENERIC_CORE.has(core)) return null;
  return core;
}

export function buildCatalogIndex(catalog: Catalog, duties: DutyBook = defaultDutyBook()): CatalogIndex {
  const activeUnits = catalog.units.filter(isActive);
  if (activeUnits.length === 0) throw new Error('catalogue has no active units');
  const units = new Map(activeUnits.map((u) => [u.code, u]));
  const triage =
    activeUnits.find((u) => u.role === 'triage') ?? activeUnits.find((u) => !u.parent || !units.has(u.parent)) ?? activeUnits[0]!;
  const supervision = activeUnits.find((u) => u.role === 'supervision') ?? null;
  const windows = new Map(catalog.windows.filter((w) => units.has(w.unit)).map((w) => [w.code, w]));
  const windowsByName = new Map([...windows.values()].map((w) => [normalizeText(w.name), w]));
  const items = new Map(catalog.items.filter((i) => units.has(i.unit)).map((i) => [i.code, i]));
  const prefixes = regionPrefixes(catalog.region);

  // phrase → targets; a phrase claimed by two different targets of the same kind names neither
  const phrases = new Map<string, PhraseTarget[]>();
  const add = (phrase: string, target: Omit<PhraseTarget, 'phrase'>): void => {
    const p = normalizeText(phrase);
    if (Array.from(p).length < 2) return;
    const list = phrases.get(p) ?? [];
    if (!list.some((t) => t.kind === target.kind && t.code === target.code)) list.push({ ...target, phrase: p });
    phrases.set(p, list);
  };
  const canonical: CatalogIndex['canonical'] = [];
  for (const u of activeUnits) {
    for (const written of [u.name, ...u.aliases]) {
      const canon = canonicalName(written, prefixes);
      canonical.push({ canonical: canon, code: u.code, written });
      add(written, { kind: 'unit', code: u.code, strength: 2 });
      if (canon !== normalizeText(written)) add(canon, { kind: 'unit', code: u.code, strength: 2 });
      for (const form of [normalizeText(written), canon]) {
        const core = coreOf(form);
        if (core) add(core, { kind: 'unit_core', code: u.code, strength: 1 });
      }
    }
  }
  for (const w of windows.values()) {
    add(w.name, { kind: 'window', code: w.unit, strength: 1.5, window: w.code });
    // "房产窗口", "办税大厅那个窗口": the distinctive part of a window's name
    const core = coreOf(normalizeText(w.name));
    if (core) add(core, { kind: 'window', code: w.unit, strength: 1, window: w.code });
  }
  // the hall's comprehensive windows by the words people use for them ("综窗", "三号综合窗口", "无差别窗口", "出件窗口"):
  // a hall on the 一窗受理 model takes papers at counters staffed by one unit for departments that approve behind
  // them, and a complaint about that counter's own handling is that unit's. Only the windows of units that are not a
  // town, street, community or village (their counters are named with the locality: "青石镇综合受理窗口"), and only
  // when one unit owns them all.
  for (const [kind, pattern, forms] of COMMON_COUNTERS) {
    const owners = new Set<string>();
    for (const w of windows.values()) {
      const level = units.get(w.unit)?.level;
      if (pattern.test(w.name) && !LOCAL_LEVELS.has(level ?? '')) owners.add(w.unit);
    }
    if (owners.size !== 1) continue;
    const owner = [...owners][0] as string;
    for (const form of forms) add(form, { kind: 'window', code: owner, strength: 1, window: `${kind}:${owner}` });
  }
  for (const [body, types] of duties.bodies) {
    if (types.length === 1) add(body, { kind: 'body', code: types[0] as string, strength: 0.5 });
  }
  for (const it of items.values()) {
    for (const written of [it.name, ...it.aliases]) add(written, { kind: 'item', code: it.code, strength: 2 });
  }
  // "人民政府" holds "民政", "本人社区" holds "人社": such words are read whole and name nobody (code '')
  for (const shadow of duties.shadows) if (!phrases.has(shadow)) add(shadow, { kind: 'body', code: '', strength: 0 });
  const byFirst = new Map<string, PhraseTarget[]>();
  for (const [phrase, targets] of phrases) {
    // keep the strongest kind; drop a phrase that two units (or two items) both claim at that strength
    const best = Math.max(...targets.map((t) => t.strength));
    const top = targets.filter((t) => t.strength === best);
    const kinds = new Set(top.map((t) => (t.kind === 'item' ? 'item' : 'unit')));
    const codes = new Set(top.map((t) => (t.kind === 'item' ? (items.get(t.code)?.unit ?? t.code) : t.code)));
    if (codes.size !== 1 && !(kinds.size === 1 && kinds.has('item') && new Set(top.map((t) => t.code)).size === 1)) continue;
    const chosen = top.find((t) => t.kind === 'item') ?? top[0]!;
    const first = Array.from(phrase)[0] as string;
    const list = byFirst.get(first) ?? [];
    list.push(chosen);
    byFirst.set(first, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.phrase.length - a.phrase.length);
  // a phrase whose first character is outside the BMP was never found (the lists are keyed by character, the text
  // read by code unit): it stays out of the trie too
  const trie = new PhraseTrie<PhraseTarget>();
  for (const [first, list] of byFirst) if (first.length === 1) for (const t of list) trie.set(t.phrase, t);

  function findMentions(text: string): Mention[] {
    const out: Mention[] = [];
    let i = 0;
    while (i < text.length) {
      const hit = trie.longestAt(text, i);
      if (hit && hit.code === '') {
        i += hit.phrase.length;
      } else if (hit) {
        const negated = isNegatedMention(text, i, hit.phrase.length);
        // the fields (and their order) of { ...hit, index, negated }, without copying by enumeration
        out.push(
          'window' in hit
            ? { kind: hit.kind, code: hit.code, strength: hit.strength, window: hit.window, phrase: hit.phrase, index: i, negated }
            : { kind: hit.kind, code: hit.code, strength: hit.strength, phrase: hit.phrase, index: i, negated },
        );
        i += hit.phrase.length;
      } else {
        i++;
      }
    }
    return out;
  }

  const windowsByNumber = new Map<string, CatalogWindow[]>();
  for (const w of windows.values()) {
    // a window in a lettered area ("三楼C区4号") is numbered within it: a bare "4号窗口" may be another area's 4
    const keys = windowNumberKeys(`${w.location ?? ''} ${w.name}`);
    const areaKeys = keys.filter((k) => /[a-z]#/.test(k));
    for (const key of areaKeys.length ? areaKeys : keys) {
      const list = windowsByNumber.get(key) ?? [];
      list.push(w);
      windowsByNumber.set(key, list);
    }
  }
  const types = typeUnits(duties, catalog, new Set(units.keys()));
  return { region: catalog.region, units, windows, windowsByName, items, triage, supervision, prefixes, canonical, findMentions, duties, types, windowsByNumber };
}

// clause breaks by code unit: looked at around every mention, without making a one-character string each time
const CLAUSE_CODES: ReadonlySet<number> = new Set(Array.from('，,。.!！?？;；:：\n', (ch) => ch.charCodeAt(0)));
const NEG_BEFORE = /(不是|并非|并不是|不怪|不关|不能怪|不赖|无关|与|跟)$/;
const NEG_AFTER = /^(的)?(问题|责任|事|原因)?.{0,3}(无关|没关系|没有关系|没有责任|没责任|不相干)/;

/** "不是公积金中心的问题", "不怪公积金中心", "与公积金中心无关": the text says this unit is not the one. */
function isNegatedMention(text: string, index: number, length: number): boolean {
  let start = index;
  while (start > 0 && index - start < 6 && !CLAUSE_CODES.has(text.charCodeAt(start - 1))) start--;
  const before = text.slice(start, index);
  let end = index + length;
  while (end < text.length && end - index - length < 10 && !CLAUSE_CODES.has(text.charCodeAt(end))) end++;
  const after = text.slice(index + length, end);
  if (/(与|跟|和)$/.test(before)) return NEG_AFTER.test(after);
  if (NEG_BEFORE.test(before)) return true;
  return /^(的)?(问题|责任|事|原因)?.{0,3}(无关|没关系|没有关系|不相干)/.test(after);
}
