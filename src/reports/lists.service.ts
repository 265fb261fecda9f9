import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { DIMENSION_NAMES, type Label } from '../classification/dimensions.js';
import type { ItemStatus } from '../items/item.entity.js';
import { CHANNEL_NAMES, STATUS_NAMES, type Channel } from '../items/item.types.js';
import { CatalogCache } from '../org/catalog.cache.js';
import { PROBLEM_KIND_NAMES, PROBLEM_STATUS_NAMES, type ProblemKind, type ProblemStatus } from '../rectification/problems.service.js';
import { chinaTime } from '../common/china-time.js';
import { ReportsService, type Period, type Scope } from './reports.service.js';
import { Clock } from '../common/clock.js';

export const LIST_NAMES = ['problems', 'responsibilities', 'measures', 'results', 'ledger', 'bad-reviews', 'overdue'] as const;
export type ListName = (typeof LIST_NAMES)[number];

export const LIST_TITLES: Record<ListName, string> = {
  problems: '问题清单',
  responsibilities: '责任清单',
  measures: '措施清单',
  results: '成效清单',
  ledger: '整改台账',
  'bad-reviews': '差评整改台账',
  overdue: '超期通报',
};

type Cell = string | number | null;

// eslint-disable-next-line no-control-regex -- removing them is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/**
 * A text cell that a spreadsheet program will not run: text beginning with = + - @ (or a tab or carriage return,
 * which some programs skip before reading a formula) gets a leading apostrophe. Characters XML cannot carry go.
 */
export function safeCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  const s = String(v).replace(CONTROL, '');
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

const dim = (d: string | null): string => (d ? `${d} ${DIMENSION_NAMES[d as Label] ?? ''}`.trim() : '');

interface ProblemRow {
  id: string;
  title: string;
  root_cause: string;
  dimension: string;
  blocked_step: string | null;
  kind: string;
  deadline: Date | null;
  status: string;
  units: string[];
  evidence: string | null;
  created_at: Date;
  done_at: Date | null;
  verified_at: Date | null;
  items: number;
  measures: { text: string; actor: string; at: string }[];
}

const PAGE = 2000;

/** The programme's lists as spreadsheets with Chinese headers, streamed to the answer. */
@Injectable()
export class ListsService {
  constructor(
    private readonly ds: DataSource,
    private readonly reports: ReportsService,
    private readonly catalog: CatalogCache,
    private readonly clock: Clock,
  ) {}

  async write(name: ListName, p: Period, out: Writable): Promise<void> {
    const scope = await this.reports.scope(p);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet(LIST_TITLES[name]);
    let n = 0;
    const header = (cols: { h: string; w?: number }[]): void => {
      ws.columns = cols.map((c) => ({ header: c.h, width: c.w ?? 14 }));
      ws.getRow(1).font = { bold: true };
    };
    const add = (cells: unknown[]): void => {
      n++;
      ws.addRow([n, ...cells].map(safeCell)).commit();
    };
    const units = await this.unitNames();
    const unitList = (codes: string[]) => codes.map((c) => units.get(c) ?? c).join('、');

    if (name === 'bad-reviews') {
      header([
        { h: '序号', w: 6 },
        { h: '查询码', w: 16 },
        { h: '渠道', w: 10 },
        { h: '窗口', w: 20 },
        { h: '事项', w: 20 },
        { h: '评价时间', w: 17 },
        { h: '评分', w: 6 },
        { h: '评价内容', w: 40 },
        { h: '责任单位', w: 24 },
        { h: '办理状态', w: 10 },
        { h: '整改答复', w: 40 },
        { h: '答复时间', w: 17 },
        { h: '回访结果', w: 10 },
        { h: '评价有效', w: 8 },
      ]);
      for await (const r of this.pages(scope, `rating <= 2`)) {
        add([
          r.tracking_code,
          CHANNEL_NAMES[r.channel as Channel] ?? r.channel,
          r.window_name,
          r.item_name,
          chinaTime(r.received_at),
          r.rating,
          r.text,
          r.unit_name,
          STATUS_NAMES[r.status as ItemStatus] ?? r.status,
          r.answer_text,
          chinaTime(r.answered_at),
          r.callback_satisfied === null ? '' : r.callback_satisfied ? '满意' : '不满意',
          r.rating_valid ? '是' : '否（申诉成立）',
        ]);
      }
    } else if (name === 'overdue') {
      header([
        { h: '序号', w: 6 },
        { h: '查询码', w: 16 },
        { h: '责任单位', w: 24 },
        { h: '渠道', w: 10 },
        { h: '收到时间', w: 17 },
        { h: '办理期限', w: 17 },
        { h: '超期工作日', w: 10 },
        { h: '办理状态', w: 10 },
        { h: '是否通报', w: 8 },
        { h: '内容摘要', w: 40 },
      ]);
      const { items } = await this.reports.overdue(p, 100_000);
      for (const r of items) {
        add([
          r.trackingCode,
          r.unitName,
          CHANNEL_NAMES[r.channel as Channel] ?? r.channel,
          chinaTime(new Date(r.receivedAt)),
          chinaTime(new Date(r.dueAt)),
          r.workingDaysOverdue,
          STATUS_NAMES[r.status as ItemStatus] ?? r.status,
          r.reported ? '是' : '否',
          r.text,
        ]);
      }
    } else {
      const problems = await this.problems(scope, name === 'results' ? `p.status IN ('done', 'verified')` : null);
      const measures = (p: ProblemRow) => p.measures.map((m, i) => `${i + 1}. ${m.text}`).join('\n');
      switch (name) {
        case 'problems':
          header([
            { h: '序号', w: 6 },
            { h: '问题编号', w: 8 },
            { h: '问题', w: 30 },
            { h: '问题根源', w: 40 },
            { h: '维度', w: 8 },
            { h: '堵点环节', w: 12 },
            { h: '责任单位', w: 30 },
            { h: '整改类型', w: 10 },
            { h: '整改期限', w: 12 },
            { h: '状态', w: 8 },
            { h: '关联事项数', w: 10 },
            { h: '发现时间', w: 17 },
          ]);
          for (const p of problems) {
            add([Number(p.id), p.title, p.root_cause, dim(p.dimension), p.blocked_step, unitList(p.units), PROBLEM_KIND_NAMES[p.kind as ProblemKind], chinaTime(p.deadline).slice(0, 10), PROBLEM_STATUS_NAMES[p.status as ProblemStatus], p.items, chinaTime(p.created_at)]);
          }
          break;
        case 'responsibilities':
          header([
            { h: '序号', w: 6 },
            { h: '责任单位', w: 30 },
            { h: '问题编号', w: 8 },
            { h: '问题', w: 30 },
            { h: '维度', w: 8 },
            { h: '整改类型', w: 10 },
            { h: '整改期限', w: 12 },
            { h: '状态', w: 8 },
          ]);
          for (const p of problems) {
            for (const u of p.units) {
              if (scope.unitCodes && !scope.unitCodes.includes(u)) continue;
              add([units.get(u) ?? u, Number(p.id), p.title, dim(p.dimension), PROBLEM_KIND_NAMES[p.kind as ProblemKind], chinaTime(p.deadline).slice(0, 10), PROBLEM_STATUS_NAMES[p.status as ProblemStatus]]);
            }
          }
          break;
        case 'measures':
          header([
            { h: '序号', w: 6 },
            { h: '问题编号', w: 8 },
            { h: '问题', w: 30 },
            { h: '责任单位', w: 30 },
            { h: '整改措施', w: 50 },
            { h: '录入人', w: 12 },
            { h: '录入时间', w: 17 },
          ]);
          for (const p of problems) for (const m of p.measures) add([Number(p.id), p.title, unitList(p.units), m.text, m.actor, chinaTime(new Date(m.at))]);
          break;
        case 'results':
          header([
            { h: '序号', w: 6 },
            { h: '问题编号', w: 8 },
            { h: '问题', w: 30 },
            { h: '责任单位', w: 30 },
            { h: '整改措施', w: 50 },
            { h: '整改成效', w: 50 },
            { h: '完成时间', w: 17 },
            { h: '验收时间', w: 17 },
            { h: '关联事项数', w: 10 },
          ]);
          for (const p of problems) add([Number(p.id), p.title, unitList(p.units), measures(p), p.evidence, chinaTime(p.done_at), chinaTime(p.verified_at), p.items]);
          break;
        case 'ledger':
          header([
            { h: '序号', w: 6 },
            { h: '问题编号', w: 8 },
            { h: '问题', w: 30 },
            { h: '维度', w: 8 },
            { h: '责任单位', w: 30 },
            { h: '整改类型', w: 10 },
            { h: '整改期限', w: 12 },
            { h: '状态', w: 8 },
            { h: '整改措施', w: 50 },
            { h: '整改成效', w: 50 },
            { h: '完成时间', w: 17 },
            { h: '验收时间', w: 17 },
            { h: '是否超期', w: 8 },
          ]);
          for (const p of problems) {
            const finished = p.done_at ?? null;
            const late = p.deadline ? (finished ?? this.clock.now()) > p.deadline : false;
            add([Number(p.id), p.title, dim(p.dimension), unitList(p.units), PROBLEM_KIND_NAMES[p.kind as ProblemKind], chinaTime(p.deadline).slice(0, 10), PROBLEM_STATUS_NAMES[p.status as ProblemStatus], measures(p), p.evidence, chinaTime(p.done_at), chinaTime(p.verified_at), late ? '是' : '否']);
          }
          break;
      }
    }
    ws.commit();
    await wb.commit();
  }

  private async unitNames(): Promise<Map<string, string>> {
    const snap = await this.catalog.get();
    return new Map(snap.catalog.units.map((u) => [u.code, u.name]));
  }

  private async problems(s: Scope, extra: string | null): Promise<ProblemRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (s.from) where.push(`p.created_at >= $${params.push(s.from)}`);
    if (s.to) where.push(`p.created_at <= $${params.push(s.to)}`);
    if (s.unitCodes) where.push(`p.units && $${params.push(s.unitCodes)}::text[]`);
    if (extra) where.push(extra);
    return this.ds.query(
      `SELECT p.id, p.title, p.root_cause, p.dimension, p.blocked_step, p.kind, p.deadline, p.status, p.units, p.evidence,
         p.created_at, p.done_at, p.verified_at,
         (SELECT count(*)::int FROM problem_item pi WHERE pi.problem_id = p.id) AS items,
         coalesce((SELECT json_agg(json_build_object('text', m.text, 'actor', m.actor, 'at', m.at) ORDER BY m.id)
                   FROM problem_measure m WHERE m.problem_id = p.id), '[]') AS measures
       FROM problem p ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY p.id`,
      params,
    );
  }

  /** Items of the scope matching `cond`, in pages by id (a list of a whole year must not sit in memory at once). */
  private async *pages(s: Scope, cond: string): AsyncGenerator<{
    id: string;
    tracking_code: string;
    channel: string;
    window_name: string | null;
    item_name: string | null;
    received_at: Date;
    rating: number | null;
    text: string;
    unit_name: string;
    status: string;
    answer_text: string | null;
    answered_at: Date | null;
    callback_satisfied: boolean | null;
    rating_valid: boolean;
  }> {
    const w = this.reports.itemWhere(s, 'i');
    let after = '0';
    for (;;) {
      const params = [...w.params, after];
      const rows = await this.ds.query(
        `SELECT i.id, i.tracking_code, i.channel, w.name AS window_name, si.name AS item_name, i.received_at, i.rating, i.text,
           u.name AS unit_name, i.status, i.answer_text, i.answered_at, i.callback_satisfied, i.rating_valid
         FROM item i JOIN unit u ON u.id = i.unit_id
         LEFT JOIN service_window w ON w.id = i.window_id LEFT JOIN service_item si ON si.id = i.service_item_id
         ${w.sql ? `${w.sql} AND` : 'WHERE'} ${cond.replace(/\brating\b/g, 'i.rating')} AND i.id > $${params.length}
         ORDER BY i.id LIMIT ${PAGE}`,
        params,
      );
      for (const r of rows) yield r;
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }
}
