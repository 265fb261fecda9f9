import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PUBLIC_ACTOR } from '../../auth/actor.js';
import { resolveTags } from '../../classification/qr-tags.js';
import { HUB_CONFIG, type HubConfig } from '../../config/config.js';
import { stripControl } from '../../web/html.js';
import { IntakeService } from '../intake.service.js';
import { checkNonce, issueNonce, signWindowToken, verifyWindowToken } from './qr-token.js';
import { T, type RatingFormValues } from './rating-page.js';

export interface QrWindow {
  code: string;
  name: string;
  location: string | null;
  unitName: string;
  qrVersion: number;
}

export type WindowLookup = { kind: 'ok'; window: QrWindow } | { kind: 'revoked' } | { kind: 'invalid' };

export type SubmitOutcome =
  | { kind: 'created' | 'duplicate' | 'already_rated'; trackingCode: string; badReview: boolean }
  | { kind: 'invalid'; errors: string[]; values: RatingFormValues }
  | { kind: 'expired'; values: RatingFormValues }
  | { kind: 'rate_limited' };

export const RATE_LIMIT_PER_MINUTE = 5;
const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;

@Injectable()
export class QrRatingService {
  constructor(
    private readonly ds: DataSource,
    private readonly intake: IntakeService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  tokenFor(windowCode: string, version: number): { token: string; url: string } {
    const token = signWindowToken(this.config.secret, windowCode, version);
    return { token, url: `${this.config.publicUrl}/q/${token}` };
  }

  async lookup(token: string): Promise<WindowLookup> {
    const v = verifyWindowToken(this.config.secret, token);
    if (!v.ok) return { kind: 'invalid' };
    const [row] = await this.ds.query(
      `SELECT w.code, w.name, w.location, w.qr_version, w.active, u.name AS unit_name, u.active AS unit_active
       FROM service_window w JOIN unit u ON u.id = w.unit_id WHERE w.code = $1`,
      [v.windowCode],
    );
    if (!row) return { kind: 'invalid' };
    if (!row.active || !row.unit_active || row.qr_version !== v.version) return { kind: 'revoked' };
    return {
      kind: 'ok',
      window: { code: row.code, name: row.name, location: row.location, unitName: row.unit_name, qrVersion: row.qr_version },
    };
  }

  newNonce(windowCode: string): string {
    return issueNonce(this.config.secret, windowCode);
  }

  async submit(window: QrWindow, form: Record<string, unknown>, ip: string): Promise<SubmitOutcome> {
    const values = readForm(form);
    const nonce = typeof form.nonce === 'string' ? form.nonce : '';
    const nonceState = checkNonce(this.config.secret, window.code, nonce);
    if (nonceState !== 'ok') return { kind: 'expired', values };
    const errors = validate(values);
    if (errors.length) return { kind: 'invalid', errors, values };
    if (!(await this.allow(`qr:${ip}:${window.code}`))) return { kind: 'rate_limited' };

    const rating = values.rating as number;
    const caseNo = values.caseNo || null;
    // one rating per service act: with a case number the act is (window, case); without, the form nonce
    const externalId = caseNo ? `case:${window.code}:${caseNo}` : `nonce:${nonce}`;
    const tags = resolveTags(values.tags).map((t) => t.code);
    const r = await this.ds.transaction(async (m) => {
      const res = await this.intake.intake(
        {
          channel: 'qr',
          externalId,
          receivedAt: new Date(),
          text: values.comment ?? '',
          rating,
          tags,
          caseNo,
          window: window.code,
          contact: { phone: values.phone || null },
          raw: { rating, tags: values.tags ?? [], comment: values.comment ?? '', caseNo, phone: values.phone || null, nonce },
        },
        PUBLIC_ACTOR,
        m,
      );
      if (res.created) return { ...res, sameSubmit: false };
      const [prev] = await m.query(`SELECT raw->>'nonce' AS nonce FROM item WHERE id = $1`, [res.id]);
      const sameSubmit = prev?.nonce === nonce;
      if (!sameSubmit) {
        // a second rating of the same act does not count; what the person adds is kept on the first
        await m.query(
          `INSERT INTO item_event (item_id, actor, kind, data) VALUES ($1, 'public', 'rating_repeated', $2::jsonb)`,
          [res.id, JSON.stringify({ rating, tags, comment: values.comment ?? '' })],
        );
        await m.query(`UPDATE item SET updated_at = now() WHERE id = $1`, [res.id]);
      }
      return { ...res, sameSubmit };
    });
    const kind = r.created ? 'created' : r.sameSubmit ? 'duplicate' : 'already_rated';
    return { kind, trackingCode: r.trackingCode, badReview: rating <= 2 };
  }

  /** Submissions per address and window per minute, counted in the database so every copy of the service agrees. */
  private async allow(key: string): Promise<boolean> {
    const [row] = await this.ds.query(
      `INSERT INTO rate_counter (key, bucket, n) VALUES ($1, date_trunc('minute', now()), 1)
       ON CONFLICT (key, bucket) DO UPDATE SET n = rate_counter.n + 1 RETURNING n`,
      [key],
    );
    if (Math.random() < 0.01) {
      await this.ds.query(`DELETE FROM rate_counter WHERE bucket < now() - interval '10 minutes'`);
    }
    return row.n <= RATE_LIMIT_PER_MINUTE;
  }
}

function readForm(form: Record<string, unknown>): RatingFormValues {
  const one = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '');
  const ratingText = one(form.rating).trim();
  const rating = /^[1-5]$/.test(ratingText) ? Number(ratingText) : null;
  const rawTags = Array.isArray(form.tags) ? form.tags : form.tags === undefined ? [] : [form.tags];
  return {
    rating,
    tags: rawTags.filter((t): t is string => typeof t === 'string').slice(0, 20).map((t) => t.slice(0, 50)),
    comment: stripControl(one(form.comment)).trim(),
    caseNo: stripControl(one(form.caseNo)).trim(),
    phone: one(form.phone).replace(/[\s()（）]/g, '').replace(/^\+?86/, ''),
  };
}

function validate(v: RatingFormValues): string[] {
  const errors: string[] = [];
  if (v.rating === null || v.rating === undefined) errors.push(T.errors.rating);
  if (Array.from(v.comment ?? '').length > 500) errors.push(T.errors.comment);
  if (v.phone && !(MOBILE.test(v.phone) || LANDLINE.test(v.phone))) errors.push(T.errors.phone);
  if (v.caseNo && !/^[A-Za-z0-9-]{1,40}$/.test(v.caseNo)) errors.push(T.errors.caseNo);
  return errors;
}
