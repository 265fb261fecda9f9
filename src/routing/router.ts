/**
 * Routing: one responsible unit per item and the plain-words reason. In DESIGN.md's order of authority the
 * scanned window (1) and the unit the hotline assigned (2) decide on their own; otherwise every cue in the text
 * scores the units it points at and the best-supported unit wins when the evidence is clear enough:
 *   - a service item of the catalogue (its unit);
 *   - a unit, window or department named as the party that acted or refused ("医保窗口说没收到", "找税务"),
 *     more than one merely named, and nothing for a place of residence, travel or hand-over ("我是石桥镇的");
 *   - a window by its number and floor ("二楼6号窗口");
 *   - department duties in people's words ("二手房过户" → the units whose duty that is, config/routing/duties);
 *   - past confirmed routings and staff corrections of similar text (the routing memory).
 * Each unit's evidence is kept by kind, and the ranker (ranker.ts, trained on labelled routings of other catalogues)
 * weighs it: the chosen unit's probability is the confidence. Below the confidence threshold, or with two units
 * nearly alike, the item goes to the triage unit with the two best candidates and their evidence for the dispatcher.
 * Junk (adverts, tests) stays with the office and never reaches a unit's queue. Misconduct also goes to the
 * supervision unit.
 */
import { normalizeText } from '../classification/normalize.js';
import { sortSmall } from '../common/small-sort.js';
import type { Segmenter } from '../classification/segmenter.js';
import { windowNumberKeys, type CatalogIndex, type Mention } from './catalog-index.js';
import { counterWords } from './counter-words.js';
import { canonicalName, nameSimilarity } from './fuzzy.js';
import type { LearnedRouter } from './learned-router.js';
import type { RoutingMemory } from './memory.js';
import { isBlamed, ownStepAt, partyRole, type PartyRole } from './parties.js';
import { candidateVectors, decide, defaultRanker, KIND_INDEX, probabilities, textUtilityOf, utilities, type CandidateFacts, type CompiledRanker, type EvidenceKind } from './ranker.js';

export type RouteRule = 'window' | 'assigned_unit' | 'service_item' | 'named_unit' | 'window_mention' | 'duty' | 'learned' | 'triage' | 'junk';

export interface RouteEvidence {
  rule: RouteRule | 'supervision' | 'skipped' | 'place' | 'candidate';
  text: string;
  score?: number;
  /** the unit this piece of evidence points at */
  unit?: string;
}

/** A unit the evidence points at, with its score and the evidence in plain words (best first). */
export interface RouteCandidate {
  unit: string;
  score: number;
  evidence: string[];
}

export interface RouteInput {
  text: string;
  subject?: string | null;
  channel?: string | null;
  /** window code (from the QR token) */
  window?: string | null;
  /** 承办单位 as the hotline wrote it: a code, a name or an alias */
  assignedUnit?: string | null;
  classification?: { misconduct: boolean; dimension?: string; junk?: boolean } | null;
}

export interface RouteResult {
  unit: string;
  reason: string;
  rule: RouteRule;
  supervision: string | null;
  serviceItem: string | null;
  evidence: RouteEvidence[];
  /** how sure the choice is, 0–1 (1 for a scanned window or an assigned unit) */
  confidence: number;
  /** the best-supported units, best first (at most three), for the dispatcher */
  candidates: RouteCandidate[];
  /** an advert, a test or text unrelated to any service: kept and counted, never sent to a unit */
  junk?: boolean;
}

export interface RouteOptions {
  /** past confirmed routings and corrections of similar text */
  memory?: RoutingMemory | null;
  /** kept for callers of the naive-Bayes router (evaluation only); routing uses the memory */
  learned?: LearnedRouter | null;
  segmenter?: Segmenter | null;
  /** confidence the text evidence needs before an item is sent without a person (default 0.45) */
  confidenceThreshold?: number;
  /** similarity an assigned-unit string needs to match a unit */
  assignedThreshold?: number;
  /** the evidence weigher (default: the shipped one, config/routing/ranker.json; null: the hand weights alone) */
  ranker?: CompiledRanker | null;
  /** sees the candidates (hand order, the triage unit among them) and their feature vectors: the ranker's training */
  onCandidates?: (units: string[], vectors: Float64Array[], matter: string) => void;
}

const TEXT_LIMIT = 20_000;
const NONE: readonly Mention[] = [];

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

// How much each kind of cue is worth to the unit it points at.
const W = {
  item: 3,
  unit: { actor: 4, named: 2.5, referred: 1, place: 0 },
  unitCore: { actor: 3, named: 1.5, referred: 0.6, place: 0 },
  window: { actor: 3.5, named: 2.5, referred: 1, place: 0 },
  body: { actor: 3, named: 1.5, referred: 0.5, place: 0 },
  blamed: 1.5,
  negated: -3,
  /** a locality's own office or staff did (or botched) the step itself */
  ownStep: 5,
  /** the hall's own facilities and hours, the hall named */
  hallFacility: 5,
  /** a facility on a floor, the hall not named: the hall scores at least this, so staff corrections (memory) can outweigh it */
  floorFacility: 3.5,
  windowNumber: 3.5,
  dutyScale: 1,
  dutyCap: 7,
  memory: 4,
  /** the first of several units that acted (the one the person came to) */
  chainFirst: 2.5,
  /** a locality whose own staff answered, no department acting */
  localServed: 2,
  /** a unit another says the matter belongs to ("说是民政管") */
  asserted: 2.5,
  /** a score below this is not evidence enough on its own */
  minimum: 1.5,
};

const SERVICE_LEVELS = new Set(['town', 'township', 'street', 'community', 'village']);
const LOCALITY_TYPES = new Set(['town_government', 'community']);
const TOWN_LEVELS = new Set(['town', 'township', 'street']);
const COMMUNITY_LEVELS = new Set(['community', 'village']);
// words for "the town / street / community / village" without its name
const LOCAL_REF = /(街道办事处|街道办|街道|镇政府|镇上|镇里|乡政府|乡上|乡里|社区|居委会|村委会|村委|村里)/g;
const TOWN_WORDS = /^(街道|镇|乡)/;

interface Tally {
  score: number;
  evidence: Array<{ text: string; score: number; rule: RouteRule }>;
  item: string | null;
  /** the score by kind of evidence (what the ranker weighs) */
  kinds: number[];
}

type Roles = Record<Exclude<PartyRole, 'place'>, EvidenceKind>;
const BODY_KIND: Roles = { actor: 'body_actor', named: 'body_named', referred: 'body_referred' };
const LOCAL_KIND: Roles = { actor: 'local_actor', named: 'local_named', referred: 'local_referred' };
const WINDOW_KIND: Roles = { actor: 'window_actor', named: 'window_named', referred: 'window_referred' };
const UNIT_KIND: Roles = { actor: 'unit_actor', named: 'unit_named', referred: 'unit_referred' };
const CORE_KIND: Roles = { actor: 'core_actor', named: 'core_named', referred: 'core_referred' };
const LOCALREF_KIND: Roles = { actor: 'localref_actor', named: 'localref_named', referred: 'localref_referred' };

/**
 * A mention of one of the unit's own sub-units right after it ("公安局户籍大厅", "公安局的户籍科"). `startingAt` gives
 * the mentions that start at a position (looked up, not scanned: a hostile text names units thousands of times).
 */
function subUnitAfter(index: CatalogIndex, startingAt: (at: number) => readonly Mention[], m: Mention, text: string): boolean {
  const end = m.index + m.phrase.length;
  const check = (list: readonly Mention[]): boolean => {
    for (const o of list) {
      if (o !== m && !o.negated && (o.kind === 'unit' || o.kind === 'unit_core') && o.code !== m.code && isAncestor(index, m.code, o.code)) return true;
    }
    return false;
  };
  return check(startingAt(end)) || (text[end] === '的' && check(startingAt(end + 1)));
}

/** What may stand between a unit and the counter it owns ("审批局交通窗口", "审批局那个办诊所的窗口"), longest first. */
const OWNER_GAPS = ['的那个', '那个', '这个', '的', ''];

/** The position in `list` (in text order) of the first mention that starts at or after `at`, found by halving. */
function firstFrom(list: readonly Mention[], at: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.index < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether a mention that starts in [from, to) passes `test`. */
function someStartingIn(list: readonly Mention[], from: number, to: number, test: (m: Mention) => boolean): boolean {
  for (let i = firstFrom(list, from); i < list.length && list[i]!.index < to; i++) if (test(list[i]!)) return true;
  return false;
}

/** Whether a mention that overlaps [from, to) passes `test` (mentions never overlap: their ends are in order too). */
function someOverlapping(list: readonly Mention[], from: number, to: number, test: (m: Mention) => boolean): boolean {
  for (let i = firstFrom(list, to) - 1; i >= 0 && list[i]!.index + list[i]!.phrase.length > from; i--) if (test(list[i]!)) return true;
  return false;
}

/** The last of `list` (in text order) that starts before `at`, found by halving. */
function lastBefore(list: readonly Mention[], at: number): Mention | undefined {
  const i = firstFrom(list, at);
  return i > 0 ? list[i - 1] : undefined;
}

function roleWord(role: PartyRole): string {
  return role === 'actor' ? '作为经办方' : role === 'referred' ? '被指引前往' : '';
}

export function route(input: RouteInput, index: CatalogIndex, options: RouteOptions = {}): RouteResult {
  const evidence: RouteEvidence[] = [];
  const misconduct = input.classification?.misconduct === true && input.classification?.junk !== true;
  const supervision = misconduct && index.supervision ? index.supervision.code : null;
  let candidates: RouteCandidate[] = [];
  const finish = (unit: string, rule: RouteRule, reason: string, serviceItem: string | null = null, confidence = 1, junk = false): RouteResult => {
    if (supervision) {
      evidence.push({ rule: 'supervision', text: `反映廉政问题，同时抄送${unitName(index, supervision)}` });
      reason += `；反映内容涉及廉政问题，同时转${unitName(index, supervision)}监督`;
    }
    return { unit, reason, rule, supervision, serviceItem, evidence, confidence: Math.round(confidence * 100) / 100, candidates, ...(junk ? { junk } : {}) };
  };

  // (0) an advert, a test message, unrelated text: kept with the office, counted, never in a unit's queue
  if (input.classification?.junk === true) {
    evidence.push({ rule: 'junk', text: '疑似广告、测试或与政务服务无关的内容' });
    return finish(index.triage.code, 'junk', `疑似广告、测试或与政务服务无关的内容，由${index.triage.name}留存，不派给单位`, null, 1, true);
  }

  // (1) the window whose QR code was scanned
  if (input.window) {
    const w = index.windows.get(input.window) ?? index.windowsByName.get(normalizeText(input.window));
    if (w) {
      // the rating clearly blames the unit next door ("问题在隔壁不动产", "是隔壁社保窗口把…"): that unit
      // the rating's text read (normalised, its names found) at most once for the checks below
      const raw = input.text ?? '';
      let read: QrText | null = null;
      const qr = (): QrText => (read ??= readQrText(index, raw));
      const next = nextDoorBlamed(index, raw, qr, w.unit);
      if (next) {
        evidence.push({ rule: 'window', text: w.code, unit: w.unit }, { rule: 'window_mention', text: `评价指向隔壁的“${next.phrase}”`, unit: next.unit });
        return finish(next.unit, 'window_mention', `扫码评价的窗口“${w.name}”属于${unitName(index, w.unit)}，但评价指向隔壁的“${next.phrase}”，由${unitName(index, next.unit)}办理`);
      }
      // the rating clears the counter and names the unit behind it that failed ("不怨窗口…农业局那边一直…")
      const behind = clearedCounterBlames(index, raw, qr, w.unit) ?? forwardedAndStuck(index, raw, qr, w.unit);
      if (behind) {
        evidence.push({ rule: 'window', text: w.code, unit: w.unit }, { rule: 'window_mention', text: `评价指向窗口之后的“${behind.phrase}”`, unit: behind.unit });
        return finish(behind.unit, 'window_mention', `扫码评价的窗口“${w.name}”属于${unitName(index, w.unit)}，但评价说明问题出在“${behind.phrase}”，由${unitName(index, behind.unit)}办理`);
      }
      evidence.push({ rule: 'window', text: w.code, unit: w.unit });
      return finish(w.unit, 'window', `扫码评价的窗口“${w.name}”属于${unitName(index, w.unit)}`);
    }
    evidence.push({ rule: 'skipped', text: `窗口“${input.window}”不在目录中或已停用` });
  }

  // (2) the unit the hotline already assigned
  if (input.assignedUnit && input.assignedUnit.trim()) {
    const m = matchUnitName(index, input.assignedUnit);
    const threshold = options.assignedThreshold ?? 0.6;
    if (m && m.score >= threshold) {
      evidence.push({ rule: 'assigned_unit', text: `${input.assignedUnit} → ${m.matched}`, score: Math.round(m.score * 100) / 100, unit: m.code });
      return finish(m.code, 'assigned_unit', `热线已指定承办单位“${input.assignedUnit.trim()}”，即${unitName(index, m.code)}`);
    }
    evidence.push({ rule: 'skipped', text: `承办单位“${input.assignedUnit}”未能对应到目录中的单位`, score: m ? Math.round(m.score * 100) / 100 : 0 });
  }

  const raw = `${input.subject ? `${input.subject}。` : ''}${input.text ?? ''}`.slice(0, TEXT_LIMIT);
  const text = normalizeText(raw);
  const tallies = new Map<string, Tally>();
  const give = (unit: string, score: number, rule: RouteRule, why: string, kind: EvidenceKind, item: string | null = null): void => {
    if (!index.units.has(unit) || score === 0) return;
    const t = tallies.get(unit) ?? { score: 0, evidence: [], item: null, kinds: [] };
    t.score += score;
    t.kinds.push(KIND_INDEX[kind], score);
    const same = t.evidence.find((e) => e.text === why);
    if (same) same.score += score;
    else t.evidence.push({ text: why, score, rule });
    if (item && !t.item) t.item = item;
    tallies.set(unit, t);
  };
  const facts = unitFacts(index);
  const isHall = (code: string): boolean => facts.hall.has(code);
  const staffConduct = input.classification?.dimension === 'D5';

  // (3) what the text names: service items, units, windows, departments — as parties, places or referrals
  const mentions = index.findMentions(text);
  let byStart: Map<number, Mention[]> | null = null;
  const startingAt = (at: number): readonly Mention[] => {
    if (!byStart) {
      byStart = new Map();
      for (const o of mentions) {
        const list = byStart.get(o.index);
        if (list) list.push(o);
        else byStart.set(o.index, [o]);
      }
    }
    return byStart.get(at) ?? NONE;
  };
  const inPapers = paperLists(text);
  // a catalogue unit named as the one that acted ("大坪村那个管低保的说…"): its staff's conduct is its own
  let unitActor = false;
  const actors = new Set<string>();
  // where a town, street, community or village (or "社区", "村里" meaning the one named) stands in the text
  const anchors: Array<{ at: number; length: number; code: string }> = [];
  // "审批局交通窗口", "审批局那个办诊所的窗口": a unit named right before a counter owns it
  // the first unit (in text order) that ends right before `at`, or before 的/那个/这个/的那个 there: mentions never
  // overlap, so the one ending at a given place is the last that starts before it (looked up, not scanned)
  const ownerBefore = (at: number): Mention | undefined => {
    for (const gap of OWNER_GAPS) {
      const end = at - gap.length;
      if (end < 0 || (gap && !text.startsWith(gap, end))) continue;
      const o = lastBefore(mentions, end);
      if (o && o.index + o.phrase.length === end && (o.kind === 'unit' || o.kind === 'unit_core') && !o.negated) return o;
    }
    return undefined;
  };
  const localOwner = (o: Mention | undefined): Mention | undefined => (o && facts.local.has(o.code) ? o : undefined);
  // units passing the buck ("A说找B，B说要C先出证明"): the parties that spoke or acted, in text order; a unit that
  // says the matter is another's ("残联说是民政管") points at that one
  let firstParty: string | null = null;
  const localServed = new Set<string>();
  let firstDeflects = false;
  let laterBlamed = false;
  let otherParty = false;
  const heard = (m: Mention, unit: string, role: PartyRole): void => {
    const end = m.index + m.phrase.length;
    if (role !== 'actor' && role !== 'referred') {
      if (dutyAsserted(text, m.index, m.phrase.length) || (DUTY_NAMED_BEFORE.test(text.slice(Math.max(0, m.index - 4), m.index)) && DUTY_VERB_AFTER.test(text.slice(end, end + 6)))) {
        give(unit, W.asserted, 'named_unit', `文中说明该事项由“${m.phrase}”负责`, 'asserted');
      }
      return;
    }
    if (role !== 'actor') return;
    if (!unit) otherParty = firstParty !== null;
    else if (firstParty === null) {
      firstParty = unit;
      firstDeflects = DEFLECTS_AFTER.test(text.slice(end, end + 16));
    } else if (unit !== firstParty) {
      otherParty = true;
      // a later unit that itself refused or sat on it ("税务局的人却一直不给办") is the one the text is about
      if (isBlamed(text, m.index, m.phrase.length)) laterBlamed = true;
    }
  };
  for (const m of mentions) {
    if (m.negated) {
      evidence.push({ rule: 'skipped', text: `“${m.phrase}”在文中被说明不是责任方` });
      for (const u of unitsOf(index, m)) give(u, W.negated, 'named_unit', `文中说明“${m.phrase}”不是责任方`, 'negated');
      continue;
    }
    // only a locality (a town, street, community or village) can be where someone lives, came from or handed a
    // paper in; a department "的人" is its staff
    const locality = m.kind === 'body' ? LOCALITY_TYPES.has(m.code) : m.kind !== 'item' && facts.local.has(m.code);
    if (locality && m.kind !== 'body') anchors.push({ at: m.index, length: m.phrase.length, code: m.code });
    const role: PartyRole = partyRole(text, m.index, m.phrase.length, locality);
    const blamed = role !== 'place' && isBlamed(text, m.index, m.phrase.length) ? W.blamed : 0;
    if (m.kind === 'item') {
      const item = index.items.get(m.code);
      if (!item) continue;
      // a person's conduct belongs to the unit whose staff they are, so the item counts less for D5; an item's word
      // in a list of papers to bring ("入学要户口本、房产证…") is a paper, not the matter
      const weight = (staffConduct ? W.item * 0.6 : W.item) * (inPapers(m.index) ? PAPER_WEIGHT : 1);
      give(item.unit, weight + blamed, 'service_item', `涉及事项“${item.name}”`, 'item', item.code);
      continue;
    }
    if (m.kind === 'body') {
      if (role === 'place') continue;
      // "审批局交通窗口": the counter of the unit named right before it, whatever its matter's department
      // "城关镇民政办", "街道劳动保障所": a town's or street's own office for a department's matter is the locality's
      const owner = counterAfter(text, m.index + m.phrase.length)
        ? ownerBefore(m.index)
        : LOCAL_OFFICE.test(m.phrase)
          ? localOwner(ownerBefore(m.index))
          : undefined;
      if (owner) {
        give(owner.code, W.unit[role === 'named' ? 'named' : role] - (role === 'named' ? 0 : W.unit.named), 'window_mention', `提到${unitName(index, owner.code)}的“${m.phrase}”窗口`, 'counter_owner');
        continue;
      }
      // "镇上", "村里": resolved below to the town or village the text names
      if (LOCALITY_TYPES.has(m.code)) continue;
      if (role === 'named' && inPapers(m.index)) continue; // a paper to bring ("社保缴费记录"), not a party
      // a third party (a hospital, a school, a funeral home) answering back is not the catalogue's party: the unit
      // overseeing it takes it as named, and it starts no chain of units passing the buck
      const third = role === 'actor' && THIRD_PARTY.test(m.phrase);
      const score = (third ? W.body.named : W.body[role]) + blamed;
      // a department's name said in passing ("公积金提取") is the matter, not a party
      const bodyRule: RouteRule = role === 'named' ? 'duty' : 'named_unit';
      const bodyUnits = unitsOfType(index, m.code);
      for (const { unit, weight } of bodyUnits) give(unit, score * weight, bodyRule, `${roleWord(role)}提到“${m.phrase}”`, third ? 'body_named' : BODY_KIND[role]);
      if (bodyUnits.length) heard(m, third ? '' : bodyUnits[0]!.unit, role);
      continue;
    }
    // the hall hosts every window: where things happen, not who did them — except a counter the hall staffs itself
    // ("综合窗口", "出件窗口" of a hall on the 一窗受理 model), whose handling is the hall's own
    const hallCounter = isHall(m.code) && (m.kind === 'window' || HALL_COUNTER_NAME.test(m.phrase));
    if (isHall(m.code) && !hallCounter) continue;
    // "公安局户籍大厅", "自然资源局的不动产中心": a unit named right before one of its own sub-units names the sub-unit
    if ((m.kind === 'unit' || m.kind === 'unit_core') && subUnitAfter(index, startingAt, m, text)) continue;
    // "审批局交通窗口": the counter of the unit named right before it; "沙岗乡便民服务中心的社保窗口": a town's, street's
    // or village's own counter for a department's matter is the locality's
    const counterOf =
      m.kind !== 'window'
        ? counterAfter(text, m.index + m.phrase.length)
          ? ownerBefore(m.index)
          : undefined
        : localOwner(ownerBefore(m.index));
    if (counterOf && counterOf.code !== m.code) {
      give(counterOf.code, W.unit[role] - W.unit.named, 'window_mention', `提到${unitName(index, counterOf.code)}的“${m.phrase}”窗口`, 'counter_owner');
      continue;
    }
    if (role === 'place') {
      evidence.push({ rule: 'place', text: `“${m.phrase}”是居住地、来处、递交材料或寻找的地方，不作为责任方`, unit: m.code });
      continue;
    }
    if (role === 'named' && inPapers(m.index)) continue;
    const table = m.kind === 'unit' ? W.unit : m.kind === 'window' ? W.window : W.unitCore;
    // a helper's title that is also a unit's alias ("代办员" of the hall's agency counter), said of a village, community
    // or town named just before ("在前杨村代办点咨询…，代办员说…", "后屯村代办员帮他把表送到乡里"): that locality's own helper
    if (!locality && STAFF_WORD.test(m.phrase)) {
      let i = firstFrom(mentions, m.index) - 1;
      while (i >= 0 && mentions[i]!.kind === 'item') i--; // the matter said in between ("咨询养老金认证") is no party
      const near = i >= 0 ? mentions[i] : undefined;
      if (near && !near.negated && near.kind !== 'body' && facts.local.has(near.code) && m.index - (near.index + near.phrase.length) <= 24) {
        give(near.code, table[role] + blamed, 'named_unit', `${roleWord(role)}提到${unitName(index, near.code)}的“${m.phrase}”`, 'staff_title');
        if (role === 'actor') {
          unitActor = true;
          actors.add(near.code);
        }
        continue;
      }
    }
    const rule: RouteRule = m.kind === 'window' || hallCounter ? 'window_mention' : 'named_unit';
    // a town, community or village merely named is more often where than who
    const factor = locality && role === 'named' ? 0.8 : 1;
    // (a locality named as the issuer of a paper, "柳树村开的居住证明", is a kind of its own for the ranker)
    const kind = locality && role === 'named' && ISSUED.test(text.slice(m.index + m.phrase.length, m.index + m.phrase.length + 4)) ? 'local_issuer' : (locality ? LOCAL_KIND : m.kind === 'window' || hallCounter ? WINDOW_KIND : m.kind === 'unit' ? UNIT_KIND : CORE_KIND)[role];
    give(m.code, table[role] * factor + blamed, rule, `${roleWord(role)}提到“${m.phrase}”`, kind);
    if (!locality) heard(m, m.code, role);
    if (role === 'actor') {
      unitActor = true;
      actors.add(m.code);
    }
  }

  // a bare "窗口" acting later ("窗口小伙翻了半天说找不到", "窗口说…") is the counter named before it: its staff acted
  {
    let lastCounter: Mention | undefined;
    let mi = 0;
    for (let at = text.indexOf('窗口'); at >= 0; at = text.indexOf('窗口', at + 2)) {
      while (mi < mentions.length && mentions[mi]!.index + mentions[mi]!.phrase.length <= at) {
        const m = mentions[mi++]!;
        if (!m.negated && (m.kind === 'window' || (isHall(m.code) && HALL_COUNTER_NAME.test(m.phrase)))) lastCounter = m;
      }
      if (!lastCounter || (mi < mentions.length && mentions[mi]!.index <= at)) continue; // inside a name
      if (!COUNTER_ACTS.test(text.slice(at + 2, at + 8))) continue;
      give(lastCounter.code, W.window.actor, 'window_mention', `“${lastCounter.phrase}”的工作人员经办（文中“窗口…”）`, 'counter_acts');
      break;
    }
  }

  // the first unit that acted, when others answered after it and it did not disown the matter, is where the person
  // came to do it: the holder of the matter, the others the sources of its papers
  if (firstParty !== null && otherParty && !firstDeflects && !laterBlamed) give(firstParty, W.chainFirst, 'named_unit', `${unitName(index, firstParty)}是群众最先办理该事项的单位`, 'chain_first');

  // a town or village named as the one that acted, that handles the same kind of item itself, does this one too
  // ("在青石镇办居民养老保险参保，镇里窗口说…" where the town has its own pension-enrolment item)
  const localActs = (): void => {
    const itemTypes = new Set<string>();
    for (const m of mentions) if (m.kind === 'item' && !m.negated) itemTypes.add(index.types.itemType.get(m.code) ?? '');
    itemTypes.delete('');
    if (!itemTypes.size) return;
    for (const code of actors) {
      if (!facts.local.has(code)) continue;
      const held = index.types.byUnit.get(code);
      let given = false;
      for (const t of itemTypes) {
        if (held?.get(t)?.source === 'items') {
          give(code, W.item * 0.8, 'service_item', `${unitName(index, code)}自办同类事项`, 'local_item');
          given = true;
          break;
        }
      }
      if (given) continue;
      // an item the catalogue lists under a peer of the same level ("新市民居住证明" under one community) is a
      // service every such peer gives: the one the text names as acting gave it
      const level = index.units.get(code)?.level;
      for (const m of mentions) {
        if (m.kind !== 'item' || m.negated) continue;
        const holder = index.items.get(m.code)?.unit;
        if (holder && holder !== code && facts.local.has(holder) && index.units.get(holder)?.level === level) {
          give(code, W.item * 0.8, 'service_item', `${unitName(index, code)}办理同级单位均办理的事项`, 'local_item');
          break;
        }
      }
    }
  };

  // "街道称…", "镇上说…", "社区没报": the town, street, community or village the text names before (or after)
  // for each kind of word (town or community): its level's mentions in text order, and the unit the word means when
  // none is named before it — the first one named, else a named community's town or street, else the only unit of
  // that level in the catalogue (made once, not for every word)
  const localByLevels = new Map<ReadonlySet<string>, { named: Mention[]; fallback: string | null }>();
  const localOf = (levels: ReadonlySet<string>): { named: Mention[]; fallback: string | null } => {
    let l = localByLevels.get(levels);
    if (!l) {
      const named = mentions.filter((m) => (m.kind === 'unit' || m.kind === 'unit_core') && !m.negated && levels.has(index.units.get(m.code)?.level ?? ''));
      let fallback = named[0]?.code ?? null;
      // "街道", "镇上" in a text that names only a community or village: the town or street it belongs to
      if (!fallback && levels === TOWN_LEVELS) {
        for (const m of mentions) {
          const parent = m.kind === 'unit' || m.kind === 'unit_core' ? index.units.get(index.units.get(m.code)?.parent ?? '') : undefined;
          if (!m.negated && COMMUNITY_LEVELS.has(index.units.get(m.code)?.level ?? '') && parent && TOWN_LEVELS.has(parent.level ?? '')) {
            fallback = parent.code;
            break;
          }
        }
      }
      if (!fallback) {
        const only = [...index.units.values()].filter((u) => levels.has(u.level));
        if (only.length === 1) fallback = only[0]!.code;
      }
      l = { named, fallback };
      localByLevels.set(levels, l);
    }
    return l;
  };
  // an exec loop over the one global pattern: matchAll would clone the pattern for every text
  LOCAL_REF.lastIndex = 0;
  for (let ref = LOCAL_REF.exec(text); ref; ref = LOCAL_REF.exec(text)) {
    const at = ref.index;
    const phrase = ref[0];
    // part of a name: mentions are in text order and never overlap, so only the last one starting before its end can
    // (the word itself read as a locality's body — "村里", "镇上", "社区" — is no name: it is resolved here)
    const last = lastBefore(mentions, at + phrase.length);
    if (last && last.index + last.phrase.length > at && !(last.kind === 'body' && LOCALITY_TYPES.has(last.code) && last.index === at && last.phrase.length === phrase.length)) continue;
    const levels = TOWN_WORDS.test(phrase) ? TOWN_LEVELS : COMMUNITY_LEVELS;
    const { named, fallback } = localOf(levels);
    const target = lastBefore(named, at)?.code ?? fallback;
    if (!target) continue;
    anchors.push({ at, length: phrase.length, code: target });
    if (dutyAsserted(text, at, phrase.length)) {
      give(target, W.asserted, 'named_unit', `文中说明该事项由“${phrase}”负责`, 'asserted');
    }
    const role = partyRole(text, at, phrase.length, true);
    if (role === 'place') continue;
    const blamed = isBlamed(text, at, phrase.length) ? W.blamed : 0;
    give(target, W.unit[role] * 0.9 + blamed, 'named_unit', `${roleWord(role)}提到“${phrase}”（即${unitName(index, target)}）`, LOCALREF_KIND[role]);
    if (role === 'actor') actors.add(target);
  }
  localActs();

  // a town, street, community or village whose own staff answered the person, with no department acting in the
  // text, served the matter at its level ("在金沙苑社区办高龄津贴，社区说必须本人到场"): its own service, unless
  // it sent the person elsewhere ("社区说这个归民政局管")
  if (firstParty === null && actors.size) {
    for (const a of anchors) {
      if (!actors.has(a.code) || !facts.local.has(a.code) || localServed.has(a.code)) continue;
      const end = a.at + a.length;
      const after = text.slice(end, end + 20);
      if (partyRole(text, a.at, a.length, true) !== 'actor' || DEFLECTS_AFTER.test(after) || FORWARDED.test(after)) continue;
      localServed.add(a.code);
      give(a.code, W.localServed, 'named_unit', `群众在${unitName(index, a.code)}办理，由其工作人员经办`, 'local_served');
    }
  }

  // a locality's own office or staff did the step itself ("社区把申请表填错了", "村里的代办员把社保卡弄丢了",
  // "网格员帮他把申请递上去了"), with no other party named in between: the locality's own service
  const ownDone = new Set<string>();
  for (const a of anchors) {
    if (ownDone.has(a.code)) continue;
    const p = ownStepAt(text, a.at, a.length);
    if (p < 0) continue;
    const from = a.at + a.length;
    // a unit or window named in between, or a department named as the one that acted ("医保局把…录错了"); a
    // department's word inside the matter ("社保卡") is not a party
    const between = someStartingIn(
      mentions,
      from,
      from + p,
      (m) =>
        !m.negated &&
        m.kind !== 'item' &&
        !STAFF_WORD.test(m.phrase) &&
        (m.kind === 'body'
          ? !LOCALITY_TYPES.has(m.code) && !!m.code && m.code !== 'government_service' && (partyRole(text, m.index, m.phrase.length, false) === 'actor' || /^(把|将)/.test(text.slice(m.index + m.phrase.length)))
          : !facts.local.has(m.code) && !isHall(m.code)),
    );
    // another locality named in between ("街道说材料还在社区柜子里压着") did the step
    if (between) continue;
    // the locality named nearest before the step did it: one of the other level ("街道说材料还在社区柜子里压着") takes
    // the step from the one named first
    if (otherLevelNearest(index, a.code, text.slice(from, from + p))) continue;
    ownDone.add(a.code);
    actors.add(a.code);
    unitActor = true;
    give(a.code, W.ownStep, 'named_unit', `${unitName(index, a.code)}自身经办的环节（工作人员办理、录入、报送或收费）`, 'own_step');
  }
  // the locality botched its own step: the item's department (the one that approves later) weighs less
  if (ownDone.size) {
    for (const m of mentions) {
      if (m.kind !== 'item' || m.negated) continue;
      const item = index.items.get(m.code);
      const t = item && !ownDone.has(item.unit) && !facts.local.has(item.unit) ? tallies.get(item.unit) : undefined;
      const why = item ? `涉及事项“${item.name}”` : '';
      const e = t?.evidence.find((x) => x.text === why);
      if (!t || !e || e.score <= 0) continue;
      const cut = e.score * (1 - ITEM_DAMP_OWN_STEP);
      e.score -= cut;
      t.score -= cut;
      t.kinds.push(KIND_INDEX.item, -cut);
    }
  }

  // the hall's own facilities and hours, the hall named ("政务中心一楼卫生间没有纸", "市民中心中午还歇两个小时")
  // (every match names a 中心 or 大厅; the pattern runs once, for its first match: no iterator, no copy of it)
  let hallFacility = false;
  let floorFacility: string | null = null;
  if (text.includes('中心') || text.includes('大厅')) {
    const m = HALL_FACILITY_AT.exec(text);
    // "安居苑社区办事大厅上班时间一直锁起": a town's or community's own hall is its own premises
    const own = m ? localOwner(ownerBefore(m.index)) : undefined;
    // a hall the catalogue lists as a unit of its own (a district's 政务服务中心 in a city's catalogue), named there
    const hallEnd = m ? m.index + (m[1] as string).length : 0;
    const named = m && !own ? lastBefore(mentions, hallEnd) : undefined;
    const hallUnit =
      named && !named.negated && (named.kind === 'unit' || named.kind === 'unit_core') && named.index + named.phrase.length >= hallEnd && !isHall(named.code) && !facts.local.has(named.code)
        ? named
        : undefined;
    if (m && own) {
      give(own.code, W.hallFacility, 'named_unit', `反映${unitName(index, own.code)}自身${m[1]}的设施或开放时间`, 'facility_unit');
      hallFacility = true;
    } else if (m && hallUnit) {
      give(hallUnit.code, W.hallFacility, 'named_unit', `反映${unitName(index, hallUnit.code)}的公共设施或开放时间`, 'facility_unit');
      hallFacility = true;
    } else if (m) {
      give(index.triage.code, W.hallFacility, 'duty', `反映${m[1]}的公共设施或开放时间，属于大厅管理`, 'facility_hall');
      hallFacility = true;
    }
  }
  // a facility on a floor ("一楼厕所的水龙头坏了"), no town or village named: the building people do business in
  if (!hallFacility && text.includes('楼')) {
    const f = FLOOR_FACILITY.exec(text);
    if (f && !mentions.some((m) => facts.local.has(m.code))) floorFacility = f[0];
  }

  // a window by its number and floor ("二楼6号窗口")
  for (const key of windowNumberKeys(text)) {
    const ws = index.windowsByNumber.get(key);
    if (ws && ws.length === 1) {
      const w = ws[0]!;
      give(w.unit, W.windowNumber, 'window_mention', `提到“${w.location ?? w.name}”的窗口（${w.name}）`, 'window_number');
      break;
    }
  }

  // a window by what it does ("办房子那个窗口", "交电费的柜台"): the department whose duty those words are
  for (const counter of ['窗口', '柜台']) {
    for (let at = text.indexOf(counter); at >= 0; at = text.indexOf(counter, at + 2)) {
      const w = counterWords(text, Math.max(0, at - 10), at);
      if (!w) continue;
      let { words, start } = w;
      // "石岗镇报建窗口": a unit's name, then what its counter does — the words after the name
      for (let i = firstFrom(mentions, start + words.length) - 1; i >= 0 && mentions[i]!.index + mentions[i]!.phrase.length > start; i--) {
        const named = mentions[i]!;
        if (named.kind === 'item') continue;
        const end = named.index + named.phrase.length;
        if ((named.kind === 'unit' || named.kind === 'unit_core') && !named.negated && end < start + words.length) {
          words = text.slice(end, start + words.length);
          start = end;
        }
        break;
      }
      // a unit named right before the counter owns it, whatever the words (an item's name among them: "石岗镇报建窗口")
      const owner = ownerBefore(start);
      if (owner && !someOverlapping(mentions, start, start + words.length, (m) => m.kind !== 'body' && m.kind !== 'item')) {
        give(owner.code, W.blamed, 'window_mention', `提到${unitName(index, owner.code)}办理“${words}”的窗口`, 'counter_owner');
        continue;
      }
      if (someOverlapping(mentions, start, start + words.length, (m) => m.kind !== 'body')) continue; // a name
      let bestType = '';
      let bestScore = 0;
      for (const [type, hit] of index.duties.score(words)) if (hit.score > bestScore) [bestType, bestScore] = [type, hit.score];
      if (bestScore < 1 || bestType === 'government_service') continue;
      // among the department's units, the one with a window for that matter ("不动产登记受理窗口")
      const units = unitsOfType(index, bestType);
      const windowed = windowTypes(index);
      const top = units.find((u) => windowed.get(u.unit)?.has(bestType)) ?? units[0];
      if (top) give(top.unit, Math.min(bestScore, 3) * Math.max(top.weight, 0.65), 'window_mention', `提到办理“${words}”的窗口`, 'counter_duty');
    }
  }

  // (4) whose duty the matter is
  // the matter, not the names: unit, window and department names are scored above as parties, so their
  // words ("医保局" holds "医保") are masked out of the duty scoring
  // (the mentions are in text order and never overlap, so the masked text is put together once)
  const pieces: string[] = [];
  let kept = 0;
  for (const m of mentions) {
    // full names only: a short core ("就业") may sit inside a duty phrase ("自主就业补助")
    if (m.kind !== 'unit' && m.kind !== 'window') continue;
    pieces.push(text.slice(kept, m.index), '|'.repeat(m.phrase.length));
    kept = m.index + m.phrase.length;
  }
  let matter = text;
  if (pieces.length) {
    pieces.push(text.slice(kept));
    matter = pieces.join('');
  }
  // the hall's own duties (queues, ticket machines, seats) belong to a named unit's counter when the text names one
  const partyNamed = [...tallies.keys()].some((code) => !isHall(code));
  const duties = index.duties.score(matter, (i) => (inPapers(i) ? PAPER_WEIGHT : 1));
  // the matter's own department missing from the catalogue (a tax matter, no tax office): a weaker duty of another
  // department does not take it on a tie ("个体户交税" is not the licensing office's), so it stays with triage
  let missingTop = 0;
  for (const [type, hit] of duties) if (!unitsOfType(index, type).length) missingTop = Math.max(missingTop, Math.min(hit.score, W.dutyCap));
  for (const [type, hit] of duties) {
    let units = unitsOfType(index, type);
    if (!units.length) continue;
    const missingDamp = Math.min(hit.score, W.dutyCap) <= missingTop ? 0.5 : 1;
    // many peers of one kind (the villages, the communities, the towns): the duty says "a community", not which;
    // only the ones the text names take it, or all of them a share too small to decide alone
    if (LOCALITY_TYPES.has(type) && units.length > 1) {
      const named = units.filter((u) => tallies.has(u.unit));
      units = named.length ? named.map((u) => ({ ...u, weight: Math.max(u.weight, 0.65) })) : units.map((u) => ({ ...u, weight: u.weight / units.length }));
    }
    const name = index.duties.types.get(type)?.name ?? type;
    const base = Math.min(hit.score, W.dutyCap) * W.dutyScale;
    let words = '';
    for (let k = 0; k < hit.terms.length && k < 3; k++) words += `“${hit.terms[k]}”`;
    const hallDamp = type === 'government_service' && partyNamed ? 0.35 : 1;
    // staff conduct at a unit named as the actor is that unit's, whatever the matter's department
    const conductDamp = (staffConduct && unitActor) || ownDone.size ? 0.6 : 1;
    for (const { unit, weight, source } of units) {
      if (index.units.get(unit)?.role === 'supervision') continue; // it watches integrity; it runs no service
      // a town or village that holds the item only by its catalogue (not by name) acts for its own residents'
      // service; a department named for the duty is where it lands by default
      const levelFactor = source === 'items' && facts.local.has(unit) ? 0.8 : 1;
      // a unit named as the one that acted, holding this duty by its own items, does the service itself
      const own = source === 'items' && actors.has(unit) ? (index.types.byUnit.get(unit)?.get(type)?.weight ?? weight) : weight * levelFactor;
      give(unit, base * own * hallDamp * conductDamp * missingDamp, 'duty', `诉求涉及${words}，属于${name}的职责`, type === 'government_service' ? 'duty_hall' : facts.local.has(unit) ? 'duty_local' : 'duty');
    }
  }

  // the facility on a floor makes the hall's score at least floorFacility (its own duty words count towards it), so
  // staff corrections of such texts (the memory, below) can still outweigh it
  if (floorFacility) {
    const have = tallies.get(index.triage.code)?.score ?? 0;
    if (have < W.floorFacility) give(index.triage.code, W.floorFacility - have, 'duty', `反映“${floorFacility}”的公共设施，属于大厅管理`, 'facility_floor');
  }

  // (5) past confirmed routings of similar text
  if (options.memory && text) {
    // on the matter: the catalogue's own names are scored above, and a shared name is not a similar matter
    const guess = options.memory.query(matter, (code) => index.units.has(code));
    if (guess && guess.similarity >= 0.35) {
      give(guess.unit, W.memory * guess.probability * Math.min(1, guess.similarity * 1.5), 'learned', `与以往确认由该单位办理的诉求相似（${Math.round(guess.similarity * 100)}%）`, 'memory');
    }
  }

  const ranking = rankTallies(index, tallies, options, staffConduct, actors, matter);
  candidates = ranking.candidates;
  const { chosen, confidence } = ranking;
  if (chosen) {
    const why = chosenReason(index, chosen, mentions, evidence);
    return finish(chosen[0], why.rule, why.reason, why.item, confidence);
  }
  return finish(index.triage.code, 'triage', triageReason(index, candidates, evidence), null, confidence);
}

// (the two endings of `route` are functions of their own for the reason `rankTallies` is)

/** The chosen unit's evidence (added to `evidence`), the rule and reason it is chosen by, and the service item. */
function chosenReason(
  index: CatalogIndex,
  [unit, t]: [string, Tally],
  mentions: readonly Mention[],
  evidence: RouteEvidence[],
): { rule: RouteRule; reason: string; item: string | null } {
  // the most specific kind of evidence names the rule: the item, then the party named, then the duty, then memory
  const best = sortSmall([...t.evidence], (a, b) => RULE_RANK[a.rule] - RULE_RANK[b.rule] || b.score - a.score);
  const lead = best[0]!;
  for (const e of best.slice(0, 4)) evidence.push({ rule: e.rule, text: e.text, score: Math.round(e.score * 100) / 100, unit });
  const because = best.length > 1 ? `${lead.text}；${best[1]!.text}` : lead.text;
  const item = t.item ?? mentions.find((m) => m.kind === 'item' && !m.negated && index.items.get(m.code)?.unit === unit)?.code ?? null;
  return { rule: lead.rule, reason: `${because}，由${unitName(index, unit)}办理`, item };
}

/** (6) a person dispatches it, with the best candidates in front of them: their evidence (added) and the reason. */
function triageReason(index: CatalogIndex, candidates: readonly RouteCandidate[], evidence: RouteEvidence[]): string {
  for (const c of candidates.slice(0, 2)) {
    evidence.push({ rule: 'candidate', text: `${unitName(index, c.unit)}：${c.evidence.slice(0, 2).join('；')}`, score: c.score, unit: c.unit });
  }
  const hint = candidates.length ? `（可能是${candidates.slice(0, 2).map((c) => unitName(index, c.unit)).join('或')}）` : '';
  return `未能自动确定责任单位${hint}，转${index.triage.name}人工分派`;
}

/**
 * The ranking of a text's tallies: the units in order, the one chosen (none: a person decides) and how sure that is,
 * and the best three as candidates. Its own function rather than the end of `route`, which TurboFan compiles as one
 * ~23 KB function (0.2–0.8 s on a background thread each time): the lists here take new shapes as the first texts
 * come (a hand score that turns fractional, the triage unit added, another classification's object), and each new
 * shape deoptimised all of `route`; now it costs a recompile of this function alone.
 */
function rankTallies(
  index: CatalogIndex,
  tallies: Map<string, Tally>,
  options: RouteOptions,
  staffConduct: boolean,
  actors: ReadonlySet<string>,
  matter: string,
): { candidates: RouteCandidate[]; chosen: [string, Tally] | undefined; confidence: number } {
  const hall = unitFacts(index).hall;
  const ranked = sortSmall(
    [...tallies.entries()].filter(([code, t]) => t.score > 0 && !(hall.has(code) && !t.evidence.some((e) => e.rule === 'duty' || e.rule === 'window_mention'))),
    (a, b) => b[1].score - a[1].score || unitDepth(index, b[0]) - unitDepth(index, a[0]),
  );
  const ranker = options.ranker === undefined ? defaultRanker() : options.ranker;
  let order = ranked;
  let confidence = 0;
  let chosen: [string, Tally] | undefined;
  if (ranker || options.onCandidates) {
    // the hand order, the triage unit always among them (choosing it sends the item to a person)
    const list: Array<[string, Tally]> = ranked.some(([code]) => code === index.triage.code)
      ? ranked
      : [...ranked, [index.triage.code, { score: 0, evidence: [], item: null, kinds: [] }]];
    const cands = list.map(([code, t]): CandidateFacts => {
      const u = index.units.get(code);
      return { unit: code, kinds: t.kinds, hand: t.score, triage: code === index.triage.code, supervision: u?.role === 'supervision', level: u?.level ?? null, depth: unitDepth(index, code), actor: actors.has(code) };
    });
    if (options.onCandidates) options.onCandidates(list.map(([code]) => code), candidateVectors(cands, staffConduct), matter);
    if (ranker) {
      const utility = utilities(ranker, cands, staffConduct);
      // the matter's words say how much it is the hall's as a whole (or no unit's)
      if (ranker.text) {
        const at = list.findIndex(([code]) => code === index.triage.code);
        utility[at] = utility[at]! + textUtilityOf(ranker, matter);
      }
      const probability = probabilities(utility);
      const byUtility = sortSmall(
        list.map((e, i) => ({ e, u: utility[i]!, p: probability[i]! })),
        (a, b) => b.u - a.u,
      );
      order = byUtility.filter((c) => c.e[0] !== index.triage.code || c.e[1].score > 0).map((c) => c.e);
      // the triage unit first on its own evidence (the hall's facilities) is chosen like any unit; first without any,
      // two units nearly alike ("A、B" named side by side) or the best below the threshold, and a person decides
      const t = list.findIndex(([code]) => code === index.triage.code);
      const at = decide(probability, t, list[t]![1].score > 0, { threshold: options.confidenceThreshold ?? ranker.threshold, margin: ranker.margin });
      if (at >= 0) chosen = list[at];
      const shown = byUtility.find((c) => c.e[0] !== index.triage.code || c.e[1].score > 0);
      confidence = at >= 0 ? probability[at]! : (shown?.p ?? 0);
    }
  }
  if (!ranker) {
    const top = ranked[0];
    confidence = top ? confidenceOf(top[1].score, ranked[1]?.[1].score ?? 0) : 0;
    if (top && top[1].score >= W.minimum && confidence >= (options.confidenceThreshold ?? 0.45)) chosen = top;
  }
  const candidates = order.slice(0, 3).map(([unit, t]) => ({
    unit,
    score: Math.round(t.score * 100) / 100,
    evidence: sortSmall([...t.evidence], (a, b) => b.score - a.score).map((e) => e.text),
  }));
  return { candidates, chosen, confidence };
}

/** What a counter's staff did, right after a bare "窗口": spoke, asked, refused, lost. */
const COUNTER_ACTS = /^(的)?(小伙|小姑娘|大姐|同志|工作人员|人员|的人|那个人|那人|说|称|讲|解释|答复|回复|告诉|告知|让|叫|要|要求|非让|非要|硬要|不给|不收|不让|不受理|把|翻|弄丢|丢了|找不到)/;

/** A name of the hall's unit that is a counter's name ("综窗", "出件窗口" given as its aliases). */
const HALL_COUNTER_NAME = /(窗口|窗|柜台|受理台)$/;

/** Confidence from the winner's score and its margin over the runner-up (calibrated on labelled data, docs/benchmarks.md). */
export function confidenceOf(top: number, second: number): number {
  const z = 0.9 * (top - second) + 0.35 * (top - 4);
  return 1 / (1 + Math.exp(-z));
}

function unitsOf(index: CatalogIndex, m: Mention): string[] {
  if (m.kind === 'item') return [index.items.get(m.code)?.unit ?? ''].filter(Boolean);
  if (m.kind === 'body') return unitsOfType(index, m.code).map((u) => u.unit);
  return [m.code];
}

type TypeUnit = Readonly<{ unit: string; weight: number; source: 'explicit' | 'name' | 'items' }>;

// type → its units, per catalogue index: the answer depends on the index alone, and the duty scoring asks for every
// type a text speaks of (twice) and every department it names, each time a sort and new objects (callers never
// change the lists they get, hence readonly)
const unitsOfTypeMemo = new WeakMap<CatalogIndex, Map<string, readonly TypeUnit[]>>();

/** Units of a department type; a sub-type without units falls back to its parent, then to configured fallbacks. */
function unitsOfType(index: CatalogIndex, type: string): readonly TypeUnit[] {
  let memo = unitsOfTypeMemo.get(index);
  if (!memo) unitsOfTypeMemo.set(index, (memo = new Map()));
  let units = memo.get(type);
  if (!units) memo.set(type, (units = unitsOfTypeUncached(index, type)));
  return units;
}

function unitsOfTypeUncached(index: CatalogIndex, type: string): TypeUnit[] {
  const seen = new Set<string>();
  let factor = 1;
  let current: string | null = type;
  while (current && !seen.has(current)) {
    seen.add(current);
    const list = index.types.byType.get(current);
    if (list?.length) return primaryFirst(index, list, factor);
    const t = index.duties.types.get(current);
    const fb = t?.fallback.find((f) => index.types.byType.get(f)?.length);
    if (fb) {
      return primaryFirst(index, index.types.byType.get(fb)!, factor * 0.7);
    }
    current = t?.parent ?? null;
    factor *= 0.85;
  }
  return [];
}

const RULE_RANK: Record<RouteRule, number> = {
  window: 0,
  assigned_unit: 0,
  service_item: 1,
  window_mention: 2,
  named_unit: 3,
  duty: 4,
  learned: 5,
  triage: 6,
  junk: 6,
};

// "隔壁不动产", "问题在隔壁", "旁边的社保窗口": the unit next to the scanned window
const NEXT_DOOR_BEFORE = /(隔壁|隔壁的|旁边的|对面的|问题在|问题出在)$/;

/** On a rating, a unit next door that the text blames (not the window's own unit), or null. */
interface QrText {
  text: string;
  mentions: Mention[];
}
function readQrText(index: CatalogIndex, raw: string): QrText {
  const text = normalizeText(raw.slice(0, TEXT_LIMIT));
  return { text, mentions: index.findMentions(text) };
}

/** The unit a mention names if it is another party than the rated counter's unit: not the hall, not above or below it. */
function otherParty(index: CatalogIndex, m: Mention, own: string): string | null {
  const unit = m.kind === 'body' ? unitsOfType(index, m.code)[0]?.unit : m.kind === 'item' ? index.items.get(m.code)?.unit : m.code;
  if (!unit || unit === own || unitFacts(index).hall.has(unit) || related(index, unit, own)) return null;
  return unit;
}

function nextDoorBlamed(index: CatalogIndex, raw: string, qr: () => QrText, own: string): { unit: string; phrase: string } | null {
  if (!raw.includes('隔壁') && !raw.includes('旁边') && !raw.includes('对面') && !raw.includes('问题')) return null;
  const { text, mentions } = qr();
  for (const m of mentions) {
    if (m.negated || m.kind === 'item') continue;
    if (!NEXT_DOOR_BEFORE.test(text.slice(Math.max(0, m.index - 4), m.index))) continue;
    const unit = otherParty(index, m, own);
    if (unit) return { unit, phrase: m.phrase };
  }
  return null;
}

// the rating clears the counter it was given at ("不怨窗口", "综窗收件没毛病", "不是窗口的问题", "窗口的同志一直帮俺催")
const COUNTER_CLEARED =
  /(?:不怨|不怪|不赖|怨不着|怪不着)(?:人家|这个|那个|这|那)?(?:窗口|柜台|综窗|小姑娘|小伙|工作人员)|(?:窗口|柜台|综窗|代办的?|镇上|镇里|乡上|乡里|村上|村里)(?:的)?(?:收件|受理|同志|工作人员|小姑娘|小伙子?|大姐|服务)?[^，。,；;]{0,4}?(?:没毛病|没问题|没得问题|莫得问题|没得错|没有错|没错|挺快|很快|挺好|很好|没得说|挺热情|很热情|一直帮|尽力了|也没办法)|不是[^，。,；;]{0,4}?(?:窗口|柜台|综窗)(?:的)?(?:问题|错|责任|原因)/;

/**
 * A rating that clears the counter it was given at and then names the unit that failed ("窗口收件挺快，不怨窗口。…农业局
 * 那边一直…"): that unit, the first party named after the clearing that is not the counter's own unit or the hall.
 */
function clearedCounterBlames(index: CatalogIndex, raw: string, qr: () => QrText, own: string): { unit: string; phrase: string } | null {
  if (!raw.includes('窗') && !raw.includes('柜台')) return null;
  const { text, mentions } = qr();
  const cleared = COUNTER_CLEARED.exec(text);
  if (!cleared) return null;
  const after = cleared.index + cleared[0].length;
  for (const m of mentions) {
    if (m.negated || m.index < after) continue;
    const unit = otherParty(index, m, own);
    if (unit) return { unit, phrase: m.phrase };
  }
  return null;
}

/** One unit above the other (公安局 and its 户籍科); the hall at the top of a catalogue's tree is no one's superior here. */
function related(index: CatalogIndex, a: string, b: string): boolean {
  const hall = unitFacts(index).hall;
  return (!hall.has(a) && isAncestor(index, a, b)) || (!hall.has(b) && isAncestor(index, b, a));
}

// the counter passed the papers on and they stopped there ("收了材料说转给医保局了，十几天没动静")
const FORWARDED_TO = /(?:转给|转到|转交|报给|报到|送到|送给|交给|递给|递到|推给|推送给)了?$/;
const STUCK_AFTER = /^(?:了|那边|那里|那儿)?[^。！!？?]{0,12}?(?:没动静|没消息|没下文|没回音|没结果|没回复|没反应|没人管|石沉大海|杳无音信|一直没|还没批|还没办|压着|卡着|拖着)/;

/** A rating at a counter that passed the papers to another unit, where they stopped: that unit. */
function forwardedAndStuck(index: CatalogIndex, raw: string, qr: () => QrText, own: string): { unit: string; phrase: string } | null {
  // "转给", "交给", "报到"…: no hand-over word, no hand-over
  if (!/[转报送交递推][给到交]/.test(raw)) return null;
  const { text, mentions } = qr();
  for (const m of mentions) {
    if (m.negated || m.kind === 'item') continue;
    if (!FORWARDED_TO.test(text.slice(Math.max(0, m.index - 4), m.index))) continue;
    if (!STUCK_AFTER.test(text.slice(m.index + m.phrase.length, m.index + m.phrase.length + 20))) continue;
    const unit = otherParty(index, m, own);
    if (unit) return { unit, phrase: m.phrase };
  }
  return null;
}

function isAncestor(index: CatalogIndex, ancestor: string, code: string): boolean {
  for (let u = index.units.get(code)?.parent ?? null, depth = 0; u && depth < 8; u = index.units.get(u)?.parent ?? null, depth++) if (u === ancestor) return true;
  return false;
}

/** Whether "窗口" or "柜台" (or "的窗口", "的柜台") starts at i. */
function counterAfter(text: string, i: number): boolean {
  if (text.charCodeAt(i) === 0x7684) i++; // 的
  const a = text.charCodeAt(i);
  const b = text.charCodeAt(i + 1);
  return (a === 0x7a97 && b === 0x53e3) || (a === 0x67dc && b === 0x53f0); // 窗口, 柜台
}

// unit → the duty types its windows' names speak of, per catalogue index
const windowTypesMemo = new WeakMap<CatalogIndex, Map<string, Set<string>>>();
function windowTypes(index: CatalogIndex): Map<string, Set<string>> {
  let byUnit = windowTypesMemo.get(index);
  if (byUnit) return byUnit;
  byUnit = new Map();
  for (const w of index.windows.values()) {
    const set = byUnit.get(w.unit) ?? new Set<string>();
    for (const type of index.duties.score(normalizeText(w.name)).keys()) set.add(type);
    byUnit.set(w.unit, set);
  }
  windowTypesMemo.set(index, byUnit);
  return byUnit;
}

// a department's word as a town's or street's own office ("民政办", "财政所", "社保所", "农技站")
const LOCAL_OFFICE = /(办|所|站|办公室)$/;
// a helper's job title ("代办员") names a person wherever they work, not another party
const STAFF_WORD = /(代办员|帮办员|导办员|网格员|工作人员|志愿者|专干)$/;
// a public facility by the floor it is on
const FLOOR_FACILITY = /[一二三四五六七八九1-9]楼(?:的|大厅|大厅的)?(?:厕所|卫生间|洗手间|电梯|楼梯|饮水机|开水|空调|座位|椅子|坡道|无障碍)/;
// the hall by its common names, then (in the same clause) one of its facilities or its hours
const HALL_FACILITY_AT =
  /((?:政务|市民|行政服务)(?:服务)?(?:中心|大厅)|办事大厅|(?<![a-z市])(?:区|县)中心)(?:的|里|里面|里头|那边|这边)?[，,]?[^，。,；;！!？?]{0,6}?(厕所|卫生间|洗手间|电梯|无障碍|停车|车位|座位|椅子|空调|饮水|开水|开门|关门|中午|午休|周末|周六|节假日|下班|上班时间|几点|[0-9一二两三四五六七八九十]点|叫号|取号|排号|保安|导办台|导服台|咨询台|楼梯|坡道|台阶|打印机|复印)/;

// "镇上说材料已经报上去了", "说早转给民政局了", "等县里批": the locality only passed the file on
const FORWARDED = /(报上去|报上级|报到|上报了|已上报|转给|转到|转上去|送到|送上去|送过去|交上去|递上去|报给|等(市|县|区|旗|盟|州|上面)里?(批|审|审批|审核|办|回复))/;

const LOCAL_WORD = /(社区|村里|村委|居委会|村上|街道|镇上|镇里|乡里|乡上|镇政府|乡政府)/g;
/** Whether the locality word named last in the span is of the other level (a community for a street, and back). */
function otherLevelNearest(index: CatalogIndex, code: string, span: string): boolean {
  const level = index.units.get(code)?.level ?? '';
  if (!TOWN_LEVELS.has(level) && !COMMUNITY_LEVELS.has(level)) return false;
  let last = '';
  LOCAL_WORD.lastIndex = 0;
  for (let m = LOCAL_WORD.exec(span); m; m = LOCAL_WORD.exec(span)) last = m[0];
  if (!last) return false;
  return TOWN_WORDS.test(last) || last.endsWith('政府') ? COMMUNITY_LEVELS.has(level) : TOWN_LEVELS.has(level);
}

/** what a department's item keeps when a locality did (or botched) its own step on it */
const ITEM_DAMP_OWN_STEP = 0.6;

// bodies outside the catalogue that the texts name as parties: third parties, overseen by a department
const THIRD_PARTY = /(医院|卫生院|诊所|医生|护士|殡仪馆|学校|校方|校长|班主任|幼儿园|驾校|银行|开发商|物业|医院方)$/;

// "说是民政管", "说归X管", "称属于X": the unit the speaker says the matter belongs to
const DUTY_ASSERTED_BEFORE = /(说|讲|称|答复)[^，。,；;！!？?]{0,2}(是|归|属于|由)$|下放(到|给|至)$|[，,：:]是$/;
// "街道说人社审", "窗口说民政管": the speaker names who decides, with the verb right after the name
const DUTY_NAMED_BEFORE = /(说|讲|称)$/;
const DUTY_VERB_AFTER = /^(那边|这边)?(管|负责|审|审核|审批|批|受理)/;
/** "说是民政管", "说归X管": the text says the matter belongs to the unit named at [at, at + length). */
function dutyAsserted(text: string, at: number, length: number): boolean {
  return DUTY_ASSERTED_BEFORE.test(text.slice(Math.max(0, at - 4), at)) && DUTY_ASSERTED_AFTER.test(text.slice(at + length, at + length + 6));
}
const DUTY_ASSERTED_AFTER = /^(那边|这边)?(管|的事|负责|的职责|的活|的问题|办理|来办|受理|审批|审核|在收|收|在管|在办|没|搞错|弄错|卡着|$|[，。,；;！!？?])/;
// "税务说不归他们管", "窗口说是民政管", "说让去找…": the unit disowns the matter
const DEFLECTS_AFTER =
  /^(的)?(工作人员|人员|窗口|那边|这边|的人)?(就|又|却|还|直接)?(让|叫|喊|推)(我|俺|咱|他|她|我们|群众)?(先|再)?(去|到|找)|^(的)?(工作人员|人员|窗口|那边|这边|的人)?(就|又|却|还)?(说|讲|称|答复|回复|告知)(这|此|这个|这事|这个事)?(不归|不是(我们|他们|这边|俺们|这里)|不属于|不管|不负责|管不了|是.{1,6}(管|的事|负责)|归.{1,6}管|属于|得找|该找|要找|去找|找)/;

/** A duty word inside a list of papers to bring counts this much: the papers are not the matter. */
const PAPER_WEIGHT = 0.3;
// "要房产证、户口本、居住证…": after a verb of demanding, an enumeration with 、
const PAPER_LIST = /(要|需要|提供|带上?|交|开具?|出具|准备|补|拿)(了)?([^，。,；;！!？?：:]{1,14}、){1,}[^，。,；;！!？?：:]{1,14}/g;

// "公积金中心要我拿社保缴费证明", "窗口要求提供结婚证原件", "让先开无犯罪记录证明": one paper another party demands as
// a precondition; the paper's department issues it, the matter stays with the unit that asked for it ("我要开…" is
// the person's own matter, not a demand)
/** right after a name: it issued a paper ("柳树村开的…") */
const ISSUED = /^(?:开的|出的|出具的|打的|盖的)/;

// "朝阳社区开的居住证明，派出所不认": a paper one party issued and another refused — the refusal is the matter
const PAPER_REFUSED = /(?:开的|出的|出具的|打的|盖的)([^，。,；;！!？?：:、]{1,10}?(?:证明|记录|意见|证))(?=[，,]?[^，。,；;！!？?]{0,10}?(?:不认|不收|不承认|不要|说不行|退回|说格式|说不对))/g;

const PAPER_DEMANDED =
  /(?:(?<![我俺咱想就])要(?:我|俺|咱|群众|他|她|求)?|需要|必须|得先|要先|提供|出示|拿来|带上?|(?:让|叫|喊)(?:我|俺|咱)?先|(?<![多减])少了?|缺了?)(?:先|再|去)?(?:拿|开|交|提供|出具|出|补|有|取得|办好|办下)?(?:个|一个|一份|份|张|一样)?([^，。,；;！!？?：:、]{0,10}?(?:证明|记录|意见|介绍信|成果|受理单|回执|原件|结婚证|户口本|出生证|不动产证|房产证|产权证|许可证))/g;

// "同一张身份证我今天复印了四回", "营业执照复印件", "户口本原件": a certificate named as a paper to copy or show is
// the person's material, not the service they came for
const PAPER_COPIED = /(身份证|户口本|户口簿|营业执照|房产证|不动产证|结婚证|离婚证|社保卡|驾驶证|行驶证|出生证明|出生证)(?=[^，。,；;！!？?]{0,6}?(?:复印|原件|扫描件|影印|拍照|照片))/g;

const PAPER_ONE = [PAPER_DEMANDED, PAPER_REFUSED, PAPER_COPIED];

/** Index → whether it lies in a list of required papers or in one paper another party demands or refused. */
function paperLists(text: string): (index: number) => boolean {
  const spans: Array<[number, number]> = [];
  if (text.includes('、')) for (const m of text.matchAll(PAPER_LIST)) spans.push([m.index + (m[1]?.length ?? 0), m.index + m[0].length]);
  if (text.includes('证') || text.includes('记录') || text.includes('意见') || text.includes('单') || text.includes('成果') || text.includes('原件') || text.includes('户口') || text.includes('执照') || text.includes('卡')) {
    // the paper (group 1) at the end of each match
    for (const re of PAPER_ONE) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) spans.push([m.index + m[0].length - (m[1]?.length ?? 0), m.index + m[0].length]);
    }
  }
  if (!spans.length) return () => false;
  // merged and in order, so a mention's index is looked up by halving (a hostile text holds thousands of lists)
  spans.sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const sp of spans) {
    const top = merged[merged.length - 1];
    if (top && sp[0] <= top[1]) top[1] = Math.max(top[1], sp[1]);
    else merged.push([sp[0], sp[1]]);
  }
  return (i) => {
    let lo = 0;
    let hi = merged.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid]![0] <= i) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && i < merged[lo - 1]![1];
  };
}

const SOURCE_RANK = { explicit: 0, name: 1, items: 2 } as const;

/**
 * The department proper (typed explicitly or by its name, highest in the tree) takes a type's full weight; other
 * units of the type (a second office, a town that holds the item) take less, so the text must name them.
 */
function primaryFirst(
  index: CatalogIndex,
  list: Array<{ unit: string; weight: number; source: 'explicit' | 'name' | 'items' }>,
  factor: number,
): Array<{ unit: string; weight: number; source: 'explicit' | 'name' | 'items' }> {
  const sorted = [...list].sort(
    (a, b) =>
      SOURCE_RANK[a.source] - SOURCE_RANK[b.source] ||
      b.weight - a.weight ||
      specialistFirst(index, a.unit, b.unit) ||
      unitDepth(index, a.unit) - unitDepth(index, b.unit),
  );
  return sorted.map((u, i) => ({ ...u, weight: u.weight * factor * (i === 0 ? 1 : 0.65) }));
}

// what the router asks of a unit for every mention and every tally, per catalogue index: whether it is a locality
// (a town, street, community or village), whether it is the hall (triage or supervision), its depth in the tree
const unitFactsMemo = new WeakMap<CatalogIndex, { local: Set<string>; hall: Set<string>; depth: Map<string, number> }>();
function unitFacts(index: CatalogIndex): { local: Set<string>; hall: Set<string>; depth: Map<string, number> } {
  let facts = unitFactsMemo.get(index);
  if (facts) return facts;
  facts = { local: new Set(), hall: new Set(), depth: new Map() };
  for (const [code, u] of index.units) {
    if (SERVICE_LEVELS.has(u.level ?? '')) facts.local.add(code);
    if (u.role === 'triage' || u.role === 'supervision') facts.hall.add(code);
    facts.depth.set(code, unitDepthUncached(index, code));
  }
  unitFactsMemo.set(index, facts);
  return facts;
}

// among equals, the specialist first: a 社会保险事务中心 (one duty by its name) before the 人社局 above it (labour and
// social insurance) — but never before the hall's own management, whose counters (帮办代办) share its duty
function specialistFirst(index: CatalogIndex, a: string, b: string): number {
  if (a === index.triage.code || b === index.triage.code) return 0;
  return namedTypes(index, a) - namedTypes(index, b);
}

function namedTypes(index: CatalogIndex, code: string): number {
  let n = 0;
  for (const v of index.types.byUnit.get(code)?.values() ?? []) if (v.source !== 'items') n++;
  return n;
}

function unitDepth(index: CatalogIndex, code: string): number {
  return unitFacts(index).depth.get(code) ?? 0;
}

function unitDepthUncached(index: CatalogIndex, code: string): number {
  let d = 0;
  let u = index.units.get(code);
  while (u?.parent && d < 10) {
    u = index.units.get(u.parent);
    d++;
  }
  return d;
}
