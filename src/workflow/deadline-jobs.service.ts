import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { JobsService } from '../jobs/jobs.service.js';
import { OutboxService } from '../notification/outbox.service.js';
import { CatalogCache, type CatalogSnapshot } from '../org/catalog.cache.js';
import { DeadlinesService } from './deadlines.service.js';
import { chinaTime } from '../common/china-time.js';
import { Clock } from '../common/clock.js';

export const REMIND_JOB = 'workflow.remind';
export const OVERDUE_JOB = 'workflow.overdue';
export const REPORT_JOB = 'workflow.report';

interface Claimed {
  id: string;
  due_at: Date;
  status: string;
  tracking_code: string;
  channel: string;
  text: string;
  unit_code: string;
  unit_name: string;
  unit_email: string | null;
}

const BATCH = 500;
const STATUS_NAMES: Record<string, string> = {
  new: '待分派',
  assigned: '待签收',
  returned: '退回待分派',
  accepted: '办理中',
  reopened: '重新办理',
  answered: '待回访',
};

/**
 * The deadline jobs on the PostgreSQL queue. Each scans `item.due_at` (the deadline the item is held to now) through
 * a partial index and claims rows with `UPDATE … WHERE <mark> IS NULL … RETURNING`, writing the timeline and the mail
 * in the same transaction: whichever copy of the service runs the job, and however often, each deadline gives one
 * 催办, one 督办 and one 通报.
 */
@Injectable()
export class DeadlineJobsService implements OnModuleInit {
  private readonly logger = new Logger(DeadlineJobsService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    private readonly outbox: OutboxService,
    private readonly catalog: CatalogCache,
    private readonly deadlines: DeadlinesService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.define({ name: REMIND_JOB, policy: 'singleton', cron: '*/5 * * * *', handler: () => this.remind().then(() => undefined) });
    this.jobs.define({ name: OVERDUE_JOB, policy: 'singleton', cron: '*/5 * * * *', handler: () => this.overdue().then(() => undefined) });
    this.jobs.define({ name: REPORT_JOB, policy: 'singleton', cron: '7 * * * *', handler: () => this.report().then(() => undefined) });
  }

  /** 催办: the unit is reminded one working day (escalation.remindBefore) before the deadline it is held to. */
  async remind(now: Date = this.clock.now()): Promise<number> {
    // a working day before can be ten calendar days before (国庆); the scan window covers that and no more
    const windowDays = this.deadlines.policy.escalation.remindBefore + 12;
    const candidates: { id: string; due_at: Date }[] = await this.ds.query(
      `SELECT id, due_at FROM item
       WHERE reminded_at IS NULL AND due_at IS NOT NULL AND due_at > $1::timestamptz AND due_at <= $1::timestamptz + make_interval(days => $2)`,
      [now, windowDays],
    );
    const due = candidates.filter((c) => this.deadlines.reminderAt(c.due_at) <= now);
    let n = 0;
    for (let i = 0; i < due.length; i += BATCH) {
      const part = due.slice(i, i + BATCH);
      n += await this.claimAndNotify(
        'reminded_at',
        now,
        part.map((c) => c.id),
        part.map((c) => c.due_at),
        async (m, _snap, rows) => {
          for (const r of rows) {
            await this.event(m, r.id, now, 'reminded', { dueAt: r.due_at.toISOString(), status: r.status });
            if (!r.unit_email) continue;
            await this.outbox.enqueue(m, {
              kind: 'reminder',
              dedupeKey: `reminder:${r.id}:${r.due_at.getTime()}`,
              itemId: Number(r.id),
              to: r.unit_email,
              subject: `【催办】${STATUS_NAMES[r.status] ?? ''}事项 ${r.tracking_code} 将于 ${chinaTime(r.due_at)} 到期`,
              text: [
                `${r.unit_name}：`,
                '',
                `事项 ${r.tracking_code}（${STATUS_NAMES[r.status] ?? r.status}）的办理期限为 ${chinaTime(r.due_at)}，请抓紧办理。`,
                '如需延期，请在期限前提出申请。',
                '',
                `内容摘要：${excerpt(r.text)}`,
              ].join('\n'),
            });
          }
        },
      );
    }
    return n;
  }

  /** 督办: past the deadline the item is marked overdue; the office and the unit are told. */
  async overdue(now: Date = this.clock.now()): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.claimAndNotify('overdue_notified_at', now, null, null, async (m, snap, rows) => {
        const office = snap.catalog.units.find((u) => u.code === (snap.triageUnitCode ?? snap.supervisionUnitCode));
        for (const r of rows) {
          await this.event(m, r.id, now, 'overdue', { dueAt: r.due_at.toISOString(), status: r.status, unit: r.unit_code });
          const lines = [
            `事项 ${r.tracking_code}（${STATUS_NAMES[r.status] ?? r.status}）已超过办理期限 ${chinaTime(r.due_at)}。`,
            `责任单位：${r.unit_name}`,
            '',
            `内容摘要：${excerpt(r.text)}`,
          ];
          if (office?.email) {
            await this.outbox.enqueue(m, {
              kind: 'overdue',
              dedupeKey: `overdue:office:${r.id}:${r.due_at.getTime()}`,
              itemId: Number(r.id),
              to: office.email,
              subject: `【督办】${r.unit_name} 事项 ${r.tracking_code} 已超期`,
              text: [`${office.name}：`, '', ...lines].join('\n'),
            });
          }
          if (r.unit_email && r.unit_email !== office?.email) {
            await this.outbox.enqueue(m, {
              kind: 'overdue',
              dedupeKey: `overdue:unit:${r.id}:${r.due_at.getTime()}`,
              itemId: Number(r.id),
              to: r.unit_email,
              subject: `【督办】事项 ${r.tracking_code} 已超期，请立即办理`,
              text: [`${r.unit_name}：`, '', ...lines, '', `超期${this.deadlines.policy.escalation.reportAfter}个工作日将予以通报。`].join('\n'),
            });
          }
        }
      });
      total += n;
      if (n < BATCH) break;
    }
    return total;
  }

  /** 通报: five working days (escalation.reportAfter) past the deadline, the item goes on the overdue list. */
  async report(now: Date = this.clock.now()): Promise<number> {
    const after = this.deadlines.policy.escalation.reportAfter;
    // N working days overdue is at least N calendar days: a cheap indexed pre-filter, the calendar decides
    const candidates: { id: string; due_at: Date }[] = await this.ds.query(
      `SELECT id, due_at FROM item WHERE reported_at IS NULL AND due_at IS NOT NULL AND due_at < $1::timestamptz - make_interval(days => $2)`,
      [now, after],
    );
    const due = candidates.filter((c) => this.deadlines.overdue(c.due_at, now).report);
    let n = 0;
    for (let i = 0; i < due.length; i += BATCH) {
      const part = due.slice(i, i + BATCH);
      n += await this.claimAndNotify(
        'reported_at',
        now,
        part.map((c) => c.id),
        part.map((c) => c.due_at),
        async (m, _snap, rows) => {
          for (const r of rows) {
            const { workingDays } = this.deadlines.overdue(r.due_at, now);
            await this.event(m, r.id, now, 'reported', { dueAt: r.due_at.toISOString(), workingDaysOverdue: workingDays, unit: r.unit_code });
          }
        },
      );
    }
    return n;
  }

  /**
   * Claims rows for one mark in one transaction: the given ids (each still at the deadline it was chosen for), or
   * the next batch of overdue ones. A row another copy claimed first is not returned, so it is not told twice.
   */
  private async claimAndNotify(
    mark: 'reminded_at' | 'overdue_notified_at' | 'reported_at',
    now: Date,
    ids: string[] | null,
    dues: Date[] | null,
    notify: (m: EntityManager, snap: CatalogSnapshot, rows: Claimed[]) => Promise<void>,
  ): Promise<number> {
    const snap = await this.catalog.get();
    const rows = await this.ds.transaction(async (m) => {
      const claimed: Claimed[] = await m.query(
        ids
          ? `WITH c AS (
               UPDATE item i SET ${mark} = $1 FROM unnest($2::bigint[], $3::timestamptz[]) AS c(id, due)
               WHERE i.id = c.id AND i.due_at = c.due AND i.${mark} IS NULL
               RETURNING i.id, i.due_at, i.status, i.tracking_code, i.channel, i.text, i.unit_id)
             SELECT c.id, c.due_at, c.status, c.tracking_code, c.channel, c.text, u.code AS unit_code, u.name AS unit_name,
               u.email AS unit_email
             FROM c JOIN unit u ON u.id = c.unit_id`
          : `WITH c AS (
               UPDATE item i SET ${mark} = $1
               WHERE i.id IN (SELECT id FROM item WHERE ${mark} IS NULL AND due_at IS NOT NULL AND due_at < $1
                              ORDER BY due_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
                 AND i.${mark} IS NULL
               RETURNING i.id, i.due_at, i.status, i.tracking_code, i.channel, i.text, i.unit_id)
             SELECT c.id, c.due_at, c.status, c.tracking_code, c.channel, c.text, u.code AS unit_code, u.name AS unit_name,
               u.email AS unit_email
             FROM c JOIN unit u ON u.id = c.unit_id`,
        ids ? [now, ids, dues] : [now],
      );
      await notify(m, snap, claimed);
      return claimed;
    });
    if (rows.length > 0) {
      this.logger.log({ mark, items: rows.length }, 'deadline marks');
      this.outbox.kickSoon();
    }
    return rows.length;
  }

  private async event(m: EntityManager, itemId: string, at: Date, kind: string, data: Record<string, unknown>): Promise<void> {
    await m.query(`INSERT INTO item_event (item_id, at, actor, kind, data) VALUES ($1, $2, 'system', $3, $4::jsonb)`, [
      itemId,
      at,
      kind,
      JSON.stringify(data),
    ]);
  }
}

const excerpt = (t: string): string => Array.from(t).slice(0, 200).join('');
