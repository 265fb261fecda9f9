/**
 * Fuzzy matching of unit names as people and hotline systems write them ("区市场监管局" for "安平区市场监督管理局").
 * Names are first brought to a canonical form — region and level prefixes dropped, the standard abbreviations of
 * Chinese government bodies applied — and then compared by character-bigram overlap, with a bonus for containment.
 */
import { normalizeText } from '../classification/normalize.js';

// Standard abbreviations of government bodies (how any county's staff shorten names), longest first.
const ABBREVIATIONS: Array<[string, string]> = [
  ['人力资源和社会保障', '人社'],
  ['人力资源社会保障', '人社'],
  ['住房和城乡建设', '住建'],
  ['住房城乡建设', '住建'],
  ['卫生和计划生育', '卫计'],
  ['卫生健康委员会', '卫健委'],
  ['卫生健康', '卫健'],
  ['自然资源和规划', '自然资源'],
  ['市场监督管理', '市场监管'],
  ['监督管理', '监管'],
  ['医疗保障', '医保'],
  ['交通运输', '交通'],
  ['残疾人联合会', '残联'],
  ['政务服务管理办公室', '政务办'],
  ['政务服务管理局', '政务局'],
  ['行政审批服务局', '行政审批局'],
  ['审批服务局', '审批局'],
  ['农业农村', '农业'],
  ['生态环境', '环境'],
  ['综合行政执法', '执法'],
  ['退役军人事务', '退役军人'],
  ['便民服务中心', '便民中心'],
  ['党群服务中心', '党群中心'],
  ['委员会', '委'],
  ['人民政府', '政府'],
  ['办事处', '办'],
];

const LEVEL_CHARS = /^[区市县镇乡省]/;

/** Region prefixes to drop: the full region and each of its administrative parts, with and without the level. */
export function regionPrefixes(region: string | null | undefined): string[] {
  const n = normalizeText(region ?? '');
  if (!n) return [];
  const parts = n.match(/.+?(省|自治区|市|自治州|州|盟|地区|区|县|旗|镇|乡)/g) ?? [];
  const out = new Set<string>([n]);
  for (const p of parts) {
    out.add(p);
    const stem = p.replace(/(省|自治区|市|自治州|州|盟|地区|区|县|旗|镇|乡)$/, '');
    if (stem.length >= 2) out.add(stem);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

export function canonicalName(name: string, prefixes: readonly string[] = []): string {
  let s = normalizeText(name).replace(/[\s()（）【】[\]“”"'·\-—]/g, '');
  for (const [long, short] of ABBREVIATIONS) s = s.split(long).join(short);
  // Strip region prefixes repeatedly ("示例市安平区…" → "…"), then one leading level character ("区人社局" → "人社局").
  let changed = true;
  while (changed) {
    changed = false;
    for (const p of prefixes) {
      if (s.startsWith(p) && s.length - p.length >= 2) {
        s = s.slice(p.length);
        changed = true;
      }
    }
  }
  // …but not the first character of a word such as 市场, 市政, 区域, 乡村, 镇政府.
  if (LEVEL_CHARS.test(s) && s.length >= 4 && !/^.(场|政|民|域|村|级|属|直|委)/.test(s)) s = s.slice(1);
  return s;
}

function bigrams(s: string): Map<string, number> {
  const chars = Array.from(s);
  const out = new Map<string, number>();
  if (chars.length === 1) out.set(chars[0] as string, 1);
  for (let i = 0; i + 1 < chars.length; i++) {
    const bg = (chars[i] as string) + (chars[i + 1] as string);
    out.set(bg, (out.get(bg) ?? 0) + 1);
  }
  return out;
}

/** Similarity of two canonical names in [0, 1]: Dice over character bigrams, raised when one contains the other. */
export function nameSimilarity(a: string, b: string): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  const A = bigrams(a);
  const B = bigrams(b);
  let inter = 0;
  let total = 0;
  for (const [k, v] of A) {
    inter += Math.min(v, B.get(k) ?? 0);
    total += v;
  }
  for (const v of B.values()) total += v;
  let score = total ? (2 * inter) / total : 0;
  // Abbreviations drop characters from the middle ("人力社保局" ~ "人社局"): in-order common characters catch those.
  score = Math.max(score, (2 * lcsLength(a, b)) / (Array.from(a).length + Array.from(b).length) - 0.05);
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length >= 2 && long.includes(short)) score = Math.max(score, 0.6 + 0.4 * (short.length / long.length));
  return score;
}

function lcsLength(a: string, b: string): number {
  const A = Array.from(a);
  const B = Array.from(b);
  let prev = new Array<number>(B.length + 1).fill(0);
  for (const ca of A) {
    const cur = new Array<number>(B.length + 1).fill(0);
    for (let j = 1; j <= B.length; j++) {
      cur[j] = ca === B[j - 1] ? (prev[j - 1] as number) + 1 : Math.max(prev[j] as number, cur[j - 1] as number);
    }
    prev = cur;
  }
  return prev[B.length] as number;
}
