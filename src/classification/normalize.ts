/**
 * Text normalisation shared by classification and routing. Everything that matches phrases (lexicon cues,
 * unit and item names) runs on the output of `normalizeText`, so full-width forms, traditional characters and
 * stray control characters written by phones, OCR'd slips and hotline exports all look the same.
 */

// Common traditional → simplified pairs seen in complaints (Hong Kong/Taiwan phones, older input methods).
// Deliberately small: only characters whose simplified form is unambiguous.
const TRAD =
  '們们個个這这說说時时過过對对來来會会後后還还務务辦办電电話话號号問问題题縣县區区門门態态錢钱費费紅红麼么' +
  '沒没應应關关係系證证記记資资網网線线銀银據据樣样讓让處处隊队員员鎮镇頭头臉脸難难遲迟見见給给長长車车開开' +
  '閉闭單单補补換换險险衛卫療疗醫医樓楼層层稅税業业與与書书為为報报導导廳厅戶户婦妇學学歲岁邊边進进錯错' +
  '樣样顧顾聽听氣气幫帮們们聯联絡络準准備备齊齐將将須须續续嗎吗啊啊么么總总間间場场機机碼码寫写樂乐愛爱' +
  '搶抢約约預预請请讀读覺觉點点熱热壞坏貨货買买賣卖價价從从東东號号圖图檔档齡龄殘残殯殡葬葬饋馈擾扰' +
  '們们罰罚亂乱託托紅红賄贿賂赂禮礼卡卡拿拿吃吃黑黑仲仲介介敷敷衍衍拖拖慢慢冷冷護护園园區区級级擁拥擠挤' +
  '窗窗臺台灣湾雲云審审批批網网辦办證证態态' +
  '錄录惡恶罵骂議议靜静認认識识計计設设許许談谈謝谢語语誤误辭辞變变擺摆掃扫擔担優优傳传傷伤僅仅儀仪億亿兩两劃划勞劳勢势動动協协參参雙双發发異异產产監监確确禮礼種种稱称積积穩稳窮穷簽签範范籌筹紀纪級级納纳紙纸終终組组結结統统經经綠绿維维緊紧練练績绩職职聲声裝装規规視视觸触訂订訴诉評评詢询試试詳详誰谁課课調调諾诺貧贫購购貼贴賬账質质趕赶軟软載载輛辆輸输轉转農农達达遠远運运適适選选遺遗鄉乡釋释鍵键鐘钟閱阅陳陈陽阳隨随雖虽離离頁页項项順顺領领頻频額额願愿類类顯显風风飛飞飯饭館馆驗验體体鬧闹幣币歷历溝沟滯滞滿满漢汉無无爭争狀状獨独環环現现當当盡尽礙碍豐丰貸贷賠赔賴赖贈赠媽妈實实寫写審审專专尋寻屬属帳帐帶带廣广廢废張张強强歸归錯错鎖锁閒闲隱隐雜杂靈灵響响顧顾驅驱黃黄齒齿麵面媽妈聽听氣气鐵铁銷销獎奖漲涨換换鄰邻遞递';

const TRAD_MAP: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>();
  const chars = Array.from(TRAD);
  for (let i = 0; i + 1 < chars.length; i += 2) {
    const from = chars[i] as string;
    const to = chars[i + 1] as string;
    if (from !== to) map.set(from, to);
  }
  return map;
})();

const TRAD_CLASS = `[${[...TRAD_MAP.keys()].join('')}]`;
const TRAD_RE = new RegExp(TRAD_CLASS, 'gu');
const HAS_TRAD = new RegExp(TRAD_CLASS, 'u'); // not global: test() must not carry lastIndex between calls

// C0/C1 controls, zero-width characters, BOM and bidi marks; newlines and tabs are handled as whitespace.
// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const WHITESPACE = /[\s\u3000]+/g;

// the last two answers: an item's text is normalised by classification, then by routing (and its result again by
// the window-number matcher), so most calls repeat one of the two before
let lastIn: string | null = null;
let lastOut = '';
let prevIn: string | null = null;
let prevOut = '';

// the last answer known to be its own normalisation (routing normalises classification's output again): made of
// characters that each stay as they are, which the per-character path returns unchanged
let fixedPoint: string | null = null;

/** NFKC, traditional → simplified for common characters, lower-case Latin, no control characters, single spaces. */
export function normalizeText(input: string): string {
  if (!input) return '';
  if (input === lastIn) return lastOut;
  if (input === prevIn) return prevOut;
  if (input === fixedPoint) return input;
  const out = normalizeUncached(input);
  prevIn = lastIn;
  prevOut = lastOut;
  lastIn = input;
  lastOut = out;
  return out;
}

function normalizeUncached(input: string): string {
  fixed = false;
  const out = normalizeByCharacter(input);
  if (out === null) return normalizeWhole(input);
  if (fixed) fixedPoint = out;
  return out;
}

/** The definition of normalisation: what `normalizeText` returns for any text (the per-character path included). */
export function normalizeWhole(input: string): string {
  let text = input.normalize('NFKC').replace(INVISIBLE, '');
  // one regex pass instead of a per-character loop
  if (HAS_TRAD.test(text)) text = text.replace(TRAD_RE, (ch) => TRAD_MAP.get(ch) ?? ch);
  return text.replace(WHITESPACE, ' ').trim().toLowerCase();
}

// Most texts are CJK ideographs, ASCII and full-width punctuation. Each such character normalises on its own, the
// same wherever it stands, so a text of only such characters is normalised by a table look-up per character instead
// of String.prototype.normalize and four regex passes (this runs on every item, in classification and in routing).
// Per code unit: 0 not looked at yet, 1 unchanged, 2 replaced by SINGLE_FORMS, 3 normalise the whole text.
const KIND = new Uint8Array(65536);
const SINGLE_FORMS = new Map<number, string>();
/** per code unit of kind 2: 1 when its form is made of kind-1 characters only */
const FORM_FIXED = new Uint8Array(65536);
/** set by normalizeByCharacter: its answer is made of kind-1 characters only (so it normalises to itself) */
let fixed = false;
// NFKC composes and reorders only around combining marks and conjoining Hangul jamo; whitespace depends on its
// neighbours (collapsed, trimmed); outside these blocks nothing is assumed
const COMBINES = /[\p{M}\u1100-\u11ff]/u;
const SPACE = /[\s\u3000]/;
const inSafeBlock = (c: number): boolean =>
  c <= 0xff || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xff00 && c <= 0xffef);

function kindOf(c: number): number {
  const ch = String.fromCharCode(c);
  let kind = 3;
  if (inSafeBlock(c) && !COMBINES.test(ch.normalize('NFKD')) && !SPACE.test(ch.normalize('NFKC'))) {
    const form = normalizeWhole(ch);
    kind = form === ch ? 1 : 2;
    if (kind === 2) SINGLE_FORMS.set(c, form);
  }
  KIND[c] = kind;
  if (kind === 2) {
    const form = SINGLE_FORMS.get(c) as string;
    let all = true;
    for (let i = 0; i < form.length; i++) {
      const f = form.charCodeAt(i);
      if ((KIND[f] || kindOf(f)) !== 1) all = false;
    }
    FORM_FIXED[c] = all ? 1 : 0;
  }
  return kind;
}

/** The normalised text, character by character; null when some character needs `normalizeWhole`. */
function normalizeByCharacter(input: string): string | null {
  // pieces joined once: a flat string, which every matcher after this reads character by character
  const pieces: string[] = [];
  let from = 0; // input before this index is in pieces (or unchanged so far)
  let allFixed = true;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    const kind = KIND[c] || kindOf(c);
    if (kind === 1) continue;
    if (kind === 3) return null;
    pieces.push(input.slice(from, i), SINGLE_FORMS.get(c) as string);
    if (!FORM_FIXED[c]) allFixed = false;
    from = i + 1;
  }
  fixed = allFixed;
  if (from === 0) return input;
  pieces.push(input.slice(from));
  return pieces.join('');
}

/** True for code points that belong to CJK ideographs (the script the cues and names are written in). */
export function isCjk(ch: string): boolean {
  return isCjkCode(ch.codePointAt(0) ?? 0);
}

/** `isCjk` of one code point (a UTF-16 code unit below 0x10000 is its own code point; a surrogate is never CJK). */
export function isCjkCode(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df);
}

/** Character bigrams over runs of CJK characters, the backbone feature for short, badly segmented texts. */
export function charBigrams(text: string): string[] {
  const out: string[] = [];
  let prev = '';
  for (const ch of text) {
    if (isCjk(ch)) {
      if (prev) out.push(prev + ch);
      prev = ch;
    } else {
      prev = '';
    }
  }
  return out;
}

/** Clause separators: negation and "who is meant" never reach across them. */
export const CLAUSE_BREAK = /[，,。.!！?？;；:：\n、~…]/;
export const CLAUSE_BREAK_CHARS: ReadonlySet<string> = new Set(Array.from('，,。.!！?？;；:：\n、~…'));
