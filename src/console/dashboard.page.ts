import { DIMENSION_NAMES, DIMENSIONS } from '../classification/dimensions.js';
import { CHANNEL_NAMES, CHANNELS } from '../items/item.types.js';
import { LIST_NAMES, LIST_TITLES } from '../reports/lists.service.js';
import type { Summary, TrendPoint } from '../reports/reports.service.js';
import { escapeHtml } from '../web/html.js';

/** Strings of the dashboard. */
export const T_DASH = {
  title: '数据看板',
  from: '开始日期',
  to: '结束日期',
  unit: '统计单位',
  allUnits: '全部单位',
  show: '查看',
  presetsLabel: '快捷期间',
  presets: { week: '本周', lastWeek: '上周', month: '本月', lastMonth: '上月', year: '本年' } as Record<Preset, string>,
  period: (from: string, to: string) => `统计期间：${from} 至 ${to}（北京时间，按收到时间统计）`,
  kpiHeading: '主要指标',
  kpi: {
    total: '收到事项',
    goodShare: '好评率',
    badRectifiedShare: '差评整改率',
    acceptedOnTimeShare: '按时签收率',
    answeredOnTimeShare: '按时答复率',
    satisfiedShare: '回访满意率',
    overdueNow: '当前超期',
    problems: '发现问题',
  },
  sub: {
    total: (n: number) => `有效评价 ${n} 条`,
    good: (n: number, of: number) => `好评 ${n} / 有效评价 ${of}`,
    rectified: (n: number, of: number) => `已整改 ${n} / 差评 ${of}`,
    accepted: (n: number, of: number) => `按时 ${n} / 应签收 ${of}`,
    answered: (n: number, of: number) => `按时 ${n} / 应答复 ${of}`,
    satisfied: (n: number, of: number) => `满意 ${n} / 已回访 ${of}`,
    overdue: '截至现在，全部未办结事项',
    problems: (solved: number, verified: number) => `已解决 ${solved}，已验收 ${verified}`,
  },
  none: '—',
  noData: '本期暂无数据',
  table: '查看数据表',
  charts: {
    trend: { week: '收到事项（按周）', day: '收到事项（按日）' },
    dimension: '问题维度分布',
    channel: '受理渠道分布',
    unit: '事项最多的单位（前10）',
    rating: '评价等级分布（有效评价）',
  },
  cols: { week: '周（起始日）', day: '日期', dimension: '维度', channel: '渠道', unit: '单位', rating: '评价等级' },
  series: { items: '收到事项', good: '好评', bad: '差评', count: '事项数', ratings: '评价数' },
  unclassified: '未分类',
  stars: (n: string) => `${n}星`,
  topWindows: '问题最多的窗口',
  topItems: '问题最多的服务事项',
  topCols: { name: '名称', code: '编码', problems: '问题数' },
  exports: '导出清单',
  exportsHint: '导出本页所选期间和单位的清单（XLSX）。',
  items: '事项清单（本期收到）',
  itemsOfUnit: '事项清单（本期收到，所选单位本级）',
  overdueItems: '当前超期事项',
  errorIntro: '无法统计：',
  chartAria: (title: string) => `${title}图表，数据见下方数据表`,
};

export type Preset = 'week' | 'lastWeek' | 'month' | 'lastMonth' | 'year';
export const PRESETS: readonly Preset[] = ['week', 'lastWeek', 'month', 'lastMonth', 'year'];

/** One chart and its table: the same figures drawn (with script) and listed (always). */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'trend' | 'bar' | 'hbar' | 'pie';
  /** header of the table's first column */
  category: string;
  categories: string[];
  series: { name: string; data: number[] }[];
}

export interface DashboardView {
  form: { from: string; to: string; unit: string };
  preset: Preset | null;
  presets: Record<Preset, { from: string; to: string }>;
  units: { code: string; name: string }[];
  error?: string;
  summary?: Summary;
  trend?: { grain: 'week' | 'day'; points: TrendPoint[] };
}

const pct = (x: number | null): string => (x === null ? T_DASH.none : `${(x * 100).toFixed(1)}%`);

/** A share as the dashboard shows it (the tests compare with ReportsService through this). */
export const formatShare = pct;

export function dashboardCharts(s: Summary, trend: { grain: 'week' | 'day'; points: TrendPoint[] }): ChartSpec[] {
  const c = T_DASH.charts;
  const dims: { k: string; name: string }[] = DIMENSIONS.map((d) => ({ k: d, name: `${d} ${DIMENSION_NAMES[d]}` }));
  if (s.items.byDimension.none) dims.push({ k: 'none', name: DIMENSION_NAMES.none });
  if (s.items.byDimension.unclassified) dims.push({ k: 'unclassified', name: T_DASH.unclassified });
  const channels = CHANNELS.filter((ch) => (s.items.byChannel[ch] ?? 0) > 0);
  // channels the catalogue does not name (should not happen) still count
  const otherChannels = Object.keys(s.items.byChannel).filter((k) => !(CHANNELS as readonly string[]).includes(k));
  const units = s.items.byUnit.slice(0, 10);
  const oneYear = trend.points.length === 0 || trend.points[0].start.slice(0, 4) === trend.points[trend.points.length - 1].start.slice(0, 4);
  return [
    {
      id: 'trend',
      title: c.trend[trend.grain],
      kind: 'trend',
      category: T_DASH.cols[trend.grain],
      // 11-02 within one year; 2025-12-29 when the period crosses years
      categories: trend.points.map((p) => (oneYear ? p.start.slice(5) : p.start)),
      series: [
        { name: T_DASH.series.items, data: trend.points.map((p) => p.items) },
        { name: T_DASH.series.good, data: trend.points.map((p) => p.good) },
        { name: T_DASH.series.bad, data: trend.points.map((p) => p.bad) },
      ],
    },
    {
      id: 'dimension',
      title: c.dimension,
      kind: 'bar',
      category: T_DASH.cols.dimension,
      categories: dims.map((d) => d.name),
      series: [{ name: T_DASH.series.count, data: dims.map((d) => s.items.byDimension[d.k] ?? 0) }],
    },
    {
      id: 'channel',
      title: c.channel,
      kind: 'pie',
      category: T_DASH.cols.channel,
      categories: [...channels.map((ch) => CHANNEL_NAMES[ch]), ...otherChannels],
      series: [{ name: T_DASH.series.count, data: [...channels, ...otherChannels].map((ch) => s.items.byChannel[ch] ?? 0) }],
    },
    {
      id: 'unit',
      title: c.unit,
      kind: 'hbar',
      category: T_DASH.cols.unit,
      categories: units.map((u) => u.name || u.unit),
      series: [{ name: T_DASH.series.count, data: units.map((u) => u.items) }],
    },
    {
      id: 'rating',
      title: c.rating,
      kind: 'bar',
      category: T_DASH.cols.rating,
      categories: (['1', '2', '3', '4', '5'] as const).map(T_DASH.stars),
      series: [{ name: T_DASH.series.ratings, data: (['1', '2', '3', '4', '5'] as const).map((k) => s.ratings.distribution[k]) }],
    },
  ];
}

/** JSON inside a <script> element: nothing in it can close the element or start markup. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function query(p: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

function chartCard(c: ChartSpec): string {
  const total = c.series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  const head = `<tr><th scope="col">${escapeHtml(c.category)}</th>${c.series.map((s) => `<th scope="col" class="num">${escapeHtml(s.name)}</th>`).join('')}</tr>`;
  const rows = c.categories
    .map((cat, i) => `<tr><th scope="row">${escapeHtml(cat)}</th>${c.series.map((s) => `<td class="num">${s.data[i]}</td>`).join('')}</tr>`)
    .join('');
  const table = c.categories.length
    ? `<table><caption class="sr">${escapeHtml(c.title)}</caption><thead>${head}</thead><tbody>${rows}</tbody></table>`
    : `<p class="empty">${T_DASH.noData}</p>`;
  // the drawing area stays hidden until the script has drawn into it; without script the table is open
  const chart = total > 0 ? `<div class="chart" id="chart-${c.id}" role="img" aria-label="${escapeHtml(T_DASH.chartAria(c.title))}" hidden></div>` : `<p class="empty chart-empty">${T_DASH.noData}</p>`;
  return `<section class="card chart-card" aria-labelledby="h-${c.id}"><h2 id="h-${c.id}">${escapeHtml(c.title)}</h2>${chart}<details id="table-${c.id}" open><summary>${T_DASH.table}</summary>${table}</details></section>`;
}

function kpi(key: string, label: string, value: string, sub: string, warn = false): string {
  return `<div class="kpi${warn ? ' warn' : ''}"><div class="k" id="k-${key}">${escapeHtml(label)}</div><div class="v" data-kpi="${key}" aria-describedby="k-${key}">${escapeHtml(value)}</div><div class="s">${escapeHtml(sub)}</div></div>`;
}

function kpis(s: Summary): string {
  const k = T_DASH.kpi;
  const sub = T_DASH.sub;
  return `<section class="kpis" aria-labelledby="kpi-h"><h2 class="sr" id="kpi-h">${T_DASH.kpiHeading}</h2>${[
    kpi('total', k.total, String(s.items.total), sub.total(s.ratings.total)),
    kpi('goodShare', k.goodShare, pct(s.ratings.goodShare), sub.good(s.ratings.good, s.ratings.total)),
    kpi('badRectifiedShare', k.badRectifiedShare, pct(s.ratings.badRectifiedShare), sub.rectified(s.ratings.badRectified, s.ratings.bad)),
    kpi('acceptedOnTimeShare', k.acceptedOnTimeShare, pct(s.onTime.acceptedOnTimeShare), sub.accepted(s.onTime.acceptedOnTime, s.onTime.acceptDue)),
    kpi('answeredOnTimeShare', k.answeredOnTimeShare, pct(s.onTime.answeredOnTimeShare), sub.answered(s.onTime.answeredOnTime, s.onTime.answerDue)),
    kpi('satisfiedShare', k.satisfiedShare, pct(s.callbacks.satisfiedShare), sub.satisfied(s.callbacks.satisfied, s.callbacks.total)),
    kpi('overdueNow', k.overdueNow, String(s.overdueNow), sub.overdue, s.overdueNow > 0),
    kpi('problems', k.problems, String(s.problems.found), sub.problems(s.problems.solved, s.problems.verified)),
  ].join('')}</section>`;
}

function topTable(id: string, title: string, rows: { code: string; name: string; problems: number }[]): string {
  const c = T_DASH.topCols;
  const body = rows.length
    ? `<table><thead><tr><th scope="col">${c.name}</th><th scope="col">${c.code}</th><th scope="col" class="num">${c.problems}</th></tr></thead><tbody>${rows
        .map((r) => `<tr><th scope="row">${escapeHtml(r.name || r.code)}</th><td>${escapeHtml(r.code)}</td><td class="num">${r.problems}</td></tr>`)
        .join('')}</tbody></table>`
    : `<p class="empty">${T_DASH.noData}</p>`;
  return `<section class="card top" aria-labelledby="h-${id}"><h2 id="h-${id}">${escapeHtml(title)}</h2>${body}</section>`;
}

function periodForm(v: DashboardView): string {
  const f = v.form;
  const opts = [`<option value="">${T_DASH.allUnits}</option>`, ...v.units.map((u) => `<option value="${escapeHtml(u.code)}"${u.code === f.unit ? ' selected' : ''}>${escapeHtml(u.name)}</option>`)];
  const presets = PRESETS.map((p) => {
    const r = v.presets[p];
    return `<li><a href="/console/dashboard${escapeHtml(query({ from: r.from, to: r.to, unit: f.unit }))}"${v.preset === p ? ' aria-current="page"' : ''}>${T_DASH.presets[p]}</a></li>`;
  }).join('');
  return `<div class="dash-head"><h1>${T_DASH.title}</h1>
<form class="inline period" method="get" action="/console/dashboard">
<div><label for="from">${T_DASH.from}</label><input type="date" id="from" name="from" value="${escapeHtml(f.from)}" required></div>
<div><label for="to">${T_DASH.to}</label><input type="date" id="to" name="to" value="${escapeHtml(f.to)}" required></div>
<div><label for="unit">${T_DASH.unit}</label><select id="unit" name="unit">${opts.join('')}</select></div>
<button type="submit">${T_DASH.show}</button></form>
<nav aria-label="${T_DASH.presetsLabel}"><ul class="tabs presets">${presets}</ul></nav></div>`;
}

function exportsCard(v: DashboardView): string {
  const p = { from: v.form.from, to: v.form.to, unit: v.form.unit };
  const links = LIST_NAMES.map((n) => `<li><a class="btn" href="/console/exports/${n}.xlsx${escapeHtml(query(p))}" download>${LIST_TITLES[n]}</a></li>`);
  // the items list filters by the unit itself (ItemFilter.unit), not by the units below it as the figures do
  links.push(`<li><a class="btn" href="/console/exports/items.xlsx${escapeHtml(query(p))}" download>${v.form.unit ? T_DASH.itemsOfUnit : T_DASH.items}</a></li>`);
  links.push(`<li><a class="btn" href="/console/exports/items.xlsx${escapeHtml(query({ overdue: 'true', unit: v.form.unit }))}" download>${T_DASH.overdueItems}</a></li>`);
  return `<section class="card" aria-labelledby="h-exports"><h2 id="h-exports">${T_DASH.exports}</h2><p class="hint">${T_DASH.exportsHint}</p><ul class="exports">${links.join('')}</ul></section>`;
}

export function dashboardBody(v: DashboardView): string {
  const head = `<style>${DASHBOARD_CSS}</style>${periodForm(v)}`;
  if (v.error || !v.summary || !v.trend) {
    return `${head}<div class="msg err" role="alert">${T_DASH.errorIntro}${escapeHtml(v.error ?? '')}</div>`;
  }
  const s = v.summary;
  const charts = dashboardCharts(s, v.trend);
  const byId = new Map(charts.map((c) => [c.id, c]));
  const card = (id: string) => chartCard(byId.get(id) as ChartSpec);
  const topWindows = s.topWindows.map((w) => ({ code: w.window, name: w.name, problems: w.problems }));
  const topItems = s.topServiceItems.map((w) => ({ code: w.serviceItem, name: w.name, problems: w.problems }));
  return `${head}<p class="hint period-line">${escapeHtml(T_DASH.period(v.form.from, v.form.to))}</p>
${kpis(s)}
<div class="charts">${card('trend')}${card('dimension')}${card('channel')}${card('unit')}</div>
<div class="charts three">${card('rating')}${topTable('top-windows', T_DASH.topWindows, topWindows)}${topTable('top-items', T_DASH.topItems, topItems)}</div>
${exportsCard(v)}
<script type="application/json" id="dash-data">${scriptJson({ charts })}</script>`;
}

/** Screen-specific styles (the shared CSS stays as it is). */
export const DASHBOARD_CSS = `
.dash-head{display:flex;flex-wrap:wrap;align-items:end;gap:6px 20px;margin:0 0 2px}
.dash-head h1{margin:0 8px 4px 0}
.dash-head form.period{gap:8px}
.dash-head form.period label{font-size:14px;margin:0 0 2px}
.dash-head input[type=date]{font:inherit;padding:5px 8px;border:1px solid #5b6b7d;border-radius:6px;min-height:38px;color:#1a1a1a;background:#fff}
.dash-head select{width:auto;max-width:16em}
.dash-head .presets{margin:0 0 2px}
.dash-head .presets a{padding:5px 12px}
.period-line{margin:2px 0 6px}
.kpis{display:grid;grid-template-columns:repeat(8,minmax(0,1fr));gap:10px;margin:0 0 12px}
.kpi{background:#fff;border:1px solid #c5ced9;border-left:5px solid #1f5fa8;border-radius:8px;padding:6px 10px}
.kpi.warn{border-left-color:#b3261e}
.kpi .k{font-size:14px;color:#44505d;font-weight:700}
.kpi .v{font-size:26px;font-weight:700;line-height:1.2;color:#123f73}
.kpi.warn .v{color:#a4001a}
.kpi .s{font-size:12.5px;color:#44505d;line-height:1.3}
.charts{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px;margin:0 0 12px}
.charts .card{margin:0}
.charts.three{grid-template-columns:minmax(0,1.2fr) minmax(0,1fr) minmax(0,1fr)}
.card.top{padding:8px 12px}
.card.top h2{font-size:16px;margin:0 0 4px}
.card.top table{font-size:14px}
.card.top th,.card.top td{padding:4px 8px}
.chart-card{padding:8px 12px}
.chart-card h2{font-size:16px;margin:0 0 2px}
.chart{height:178px;width:100%}
.chart-empty{height:178px;display:flex;align-items:center;justify-content:center}
details summary{cursor:pointer;color:#0b4a8f;font-size:14px;padding:2px 0}
details table{margin-top:4px;font-size:14px}
th.num,td.num{text-align:right}
ul.exports{display:flex;flex-wrap:wrap;gap:8px;list-style:none;margin:8px 0 0;padding:0}
a.btn{display:inline-block;padding:6px 14px;border:1px solid #0b4a8f;border-radius:6px;background:#fff;font-weight:700;text-decoration:none;min-height:38px}
a.btn:hover{background:#eaf2fc}
`;

/**
 * Draws every chart from the figures in #dash-data with the same-origin ECharts (SVG: crisp text at any zoom).
 * Runs only when ECharts loaded; otherwise the open tables are the page.
 */
export const DASHBOARD_SCRIPT = `(function(){
var data=document.getElementById('dash-data');var E=window.echarts;if(!data||!E)return;
var charts=JSON.parse(data.textContent).charts;
var COLORS=['#1f5fa8','#2e7d32','#c62828','#d9822b','#6a4c93','#00838f','#8d6e00','#5b6b7d'];
var CATEGORY=['#1f5fa8','#00838f','#6a4c93','#d9822b','#8d6e00','#5b6b7d','#9e9e9e'];
var RATING=['#b3261e','#e0604f','#8a99ab','#66a96b','#2e7d32'];
var FONT='system-ui,"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei",sans-serif';
var base={color:COLORS,aria:{enabled:true},animation:false,textStyle:{fontFamily:FONT,fontSize:13,color:'#1a1a1a'},
  tooltip:{trigger:'axis',axisPointer:{type:'shadow'}},grid:{left:8,right:24,top:30,bottom:4,containLabel:true}};
function opt(c){
  var o=JSON.parse(JSON.stringify(base));
  var axisLabel={color:'#1a1a1a',fontSize:12};
  if(c.kind==='pie'){
    o.color=CATEGORY;o.tooltip={trigger:'item',formatter:'{b}：{c}（{d}%）'};
    o.legend={orient:'vertical',right:8,top:'middle',textStyle:{color:'#1a1a1a'}};
    o.series=[{type:'pie',name:c.series[0].name,radius:['42%','72%'],center:['38%','52%'],
      label:{formatter:'{c}',color:'#1a1a1a'},data:c.categories.map(function(n,i){return{name:n,value:c.series[0].data[i]}})}];
    return o;
  }
  var cat={type:'category',data:c.categories,axisLabel:axisLabel,axisTick:{alignWithLabel:true}};
  var val={type:'value',minInterval:1,axisLabel:axisLabel,splitLine:{lineStyle:{color:'#e1e6ec'}}};
  if(c.kind==='hbar'){
    cat.inverse=true;cat.axisLabel={color:'#1a1a1a',fontSize:11,width:160,overflow:'truncate',interval:0};
    o.xAxis=val;o.yAxis=cat;o.grid.top=4;
    o.series=[{type:'bar',name:c.series[0].name,data:c.series[0].data,barMaxWidth:18,label:{show:true,position:'right',color:'#1a1a1a'}}];
    return o;
  }
  o.xAxis=cat;o.yAxis=val;
  if(c.kind==='trend'){
    o.legend={top:0,textStyle:{color:'#1a1a1a'}};
    o.series=c.series.map(function(s,i){return i===0
      ?{type:'bar',name:s.name,data:s.data,barMaxWidth:36,itemStyle:{color:'#1f5fa8'}}
      :{type:'line',name:s.name,data:s.data,symbolSize:7,lineStyle:{width:3},itemStyle:{color:i===1?'#2e7d32':'#c62828'}}});
    return o;
  }
  var pal=c.id==='rating'?RATING:CATEGORY;
  o.series=[{type:'bar',name:c.series[0].name,barMaxWidth:40,label:{show:true,position:'top',color:'#1a1a1a'},
    data:c.series[0].data.map(function(v,i){return{value:v,itemStyle:{color:pal[i%pal.length]}}})}];
  return o;
}
var drawn=[];
charts.forEach(function(c){
  var box=document.getElementById('chart-'+c.id);if(!box)return;
  box.hidden=false;
  var ch=E.init(box,null,{renderer:'svg',locale:'ZH'});
  ch.setOption(opt(c));
  // ECharts' aria text replaces ours; keep the pointer to the table
  box.setAttribute('role','img');
  drawn.push(ch);
  var t=document.getElementById('table-'+c.id);if(t)t.open=false;
});
var timer;window.addEventListener('resize',function(){clearTimeout(timer);timer=setTimeout(function(){drawn.forEach(function(ch){ch.resize()})},150)});
})();`;
