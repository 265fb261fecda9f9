/**
 * Classification: lexicon cues and the learned model combined, plus the rules of DIMENSIONS.md that no model should
 * have to learn (tags ticked on the QR page, good ratings without a complaint, misconduct implies D5).
 *
 * score(label) = log P_model(label) + cueWeight · cueScore(label); the winner is the primary dimension.
 */
import type { Catalog } from '../org/catalog.types.js';
import { DIMENSIONS, LABELS, type Dimension, type Label } from './dimensions.js';
import { junkScore, lexiconPhrases, scoreCues, type CueScores, type Lexicon } from './lexicon.js';
import { predict, type Model } from './model.js';
import { normalizeText } from './normalize.js';
import { resolveTags } from './qr-tags.js';
import { createSegmenter, type Segmenter } from './segmenter.js';
import { defaultDutyBook } from '../routing/catalog-index.js';

export interface ClassifyInput {
  text: string;
  subject?: string | null;
  channel?: string | null;
  rating?: number | null;
  tags?: string[] | null;
}

export interface Evidence {
  kind: 'cue' | 'model' | 'tag' | 'rule';
  dimension?: string;
  text: string;
  weight?: number;
}

export interface Classification {
  dimension: Label;
  secondary: Dimension[];
  misconduct: boolean;
  /** an advert, spam, a test or text unrelated to government service: kept and counted, never sent to a unit */
  junk?: boolean;
  confidence: number;
  evidence: Evidence[];
  truncated?: boolean;
}

export interface ClassifierOptions {
  lexicon: Lexicon;
  model?: Model | null;
  catalog?: Catalog | null;
  /** Reuse a segmenter (building one loads jieba's dictionary, ~150 ms). */
  segmenter?: Segmenter;
  tuning?: Partial<ClassifierTuning>;
}

export interface ClassifierTuning {
  /** How much one unit of cue weight counts against the model's log-probability. */
  cueWeight: number;
  /** Model misconduct probability that flags an item whose misconduct cues weigh above zero. */
  modelMisconduct: number;
  /** Model misconduct probability that flags an item with no misconduct cue at all. */
  modelMisconductAlone: number;
  /** Cue score another dimension needs to be listed as secondary. */
  secondaryCue: number;
  /** With rating 4–5, complaint cues below this mean "no problem". */
  goodRatingComplaint: number;
  /** Model junk probability that makes an item junk when the lexicon found no complaint or allegation in it. */
  modelJunk: number;
  /** Complaint cue score above which the model's junk head is not asked (a complaint is never junk). */
  modelJunkComplaint: number;
  /**
   * Model junk probability that makes an item junk even though a department's duty term is in it (an advert for
   * "专精特新申报代理" names a duty; a bare "营业执照" scores ~0.6 and stays an item). Above 1: a duty term always keeps it.
   */
  modelJunkOverDuty: number;
}

export const DEFAULT_TUNING: ClassifierTuning = {
  cueWeight: 0.8,
  modelMisconduct: 0.5,
  modelMisconductAlone: 0.6,
  secondaryCue: 3,
  goodRatingComplaint: 2.5,
  modelJunk: 0.6,
  modelJunkComplaint: 2,
  modelJunkOverDuty: 0.9,
};

/** Longer texts are classified on this prefix: the cause is stated early, and cost stays bounded. */
export const MAX_CLASSIFY_CHARS = 20_000;

export interface Classifier {
  classify(input: ClassifyInput): Classification;
  readonly segmenter: Segmenter;
  /** Swap in a retrained model without rebuilding the segmenter. */
  setModel(model: Model | null): void;
}

const round = (v: number): number => Math.round(v * 1000) / 1000;

function empty(evidence: Evidence[], truncated: boolean): Classification {
  return { dimension: 'none', secondary: [], misconduct: false, confidence: 0, evidence, ...(truncated ? { truncated } : {}) };
}

export function createClassifier(options: ClassifierOptions): Classifier {
  const { lexicon } = options;
  const tuning: ClassifierTuning = { ...DEFAULT_TUNING, ...options.tuning };
  const segmenter = options.segmenter ?? createSegmenter({ catalog: options.catalog ?? null, words: lexiconPhrases(lexicon) });
  let model = options.model ?? null;

  function classify(input: ClassifyInput): Classification {
    const evidence: Evidence[] = [];
    let raw = `${input.subject ? `${input.subject}。` : ''}${typeof input.text === 'string' ? input.text : ''}`;
    let truncated = false;
    if (raw.length > MAX_CLASSIFY_CHARS) {
      raw = raw.slice(0, MAX_CLASSIFY_CHARS);
      truncated = true;
      evidence.push({ kind: 'rule', text: `内容过长，仅按前${MAX_CLASSIFY_CHARS}字分类` });
    }
    const text = normalizeText(raw);
    const tags = resolveTags(input.tags);
    const rating = typeof input.rating === 'number' && Number.isFinite(input.rating) ? input.rating : null;
    const cues = scoreCues(lexicon, text);
    // an advert, a test or noise is junk on any channel; a rating with problem tags ticked never is
    if (!tags.length && text) {
      let junk = junkOf(lexicon, text, cues);
      // a reply or forward ("Re: test", "Fw: 合作") heads a body that is junk on its own ("ok 收到没"): the body decides
      // when the whole says nothing a unit could act on
      if (!junk && input.subject && typeof input.text === 'string' && cues.misconduct <= 0 && complaintOf(cues) === 0) {
        const body = normalizeText(input.text.slice(0, MAX_CLASSIFY_CHARS));
        if (body) junk = junkOf(lexicon, body, scoreCues(lexicon, body));
      }
      if (junk) {
        evidence.push({ kind: 'rule', text: junk });
        return { dimension: 'none', secondary: [], misconduct: false, junk: true, confidence: 0.9, evidence, ...(truncated ? { truncated } : {}) };
      }
    }
    const misconductByCue = cues.misconduct >= lexicon.misconductThreshold;

    // QR problem tags: the person said what went wrong; the text can only add to it.
    if (tags.length) {
      const count = new Map<Dimension, number>();
      for (const t of tags) {
        count.set(t.dimension, (count.get(t.dimension) ?? 0) + 1);
        evidence.push({ kind: 'tag', dimension: t.dimension, text: t.label });
      }
      const misconduct = tags.some((t) => t.misconduct) || misconductByCue;
      let primary = [...count.entries()].sort((a, b) => b[1] - a[1] || cues.scores[b[0]] - cues.scores[a[0]])[0]![0];
      if (misconduct) primary = 'D5';
      const secondary = DIMENSIONS.filter((d) => d !== primary && (count.has(d) || cues.scores[d] >= tuning.secondaryCue));
      addCueEvidence(evidence, cues);
      if (misconductByCue) evidence.push({ kind: 'rule', dimension: 'D5', text: '反映内容涉及廉政问题' });
      return { dimension: primary, secondary, misconduct, confidence: 0.9, evidence, ...(truncated ? { truncated } : {}) };
    }

    if (!text) {
      if (rating !== null && rating <= 2) evidence.push({ kind: 'rule', text: '差评未说明原因，无法判断问题类型' });
      return empty(evidence, truncated);
    }

    const complaintCue = complaintOf(cues);
    const prediction = model ? predict(model, segmenter, text) : null;
    // junk in words the advert phrases do not list (a sales call, a wrong number, chatter): the model's junk head,
    // asked only when the lexicon found no complaint and no allegation in the text, and never about a rating's comment
    // (a one-word "好" under five stars is a rating to count; a rating's adverts and tests are the lexicon's to find)
    if (
      prediction?.junk != null &&
      prediction.junk >= tuning.modelJunk &&
      complaintCue <= tuning.modelJunkComplaint &&
      cues.misconduct <= 0 &&
      rating === null &&
      !PRAISE_LATIN.test(text) &&
      !namesService(segmenter, text, prediction.junk >= tuning.modelJunkOverDuty)
    ) {
      evidence.push({ kind: 'model', text: '模型判断为广告、测试或与政务服务无关的内容', weight: round(prediction.junk) });
      return { dimension: 'none', secondary: [], misconduct: false, junk: true, confidence: round(prediction.junk), evidence, ...(truncated ? { truncated } : {}) };
    }
    // a good rating with nothing to complain of is praise; "办得挺快，就是…" goes on to say what was wrong, and the words
    // after the turn decide like any other comment
    if (rating !== null && rating >= 4 && complaintCue < tuning.goodRatingComplaint && !misconductByCue && !BUT.test(text)) {
      evidence.push({ kind: 'rule', text: `评价为${rating}分且未反映具体问题` });
      addCueEvidence(evidence, cues);
      return { dimension: 'none', secondary: [], misconduct: false, confidence: 0.85, evidence, ...(truncated ? { truncated } : {}) };
    }

    // loops rather than map/reduce/spread (this runs on every item): the same operations in the same order
    const logits: number[] = [];
    let max = -Infinity;
    // a text that clears the staff (a fee on the schedule, a gift refused, an agent outside with no tie to the
    // window) weighs that against D5 too, where no conduct cue says otherwise: money words alone taught the model D5
    const cleared = cues.misconduct < 0 && cues.scores.D5 < 2 ? cues.misconduct : 0;
    for (const l of LABELS) {
      const p = prediction ? prediction.probs[l] : 1 / LABELS.length;
      const z = Math.log(Math.max(p, 1e-6)) + tuning.cueWeight * (l === 'D5' ? cues.scores[l] + cleared : cues.scores[l]);
      logits.push(z);
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let i = 0; i < logits.length; i++) {
      logits[i] = Math.exp((logits[i] as number) - max);
      sum += logits[i] as number;
    }
    const post: Record<Label, number> = { D1: 0, D2: 0, D3: 0, D4: 0, D5: 0, none: 0 };
    for (let i = 0; i < LABELS.length; i++) post[LABELS[i] as Label] = (logits[i] as number) / sum;
    let primary = LABELS[0] as Label;
    for (const l of LABELS) if (post[l] > post[primary]) primary = l;

    // the model alone flags only words, not noise ("11111111"): some Chinese text and at least a weak cue, and never
    // against the cues (a refused gift, a third party's own fee weigh the cue score below zero)
    const misconductByModel =
      prediction !== null &&
      prediction.misconduct >= tuning.modelMisconduct &&
      cues.misconduct >= 0 &&
      (cues.misconduct > 0 || prediction.misconduct >= tuning.modelMisconductAlone) &&
      CJK.test(text);
    const misconduct = misconductByCue || misconductByModel;
    const secondary: Dimension[] = [];
    if (misconduct && primary !== 'D5') {
      // DIMENSIONS.md: an integrity breach is a D5 case; what else the text raises stays as a secondary.
      if (primary !== 'none') secondary.push(primary);
      evidence.push({ kind: 'rule', dimension: 'D5', text: '反映内容涉及廉政问题，按作风问题处理' });
      primary = 'D5';
    }
    if (primary !== 'none') {
      for (const d of DIMENSIONS) {
        if (d !== primary && !secondary.includes(d) && cues.scores[d] >= tuning.secondaryCue && post[d] >= 0.1) secondary.push(d);
      }
    }
    addCueEvidence(evidence, cues);
    if (misconductByModel && !misconductByCue) {
      evidence.push({ kind: 'model', dimension: 'D5', text: '模型判断可能涉及廉政问题', weight: round(prediction.misconduct) });
      // the words behind it, so whoever reviews the flag sees what it rests on
      for (const c of prediction.contributions('misconduct', 3)) {
        evidence.push({ kind: 'model', dimension: 'D5', text: `廉政：${c.feature.slice(2)}`, weight: round(c.weight) });
      }
    }
    if (prediction) {
      for (const c of prediction.contributions(primary, 3)) {
        evidence.push({ kind: 'model', dimension: primary, text: c.feature.slice(2), weight: round(c.weight) });
      }
    }
    return {
      dimension: primary,
      secondary,
      misconduct,
      confidence: round(Math.max(post[primary], misconduct && primary === 'D5' ? 0.8 : 0)),
      evidence,
      ...(truncated ? { truncated } : {}),
    };
  }

  return {
    classify,
    segmenter,
    setModel(next) {
      model = next;
    },
  };
}

const CJK = /[\u3400-\u9fff]/u;
/** a turn from praise to what was wrong, or a wish for better ("就是人太多", "希望能邮寄") */
const BUT = /(就是|但是|只是|不过|可是|可惜|希望|建议|能不能|能否)/u;
const PRAISE_LATIN = /^(ok|okay|good|nice|great|thanks|thank you|thx|赞|👍)+[!.。！]*$/u;

/** Why a comment-only text is junk (an advert, a test, no words at all), or null. */
function junkOf(lexicon: Lexicon, text: string, cues: CueScores): string | null {
  if (PRAISE_LATIN.test(text)) return null;
  const { score, found, spans } = junkScore(lexicon, text);
  if (score >= lexicon.junkThreshold) {
    // words wholly inside the advert's own contact, offer or sender phrases ("空调加氟", "加我微信") are the advert,
    // not a complaint or an allegation
    let complaint = complaintOf(cues);
    let misconduct = cues.misconduct;
    for (const h of cues.positive) {
      if (h.label === 'none' || h.weight <= 0 || !inside(spans, h.index, h.index + h.text.length)) continue;
      if (h.label === 'misconduct') misconduct -= h.weight;
      else complaint -= h.weight;
    }
    // a report about a scheme ("有人发广告…社保局里有人") is a complaint, not an advert: an allegation left in words
    // of its own at the flag's strength keeps the item
    if (complaint < score && misconduct < Math.min(score, lexicon.misconductThreshold)) return `疑似广告、测试或无关内容（${found.slice(0, 3).join('、')}）`;
  }
  // nothing a person could act on: no Chinese, no word of praise (random keys, "1111", "asdf")
  if (!CJK.test(text) && !PRAISE_LATIN.test(text) && text.length <= 40 && !/@/.test(text)) return '内容没有可办理的文字（疑似测试或误发）';
  return null;
}

/**
 * Whether the text names a government service: a unit, window or item of the catalogue (which the model masks, so to
 * it such a text is nearly empty), or a clear duty term of a department ("营业执照" alone, on an order the hotline
 * assigned). A person wrote about a service, so the junk head is not asked. With `entitiesOnly` (the junk head at
 * `modelJunkOverDuty` or above) only a catalogue name counts: an advert for a service names that service's duty too.
 * (Asked only when the junk head would fire, which is rare; the segmenter remembers the cut `predict` just made.)
 */
function namesService(segmenter: Segmenter, text: string, entitiesOnly = false): boolean {
  for (const w of segmenter.cut(text)) if (segmenter.isEntity(w)) return true;
  if (entitiesOnly) return false;
  for (const hit of defaultDutyBook().score(text).values()) if (hit.score >= 2) return true;
  return false;
}

/** The sum of the five dimensions' cue scores. */
function complaintOf(cues: CueScores): number {
  let s = 0;
  for (const d of DIMENSIONS) s += cues.scores[d];
  return s;
}

/** Whether [start, end) lies inside one of the spans (start, end, start, end…). */
function inside(spans: number[], start: number, end: number): boolean {
  for (let i = 0; i < spans.length; i += 2) if ((spans[i] as number) <= start && end <= (spans[i + 1] as number)) return true;
  return false;
}

function addCueEvidence(evidence: Evidence[], cues: CueScores): void {
  // the 12 heaviest hits (sorted once, by scoreCues), each label's phrase once; a cue that weighs against the flag
  // (a refused gift) is no reason for a label, and being the lightest it sorts last
  let n = 0;
  while (n < cues.positive.length && n < 12 && cues.positive[n]!.weight > 0) n++;
  const top = cues.positive.slice(0, n);
  for (let i = 0; i < top.length; i++) {
    const h = top[i]!;
    let earlier = false;
    for (let j = 0; j < i && !earlier; j++) earlier = top[j]!.label === h.label && top[j]!.text === h.text;
    if (earlier) continue;
    evidence.push({ kind: 'cue', dimension: h.label === 'misconduct' ? 'D5' : h.label, text: h.text, weight: h.weight });
  }
  let negated = 0;
  for (const h of cues.hits) {
    if (!h.negated) continue;
    if (++negated > 4) break;
    evidence.push({ kind: 'rule', text: `“${h.text}”前有否定词，不计入` });
  }
}
