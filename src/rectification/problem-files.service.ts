import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { DomainError, ErrorCode, notFound } from '../common/domain-error.js';
import { cleanFileName, MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES, sniffEvidence } from './evidence-file.js';
import { ProblemsService, type ProblemFileMeta } from './problems.service.js';
import { Clock } from '../common/clock.js';
import { CatalogCache } from '../org/catalog.cache.js';

/** Why an upload was refused, for the caller's message. */
export type EvidenceRefusal = 'empty' | 'too_large' | 'type' | 'too_many' | 'closed';

export interface EvidenceFile {
  name: string;
  contentType: string;
  size: number;
  data: Buffer;
}

/**
 * Evidence files of a problem (整改佐证), stored in PostgreSQL: checked for size and, by their bytes, for type before
 * anything is written; at most MAX_EVIDENCE_FILES a problem, counted under the problem's row lock so two uploads at
 * once cannot pass the cap together. The same people who record measures upload them, until the problem is reported done.
 */
@Injectable()
export class ProblemFilesService {
  constructor(
    private readonly ds: DataSource,
    private readonly problems: ProblemsService,
    private readonly clock: Clock,
    private readonly catalog: CatalogCache,
  ) {}

  async add(actor: Actor, problemId: string, file: { name: string; data: Buffer }): Promise<ProblemFileMeta> {
    const refuse = (reason: EvidenceRefusal, code: ErrorCode, message: string) => new DomainError(code, message, { reason });
    if (!file.data.length) throw refuse('empty', ErrorCode.ValidationFailed, 'file: the file is empty');
    if (file.data.length > MAX_EVIDENCE_BYTES) throw refuse('too_large', ErrorCode.PayloadTooLarge, `file: at most ${MAX_EVIDENCE_BYTES} bytes`);
    const name = cleanFileName(file.name);
    const type = sniffEvidence(file.data, name);
    if (!type) throw refuse('type', ErrorCode.UnsupportedMediaType, 'file: only images, PDF and office documents whose content matches their name');
    // the catalogue before the transaction: refreshing it takes a pool connection, and doing that while holding the
    // transaction's own could leave every connection waiting for another when uploads arrive together
    const snap = await this.catalog.get();
    return this.ds.transaction(async (m) => {
      const p = await this.problems.loadForWork(m, snap, actor, problemId);
      if (p.status === 'done' || p.status === 'verified') {
        throw refuse('closed', ErrorCode.TransitionNotAllowed, `the problem is ${p.status}; evidence is uploaded before it is reported done`);
      }
      const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM problem_file WHERE problem_id = $1`, [p.id]);
      if (n >= MAX_EVIDENCE_FILES) throw refuse('too_many', ErrorCode.Conflict, `file: at most ${MAX_EVIDENCE_FILES} files a problem`);
      const [row] = await m.query(
        `INSERT INTO problem_file (problem_id, name, content_type, size, data, uploaded_by, uploader, uploaded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, uploaded_at`,
        [p.id, name, type.contentType, file.data.length, file.data, actor.id, actor.username, this.clock.now()],
      );
      await m.query(`UPDATE problem SET updated_at = now() WHERE id = $1`, [p.id]);
      return { id: Number(row.id), name, contentType: type.contentType, size: file.data.length, by: actor.username, at: row.uploaded_at.toISOString() };
    });
  }

  /** One file with its bytes, for whoever may see the problem; not found otherwise. */
  async get(actor: Actor, problemId: string, fileId: string): Promise<EvidenceFile> {
    const pid = await this.problems.visibleId(actor, problemId);
    if (!/^\d{1,18}$/.test(fileId)) throw notFound('file');
    const [f] = await this.ds.query(`SELECT name, content_type, size, data FROM problem_file WHERE id = $1 AND problem_id = $2`, [fileId, pid]);
    if (!f) throw notFound('file');
    return { name: f.name, contentType: f.content_type, size: f.size, data: f.data };
  }
}
