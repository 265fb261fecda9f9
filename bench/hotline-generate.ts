/**
 * Realistic 12345 work-order exports of any length, written as a stream (the file never sits in memory), and a
 * measurement of the streaming reader alone on such a file.
 *
 *   npm run bench:build
 *   node dist-bench/bench/hotline-generate.js <n> <out.csv> [gbk|utf8] [seed]    # write N rows
 *   node dist-bench/bench/hotline-generate.js <n> <out.xlsx>                    # the same rows as a workbook
 *   node dist-bench/bench/hotline-generate.js parse <file.csv|xlsx>             # rows/s and peak RSS of readHotlineFile
 *
 * Rows are built from fragments (callers, units, complaints, demands), with varied appeal types, dates, phones; some
 * cells are quoted because they hold commas, line breaks or quotes, as real exports do.
 */
import { createWriteStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { loadDefaultMapping, readHotlineFile } from '../src/intake/hotline/index.js';
import { seededRandom } from '../src/common/seeded-random.js';

export const HOTLINE_HEADER = ['工单编号', '来电时间', '来电人', '联系电话', '诉求类型', '诉求标题', '诉求内容', '承办单位', '办理时限', '所属区域'];

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const OPENINGS: Record<string, string[]> = {
  投诉: ['市民来电反映，', '市民来电投诉，', '来电人反映，', '来电人系某企业经办人，反映'],
  咨询: ['市民来电咨询，', '来电人想了解，'],
  求助: ['来电人称，', '来电人求助，'],
  建议: ['来电人建议，', '市民来电提出，'],
  举报: ['市民来电举报，', '来电人实名举报，'],
  表扬: ['市民来电表扬，', '来电人表示感谢，'],
};
const PLACES = [
  '在区政务服务中心社保窗口',
  '在不动产登记中心办理过户时',
  '在公积金中心申请提取时',
  '在东城街道便民服务中心',
  '在区婚姻登记处',
  '在办税服务厅',
  '在医保窗口办理异地就医备案时',
  '通过市政务服务App申请',
  '在户政窗口给孩子上户口时',
  '在区市场监管局申请营业执照时',
];
const PROBLEMS: Record<string, string[]> = {
  投诉: [
    '排队两个多小时才轮到，窗口只开了两个',
    '工作人员态度生硬，问两句就不耐烦',
    '被要求提供“无犯罪记录证明”，认为没有依据',
    '材料一次没有说清，前后跑了四趟',
    '网上申请提交三次都失败，页面提示“系统繁忙”',
    '两个部门互相推诿，谁都说不归自己管',
    '已超过承诺时限一周仍未办结，也没人告知进度',
    '自助终端坏了十来天，一直没人维修',
  ],
  咨询: ['需要准备哪些材料、能否网上办理', '办理时限是多久、可否委托家属代办', '跨省办理是否需要本人到场'],
  求助: ['材料提交两个月，窗口说转到后台，后台说没收到', '原单位已改制，开不出要求的证明', '已全额自费垫付，系统查不到备案信息'],
  建议: ['同一材料在社区和街道要重复填写', '复印件要求过多，能共享核查的不应再交', '希望开通周末延时服务'],
  举报: ['有中介称交两千元可以加急，怀疑有内部人员勾结', '现场核查人员暗示要请吃饭才能通过'],
  表扬: ['窗口人员耐心细致，十分钟就办好了', '工作人员主动帮忙预约，还提醒后续手续'],
};
const DEMANDS = ['诉求：尽快办理并答复。', '诉求：明确办理流程，一次性告知。', '诉求：规范工作人员服务行为。', '诉求：查明原因，给予答复。', '诉求：精简材料，减少跑腿。', '无其他诉求。'];
const UNITS = ['区人力资源和社会保障局', '区不动产登记中心', '区住房公积金管理中心', '东城街道办事处', '区民政局', '区税务局', '区医疗保障局', '区公安分局', '区市场监督管理局', '区政务服务管理办公室', ''];
const TYPES: [string, string][] = [
  ['投诉', '10个工作日'],
  ['投诉', '10个工作日'],
  ['投诉类', '10个工作日'],
  ['咨询', '3个工作日'],
  ['求助', '3个工作日'],
  ['建议', '13个工作日'],
  ['举报', '10个工作日'],
  ['表扬', '3个工作日'],
];
const REGIONS = ['示例市安平区', '示例市安平区东城街道', '示例市安平区西城街道'];

/** mulberry32: small, fast, seeded, so a given seed always gives the same file. */
const random = seededRandom;

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** N data rows as cell texts, in HOTLINE_HEADER order; produced lazily. */
export function* hotlineRows(n: number, seed = 12345): Generator<string[]> {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  const pad = (v: number, w = 2): string => String(v).padStart(w, '0');
  for (let i = 1; i <= n; i++) {
    const day = 1 + Math.floor(rnd() * 30);
    const date = `2026-11-${pad(day)}`;
    const time = `${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}`;
    const [type, deadline] = pick(TYPES);
    const gender = rnd() < 0.5 ? '先生' : '女士';
    const kind = type.replace('类', '');
    const problems = PROBLEMS[kind] ?? PROBLEMS.投诉;
    let content = pick(OPENINGS[kind] ?? OPENINGS.投诉) + pick(PLACES) + '，' + pick(problems) + '。' + (rnd() < 0.5 ? pick(problems) + '。' : '');
    content += kind === '表扬' ? '特此表扬。' : pick(DEMANDS);
    // Some operators type ASCII commas, press Enter inside the cell, or quote what was said.
    if (rnd() < 0.1) content = content.replace('，', ', ');
    if (rnd() < 0.05) content = content.replace('诉求', '\n诉求');
    if (rnd() < 0.05) content += ' 来电人原话："你们到底管不管"';
    const title = Array.from(content).slice(0, 14).join('');
    const cells = [
      `AP${date.replace(/-/g, '')}${pad(i, 7)}`,
      rnd() < 0.9 ? `${date} ${time}` : `2026/11/${day} ${time.slice(0, 5)}`,
      pick(SURNAMES.split('')) + gender,
      `1${3 + Math.floor(rnd() * 7)}${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`,
      type,
      title,
      content,
      pick(UNITS),
      deadline,
      pick(REGIONS),
    ];
    yield cells;
  }
}

/** The header line, then N data lines, each ending in CRLF; produced lazily. */
export function* hotlineCsvLines(n: number, seed = 12345): Generator<string> {
  yield HOTLINE_HEADER.join(',') + '\r\n';
  for (const cells of hotlineRows(n, seed)) yield cells.map(csvCell).join(',') + '\r\n';
}

/**
 * The same rows as an XLSX written by exceljs's streaming writer (inline strings, as Java exporters write them), with
 * a title row above the header, real date cells (China wall time) and numeric phone cells.
 */
export async function generateHotlineXlsx(n: number, out: string, opts: { seed?: number } = {}): Promise<{ rows: number; bytes: number }> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useSharedStrings: false, useStyles: true });
  const sheet = workbook.addWorksheet('工单导出');
  sheet.addRow(['示例市12345热线工单导出']).commit();
  sheet.addRow(HOTLINE_HEADER).commit();
  for (const cells of hotlineRows(n, opts.seed ?? 12345)) {
    const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(cells[1]);
    const date = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0))) : cells[1];
    const row = sheet.addRow([cells[0], date, cells[2], Number(cells[3]), ...cells.slice(4)]);
    row.getCell(2).numFmt = 'yyyy-mm-dd hh:mm:ss';
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
  return { rows: n, bytes: statSync(out).size };
}

export interface GenerateOptions {
  encoding?: 'gbk' | 'utf8';
  seed?: number;
}

/** A lazy byte stream of an export: lines are made and encoded only as the reader asks for them. */
export function hotlineCsvStream(n: number, opts: GenerateOptions = {}): Readable {
  const encoding = opts.encoding ?? 'gbk';
  const lines = hotlineCsvLines(n, opts.seed ?? 12345);
  function* chunks(): Generator<Buffer> {
    let batch = '';
    for (const line of lines) {
      batch += line;
      if (batch.length >= 32 * 1024) {
        yield iconv.encode(batch, encoding);
        batch = '';
      }
    }
    if (batch) yield iconv.encode(batch, encoding);
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
}

/** Writes N rows to `out` as a stream. Returns the number of data rows and bytes written. */
export async function generateHotlineCsv(n: number, out: string, opts: GenerateOptions = {}): Promise<{ rows: number; bytes: number }> {
  const file = createWriteStream(out);
  await pipeline(hotlineCsvStream(n, opts), file);
  return { rows: n, bytes: file.bytesWritten };
}

/** Reads a file with readHotlineFile alone and reports rows/s and peak RSS (sampled every 1,000 rows). */
export async function measureParse(file: string): Promise<{ ok: number; rejected: number; seconds: number; rowsPerSecond: number; peakRssMb: number; baseRssMb: number }> {
  const mapping = loadDefaultMapping();
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  let ok = 0;
  let rejected = 0;
  const started = performance.now();
  for await (const r of readHotlineFile(file, { mapping })) {
    if (r.ok) ok++;
    else rejected++;
    if ((ok + rejected) % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  const seconds = (performance.now() - started) / 1000;
  const mb = (b: number): number => Math.round((b / 1048576) * 10) / 10;
  return { ok, rejected, seconds: Math.round(seconds * 100) / 100, rowsPerSecond: Math.round((ok + rejected) / seconds), peakRssMb: mb(peak), baseRssMb: mb(baseRss) };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'parse' && argv[1]) {
    console.log(JSON.stringify(await measureParse(argv[1])));
    return;
  }
  const n = Number(argv[0]);
  const out = argv[1];
  const encoding = argv[2] ?? 'gbk';
  if (!Number.isInteger(n) || n < 0 || !out || (encoding !== 'gbk' && encoding !== 'utf8')) {
    console.error('usage: hotline-generate <n> <out.csv> [gbk|utf8] [seed]\n       hotline-generate parse <file>');
    process.exitCode = 2;
    return;
  }
  const started = performance.now();
  const seed = argv[3] ? Number(argv[3]) : undefined;
  const xlsx = out.toLowerCase().endsWith('.xlsx');
  const r = xlsx ? await generateHotlineXlsx(n, out, { seed }) : await generateHotlineCsv(n, out, { encoding, seed });
  console.log(`${r.rows} rows, ${(r.bytes / 1048576).toFixed(1)} MB (${xlsx ? 'xlsx' : encoding}) → ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
