import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor.js';
import { Clock } from '../common/clock.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { maskEmail, maskPhone, eraseText, mapStrings } from '../items/masking.js';
import { JobsService } from '../jobs/jobs.service.js';
import { PersonalDataAudit } from './personal-data-audit.service.js';
import { parsePersonKey, PERSONAL_KEY, retentionCutoff, type PersonKey } from './retention.js';

export const RETENTION_JOB = 'privacy.retention';
const BATCH = 500;

export interface PersonExport {
  subject: string;
  exportedAt: string;
  items: {
    id: number;
    channel: string;
    receivedAt: string;
    status: string;
    trackingCode: string;
    contact: { name: string | null; phone: string | null; email: string | null };
    subject: string | null;
    text: string;
    answer: string | null;
    personalDataErasedAt: string | null;
    timeline: { at: string; actor: string; kind: string; data: unknown }[];
  }[];
  mails: { itemId: number | null; from: string | null; subject: string | null; receivedAt: string }[];
}

/**
 * Personal data under PIPL: names, phone numbers and mail addresses are kept only as long as needed. Retention
 * erases them from items closed more than HUB_PERSONAL_DATA_MONTHS ago; a person's data can be exported or erased
 * on request by their phone number or mail address. Erasing keeps what the figures and the follow-up need: the
 * item, its channel, dimension, unit, status and deadlines, its text with ID-card numbers, phone numbers and mail
 * addresses removed, and its timeline (with the same removed); the item's timeline says when it was erased.
 */
@Injectable()
export class PersonalDataService implements OnModuleInit {
  private readonly logger = new Logger(PersonalDataService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    private readonly audit: PersonalDataAudit,
    private readonly jobs: JobsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  onModuleInit(): void {
    const months = this.config.personalDataMonths;
    if (months === null) return;
    // daily at 03:20 China time; singleton: one run at a time across every copy
    this.jobs.define({ name: RETENTION_JOB, policy: 'singleton', cron: '20 3 * * *', retryLimit: 2, handler: () => this.runRetention(SYSTEM_ACTOR).then(() => undefined) });
  }

  /** Erases the personal data of items closed before the cut-off (HUB_PERSONAL_DATA_MONTHS before now). */
  async runRetention(actor: Actor, months = this.config.personalDataMonths): Promise<{ cutoff: string; months: number; erased: number }> {
    if (months === null) throw new DomainError(ErrorCode.Conflict, 'no retention period is set (HUB_PERSONAL_DATA_MONTHS)');
    const now = this.clock.now();
    const cutoff = retentionCutoff(now, months);
    const erasedIds: string[] = [];
    for (;;) {
      const ids = await this.ds.transaction(async (m) => {
        const rows: { id: string }[] = await m.query(
          `SELECT id FROM item WHERE status = 'closed' AND closed_at < $1 AND personal_data_erased_at IS NULL
           ORDER BY closed_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [cutoff, BATCH],
        );
        const batch = rows.map((r) => r.id);
        if (batch.length) await this.eraseItems(m, batch, 'retention', actor, now);
        return batch;
      });
      erasedIds.push(...ids);
      if (ids.length < BATCH) break;
    }
    if (erasedIds.length) {
      await this.audit.record(actor, 'retention_erase', erasedIds, { detail: { cutoff: cutoff.toISOString(), months } });
      this.logger.log({ erased: erasedIds.length, cutoff: cutoff.toISOString() }, 'personal data past retention erased');
    }
    return { cutoff: cutoff.toISOString(), months, erased: erasedIds.length };
  }

  /** Everything the hub holds about one person (by phone number or mail address), unmasked; audited. */
  async exportPerson(actor: Actor, raw: string): Promise<PersonExport> {
    const key = this.key(raw);
    const ids = await this.findPerson(this.ds.manager, key);
    const items: { id: string; channel: string; received_at: Date; status: string; tracking_code: string; contact_name: string | null; contact_phone: string | null;
      contact_email: string | null; subject: string | null; text: string; answer_text: string | null; personal_data_erased_at: Date | null }[] = ids.length
      ? await this.ds.query(
          `SELECT id, channel, received_at, status, tracking_code, contact_name, contact_phone, contact_email, subject, text, answer_text, personal_data_erased_at
           FROM item WHERE id = ANY($1::bigint[]) ORDER BY received_at, id`,
          [ids],
        )
      : [];
    const events: { item_id: string; at: Date; actor: string; kind: string; data: unknown }[] = ids.length
      ? await this.ds.query(`SELECT item_id, at, actor, kind, data FROM item_event WHERE item_id = ANY($1::bigint[]) ORDER BY id`, [ids])
      : [];
    const mails: { item_id: string | null; from_addr: string | null; subject: string | null; created_at: Date }[] = await this.ds.query(
      `SELECT item_id, from_addr, subject, created_at FROM mail_message
       WHERE item_id = ANY($1::bigint[]) OR ($2::text IS NOT NULL AND lower(from_addr) = $2) ORDER BY id`,
      [ids, 'email' in key ? key.email : null],
    );
    await this.audit.record(actor, 'person_export', ids, { subject: this.maskedKey(key) });
    return {
      subject: 'email' in key ? key.email : key.phone,
      exportedAt: this.clock.now().toISOString(),
      items: items.map((i) => ({
        id: Number(i.id),
        channel: i.channel,
        receivedAt: i.received_at.toISOString(),
        status: i.status,
        trackingCode: i.tracking_code,
        contact: { name: i.contact_name, phone: i.contact_phone, email: i.contact_email },
        subject: i.subject,
        text: i.text,
        answer: i.answer_text,
        personalDataErasedAt: i.personal_data_erased_at?.toISOString() ?? null,
        timeline: events.filter((e) => e.item_id === i.id).map((e) => ({ at: e.at.toISOString(), actor: e.actor, kind: e.kind, data: e.data })),
      })),
      mails: mails.map((x) => ({ itemId: x.item_id === null ? null : Number(x.item_id), from: x.from_addr, subject: x.subject, receivedAt: x.created_at.toISOString() })),
    };
  }

  /** Erases one person's data from every item and mail that holds it (their request under PIPL); audited. */
  async erasePerson(actor: Actor, raw: string): Promise<{ items: number; mails: number }> {
    const key = this.key(raw);
    const now = this.clock.now();
    const result = await this.ds.transaction(async (m) => {
      const ids = await this.findPerson(m, key);
      if (ids.length) await this.eraseItems(m, ids, 'request', actor, now);
      // mail from the person that made no item (automatic replies, failures)
      const mails = 'email' in key
        ? await m.query(`UPDATE mail_message SET from_addr = NULL, source = NULL, updated_at = $2 WHERE lower(from_addr) = $1 RETURNING id`, [key.email, now])
        : [[]];
      return { ids, mails: (mails[0] as unknown[]).length };
    });
    await this.audit.record(actor, 'person_erase', result.ids, { subject: this.maskedKey(key), detail: { mails: result.mails } });
    return { items: result.ids.length, mails: result.mails };
  }

  private key(raw: string): PersonKey {
    const key = parsePersonKey(raw ?? '');
    if (!key) throw new DomainError(ErrorCode.ValidationFailed, 'give a phone number (7 or more digits) or a mail address');
    return key;
  }

  private maskedKey(key: PersonKey): string {
    return 'email' in key ? (maskEmail(key.email) as string) : (maskPhone(key.phone) as string);
  }

  /** Items whose contact is the person, or whose text names their number or address. */
  private async findPerson(m: EntityManager, key: PersonKey): Promise<string[]> {
    const rows: { id: string }[] =
      'phone' in key
        ? await m.query(
            `SELECT id FROM item WHERE regexp_replace(coalesce(contact_phone, ''), '\\D', '', 'g') IN ($1, '86' || $1)
               OR strpos(regexp_replace(text || ' ' || coalesce(subject, ''), '[\\s()-]', '', 'g'), $1) > 0 ORDER BY id`,
            [key.phone],
          )
        : await m.query(
            `SELECT id FROM item WHERE lower(contact_email) = $1 OR strpos(lower(text || ' ' || coalesce(subject, '')), $1) > 0
             UNION SELECT item_id FROM mail_message WHERE lower(from_addr) = $1 AND item_id IS NOT NULL ORDER BY id`,
            [key.email],
          );
    return rows.map((r) => String(r.id));
  }

  /**
   * Erases the personal data of these items inside the caller's transaction: contact fields, the channel's raw
   * input, numbers and addresses in the texts and in the timeline, the mails' senders and sources, the addresses of
   * mail to the person (a pending one is not sent); marks each item and notes it on its timeline.
   */
  private async eraseItems(m: EntityManager, ids: string[], reason: 'retention' | 'request', actor: Actor, now: Date): Promise<void> {
    await m.query(
      `UPDATE outbox o SET to_addr = '', body_text = '', last_error = 'personal data erased',
         status = CASE WHEN o.status = 'pending' THEN 'failed' ELSE o.status END
       FROM item i WHERE o.item_id = i.id AND i.id = ANY($1::bigint[]) AND i.contact_email IS NOT NULL AND lower(o.to_addr) = lower(i.contact_email)`,
      [ids],
    );
    const items: { id: string; subject: string | null; text: string; answer_text: string | null; return_reason: string | null }[] = await m.query(
      `SELECT id, subject, text, answer_text, return_reason FROM item WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    await m.query(
      `UPDATE item i SET contact_name = NULL, contact_phone = NULL, contact_email = NULL, person_keys = '{}',
         raw = jsonb_build_object('erased', $7::text), subject = u.subject, text = u.text, answer_text = u.answer, return_reason = u.return_reason,
         personal_data_erased_at = $6
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, subject, text, answer, return_reason)
       WHERE i.id = u.id`,
      [
        items.map((i) => i.id),
        items.map((i) => eraseText(i.subject)),
        items.map((i) => eraseText(i.text)),
        items.map((i) => eraseText(i.answer_text)),
        items.map((i) => eraseText(i.return_reason)),
        now,
        reason,
      ],
    );
    const events: { id: string; data: unknown }[] = await m.query(`SELECT id, data FROM item_event WHERE item_id = ANY($1::bigint[])`, [ids]);
    const changed = events
      .map((e) => ({ id: e.id, before: JSON.stringify(e.data), after: JSON.stringify(scrubEventData(e.data)) }))
      .filter((e) => e.before !== e.after);
    if (changed.length) {
      await m.query(
        `UPDATE item_event e SET data = u.data FROM unnest($1::bigint[], $2::jsonb[]) AS u(id, data) WHERE e.id = u.id`,
        [changed.map((c) => c.id), changed.map((c) => c.after)],
      );
    }
    await m.query(`UPDATE mail_message SET from_addr = NULL, source = NULL, updated_at = $2 WHERE item_id = ANY($1::bigint[])`, [ids, now]);
    await m.query(
      `INSERT INTO item_event (item_id, at, actor_id, actor, kind, data)
       SELECT id, $2, $3, $4, 'personal_data_erased', jsonb_build_object('reason', $5::text) FROM unnest($1::bigint[]) AS id`,
      [ids, now, actor.id, actor.username, reason],
    );
  }
}

/** Timeline data with contact fields emptied and numbers and addresses removed from every text. */
function scrubEventData(data: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, PERSONAL_KEY.test(k) && x !== null ? null : walk(x)]));
    return mapStrings(v, eraseText);
  };
  return walk(data);
}
