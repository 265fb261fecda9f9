import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';

export type Component = 'mailbox' | 'smtp';

export interface ComponentState {
  name: Component;
  ok: boolean;
  at: Date;
  lastOkAt: Date | null;
  detail: string | null;
}

/**
 * The last thing the hub learned about an outside server it depends on (the IMAP mailbox, the SMTP server), kept in
 * the store so that whichever copy polled or sent, every copy's readiness and metrics say the same.
 */
@Injectable()
export class ComponentStateService {
  private readonly logger = new Logger(ComponentStateService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Best effort: a failure to record must never fail the poll or the send it describes. */
  async record(name: Component, ok: boolean, detail: string | null = null): Promise<void> {
    await this.ds
      .query(
        `INSERT INTO component_state (name, ok, at, last_ok_at, detail) VALUES ($1, $2, $3, CASE WHEN $2 THEN $3::timestamptz END, $4)
         ON CONFLICT (name) DO UPDATE SET ok = $2, at = $3, detail = $4,
           last_ok_at = CASE WHEN $2 THEN $3::timestamptz ELSE component_state.last_ok_at END`,
        [name, ok, this.clock.now(), detail?.slice(0, 500) ?? null],
      )
      .catch((e: unknown) => this.logger.warn({ err: (e as Error).message, component: name }, 'could not record a component state'));
  }

  async all(): Promise<Map<Component, ComponentState>> {
    const rows: { name: Component; ok: boolean; at: Date; last_ok_at: Date | null; detail: string | null }[] = await this.ds.query(
      `SELECT name, ok, at, last_ok_at, detail FROM component_state`,
    );
    return new Map(rows.map((r) => [r.name, { name: r.name, ok: r.ok, at: r.at, lastOkAt: r.last_ok_at, detail: r.detail }]));
  }
}
