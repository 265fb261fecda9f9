import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { DomainError, ErrorCode } from '../../common/domain-error.js';
import type { ItemStatus } from '../../items/item.entity.js';
import { STATUS_NAMES, type ItemView } from '../../items/item.types.js';
import { ItemsService } from '../../items/items.service.js';
import { IntakeService } from '../intake.service.js';
import { orderDraft, orderHash } from './hotline-import.service.js';
import { parseChinaDateTime, type HotlineOrder } from './index.js';
import type { HotlineOrderDto } from './hotline.dto.js';
import { chinaTime } from '../../common/china-time.js';
import { Clock } from '../../common/clock.js';

/** Cells a spreadsheet would run as a formula are written as text (a leading apostrophe-like quote). */
export function safeCell(v: string | null | undefined): string {
  const s = v ?? '';
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

@Injectable()
export class HotlineService {
  constructor(
    private readonly ds: DataSource,
    private readonly intake: IntakeService,
    private readonly items: ItemsService,
    private readonly clock: Clock,
  ) {}

  async forward(dto: HotlineOrderDto, actor: Actor): Promise<{ created: boolean; item: ItemView }> {
    const receivedAt = parseChinaDateTime(dto.receivedAt);
    if (!receivedAt) throw new DomainError(ErrorCode.ValidationFailed, `receivedAt: "${dto.receivedAt}" is not a readable time`);
    const order: HotlineOrder = {
      orderNo: dto.orderNo.trim(),
      receivedAt,
      caller: dto.caller ?? null,
      phone: dto.phone ?? null,
      appealType: dto.appealType,
      title: dto.title ?? null,
      content: dto.content,
      assignedUnit: dto.assignedUnit ?? null,
      deadline: dto.deadline ?? null,
      deadlineAt: null,
      deadlineWorkingDays: null,
      region: dto.region ?? null,
      extras: {},
      raw: Object.fromEntries(Object.entries(dto).map(([k, v]) => [k, String(v)])),
    };
    const p = await this.intake.prepare(orderDraft(order));
    const hash = orderHash(order);
    const r = await this.ds.transaction(async (m) => {
      const [res] = await this.intake.storeBatch(m, [{ p, hash }], actor);
      if (!res.created && res.previousHash !== hash) {
        const upd = await m.query(`UPDATE item SET source_hash = $2, updated_at = now() WHERE id = $1 AND source_hash IS DISTINCT FROM $2 RETURNING id`, [res.id, hash]);
        if (upd[0]?.length) {
          await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, $3, 'hotline_update', $4::jsonb, $5)`, [
            res.id,
            actor.id,
            actor.username,
            JSON.stringify({ order: order.raw }),
            this.clock.now(),
          ]);
        }
      }
      return res;
    });
    return { created: r.created, item: await this.items.get(actor, String(r.id)) };
  }

  async resultsXlsx(from: string | undefined, to: string | undefined, res: Response): Promise<void> {
    const range = (v: string | undefined, name: string): Date | null => {
      if (!v) return null;
      const d = parseChinaDateTime(v) ?? new Date(v);
      if (Number.isNaN(d.getTime())) throw new DomainError(ErrorCode.ValidationFailed, `${name}: not a date`);
      return d;
    };
    const f = range(from, 'from');
    const t = range(to, 'to');
    res.status(200);
    res.setHeader('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('Content-Disposition', `attachment; filename="hotline-results.xlsx"`);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: res, useStyles: false, useSharedStrings: false });
    const ws = wb.addWorksheet('办理结果');
    ws.columns = [
      { header: '工单编号', key: 'orderNo', width: 22 },
      { header: '承办单位', key: 'unit', width: 30 },
      { header: '办理状态', key: 'status', width: 10 },
      { header: '答复内容', key: 'answer', width: 60 },
      { header: '办结时间', key: 'closedAt', width: 20 },
    ];
    // streamed in pages, so a year of orders never sits in memory
    let after = 0;
    for (;;) {
      const rows: { id: string; external_id: string; unit: string; status: string; answer: string | null; closed_at: Date | null }[] = await this.ds.query(
        `SELECT i.id, i.external_id, u.name AS unit, i.status, i.closed_at, i.answer_text AS answer
         FROM item i JOIN unit u ON u.id = i.unit_id
         WHERE i.channel = 'hotline' AND i.id > $1 AND ($2::timestamptz IS NULL OR i.received_at >= $2) AND ($3::timestamptz IS NULL OR i.received_at < $3)
         ORDER BY i.id LIMIT 2000`,
        [after, f, t],
      );
      for (const r of rows) {
        ws.addRow({
          orderNo: safeCell(r.external_id),
          unit: safeCell(r.unit),
          status: STATUS_NAMES[r.status as ItemStatus] ?? r.status,
          answer: safeCell(r.answer),
          closedAt: chinaTime(r.closed_at),
        }).commit();
      }
      if (rows.length < 2000) break;
      after = Number(rows[rows.length - 1].id);
    }
    ws.commit();
    await wb.commit();
  }
}
