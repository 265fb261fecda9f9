/** The classification benchmark's ~100-character texts, built from realistic fragments, varied so no cache can help. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readLabelledJsonl } from '../src/classification/seed.js';

const fragments = [
  '市民来电反映，在区政务服务中心社保窗口排了两个多小时的队，',
  '网上申请提交了三次都失败，最后还是得跑到窗口交纸质材料，',
  '窗口工作人员态度恶劣，问两句就不耐烦，还让我自己看墙上的指南，',
  '不动产说要先去税务，税务又让回不动产，两边互相推诿，来回跑了四趟，',
  '办公积金提取要交的复印件一大摞，每次只说一样，没有一次性告知，',
  '有人在门口揽客，说交两千块加急费保证当天出证，还说里面有人，',
  '感谢户政窗口的民警耐心细致，老人换身份证十分钟就办好了，',
  '诉求：希望尽快处理并给予答复。',
];

export function benchTexts(count = 2000): string[] {
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    let j = i;
    while (Array.from(s).length < 95) {
      s += fragments[j % fragments.length];
      j = (j * 7 + 3) % 97;
    }
    texts.push(Array.from(s).slice(0, 100).join('') + `（编号${i}）`);
  }
  return texts;
}

/**
 * Every labelled message of the JSONL sets in these folders (under `root`), file by file in name order: its text as
 * the routing memory stores it (subject and text joined), its set's file name and its unit.
 */
export function labelledMessages(root: string, dirs: string[]): Array<{ file: string; text: string; unit: string | null }> {
  return dirs.flatMap((d) => {
    const dir = path.join(root, d);
    return readdirSync(dir)
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .flatMap((file) =>
        readLabelledJsonl(path.join(dir, file)).map((r) => ({ file, text: r.subject ? `${r.subject}。${r.text}` : r.text, unit: r.unit ?? null })),
      );
  });
}
