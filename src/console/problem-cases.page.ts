import type { ImportResult } from '../rectification/cases.service.js';
import { escapeHtml } from '../web/html.js';
import { L } from './layout.js';
import { flashAndError, PROBLEMS_CSS, T_PROBLEMS } from './problems.page.js';

const e = escapeHtml;

/** Strings of the case-log import (导入办件记录), the data the back-trace walks. */
export const T_CASES = {
  title: '导入办件记录',
  intro: '导入政务服务系统导出的办件环节记录（CSV 或 XLSX），倒推分析据此找出卡在哪一步。同一办件再次导入时，以新文件为准。',
  columns: '需要的列：办件编号、事项编码、环节、承办单位、开始时间、结束时间、结果（无时区的时间按北京时间）。',
  upload: '上传文件',
  file: '办件记录文件',
  button: '导入',
  result: '导入结果',
  counts: (cases: number, steps: number) => `已导入 ${cases} 个办件、${steps} 条环节记录。`,
  rejected: (n: number) => `${n} 行未导入：`,
  rowCol: '行号',
  reasonCol: '原因',
  caption: '未导入的行',
  more: (n: number) => `另有 ${n} 行未列出。`,
  back: T_PROBLEMS.back,
};

/** The parser's words for a bad row or file, in Chinese (the parser speaks to the API's callers). */
const WORDS: [RegExp, string][] = [
  [/办件编号 is longer than 100 characters/g, '办件编号超过100个字符'],
  [/(办件编号|环节|承办单位|开始时间) is empty/g, '$1为空'],
  [/(开始时间|结束时间) "([^"]*)" is not a time/g, '$1“$2”不是有效的时间'],
  [/结束时间 is before 开始时间/g, '结束时间早于开始时间'],
  [/事项编码 "([^"]*)" is not in the catalogue/g, '事项编码“$1”不在事项目录中'],
  [/办件 (\S+) is 事项 (\S+) in an earlier row, not (\S+)/g, '办件 $1 在前面的行中是事项 $2，这一行却是 $3'],
  [/; /g, '；'],
];

export function caseReason(reason: string): string {
  return WORDS.reduce((s, [re, to]) => s.replace(re, to), reason);
}

/** A refused file in Chinese. */
export function caseFileError(message: string): string {
  if (/no header row/.test(message)) return '找不到含“办件编号”和“环节”的表头行，请检查文件。';
  const missing = /missing columns: (.*)$/.exec(message);
  if (missing) return `缺少必需的列：${missing[1]!.replace(/, /g, '、')}。`;
  if (/not a readable|no sheet/.test(message)) return '文件无法读取，请上传 CSV 或 XLSX 格式的办件记录。';
  return '文件未能导入，请检查格式后重试。';
}

/** `office`: the back link goes to the problem list; operators, who have no list, go back to their start page. */
export function casesBody(o: { csrf: string; office: boolean; result?: ImportResult; error?: string }): string {
  const T = T_CASES;
  const r = o.result;
  let result = '';
  if (r) {
    const shown = r.rejected.slice(0, 200);
    const rows = shown.map((x) => `<tr><td class="num">${x.row}</td><td>${e(caseReason(x.reason))}</td></tr>`).join('');
    result = `<section class="card" aria-labelledby="h-result"><h2 id="h-result">${T.result}</h2><p role="status">${T.counts(r.cases, r.steps)}</p>${
      r.rejected.length
        ? `<p>${T.rejected(r.rejected.length)}</p><table><caption class="sr">${T.caption}</caption><thead><tr><th scope="col">${T.rowCol}</th><th scope="col">${T.reasonCol}</th></tr></thead><tbody>${rows}</tbody></table>${
            r.rejected.length > shown.length ? `<p class="hint">${T.more(r.rejected.length - shown.length)}</p>` : ''
          }`
        : ''
    }</section>`;
  }
  const back = o.office ? `<a href="/console/problems">${T.back}</a>` : `<a href="/console">${L.backHome}</a>`;
  return `${PROBLEMS_CSS}<p>${back}</p><h1>${T.title}</h1>${flashAndError(undefined, o.error)}${result}
<section class="card" aria-labelledby="h-upload"><h2 id="h-upload">${T.upload}</h2><p>${T.intro}</p><p class="hint" id="cases-hint">${T.columns}</p>
<form method="post" action="/console/problems/cases" enctype="multipart/form-data"><input type="hidden" name="_csrf" value="${e(o.csrf)}">
<label for="cases-file">${T.file}</label><input type="file" id="cases-file" name="file" required accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-describedby="cases-hint">
<p><button type="submit">${T.button}</button></p></form></section>`;
}
