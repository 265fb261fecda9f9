import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../../common/domain-error.js';
import { HUB_CONFIG, type HubConfig, type ImapConfig } from '../../config/config.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { OutboxService } from '../../notification/outbox.service.js';
import { IntakeService } from '../intake.service.js';
import { AckLimiter } from './ack-limit.js';
import { mailFacts } from './mail-kind.js';
import { Clock } from '../../common/clock.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { ComponentStateService } from '../../health/component-state.service.js';

export interface PollResult {
  fetched: number;
  created: number;
  threaded: number;
  automatic: number;
  duplicates: number;
  failed: number;
  skipped?: string;
}

type Outcome = 'item' | 'threaded' | 'automatic' | 'failed' | 'duplicate';

/** A mail that could not be processed, as the office sees it. */
export interface MailFailure { id: number; uid: number; from: string | null; subject: string | null; reason: string; retries: number; at: string }

export const POLL_JOB = 'mailbox.poll';
const PROCESSED = 'Processed';
const FAILED = 'Failed';
const BATCH = 50;
const MAX_SOURCE_KEPT = 25 * 1024 * 1024;

/**
 * The public complaint mailbox, polled over IMAP. Mail is taken in UID order from a checkpoint kept in the store
 * (UIDVALIDITY, last UID) — never from the \Seen flag — and each becomes an item once: idempotent on Message-ID and
 * on (UIDVALIDITY, UID). Only after the item is committed is the mail flagged and moved to `Processed`; a mail that
 * cannot be processed goes to `Failed` with a failure record that can be retried. Nothing is deleted. One poller
 * runs at a time across every copy of the service (an advisory lock), whether started by the schedule or by hand.
 */
@Injectable()
export class MailboxService implements OnModuleInit {
  private readonly logger = new Logger(MailboxService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly intake: IntakeService,
    private readonly outbox: OutboxService,
    private readonly jobs: JobsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly states: ComponentStateService,
    private readonly ackLimiter: AckLimiter,
  ) {}

  onModuleInit(): void {
    if (!this.config.imap) return;
    this.jobs.define({
      name: POLL_JOB,
      policy: 'stately',
      cron: '* * * * *',
      expireInSeconds: 30 * 60,
      retryLimit: 0,
      handler: async () => {
        await this.poll();
        // come back after IMAP_POLL_SECONDS (the minute schedule is the safety net)
        await this.jobs.send(POLL_JOB, {}, { startAfter: this.config.imapPollSeconds });
      },
    });
  }

  async poll(): Promise<PollResult> {
    const imap = this.config.imap;
    if (!imap) throw new DomainError(ErrorCode.Conflict, 'no mailbox is configured (IMAP_HOST is unset)');
    const result: PollResult = { fetched: 0, created: 0, threaded: 0, automatic: 0, duplicates: 0, failed: 0 };
    const lock = this.ds.createQueryRunner();
    await lock.connect();
    try {
      const [{ got }] = await lock.query(`SELECT pg_try_advisory_lock(hashtext('feedback-hub:mailbox-poll')) AS got`);
      if (!got) {
        this.metrics.mailboxPolls.inc({ result: 'skipped' });
        return { ...result, skipped: 'another poll is running' };
      }
      try {
        await this.pollLocked(imap, result);
        await this.states.record('mailbox', true);
        this.metrics.mailboxPolls.inc({ result: 'ok' });
      } catch (e) {
        // readiness and /metrics on every copy show the mailbox failing until a poll succeeds
        await this.states.record('mailbox', false, (e as Error)?.message ?? String(e));
        this.metrics.mailboxPolls.inc({ result: 'failed' });
        throw e;
      } finally {
        for (const outcome of ['created', 'threaded', 'automatic', 'duplicates', 'failed'] as const) {
          if (result[outcome]) this.metrics.mailboxMessages.inc({ outcome }, result[outcome]);
        }
        await lock.query(`SELECT pg_advisory_unlock(hashtext('feedback-hub:mailbox-poll'))`);
      }
    } finally {
      await lock.release();
    }
    if (result.created || result.threaded) this.outbox.kickSoon();
    this.logger.log({ ...result }, 'mailbox polled');
    return result;
  }

  private client(imap: ImapConfig): ImapFlow {
    return new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
    });
  }

  private async pollLocked(imap: ImapConfig, result: PollResult): Promise<void> {
    const client = this.client(imap);
    await client.connect();
    try {
      for (const box of [PROCESSED, FAILED]) await client.mailboxCreate(box).catch(() => undefined);
      const lock = await client.getMailboxLock(imap.mailbox);
      try {
        const mailbox = client.mailbox;
        if (!mailbox) throw new Error(`cannot open ${imap.mailbox}`);
        const uidValidity = String(mailbox.uidValidity); // a BigInt in imapflow
        const [state] = await this.ds.query(`SELECT uid_validity::text, last_uid::text FROM mailbox_state WHERE mailbox = $1`, [imap.mailbox]);
        // a new UIDVALIDITY means the server renumbered the box: start over (Message-IDs still prevent duplicates)
        const lastUid = state && state.uid_validity === uidValidity ? Number(state.last_uid) : 0;
        const uids = ((await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || []).filter((u) => u > lastUid).sort((a, b) => a - b);
        for (let i = 0; i < uids.length; i += BATCH) {
          const batch = uids.slice(i, i + BATCH);
          // collect first: issuing IMAP commands inside a running FETCH deadlocks imapflow
          const messages = await client.fetchAll(batch.join(','), { uid: true, source: true }, { uid: true });
          messages.sort((a, b) => a.uid - b.uid);
          const moves: Record<string, number[]> = { [PROCESSED]: [], [FAILED]: [] };
          for (const msg of messages) {
            result.fetched++;
            const outcome = await this.process(imap.mailbox, uidValidity, msg.uid, msg.source ?? Buffer.alloc(0));
            result[outcomeKey(outcome)]++;
            moves[outcome === 'failed' ? FAILED : PROCESSED].push(msg.uid);
          }
          for (const [folder, list] of Object.entries(moves)) {
            if (!list.length) continue;
            await client.messageFlagsAdd(list.join(','), ['\\Seen'], { uid: true });
            await client.messageMove(list.join(','), folder, { uid: true });
          }
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** One mail, start to end, in its own try/catch: a bad mail is recorded as failed and never blocks the rest. */
  async process(mailbox: string, uidValidity: string, uid: number, source: Buffer, retryOf?: number): Promise<Outcome> {
    let parsed: ParsedMail | null = null;
    try {
      parsed = await simpleParser(source, { skipHtmlToText: false, maxHtmlLengthToParse: 2_000_000 });
      const messageId = parsed.messageId ?? null;
      const facts = mailFacts(parsed);
      const from = parsed.from?.value?.[0] ?? null;
      const subject = (parsed.subject ?? '').slice(0, 500);
      const base = { mailbox, uidValidity, uid, messageId, from: from?.address ?? null, subject, retryOf };

      if (messageId && !retryOf) {
        const [seen] = await this.ds.query(`SELECT id FROM mail_message WHERE message_id = $1 AND outcome <> 'duplicate'`, [messageId]);
        if (seen) return this.record({ ...base, outcome: 'duplicate', itemId: null, reason: `same Message-ID as mail record ${seen.id}` });
      }
      const text = mailText(parsed);
      if (facts.automatic) {
        return this.record({ ...base, outcome: 'automatic', itemId: null, reason: facts.automatic });
      }
      // a reply to our acknowledgement, or a mail naming its tracking code, goes onto that item
      const target = await this.threadTarget(facts.replyTo, facts.trackingCode);
      if (target) {
        await this.ds.transaction(async (m) => {
          await m.query(`INSERT INTO item_event (item_id, actor, kind, data, at) VALUES ($1, 'public', 'mail_reply', $2::jsonb, $3)`, [
            target,
            JSON.stringify({ from: from?.address ?? null, subject, text: text.slice(0, 20_000), messageId }),
            this.clock.now(),
          ]);
          await m.query(`UPDATE item SET updated_at = now() WHERE id = $1`, [target]);
          await this.recordIn(m, { ...base, outcome: 'threaded', itemId: target, reason: null });
        });
        return 'threaded';
      }
      if (!text.trim() && !subject.trim()) throw new Error('no readable text in the mail');
      const { kept, dropped } = attachmentPlan(parsed, this.config.mailMaxBytes);
      const prepared = await this.intake.prepare({
        channel: 'email',
        externalId: messageId ?? `uid:${mailbox}:${uidValidity}:${uid}`,
        receivedAt: mailDate(parsed.date, this.clock.now()),
        subject: subject || null,
        text: text || subject,
        contact: { name: from?.name || null, email: from?.address ?? null },
        raw: {
          messageId,
          from: parsed.from?.text ?? null,
          to: Array.isArray(parsed.to) ? parsed.to.map((t) => t.text) : (parsed.to?.text ?? null),
          subject,
          date: parsed.date?.toISOString() ?? null,
          attachments: [...kept.map((a) => ({ filename: a.filename ?? null, size: a.size, kept: true })), ...dropped],
          html: parsed.text ? undefined : 'converted from HTML',
        },
      });
      let itemId = 0;
      await this.ds.transaction(async (m) => {
        const r = await this.intake.store(m, prepared, SYSTEM_ACTOR);
        itemId = r.id;
        if (r.created && from?.address) {
          // the acknowledgement, in the same transaction; its Message-ID lets the person's reply thread back. The
          // sender is whoever the mail claims, so: limited per address and domain, and none of the mail's own text
          // in it (the subject is ours; the reply threads by In-Reply-To)
          const admitted = await this.ackLimiter.admit(m, from.address);
          if (admitted.ok) {
            await this.outbox.enqueue(m, {
              kind: 'ack',
              dedupeKey: `ack:${r.id}`,
              itemId: r.id,
              to: from.address,
              subject: `[查询码 ${r.trackingCode}] 我们已收到您的来信`,
              text: ackText(r.trackingCode, this.config.publicUrl),
              inReplyTo: messageId,
            });
          } else {
            await m.query(`INSERT INTO item_event (item_id, actor, kind, data, at) VALUES ($1, 'system', 'ack_withheld', $2::jsonb, $3)`, [
              r.id,
              JSON.stringify({ reason: admitted.reason }),
              this.clock.now(),
            ]);
          }
        }
        if (dropped.length) {
          await m.query(`INSERT INTO item_event (item_id, actor, kind, data, at) VALUES ($1, 'system', 'attachments_dropped', $2::jsonb, $3)`, [
            r.id,
            JSON.stringify({ dropped, limitBytes: this.config.mailMaxBytes }),
            this.clock.now(),
          ]);
        }
        await this.recordIn(m, { ...base, outcome: r.created ? 'item' : 'duplicate', itemId: r.id, reason: r.created ? null : 'already an item' });
      });
      this.storeAttachments(itemId, kept);
      return 'item';
    } catch (e) {
      const reason = String((e as Error)?.message ?? e).slice(0, 1000);
      this.logger.warn({ mailbox, uid, reason }, 'mail could not be processed');
      await this.record({
        mailbox,
        uidValidity,
        uid,
        messageId: parsed?.messageId ?? null,
        from: parsed?.from?.value?.[0]?.address ?? null,
        subject: parsed?.subject?.slice(0, 500) ?? null,
        outcome: 'failed',
        itemId: null,
        reason,
        source: source.length <= MAX_SOURCE_KEPT ? source : null,
        retryOf,
      }).catch((err: unknown) => this.logger.error({ err }, 'could not record a failed mail'));
      return 'failed';
    }
  }

  async failures(): Promise<MailFailure[]> {
    const rows = await this.ds.query(
      `SELECT id, uid, from_addr, subject, reason, retries, updated_at FROM mail_message WHERE outcome = 'failed' ORDER BY id DESC LIMIT 500`,
    );
    return rows.map(failureView);
  }

  /** One page of the failed mails, newest first, with how many there are (the console's list). */
  async failurePage(page: number, pageSize: number): Promise<{ rows: MailFailure[]; total: number }> {
    const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM mail_message WHERE outcome = 'failed'`);
    const rows = await this.ds.query(
      `SELECT id, uid, from_addr, subject, reason, retries, updated_at FROM mail_message WHERE outcome = 'failed' ORDER BY id DESC LIMIT $1 OFFSET $2`,
      [pageSize, (page - 1) * pageSize],
    );
    return { rows: rows.map(failureView), total: n };
  }

  /** Processes a failed mail again from the copy kept with its failure record; on success its record is updated. */
  async retry(id: number): Promise<{ outcome: Outcome }> {
    const [row] = await this.ds.query(`SELECT mailbox, uid_validity::text, uid, source FROM mail_message WHERE id = $1 AND outcome = 'failed'`, [id]);
    if (!row) throw notFound('failed mail');
    if (!row.source) throw new DomainError(ErrorCode.Conflict, 'this mail was too large to keep a copy; retry it from the Failed folder by hand');
    const outcome = await this.process(row.mailbox, row.uid_validity, Number(row.uid), row.source as Buffer, id);
    return { outcome };
  }

  private async threadTarget(replyTo: string[], trackingCode: string | null): Promise<number | null> {
    if (replyTo.length) {
      const [r] = await this.ds.query(`SELECT item_id FROM outbox WHERE message_id = ANY($1) AND item_id IS NOT NULL ORDER BY id LIMIT 1`, [replyTo]);
      if (r) return Number(r.item_id);
      const [m] = await this.ds.query(`SELECT item_id FROM mail_message WHERE message_id = ANY($1) AND item_id IS NOT NULL ORDER BY id LIMIT 1`, [replyTo]);
      if (m) return Number(m.item_id);
    }
    if (trackingCode) {
      const [t] = await this.ds.query(`SELECT id FROM item WHERE tracking_code = $1`, [trackingCode]);
      if (t) return Number(t.id);
    }
    return null;
  }

  private async record(r: MailRecord): Promise<Outcome> {
    await this.ds.transaction((m) => this.recordIn(m, r));
    return r.outcome;
  }

  /** The mail's record and the checkpoint move together, in the caller's transaction. */
  private async recordIn(m: import('typeorm').EntityManager, r: MailRecord): Promise<void> {
    await m.query(
      `INSERT INTO mail_message (mailbox, uid_validity, uid, message_id, outcome, item_id, from_addr, subject, reason, source)
       VALUES ($1, $2::bigint, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET outcome = EXCLUDED.outcome, item_id = EXCLUDED.item_id,
         reason = EXCLUDED.reason, source = EXCLUDED.source, message_id = EXCLUDED.message_id,
         retries = mail_message.retries + CASE WHEN mail_message.outcome = 'failed' THEN 1 ELSE 0 END, updated_at = now()`,
      [r.mailbox, r.uidValidity, r.uid, r.messageId, r.outcome, r.itemId, r.from, r.subject, r.reason, r.outcome === 'failed' ? (r.source ?? null) : null],
    );
    if (r.retryOf === undefined) {
      await m.query(
        `INSERT INTO mailbox_state (mailbox, uid_validity, last_uid) VALUES ($1, $2::bigint, $3)
         ON CONFLICT (mailbox) DO UPDATE SET
           last_uid = CASE WHEN mailbox_state.uid_validity = EXCLUDED.uid_validity THEN greatest(mailbox_state.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END,
           uid_validity = EXCLUDED.uid_validity, updated_at = now()`,
        [r.mailbox, r.uidValidity, r.uid],
      );
    }
  }

  private storeAttachments(itemId: number, kept: { filename?: string; content: Buffer }[]): void {
    if (!kept.length || !itemId) return;
    const dir = path.join(this.config.dataDir, 'attachments', String(itemId));
    mkdirSync(dir, { recursive: true });
    kept.forEach((a, i) => {
      const safe = (a.filename ?? `attachment-${i + 1}`).replace(/[/\\\0]/g, '_').replace(/^\.+/, '_').slice(0, 150);
      writeFileSync(path.join(dir, `${i + 1}-${safe}`), a.content);
    });
  }
}

interface FailureRow {
  id: string;
  uid: string;
  from_addr: string | null;
  subject: string | null;
  reason: string;
  retries: number;
  updated_at: Date;
}

function failureView(r: FailureRow): MailFailure {
  return { id: Number(r.id), uid: Number(r.uid), from: r.from_addr, subject: r.subject, reason: r.reason, retries: r.retries, at: r.updated_at.toISOString() };
}

interface MailRecord {
  mailbox: string;
  uidValidity: string;
  uid: number;
  messageId: string | null;
  from: string | null;
  subject: string | null;
  outcome: Outcome;
  itemId: number | null;
  reason: string | null;
  source?: Buffer | null;
  retryOf?: number;
}

function outcomeKey(o: Outcome): 'created' | 'threaded' | 'automatic' | 'failed' | 'duplicates' {
  switch (o) {
    case 'item':
      return 'created';
    case 'duplicate':
      return 'duplicates';
    case 'threaded':
    case 'automatic':
    case 'failed':
      return o;
  }
}

/** The body as text: the text part, else the HTML converted to text (mailparser does it); blank runs collapsed. */
export function mailText(mail: ParsedMail): string {
  const text = (mail.text ?? '').replace(/\r\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
  return text.slice(0, 100_000);
}

function mailDate(d: Date | undefined, now: Date): Date {
  if (!d || Number.isNaN(d.getTime())) return now;
  // a mail dated in the future (a wrong clock) counts from when we got it
  return d.getTime() > now.getTime() + 24 * 3600 * 1000 ? now : d;
}

/** Attachments kept up to the per-mail cap; what is past it is dropped and noted on the item. */
function attachmentPlan(mail: ParsedMail, cap: number): { kept: { filename?: string; content: Buffer; size: number }[]; dropped: { filename: string | null; size: number; kept: false }[] } {
  let used = Buffer.byteLength(mail.text ?? '');
  const kept: { filename?: string; content: Buffer; size: number }[] = [];
  const dropped: { filename: string | null; size: number; kept: false }[] = [];
  for (const a of mail.attachments ?? []) {
    if (a.related) continue; // inline images of an HTML body
    if (used + a.size <= cap) {
      kept.push({ filename: a.filename, content: a.content, size: a.size });
      used += a.size;
    } else dropped.push({ filename: a.filename ?? null, size: a.size, kept: false });
  }
  return { kept, dropped };
}

function ackText(trackingCode: string, publicUrl: string): string {
  return [
    '您好：',
    '',
    '我们已收到您的来信，并已转交相关单位办理。',
    `查询码：${trackingCode}`,
    `办理进度：${publicUrl}/t/${trackingCode}`,
    '',
    '如需补充情况，请直接回复本邮件（请保留标题中的查询码）。',
    '本邮件由系统自动发送。',
  ].join('\n');
}
