import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { Clock } from '../../common/clock.js';
import { DomainError, ErrorCode, notFound } from '../../common/domain-error.js';
import type { ItemView } from '../../items/item.types.js';
import { ItemsService } from '../../items/items.service.js';

/** What a new rating's case number met: nothing, other unverified ratings, or a rating the office verified. */
export type CaseLink = 'first' | 'shared' | 'repeated';

/**
 * Case numbers (办件编号) on QR ratings are what the person typed: anyone at the window — staff included — can type
 * one. So a case number never merges ratings: each rating is its own item with its own tracking code (a guessed
 * number reveals nothing and adds to nobody's item), and a later rating is never silenced by an earlier one. Ratings
 * sharing a number at one window are flagged for the office ('shared'); the one-rating-per-service-act rule applies
 * only once the office verifies which is the real one (the others are 'rejected' and stop counting), and to ratings
 * that arrive for a number already verified.
 */
@Injectable()
export class QrCaseService {
  constructor(
    private readonly ds: DataSource,
    private readonly items: ItemsService,
    private readonly clock: Clock,
  ) {}

  async link(itemId: number, caseNo: string): Promise<CaseLink> {
    return this.ds.transaction(async (m) => {
      const [me]: { id: string; window_id: string | null }[] = await m.query(`SELECT id, window_id FROM item WHERE id = $1`, [itemId]);
      if (!me?.window_id) return 'first';
      // two ratings of one case arriving together both see each other
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('qr-case:' || $1 || ':' || $2))`, [me.window_id, caseNo]);
      const others: { id: string; case_check: string | null }[] = await m.query(
        `SELECT id, case_check FROM item WHERE channel = 'qr' AND window_id = $1 AND case_no = $2 AND id <> $3 ORDER BY id FOR UPDATE`,
        [me.window_id, caseNo, itemId],
      );
      if (!others.length) return 'first';
      const now = this.clock.now();
      const verified = others.find((o) => o.case_check === 'verified');
      if (verified) {
        await m.query(`UPDATE item SET case_check = 'rejected', rating_valid = false, updated_at = $2 WHERE id = $1`, [itemId, now]);
        await this.event(m, itemId, now, 'case_number_repeated', { caseNo, verifiedItem: Number(verified.id) });
        return 'repeated';
      }
      const ids = [Number(itemId), ...others.filter((o) => o.case_check !== 'rejected').map((o) => Number(o.id))];
      await m.query(`UPDATE item SET case_check = 'shared', updated_at = $2 WHERE id = ANY($1::bigint[]) AND case_check IS NULL`, [ids, now]);
      for (const id of ids) await this.event(m, id, now, 'case_number_shared', { caseNo, items: ids });
      return 'shared';
    });
  }

  /** The office's decision on a rating's case number: the real one (the others stop counting) or not. */
  async check(actor: Actor, id: string, verified: boolean, note?: string): Promise<ItemView> {
    if (!/^\d{1,18}$/.test(id)) throw notFound('item');
    await this.ds.transaction(async (m) => {
      const [item]: { id: string; channel: string; window_id: string | null; case_no: string | null; case_check: string | null }[] = await m.query(
        `SELECT id, channel, window_id, case_no, case_check FROM item WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!item) throw notFound('item');
      if (item.channel !== 'qr' || !item.case_no || !item.window_id) {
        throw new DomainError(ErrorCode.ValidationFailed, 'only a QR rating with a case number has a case number to check');
      }
      const now = this.clock.now();
      const by = { verified, note: note ?? null };
      if (!verified) {
        await m.query(`UPDATE item SET case_check = 'rejected', rating_valid = false, updated_at = $2 WHERE id = $1`, [id, now]);
        await this.event(m, id, now, 'case_checked', by, actor);
        return;
      }
      // a rating rejected only for its case number counts again; one invalidated by an upheld appeal stays so
      await m.query(
        `UPDATE item SET case_check = 'verified', rating_valid = CASE WHEN case_check = 'rejected' THEN true ELSE rating_valid END,
           updated_at = $2 WHERE id = $1`,
        [id, now],
      );
      await this.event(m, id, now, 'case_checked', by, actor);
      // TypeORM answers an UPDATE … RETURNING with [rows, count]
      const [others]: [{ id: string }[], number] = await m.query(
        `UPDATE item SET case_check = 'rejected', rating_valid = false, updated_at = $4
         WHERE channel = 'qr' AND window_id = $1 AND case_no = $2 AND id <> $3 RETURNING id`,
        [item.window_id, item.case_no, id, now],
      );
      for (const o of others) await this.event(m, o.id, now, 'case_checked', { verified: false, verifiedItem: Number(id), note: note ?? null }, actor);
    });
    return this.items.get(actor, id);
  }

  private async event(m: EntityManager, itemId: string | number, at: Date, kind: string, data: object, actor?: Actor): Promise<void> {
    await m.query(`INSERT INTO item_event (item_id, at, actor_id, actor, kind, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`, [
      itemId,
      at,
      actor?.id ?? null,
      actor?.username ?? 'system',
      kind,
      JSON.stringify(data),
    ]);
  }
}
