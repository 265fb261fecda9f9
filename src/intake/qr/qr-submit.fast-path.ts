import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { answerError } from '../../common/http-exception.filter.js';
import { requestId } from '../../common/http-log.js';
import type { QrRatingService } from './qr-rating.service.js';
import { submitRating } from './qr-rating.controller.js';

const ONE_SEGMENT = /^\/([^/]+)$/;

/**
 * `POST /q/{token}` — a citizen's rating — answered before the framework's pipeline (mounted right after the form
 * parser for /q): the same function the controller calls (submitRating: token signature and version, origin, nonce,
 * fields, flood limit, case number, the same pages and status codes), the same request id header and error answers,
 * the same request metrics; what it leaves out is the per-request framework work (guards, pipes, the route table) and
 * the request log line of a successful post (errors are still logged). Anything else under /q goes on to the
 * controller.
 */
export function qrSubmitFastPath(qr: QrRatingService): (req: Request, res: Response, next: NextFunction) => void {
  const logger = new Logger('http');
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const m = ONE_SEGMENT.exec(req.path);
    if (!m) return next();
    let token: string;
    try {
      token = decodeURIComponent(m[1]);
    } catch {
      return next(); // the router's own answer to a malformed path
    }
    const r = req as Request & { id?: string; route?: unknown };
    r.id = requestId(req, res);
    // timed under the controller's route pattern, as before (MetricsService.httpMiddleware)
    r.route = { path: '/q/:token' };
    submitRating(qr, token, req.body, req, res).catch((e: unknown) => answerError(e, r, res, logger));
  };
}
