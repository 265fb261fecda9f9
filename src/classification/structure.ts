/**
 * Who speaks in a text: the clauses in which some party other than the writer says, asks or sends ("社保局说要先…",
 * "银行叫去社保局", "镇里讲是国土局量的"). Two different parties each pointing somewhere is how being passed between
 * bodies reads (DIMENSIONS.md: sent from one department to another → D4), and the words alone do not show it: the
 * same "要先开证明" is a needless proof (D2) when one window asks for it. The model gets these as features and learns
 * their weight; nothing here names a dimension.
 *
 * A clause is the text between two of ，。；！？： (and their ASCII forms); its speaker is what stands before the first
 * speaking verb, with a leading or trailing "又/却/就…" dropped, when that is 1–8 characters and not the writer (我, 本人…) or a
 * report of hearsay (听说, 据说).
 */

/** the speaking verbs, longest first where one is the start of another */
const VERBS = ['答复', '回复', '要求', '说', '讲', '称', '叫', '让', '话'];
/** a verb character followed by one of these is a word of its own, not speech (说明, 说法, 让步, 话费…) */
const NOT_AFTER: Record<string, string> = { 说: '明法服不过', 讲: '解座究课', 叫: '号醒', 让: '步利', 话: '费筒' };
/** …or preceded by one of these (听说, 据说, 电话, 对话, 普通话, 一句话) */
const NOT_BEFORE: Record<string, string> = { 说: '听据小', 讲: '演', 话: '电对通句讲说废', 叫: '喊尖', 称: '声号简名' };
const LEADS = ['但是', '可是', '然后', '后来', '结果', '那边', '那里', '又', '却', '也', '就', '还', '但', '可', '而', '那'];
/** …and a trailing one ("镇里又讲", "社保局那边说") */
const TRAILS = ['那边', '这边', '那里', '又', '却', '也', '就', '还', '都', '则', '便', '倒'];
const WRITER = /^(我|俺|咱|本人|来电人|自己|你们?$|您)/;

export interface Speaker {
  /** who speaks, as written ("社保局", "镇里") */
  who: string;
  /** the clause's number in the text */
  clause: number;
  /** where the clause starts in the text */
  start: number;
}

const table = (chars: string): Uint8Array => {
  const t = new Uint8Array(65536);
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1;
  return t;
};
// not normalize.ts's CLAUSE_BREAK_CHARS: "、" and "…" join the parties of one clause ("消防、文旅、公安三个都要来查")
const IS_END = table('，,。；;！!？?：:\n');
const VERB_FIRST = table(VERBS.map((v) => v[0]).join(''));

/** The speaking clauses of a normalised text, in order (one pass over code units; strings only for a speaker). */
export function speakers(text: string): Speaker[] {
  const out: Speaker[] = [];
  let start = 0;
  let clause = 0;
  let done = false; // this clause's speaker is decided
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (IS_END[code] === 1) {
      clause++;
      start = i + 1;
      done = false;
      continue;
    }
    if (done || VERB_FIRST[code] !== 1 || i === start) continue;
    if (i - start > 12) {
      done = true;
      continue;
    }
    let end = text.length;
    for (let j = i; j < text.length; j++) {
      if (IS_END[text.charCodeAt(j)] === 1) {
        end = j;
        break;
      }
    }
    const who = speakerAt(text.slice(start, end), i - start);
    if (who === undefined) continue; // not a speaking verb here: look further in the clause
    done = true;
    if (who) out.push({ who, clause, start });
  }
  return out;
}

/**
 * The speaker of a clause whose character `at` starts a speaking verb: undefined when no verb starts there (or it is
 * part of another word), null when the verb's subject is not a party.
 */
function speakerAt(clause: string, at: number): string | null | undefined {
  const verb = VERBS.find((v) => clause.startsWith(v, at));
  if (!verb) return undefined;
  if (verb.length === 1 && (NOT_AFTER[verb]?.includes(clause[at + 1] ?? '') || NOT_BEFORE[verb]?.includes(clause[at - 1] as string))) return undefined;
  return subjectOf(clause.slice(0, at));
}

function subjectOf(before: string): string | null {
  let who = before.trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const lead of LEADS) {
      if (who.length > lead.length && who.startsWith(lead)) {
        who = who.slice(lead.length);
        changed = true;
      }
    }
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const trail of TRAILS) {
      if (who.length > trail.length && who.endsWith(trail)) {
        who = who.slice(0, -trail.length);
        changed = true;
      }
    }
  }
  if (!who || who.length > 8 || WRITER.test(who)) return null;
  return who;
}

const same = (a: string, b: string): boolean => a.includes(b) || b.includes(a);

/**
 * The structural features of a normalised text: "§speak2" when two different parties speak, "§chain" when a later
 * speaker is one an earlier clause named (X说去找Y，Y说…), "§mutual" when a later speaker names the first one back.
 */
export function structureFeatures(text: string): string[] {
  const list = speakers(text);
  if (list.length < 2) return [];
  const first = list[0] as Speaker;
  const out: string[] = [];
  let two = false;
  let chain = false;
  let mutual = false;
  for (let j = 1; j < list.length; j++) {
    const s = list[j] as Speaker;
    if (same(s.who, first.who)) continue;
    two = true;
    if (!chain && text.slice(first.start, s.start).includes(s.who)) chain = true;
    if (!mutual) {
      let end = s.start;
      while (end < text.length && IS_END[text.charCodeAt(end)] !== 1) end++;
      const own = text.slice(s.start, end);
      if (own.slice(s.who.length).includes(first.who)) mutual = true;
    }
  }
  if (two) out.push('§speak2');
  if (chain) out.push('§chain');
  if (mutual) out.push('§mutual');
  return out;
}
