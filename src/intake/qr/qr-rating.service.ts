import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PUBLIC_ACTOR } from '../../auth/actor.js';
import { resolveTags } from '../../classification/qr-tags.js';
import { HUB_CONFIG, type HubConfig } from '../../config/config.js';
import { stripControl } from '../../web/html.js';
import { CatalogCache } from '../../org/catalog.cache.js';
import { IntakeService } from '../intake.service.js';
import { QrCaseService } from './qr-case.service.js';
import { checkNonce, issueNonce, signWindowToken, verifyWindowToken } from './qr-token.js';
import { T, type RatingFormValues } from './rating-page.js';
import { Clock } from '../../common/clock.js';

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
    private readonly catalog: CatalogCache,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
    private readonly clock: Clock,
    private readonly cases: QrCaseService,
  ) {}

  tokenFor(windowCode: string, version: number): { token: string; url: string } {
    const token = signWindowToken(this.config.secret, windowCode, version);
    return { token, url: `${this.config.publicUrl}/q/${token}` };
  }

  async lookup(token: string): Promise<WindowLookup> {
    const v = verifyWindowToken(this.config.secret, token);
    if (!v.ok) return { kind: 'invalid' };
    // from the catalogue snapshot: a revocation changes its version stamp, so every copy sees it within seconds
    const w = (await this.catalog.get()).windowInfo.get(v.windowCode);
    if (!w) return { kind: 'revoked' }; // signed by us, so it existed: the window was closed or its unit deactivated
    if (w.qrVersion !== v.version) return { kind: 'revoked' };
    return { kind: 'ok', window: w };
  }

  newNonce(windowCode: string): string {
    return issueNonce(this.config.secret, windowCode, this.clock.nowMs());
  }

  async submit(window: QrWindow, form: Record<string, unknown>, ip: string): Promise<SubmitOutcome> {
    const values = readForm(form);
    const nonce = typeof form.nonce === 'string' ? form.nonce : '';
    const now = this.clock.now();
    const nonceState = checkNonce(this.config.secret, window.code, nonce, now.getTime());
    if (nonceState !== 'ok') return { kind: 'expired', values };
    const errors = validate(values);
    if (errors.length) return { kind: 'invalid', errors, values };

    const rating = values.rating as number;
    const caseNo = values.caseNo || null;
    // each submission is its own item (a double tap is one, by its form nonce); a case number is only a claim, checked
    // after the item is made (QrCaseService): it never hands back another submission's item or code
    const externalId = `nonce:${nonce}`;
    const tags = resolveTags(values.tags).map((t) => t.code);
    const res = await this.intake.intake(
        {
          channel: 'qr',
          externalId,
          receivedAt: now,
          text: values.comment ?? '',
          rating,
          tags,
          caseNo,
          window: window.code,
          contact: { phone: values.phone || null },
          raw: { rating, tags: values.tags ?? [], comment: values.comment ?? '', caseNo, phone: values.phone || null, nonce },
        },
        PUBLIC_ACTOR,
      // more than a few a minute from one address for one window: a polite refusal, nothing stored
      { admission: { key: `qr:${ip}:${window.code}`, perMinute: RATE_LIMIT_PER_MINUTE } },
    );
    if (!res.admitted) return { kind: 'rate_limited' };
    if (Math.random() < 0.001) void this.pruneCounters();
    // a double tap (same nonce) shows the same answer
    if (!res.created) return { kind: 'duplicate', trackingCode: res.trackingCode, badReview: rating <= 2 };
    // the same case number again: kept and counted, and flagged with the other ratings for the office — unless the
    // office already verified another rating of this act (one rating per service act), then kept but not counted
    const link = caseNo ? await this.cases.link(res.id, caseNo) : 'first';
    return { kind: link === 'repeated' ? 'already_rated' : 'created', trackingCode: res.trackingCode, badReview: rating <= 2 };
  }

  private async pruneCounters(): Promise<void> {
    // eslint-disable-next-line no-restricted-syntax -- flood-limit counters expire on the database clock they were counted on
    await this.ds.query(`DELETE FROM rate_counter WHERE bucket < now() - interval '10 minutes'`).catch(() => undefined);
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
