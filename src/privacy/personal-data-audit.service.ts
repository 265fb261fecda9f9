import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';

export type AuditAction = 'item_view' | 'items_export' | 'person_export' | 'person_erase' | 'retention_erase';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  role: string;
  action: AuditAction;
  itemIds: number[];
  subject: string | null;
  detail: Record<string, unknown>;
}

/** Item ids kept with one entry; an export of more keeps the count (and these first ids). */
const MAX_IDS = 10_000;

/**
 * Who opened unmasked personal data, when, and which items (PIPL): a supervisor's or an admin's item page, an export
 * with phone numbers, a person's data exported or erased, retention erasing. Append-only; readable by admins.
 */
@Injectable()
export class PersonalDataAudit {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  async record(actor: Actor, action: AuditAction, itemIds: (number | string)[], opts: { subject?: string | null; detail?: Record<string, unknown> } = {}): Promise<void> {
    await this.ds.query(
      `INSERT INTO personal_data_access (at, actor_id, actor, role, action, item_ids, subject, detail) VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7, $8::jsonb)`,
      [
        this.clock.now(),
        actor.id,
        actor.username,
        actor.role,
        action,
        itemIds.slice(0, MAX_IDS).map(String),
        opts.subject ?? null,
        JSON.stringify({ ...opts.detail, ...(itemIds.length > MAX_IDS ? { items: itemIds.length } : {}) }),
      ],
    );
  }

  async list(page: number, pageSize: number, filter: { action?: AuditAction; actor?: string } = {}): Promise<{ entries: AuditEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.action) where.push(`action = $${params.push(filter.action)}`);
    if (filter.actor) where.push(`lower(actor) = lower($${params.push(filter.actor)})`);
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = await this.ds.query(`SELECT count(*)::int AS total FROM personal_data_access ${w}`, params);
    const rows: { id: string; at: Date; actor: string; role: string; action: AuditAction; item_ids: string[]; subject: string | null; detail: Record<string, unknown> }[] =
      await this.ds.query(
        `SELECT id, at, actor, role, action, item_ids::text[] AS item_ids, subject, detail FROM personal_data_access ${w}
         ORDER BY at DESC, id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
        [...params, pageSize, (page - 1) * pageSize],
      );
    return {
      total,
      entries: rows.map((r) => ({
        id: Number(r.id),
        at: r.at.toISOString(),
        actor: r.actor,
        role: r.role,
        action: r.action,
        itemIds: r.item_ids.map(Number),
        subject: r.subject,
        detail: r.detail,
      })),
    };
  }
}
