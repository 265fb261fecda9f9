import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { DataSource, type EntityManager } from 'typeorm';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { JobsService } from '../jobs/jobs.service.js';
import { ComponentStateService } from '../health/component-state.service.js';

export interface OutgoingMail {
  /** ack: to a person who wrote; assigned: new work for a unit; notice: other news for a unit or the office */
  kind: 'ack' | 'assigned' | 'notice' | 'reminder' | 'overdue' | 'answer';
  /** one message per key, ever: a retried cause cannot send twice */
  dedupeKey: string;
  itemId?: number | null;
  to: string;
  subject: string;
  text: string;
  inReplyTo?: string | null;
}

const MAX_ATTEMPTS = 20;
export const FLUSH_JOB = 'outbox.flush';

/**
 * Outgoing mail goes through the `outbox` table, written in the same transaction as the change that causes it; a
 * job sends what is due. A mail server outage delays mail and loses none; each row is sent once (claimed with
 * FOR UPDATE SKIP LOCKED, so several copies of the service never send the same row).
 */
@Injectable()
export class OutboxService implements OnModuleInit {
  private readonly logger = new Logger(OutboxService.name);
  private transport: Transporter | null = null;
  readonly domain: string;
  private lastKick = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ds: DataSource,
    private readonly jobs: JobsService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly states: ComponentStateService,
  ) {
    this.domain = /@([^>\s]+)/.exec(config.mailFrom)?.[1] ?? 'localhost';
  }

  onModuleInit(): void {
    this.jobs.define({ name: FLUSH_JOB, policy: 'singleton', cron: '* * * * *', handler: () => this.flush().then(() => undefined) });
  }

  newMessageId(kind: string): string {
    return `<hub-${kind}-${randomUUID()}@${this.domain}>`;
  }

  /** Queues a mail inside the caller's transaction; returns its Message-ID (the first one, if already queued). */
  async enqueue(m: EntityManager, mail: OutgoingMail): Promise<string> {
    const [row] = await m.query(
      `WITH ins AS (
         INSERT INTO outbox (kind, dedupe_key, item_id, to_addr, subject, body_text, in_reply_to, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING message_id)
       SELECT message_id FROM ins UNION ALL SELECT message_id FROM outbox WHERE dedupe_key = $2 LIMIT 1`,
      [mail.kind, mail.dedupeKey, mail.itemId ?? null, mail.to, mail.subject, mail.text, mail.inReplyTo ?? null, this.newMessageId(mail.kind)],
    );
    return row.message_id;
  }

  /** After the caller's commit: ask a worker to send now rather than at the next minute. */
  async kick(): Promise<void> {
    await this.jobs.send(FLUSH_JOB, {}, { singletonKey: 'flush', singletonSeconds: 1 }).catch(() => undefined);
  }

  /** kick(), at most once a second per copy: a flood of items must not become a flood of queue jobs */
  kickSoon(): void {
    if (performance.now() - this.lastKick < 1000) return;
    this.lastKick = performance.now();
    void this.kick();
  }

  /** Sends every due mail; returns how many went out. Without SMTP_HOST mail waits in the outbox. */
  async flush(limit = 500): Promise<{ sent: number; failed: number }> {
    if (!this.config.smtp) return { sent: 0, failed: 0 };
    let sent = 0;
    let failed = 0;
    let smtpOk = false;
    let smtpError: string | null = null;
    for (let i = 0; i < limit; i++) {
      const outcome = await this.ds.transaction(async (m) => {
        const [row] = await m.query(
          // eslint-disable-next-line no-restricted-syntax -- sending and retry back-off are operational, on the database clock every copy shares
          `SELECT id, to_addr, subject, body_text, in_reply_to, message_id, attempts FROM outbox
           WHERE status = 'pending' AND next_attempt_at <= now() ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        );
        if (!row) return 'none' as const;
        try {
          await this.send(row);
          smtpOk = true;
          // eslint-disable-next-line no-restricted-syntax -- sending and retry back-off are operational, on the database clock every copy shares
          await m.query(`UPDATE outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1`, [row.id]);
          return 'sent' as const;
        } catch (e) {
          smtpError = (e as Error).message;
          const attempts = row.attempts + 1;
          await m.query(
            // eslint-disable-next-line no-restricted-syntax -- sending and retry back-off are operational, on the database clock every copy shares
            `UPDATE outbox SET attempts = $2::int, last_error = $3, status = CASE WHEN $2::int >= $4::int THEN 'failed' ELSE 'pending' END,
               next_attempt_at = now() + make_interval(secs => least(3600, 15 * power(2, $2::int - 1)))
             WHERE id = $1`,
            [row.id, attempts, String((e as Error).message).slice(0, 500), MAX_ATTEMPTS],
          );
          this.logger.warn({ outboxId: row.id, attempts, err: (e as Error).message }, 'mail not sent; will retry');
          return 'failed' as const;
        }
      });
      if (outcome === 'none') break;
      if (outcome === 'sent') sent++;
      else {
        failed++;
        break; // the server is probably down: stop hammering it, the schedule comes back
      }
    }
    // the SMTP server's last state, for every copy's readiness and metrics (only when something was tried)
    if (smtpError !== null) await this.states.record('smtp', false, smtpError);
    else if (smtpOk) await this.states.record('smtp', true);
    return { sent, failed };
  }

  private async send(row: { to_addr: string; subject: string; body_text: string; in_reply_to: string | null; message_id: string }): Promise<void> {
    const smtp = this.config.smtp;
    if (!smtp) throw new Error('no SMTP server configured');
    this.transport ??= nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.tls,
      auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    await this.transport.sendMail({
      from: this.config.mailFrom,
      to: row.to_addr,
      subject: row.subject,
      text: row.body_text,
      messageId: row.message_id,
      inReplyTo: row.in_reply_to ?? undefined,
      references: row.in_reply_to ?? undefined,
      // our own mail must never be answered by an auto-responder
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    });
  }
}
