import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { Public } from '../../auth/auth.decorators.js';
import { pageCsp } from '../../web/html.js';
import { QrRatingService, type QrWindow } from './qr-rating.service.js';
import { messagePage, ratingFormPage, T, thanksPage, type RatingFormValues } from './rating-page.js';
import { clientBucket } from '../../common/client-address.js';

/** The page a citizen's phone opens from the QR code on a window, and its form post. */
@ApiExcludeController()
@Public()
@Controller('q')
export class QrRatingController {
  constructor(private readonly qr: QrRatingService) {}

  @Get(':token')
  async show(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const found = await this.qr.lookup(token);
    if (found.kind !== 'ok') return this.invalid(res, found.kind);
    this.form(res, 200, token, found.window);
  }

  @Post(':token')
  async submit(@Param('token') token: string, @Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    await submitRating(this.qr, token, body, req, res);
  }

  private form(res: Response, status: number, token: string, w: QrWindow, values?: RatingFormValues, errors?: string[]): void {
    renderForm(this.qr, res, status, token, w, values, errors);
  }

  private invalid(res: Response, kind: 'invalid' | 'revoked'): void {
    invalidCode(res, kind);
  }
}

function invalidCode(res: ServerResponse, kind: 'invalid' | 'revoked'): void {
  send(res, kind === 'revoked' ? 410 : 404, messagePage(T.invalidCode, T.invalidCodeBody));
}

/** What a rating post needs of its request: the client's address (after the trusted proxies) and the headers. */
export interface RatingClient {
  ip: string | undefined;
  headers: IncomingHttpHeaders;
}

/**
 * A citizen's rating post, every check on the way: the token's signature and version, the origin, then (in
 * QrRatingService.submit) the form nonce, the fields, the flood limit and the case number. The controller and the
 * short path in front of the framework (qr-submit.fast-path.ts) both answer through this one function.
 */
export async function submitRating(qr: QrRatingService, token: string, body: unknown, client: RatingClient, res: ServerResponse): Promise<void> {
  const found = await qr.lookup(token);
  if (found.kind !== 'ok') return invalidCode(res, found.kind);
  if (!sameOrigin(client.headers)) return send(res, 403, messagePage(T.title, T.crossSite));
  const form = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const out = await qr.submit(found.window, form, clientBucket(client.ip));
  switch (out.kind) {
    case 'rate_limited':
      res.setHeader('Retry-After', '60');
      return send(res, 429, messagePage(T.tooMany, T.tooManyBody));
    case 'invalid':
      return renderForm(qr, res, 400, token, found.window, out.values, out.errors);
    case 'expired':
      return renderForm(qr, res, 400, token, found.window, out.values, [T.expired]);
    case 'created':
    case 'duplicate':
    case 'already_rated':
      return send(
        res,
        out.kind === 'created' ? 201 : 200,
        thanksPage({
          trackingCode: out.trackingCode,
          trackUrl: `/t/${out.trackingCode}`,
          badReview: out.badReview,
          alreadyRated: out.kind === 'already_rated',
        }),
      );
  }
}

function renderForm(qr: QrRatingService, res: ServerResponse, status: number, token: string, w: QrWindow, values?: RatingFormValues, errors?: string[]): void {
  const scriptNonce = randomBytes(12).toString('base64');
  const html = ratingFormPage({
    action: `/q/${token}`,
    windowName: w.name,
    unitName: w.unitName,
    location: w.location,
    nonce: qr.newNonce(w.code),
    scriptNonce,
    values,
    errors,
  });
  send(res, status, html, scriptNonce);
}

/**
 * A page, written on the bare response (what Express's send would write with ETags off: the status, these headers,
 * the length and the body; a HEAD request gets the headers only, as node:http leaves the body out of a HEAD answer).
 */
export function send(res: ServerResponse, status: number, html: string, scriptNonce?: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Security-Policy', pageCsp(scriptNonce));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(html));
  res.end(html);
}

/**
 * A form posted from another site carries that site's Origin. Without one (or "null", from privacy modes) the signed
 * one-time nonce still has to match, and another site cannot read ours.
 */
function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = headers.origin;
  if (!origin || origin === 'null') return true;
  try {
    return new URL(origin).host === headers.host;
  } catch {
    return false;
  }
}
