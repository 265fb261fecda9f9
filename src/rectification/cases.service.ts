import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import { ItemsRepository } from '../items/items.repository.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { DeadlinesService } from '../workflow/deadlines.service.js';
import { backtrace, type BacktraceEvidence, type BacktraceFinding, type StepTrace } from './backtrace.js';
import { CaseFileError, readCaseFile, type CaseFileRow, type Rejected } from './case-file.js';
import { Clock } from '../common/clock.js';

export interface ImportResult {
  cases: number;
  steps: number;
  rejected: Rejected[];
}

export interface BacktraceAnswer {
  caseNo: string | null;
  serviceItem: string | null;
  steps: StepTrace[];
  blocked: {
    step: string;
    unit: string;
    units: string[];
    dimension: string;
    finding: BacktraceFinding;
    reason: string;
    evidence: BacktraceEvidence;
  }[];
  /** log rows (1-based, in the case's order) that match no catalogue step */
  unmatched: number[];
  warnings: string[];
}

/** A unit as written in a log → its code: by code, name or alias (case and spaces ignored); null when unknown. */
export function unitCodeOf(snap: CatalogSnapshot, written: string): string | null {
  const w = written.replace(/\s+/g, '').toUpperCase();
  for (const u of snap.catalog.units) {
    if (u.code.toUpperCase() === w || u.name.replace(/\s+/g, '') === w || u.aliases.some((a) => a.replace(/\s+/g, '').toUpperCase() === w)) return u.code;
  }
  return null;
}

/** Cases (办件) with their step logs, and the back-trace of an item over its case. */
@Injectable()
export class CasesService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: ItemsRepository,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  /**
   * Stores every case in the file; a case that is imported again gets the file's steps in place of the old ones, so
   * a corrected export can simply be imported again. Rows of one case must agree on its 事项编码.
   */
  async importFile(buf: Buffer, actor: Actor): Promise<ImportResult> {
    let parsed: { rows: CaseFileRow[]; rejected: Rejected[] };
    try {
      parsed = await readCaseFile(buf);
    } catch (e) {
      if (e instanceof CaseFileError) throw new DomainError(ErrorCode.ValidationFailed, `file: ${e.message}`);
      throw e;
    }
    const snap = await this.catalog.get();
    const rejected = [...parsed.rejected];
    const byCase = new Map<string, { itemCode: string | null; rows: CaseFileRow[] }>();
    for (const r of parsed.rows) {
      if (r.itemCode && !snap.itemIdByCode.has(r.itemCode)) {
        rejected.push({ row: r.row, reason: `事项编码 "${r.itemCode}" is not in the catalogue` });
        continue;
      }
      const c = byCase.get(r.caseNo) ?? { itemCode: null, rows: [] };
      if (r.itemCode && c.itemCode && r.itemCode !== c.itemCode) {
        rejected.push({ row: r.row, reason: `办件 ${r.caseNo} is 事项 ${c.itemCode} in an earlier row, not ${r.itemCode}` });
        continue;
      }
      c.itemCode ??= r.itemCode;
      c.rows.push(r);
      byCase.set(r.caseNo, c);
    }
    let steps = 0;
    const importedAt = this.clock.now();
    await this.ds.transaction(async (m) => {
      for (const [caseNo, c] of byCase) {
        const [{ id }] = await m.query(
          `INSERT INTO case_record (case_no, service_item_code, imported_by, imported_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (case_no) DO UPDATE SET service_item_code = coalesce(EXCLUDED.service_item_code, case_record.service_item_code),
             imported_at = EXCLUDED.imported_at, imported_by = EXCLUDED.imported_by
           RETURNING id`,
          [caseNo, c.itemCode, actor.id, importedAt],
        );
        await m.query(`DELETE FROM case_step WHERE case_id = $1`, [id]);
        const sorted = [...c.rows].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.row - b.row);
        await m.query(
          `INSERT INTO case_step (case_id, seq, step, unit_text, unit_code, started_at, ended_at, result)
           SELECT $1, s.seq, s.step, s.unit_text, s.unit_code, s.started_at, s.ended_at, s.result
           FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])
             AS s(seq, step, unit_text, unit_code, started_at, ended_at, result)`,
          [
            id,
            sorted.map((_, i) => i + 1),
            sorted.map((r) => r.step),
            sorted.map((r) => r.unit),
            sorted.map((r) => unitCodeOf(snap, r.unit)),
            sorted.map((r) => r.startedAt),
            sorted.map((r) => r.endedAt),
            sorted.map((r) => r.result),
          ],
        );
        steps += sorted.length;
      }
    });
    rejected.sort((a, b) => a.row - b.row);
    return { cases: byCase.size, steps, rejected };
  }

  /**
   * Walks the item's case backwards against its service item's approval chain (rectification/backtrace.ts) and
   * proposes the blocked steps. No case number, no case data or no chain → an empty proposal that staff fill in.
   */
  async backtrace(actor: Actor, itemId: string, now: Date = this.clock.now()): Promise<BacktraceAnswer> {
    const item = await this.repo.findVisible(actor, itemId);
    if (!item) throw notFound('item');
    const snap = await this.catalog.get();
    const empty = (warning: string | null, serviceItem: string | null = item.item_code): BacktraceAnswer => ({
      caseNo: item.case_no,
      serviceItem,
      steps: [],
      blocked: [],
      unmatched: [],
      warnings: warning ? [warning] : [],
    });
    if (!item.case_no) return empty('该事项没有办件编号，请人工倒查');
    const [c] = await this.ds.query(`SELECT id, service_item_code FROM case_record WHERE case_no = $1`, [item.case_no]);
    if (!c) return empty(`未导入办件 ${item.case_no} 的办理记录，请人工倒查`);
    const code: string | null = item.item_code ?? c.service_item_code;
    const service = snap.catalog.items.find((i) => i.code === code);
    if (!service) return empty('无法确定办件对应的事项，请人工倒查', code);
    const rows: { step: string; unit_text: string; unit_code: string | null; started_at: Date; ended_at: Date | null; result: string | null }[] =
      await this.ds.query(`SELECT step, unit_text, unit_code, started_at, ended_at, result FROM case_step WHERE case_id = $1 ORDER BY seq`, [c.id]);
    const r = backtrace({
      chain: service.steps,
      steps: rows.map((s) => ({ step: s.step, unit: s.unit_code ?? s.unit_text, startedAt: s.started_at, endedAt: s.ended_at, result: s.result })),
      calendar: this.deadlines.calendar,
      leadUnit: service.unit,
      now,
    });
    const answer: BacktraceAnswer = {
      caseNo: item.case_no,
      serviceItem: service.code,
      steps: r.steps,
      blocked: r.blocked.map((b) => ({
        step: b.step,
        unit: b.unit,
        units: b.units,
        dimension: b.dimension,
        finding: b.finding,
        reason: b.reason,
        evidence: b.evidence,
      })),
      unmatched: r.unmatched.map((i) => i + 1),
      warnings: r.warnings,
    };
    await this.ds.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'backtraced', $4::jsonb, $5)`, [
      item.id,
      actor.id,
      actor.username,
      JSON.stringify({ caseNo: item.case_no, serviceItem: service.code, blocked: answer.blocked.map((b) => ({ step: b.step, unit: b.unit, dimension: b.dimension, finding: b.finding })) }),
      now,
    ]);
    return answer;
  }
}
