import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, mkdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { DataSource } from 'typeorm';
import type { Actor } from '../../auth/actor.js';
import { DomainError, notFound } from '../../common/domain-error.js';
import { HUB_CONFIG, type HubConfig } from '../../config/config.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { OutboxService } from '../../notification/outbox.service.js';
import { IntakeService, type EncodedBatch, type PreparedItem } from '../intake.service.js';
import type { IntakeDraft } from '../intake.types.js';
import { HotlineFileError, loadDefaultMapping, readHotlineFile, type ColumnMapping, type HotlineOrder } from './index.js';
import { Clock } from '../../common/clock.js';

export interface ImportSummary {
  total: number;
  created: number;
  duplicates: number;
  updated: number;
  rejected: { row: number; reason: string }[];
}

export interface ImportStatus extends ImportSummary {
  id: string;
  fileName: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  rowsRead: number;
  bytes: number;
  rejectedCount: number;
  /**
   * How far the import has got, 0–1 (an estimate while it runs: rows read against the rows a CSV's first megabyte
   * suggests, or the share of an XLSX file read); 1 once done; null when no runner in this copy of the service is
   * reading it (queued, or running in another copy), so only the row counts tell the progress then.
   */
  progress: number | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A line of the list of recent imports. */
export interface ImportListEntry {
  id: string;
  fileName: string;
  status: ImportStatus['status'];
  total: number;
  created: number;
  duplicates: number;
  updated: number;
  rejectedCount: number;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

interface ReadyBatch {
  rejected: { row: number; reason: string }[];
  /** the classified rows as they will be written (IntakeService.encodeBatch) */
  encoded: EncodedBatch;
  /** for each encoded row: its row in the file, and what a changed order's timeline entry shows */
  orders: { row: number; rawJson: string; appealType: string | null; content: string }[];
  rowsInBatch: number;
  lastRow: number;
  /** how far the file had been read when the batch was cut (0–1), committed with it */
  progress: number | null;
}

export const IMPORT_JOB = 'hotline.import';
const BATCH = 500;
/** batches read and being classified ahead of the one being written */
const AHEAD = 2;
const REJECTED_KEPT = 5000;

/** A hotline work order as an intake draft: the hotline's 承办单位 is the first routing signal. */
export function orderDraft(o: HotlineOrder): IntakeDraft {
  return { ...draftFields(o), raw: { ...o.raw, deadline: o.deadline } };
}

/** The draft's `raw` (`{...o.raw, deadline}`) as JSON, from the JSON of `o.raw`. */
export function draftRawJson(o: HotlineOrder, rawJson: string): string {
  if (Object.hasOwn(o.raw, 'deadline')) return JSON.stringify({ ...o.raw, deadline: o.deadline });
  const deadline = `"deadline":${JSON.stringify(o.deadline)}}`;
  return rawJson === '{}' ? `{${deadline}` : `${rawJson.slice(0, -1)},${deadline}`;
}

function draftFields(o: HotlineOrder): Omit<IntakeDraft, 'raw'> {
  return {
    channel: 'hotline',
    externalId: o.orderNo,
    receivedAt: o.receivedAt,
    subject: o.title,
    text: o.content,
    appealType: o.appealType,
    assignedUnit: o.assignedUnit,
    source: o.region ? `12345 · ${o.region}` : '12345',
    contact: { name: o.caller, phone: o.phone },
  };
}

/**
 * About how many lines a CSV has, from its first megabyte (exact when that is the whole file); null for a workbook
 * (zip), whose rows cannot be counted without unpacking it. Read ahead of parsing, a stream's bytes would run ahead of
 * the rows by its buffers, which for a file of a few megabytes is most of it.
 */
export async function estimateLines(file: string, size: number): Promise<number | null> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size, 1024 * 1024));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if (head.length >= 4 && head.readUInt32BE(0) === 0x504b0304) return null;
    let n = 0;
    for (let i = head.indexOf(0x0a); i !== -1; i = head.indexOf(0x0a, i + 1)) n++;
    if (bytesRead >= size) return n + (head.length && head[head.length - 1] !== 0x0a ? 1 : 0);
    return n ? Math.ceil((size * n) / bytesRead) : null;
  } finally {
    await fh.close();
  }
}

/** What identifies a row's content: a changed row for a known order is an update, an identical one a duplicate. */
export function orderHash(o: HotlineOrder): string {
  return createHash('sha256')
    .update(JSON.stringify([o.receivedAt.toISOString(), o.caller, o.phone, o.appealType, o.title, o.content, o.assignedUnit, o.deadline, o.region]))
    .digest('base64url')
    .slice(0, 22);
}

/**
 * 12345 work-order files: streamed from disk end to end, rows classified and routed, written in batches. Each batch
 * commits with the import's progress (rows read, counts, rejected rows), so an import survives a restart and resumes
 * after the last committed row; idempotency on 工单编号 means nothing is stored twice even if a batch is redone.
 * Runs as a queued job (one runner per import, by advisory lock) so its progress can be watched.
 */
@Injectable()
export class HotlineImportService implements OnModuleInit {
  private readonly logger = new Logger(HotlineImportService.name);
  private readonly mapping: ColumnMapping = loadDefaultMapping();
  /** how far the imports this copy is running have got, 0–1 (a progress bar's measure; the counts are in the store) */
  private readonly reading = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly intake: IntakeService,
    private readonly jobs: JobsService,
    private readonly outbox: OutboxService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.jobs.define<{ id: string }>({
      name: IMPORT_JOB,
      retryLimit: 5,
      retryDelaySeconds: 10,
      expireInSeconds: 4 * 3600,
      handler: async ({ id }) => {
        await this.run(id);
      },
    });
    // imports left running by a copy that stopped are picked up again (the advisory lock keeps it to one runner)
    this.jobs.define({
      name: 'hotline.resume',
      policy: 'singleton',
      cron: '* * * * *',
      handler: async () => {
        const stale: { id: string }[] = await this.ds.query(
          // eslint-disable-next-line no-restricted-syntax -- an import job's heartbeat and run times are operational, on the database clock
          `SELECT id FROM hotline_import WHERE status IN ('queued', 'running') AND updated_at < now() - interval '1 minute'`,
        );
        for (const s of stale) await this.jobs.send(IMPORT_JOB, { id: s.id }, { singletonKey: s.id });
      },
    });
  }

  /** Takes a file (moved into HUB_DATA_DIR) and queues its import; without a job queue it runs at once. */
  async start(file: { path: string; originalName: string; copy?: boolean }, actor: Actor, opts: { inline?: boolean } = {}): Promise<string> {
    const dir = path.join(this.config.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    const [{ id }] = await this.ds.query(
      `INSERT INTO hotline_import (file_name, file_path, file_bytes, status, created_by) VALUES ($1, '', $2, 'queued', $3) RETURNING id`,
      [file.originalName.slice(0, 255), statSync(file.path).size, actor.id],
    );
    const target = path.join(dir, `${id}${path.extname(file.originalName).toLowerCase().slice(0, 10)}`);
    if (file.copy) copyFileSync(file.path, target);
    else {
      try {
        renameSync(file.path, target);
      } catch {
        copyFileSync(file.path, target); // another file system
      }
    }
    await this.ds.query(`UPDATE hotline_import SET file_path = $2 WHERE id = $1`, [id, target]);
    if (this.jobs.running && !opts.inline) await this.jobs.send(IMPORT_JOB, { id }, { singletonKey: id });
    else await this.run(id);
    return id;
  }

  /** Waits (a little) for an import to finish, so small files answer in the same request. */
  async waitFor(id: string, ms: number): Promise<ImportStatus> {
    const until = performance.now() + ms;
    for (;;) {
      const s = await this.status(id);
      if (s.status === 'done' || s.status === 'failed' || performance.now() > until) return s;
      await new Promise((r) => setTimeout(r, 150));
    }
  }

  async status(id: string): Promise<ImportStatus> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw notFound('import');
    const [r] = await this.ds.query(`SELECT * FROM hotline_import WHERE id = $1`, [id]);
    if (!r) throw notFound('import');
    return {
      id: r.id,
      fileName: r.file_name,
      status: r.status,
      rowsRead: r.rows_read,
      bytes: Number(r.file_bytes),
      total: r.total,
      created: r.created,
      duplicates: r.duplicates,
      updated: r.updated,
      rejected: r.rejected,
      rejectedCount: r.rejected_count,
      // this copy's live figure when it runs the import, else the one committed with the last batch (another copy's)
      progress: r.status === 'done' ? 1 : (this.reading.get(r.id) ?? r.progress ?? null),
      error: r.error,
      createdAt: r.created_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
    };
  }

  /** The latest imports, newest first, with who started them. */
  async recent(limit: number): Promise<ImportListEntry[]> {
    const rows = await this.ds.query(
      `SELECT h.id, h.file_name, h.status, h.total, h.created, h.duplicates, h.updated, h.rejected_count, h.created_at, h.finished_at, u.username
       FROM hotline_import h LEFT JOIN app_user u ON u.id = h.created_by ORDER BY h.created_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map(
      (r: { id: string; file_name: string; status: ImportStatus['status']; total: number; created: number; duplicates: number; updated: number; rejected_count: number; created_at: Date; finished_at: Date | null; username: string | null }) => ({
        id: r.id,
        fileName: r.file_name,
        status: r.status,
        total: r.total,
        created: r.created,
        duplicates: r.duplicates,
        updated: r.updated,
        rejectedCount: r.rejected_count,
        createdBy: r.username,
        createdAt: r.created_at.toISOString(),
        finishedAt: r.finished_at?.toISOString() ?? null,
      }),
    );
  }

  /** Runs (or resumes) an import; returns at once when another runner holds it. */
  async run(id: string): Promise<void> {
    const lock = this.ds.createQueryRunner();
    await lock.connect();
    try {
      const [{ got }] = await lock.query(`SELECT pg_try_advisory_lock(hashtext('hotline-import:' || $1)) AS got`, [id]);
      if (!got) return;
      try {
        await this.runLocked(id);
      } finally {
        await lock.query(`SELECT pg_advisory_unlock(hashtext('hotline-import:' || $1))`, [id]);
      }
    } finally {
      await lock.release();
    }
  }

  private async runLocked(id: string): Promise<void> {
    const [job] = await this.ds.query(`SELECT file_path, file_name, file_bytes, status, rows_read, created_by FROM hotline_import WHERE id = $1`, [id]);
    if (!job || job.status === 'done' || job.status === 'failed') return;
    // eslint-disable-next-line no-restricted-syntax -- an import job's heartbeat and run times are operational, on the database clock
    await this.ds.query(`UPDATE hotline_import SET status = 'running', started_at = coalesce(started_at, now()), updated_at = now() WHERE id = $1`, [id]);
    const actor: Actor = { id: job.created_by, username: 'hotline-import', role: 'operator', unitId: null };
    let batch: { row: number; order: HotlineOrder }[] = [];
    let rejected: { row: number; reason: string }[] = [];
    let lastRow = job.rows_read as number;
    // reader → classification threads → writers: the next batches are read and classified while earlier ones are
    // written. Two write transactions overlap: a batch's item insert runs while the previous batch checks repeats,
    // records its progress and commits (the database then works on both cores). Commits stay in file order — a batch
    // checks repeats and commits only after the previous one committed, and fails if it failed — so the committed
    // progress never passes a batch that was not stored. No deadlock: a batch starts its insert only once the previous
    // insert is done, so an order number repeated across the two waits on the earlier batch alone, and the earlier
    // batch never waits on the later one. At most AHEAD batches are in flight: memory stays flat.
    let previous: { inserted: Promise<void>; committed: Promise<void> } = { inserted: Promise.resolve(), committed: Promise.resolve() };
    const inFlight: Promise<void>[] = [];
    const flush = async (): Promise<void> => {
      const progress = this.reading.get(id) ?? null;
      const ready = this.prepareBatch(batch, rejected, lastRow, actor);
      ready.catch(() => undefined); // awaited through the write chain
      batch = [];
      rejected = [];
      const before = previous;
      let markInserted: () => void = () => undefined;
      const inserted = new Promise<void>((resolve) => (markInserted = resolve));
      const committed = (async () => {
        const r = await ready;
        await before.inserted;
        await this.writeBatch(id, { ...r, progress }, actor, async () => {
          markInserted();
          await before.committed; // a failed earlier batch fails this one too: its transaction rolls back
        });
      })();
      committed.then(markInserted, markInserted); // a batch that failed before its insert must not hold up the next
      committed.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      previous = { inserted, committed };
      inFlight.push(committed);
      while (inFlight.length > AHEAD) await inFlight.shift();
    };
    const writing = (): Promise<void> => previous.committed;
    try {
      // a stream of our own, so an XLSX's progress can be its bytes read; a CSV's is its rows against an estimate
      const bytes = Number(job.file_bytes);
      const lines = await estimateLines(job.file_path, bytes);
      const source = createReadStream(job.file_path, { highWaterMark: 256 * 1024 });
      const rows = readHotlineFile(source, { mapping: this.mapping, fileName: job.file_name, afterRow: job.rows_read });
      for await (const r of rows) {
        // never 1 before the end: the estimate may be short, and the last batch is still to be written
        this.reading.set(id, Math.min(0.99, lines ? r.row / lines : bytes > 0 ? source.bytesRead / bytes : 0));
        lastRow = r.row;
        if (r.ok) batch.push({ row: r.row, order: r.order });
        else rejected.push({ row: r.row, reason: r.reason });
        if (batch.length + rejected.length >= BATCH) await flush();
      }
      await flush();
      await writing();
      await this.digest(id);
      // eslint-disable-next-line no-restricted-syntax -- an import job's heartbeat and run times are operational, on the database clock
      await this.ds.query(`UPDATE hotline_import SET status = 'done', finished_at = now(), updated_at = now() WHERE id = $1`, [id]);
      this.logger.log({ id, rows: lastRow }, 'hotline import done');
    } catch (e) {
      if (e instanceof HotlineFileError || e instanceof DomainError) {
        // the rest of the file is unusable (an endless zip bomb, say): the rows read before it are kept, then say why
        if (e instanceof HotlineFileError) {
          if (batch.length || rejected.length) await flush();
          await writing();
        }
        // eslint-disable-next-line no-restricted-syntax -- an import job's heartbeat and run times are operational, on the database clock
        await this.ds.query(`UPDATE hotline_import SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`, [
          id,
          e.message.slice(0, 1000),
        ]);
        return;
      }
      throw e; // a database or system fault: the job is retried and resumes after the last committed batch
    } finally {
      this.reading.delete(id);
    }
  }

  /**
   * Classification and routing of a batch, before any transaction (see IntakeService.prepare); then the rows are
   * encoded as they will be written, and the batch waits for its turn in that compact form.
   */
  private async prepareBatch(
    batch: { row: number; order: HotlineOrder }[],
    rejected: { row: number; reason: string }[],
    lastRow: number,
    actor: Actor,
  ): Promise<Omit<ReadyBatch, 'progress'>> {
    const rowsInBatch = batch.length + rejected.length;
    const items: { p: PreparedItem; hash: string; rawJson: string }[] = [];
    const orders: ReadyBatch['orders'] = [];
    // classified and routed on the worker threads (IntakeService.prepareMany), the batch at once; the drafts carry no
    // raw object: its JSON is made here once, for the item and for an update's timeline entry
    const results = await this.intake.prepareMany(batch.map((b) => ({ ...draftFields(b.order), raw: null })));
    results.forEach((r, i) => {
      const { row, order } = batch[i];
      if (r.ok) {
        const rawJson = JSON.stringify(order.raw);
        items.push({ p: r.p, hash: orderHash(order), rawJson: draftRawJson(order, rawJson) });
        orders.push({ row, rawJson, appealType: order.appealType, content: order.content });
      } else rejected.push({ row, reason: r.error instanceof DomainError ? r.error.message : `无法处理 (${(r.error as Error).message})` });
    });
    const encoded = this.intake.encodeBatch(items, actor, { notify: false });
    return { rejected, encoded, orders, rowsInBatch, lastRow };
  }

  /**
   * One transaction: the batch's items and the import's progress together, so a restart resumes after it.
   * `afterInsert` runs once the items are inserted, before anything else (the pipeline's turn to commit, see runLocked).
   */
  private async writeBatch(id: string, ready: ReadyBatch, actor: Actor, afterInsert: () => Promise<void>): Promise<void> {
    const { rejected, encoded, orders, rowsInBatch, lastRow, progress } = ready;
    if (!rowsInBatch) return afterInsert();
    await this.ds.transaction(async (m) => {
      const results = await this.intake.storeEncoded(m, encoded, { afterInsert });
      let created = 0;
      let duplicates = 0;
      let updated = 0;
      const updates: { id: number; hash: string; order: ReadyBatch['orders'][number] }[] = [];
      results.forEach((r, i) => {
        const hash = encoded.hashes[i] as string;
        if (r.created) created++;
        else if (r.previousHash && r.previousHash !== hash) updates.push({ id: r.id, hash, order: orders[i] });
        else duplicates++;
      });
      for (const u of updates) {
        // a changed row for a known order: onto the item's timeline, and the fingerprint moves on
        const res = await m.query(`UPDATE item SET source_hash = $2, updated_at = now() WHERE id = $1 AND source_hash IS DISTINCT FROM $2 RETURNING id`, [u.id, u.hash]);
        if (!res[0]?.length) {
          duplicates++;
          continue;
        }
        updated++;
        await m.query(`INSERT INTO item_event (item_id, actor_id, actor, kind, data, at) VALUES ($1, $2, 'hotline-import', 'hotline_update', $3::jsonb, $4)`, [
          u.id,
          actor.id,
          // {importId, row, order: the row's columns, appealType, content}, with the columns' JSON made before
          `{"importId":${JSON.stringify(id)},"row":${u.order.row},"order":${u.order.rawJson},"appealType":${JSON.stringify(u.order.appealType)},"content":${JSON.stringify(u.order.content)}}`,
          this.clock.now(),
        ]);
      }
      rejected.sort((a, b) => a.row - b.row);
      await m.query(
        `UPDATE hotline_import SET rows_read = greatest(rows_read, $2), total = total + $3, created = created + $4,
           duplicates = duplicates + $5, updated = updated + $6, rejected_count = rejected_count + $7,
           rejected = CASE WHEN jsonb_array_length(rejected) < $9 THEN rejected || $8::jsonb ELSE rejected END,
           progress = greatest(coalesce(progress, 0), coalesce($10::real, progress)), updated_at = now()
         WHERE id = $1`,
        [id, lastRow, rowsInBatch, created, duplicates, updated, rejected.length, JSON.stringify(rejected), REJECTED_KEPT, progress],
      );
    });
  }

  /** One mail per unit for what an import put in its queue (once per import: the outbox's key sees to it). */
  private async digest(id: string): Promise<void> {
    const rows: { unit_id: string; name: string; email: string | null; n: number }[] = await this.ds.query(
      `SELECT u.id AS unit_id, u.name, u.email, count(*)::int AS n FROM item i JOIN unit u ON u.id = i.unit_id
       JOIN item_event e ON e.item_id = i.id AND e.kind = 'received'
       WHERE i.channel = 'hotline' AND i.status <> 'closed' AND e.at >= (SELECT coalesce(started_at, created_at) FROM hotline_import WHERE id = $1)
         AND e.actor = 'hotline-import' AND u.email IS NOT NULL
       GROUP BY u.id, u.name, u.email`,
      [id],
    );
    if (!rows.length) return;
    await this.ds.transaction(async (m) => {
      for (const r of rows) {
        await this.outbox.enqueue(m, {
          kind: 'assigned',
          dedupeKey: `import:${id}:${r.unit_id}`,
          to: r.email as string,
          subject: `【待签收】12345热线导入新增 ${r.n} 件`,
          text: `${r.name}：\n\n本次12345热线工单导入中，有 ${r.n} 件分派给您单位，请在1个工作日内登录系统签收。`,
        });
      }
    });
    this.outbox.kickSoon();
  }
}
