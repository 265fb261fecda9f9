import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';
import { ITEM_STATUSES } from '../items/item.entity.js';
import { overdueAt } from '../items/items.repository.js';

/**
 * The hub's Prometheus metrics. Two kinds:
 * - events counted by this copy (requests, items taken in, decisions, mailbox polls): counters and histograms that
 *   Prometheus sums over the copies;
 * - the store's state (items by status, overdue now, the outbox, the mailbox's lag, imports): read from the database
 *   at scrape time, so every copy reports the same figures and none is lost on a restart.
 * Each application has its own registry (several apps share one process in the tests).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'hub_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern (not the raw address), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly itemsReceived = new Counter({
    name: 'hub_items_received_total',
    help: 'Items taken in (new items, not duplicates) by channel, by this copy',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });
  readonly classifierDecisions = new Counter({
    name: 'hub_classifier_decisions_total',
    help: 'Classifier decisions on new items by dimension (D1–D5, none) and whether misconduct was flagged',
    labelNames: ['dimension', 'misconduct'] as const,
    registers: [this.registry],
  });
  readonly routerDecisions = new Counter({
    name: 'hub_router_decisions_total',
    help: 'Router decisions on new items by the rule that decided',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  readonly mailboxPolls = new Counter({
    name: 'hub_mailbox_polls_total',
    help: 'Mailbox polls by this copy by result (ok, failed, skipped: another copy was polling)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly mailboxMessages = new Counter({
    name: 'hub_mailbox_messages_total',
    help: 'Mail fetched from the mailbox by outcome (created, threaded, automatic, duplicates, failed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly itemsByStatus = new Gauge({ name: 'hub_items', help: 'Items in the store by status', labelNames: ['status'] as const, registers: [this.registry] });
  private readonly overdue = new Gauge({ name: 'hub_items_overdue', help: 'Open items past their acceptance or answer deadline now', registers: [this.registry] });
  private readonly outbox = new Gauge({
    name: 'hub_outbox_messages',
    help: 'Outgoing mail in the outbox by status (pending: the backlog; failed: given up after 20 attempts)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly outboxOldest = new Gauge({ name: 'hub_outbox_oldest_pending_seconds', help: 'Age of the oldest mail waiting in the outbox (0 when none)', registers: [this.registry] });
  private readonly componentUp = new Gauge({
    name: 'hub_component_up',
    help: "The last state of an outside server (mailbox: the last poll; smtp: the last send): 1 ok, 0 failing; absent when not configured or not yet used",
    labelNames: ['component'] as const,
    registers: [this.registry],
  });
  private readonly mailboxLag = new Gauge({
    name: 'hub_mailbox_lag_seconds',
    help: 'Time since the mailbox was last polled successfully (by any copy); absent until the first good poll',
    labelNames: ['mailbox'] as const,
    registers: [this.registry],
  });
  private readonly importRate = new Gauge({
    name: 'hub_import_rows_per_second',
    help: '12345 import speed: rows read per second by the running imports (summed), else by the last one finished',
    registers: [this.registry],
  });
  private readonly importsRunning = new Gauge({ name: 'hub_imports_running', help: '12345 imports queued or running', registers: [this.registry] });

  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  /** Counts one new item and the decisions that placed it. */
  itemReceived(channel: string, dimension: string | null, misconduct: boolean, rule: string): void {
    this.itemsReceived.inc({ channel });
    this.classifierDecisions.inc({ dimension: dimension ?? 'none', misconduct: String(misconduct) });
    this.routerDecisions.inc({ rule });
  }

  /** Express middleware: times every request, labelled by the matched route's pattern (`/api/items/:id`). */
  httpMiddleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer();
      res.once('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        end({ method: req.method, route: typeof route === 'string' ? route : 'unmatched', status: String(res.statusCode) });
      });
      next();
    };
  }

  /** Reads the store's state into the gauges (one round trip), then renders the registry. */
  async scrape(): Promise<string> {
    await this.refreshFromStore();
    return `${await processRegistry().metrics()}\n${await this.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refreshFromStore(): Promise<void> {
    const now = this.clock.now();
    const [row] = await this.ds.query(
      `SELECT
         (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM item GROUP BY status) s) AS by_status,
         (SELECT count(*)::int FROM item i WHERE ${overdueAt(1)}) AS overdue,
         (SELECT coalesce(jsonb_object_agg(status, n), '{}') FROM (SELECT status, count(*)::int AS n FROM outbox WHERE status <> 'sent' GROUP BY status) o) AS outbox,
         (SELECT coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 FROM outbox WHERE status = 'pending') AS oldest_pending_s,
         (SELECT coalesce(jsonb_agg(jsonb_build_object('name', name, 'ok', ok, 'lastOkAt', last_ok_at)), '[]') FROM component_state) AS components,
         (SELECT count(*)::int FROM hotline_import WHERE status IN ('queued', 'running')) AS imports_running,
         (SELECT coalesce(sum(rows_read / greatest(extract(epoch FROM clock_timestamp() - started_at), 0.001)), 0)::float8
            FROM hotline_import WHERE status = 'running' AND started_at IS NOT NULL) AS running_rate,
         (SELECT (rows_read / greatest(extract(epoch FROM finished_at - started_at), 0.001))::float8
            FROM hotline_import WHERE status = 'done' AND started_at IS NOT NULL AND finished_at IS NOT NULL
            ORDER BY finished_at DESC LIMIT 1) AS last_rate`,
      [now],
    );
    const byStatus = row.by_status as Record<string, number>;
    for (const status of ITEM_STATUSES) this.itemsByStatus.set({ status }, byStatus[status] ?? 0);
    this.overdue.set(row.overdue);
    const outbox = row.outbox as Record<string, number>;
    for (const status of ['pending', 'failed']) this.outbox.set({ status }, outbox[status] ?? 0);
    // outbox rows and imports are stamped by the database: their ages are measured on the clock that wrote them; the
    // overdue count and the mailbox's lag are business time, on the hub's clock
    this.outboxOldest.set(Math.max(0, Number(row.oldest_pending_s)));
    this.componentUp.reset();
    this.mailboxLag.reset();
    for (const c of row.components as { name: string; ok: boolean; lastOkAt: string | null }[]) {
      this.componentUp.set({ component: c.name }, c.ok ? 1 : 0);
      if (c.name === 'mailbox' && c.lastOkAt && this.config.imap) {
        this.mailboxLag.set({ mailbox: this.config.imap.mailbox }, Math.max(0, (now.getTime() - Date.parse(c.lastOkAt)) / 1000));
      }
    }
    this.importsRunning.set(row.imports_running);
    this.importRate.set(row.imports_running > 0 ? Number(row.running_rate) : Number(row.last_rate ?? 0));
  }
}

/**
 * The process's own metrics (CPU, memory, event-loop lag, GC), collected once per process: collectDefaultMetrics
 * starts observers and timers that are never stopped, so one per app instance (tests make many) would pile up.
 */
let processMetrics: Registry | null = null;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
