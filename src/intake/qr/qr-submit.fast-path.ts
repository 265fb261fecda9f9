import { Logger } from '@nestjs/common';
import type { RequestHandler } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import { answerError } from '../../common/http-exception.filter.js';
import { requestId } from '../../common/http-log.js';
import type { QrRatingService } from './qr-rating.service.js';
import { submitRating } from './qr-rating.controller.js';

/** `POST /q/{token}` exactly (one path segment, an optional query): anything else goes to the framework */
const RATING_POST = /^\/q\/([^/?#]+)(?:\?.*)?$/;

export interface FastPathDeps {
  qr: QrRatingService;
  /** the form parser the framework mounts on /q (the same instance: same limits, charsets and errors) */
  formParser: RequestHandler;
  /** the framework's compiled `trust proxy` function (proxy-addr), so the client address is the one Express sees */
  trustProxy: (addr: string, i: number) => boolean;
  /** the framework's request timing (MetricsService.httpMiddleware) */
  timing: RequestHandler;
  /** the framework's mapping of an error raised before a route (a parser's http-errors become HttpExceptions) */
  mapException: (e: unknown) => unknown;
}

/**
 * `POST /q/{token}` — a citizen's rating, the hub's busiest request — answered in front of the framework: a listener
 * on the HTTP server that takes this one request before Express sees it (the router, its per-request set-up, the
 * global pipeline). It runs the same steps the framework would: the request id header, the route timing under the
 * controller's pattern, the same form parser instance (limits, charsets, parameter count and their error answers),
 * the client address through the same trusted proxies, and the controller's own submitRating (token signature and
 * version, origin, nonce, fields, flood limit, case number; the same pages and status codes). What it leaves out is
 * the request log line of a successful post (errors are still logged). Any other request — other methods and paths,
 * a malformed token — goes to the framework unchanged.
 */
export function qrSubmitFastPath(deps: FastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const logger = new Logger('http');
  const { qr, formParser, trustProxy, timing, mapException } = deps;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const m = RATING_POST.exec(req.url ?? '');
    if (!m) return false;
    let token: string;
    try {
      token = decodeURIComponent(m[1] as string);
    } catch {
      return false; // the router's own answer to a malformed path
    }
    const r = req as IncomingMessage & { id?: string; route?: unknown; body?: unknown };
    r.id = requestId(req, res);
    // timed under the controller's route pattern, as the framework would (MetricsService.httpMiddleware)
    r.route = { path: '/q/:token' };
    const fail = (e: unknown) => answerError(mapException(e), r, res, logger);
    const asExpress = [req, res] as unknown as Parameters<RequestHandler>;
    timing(asExpress[0], asExpress[1], () => undefined);
    formParser(asExpress[0], asExpress[1], (err?: unknown) => {
      if (err) return fail(err);
      submitRating(qr, token, r.body, { ip: proxyaddr(req, trustProxy), headers: req.headers }, res).catch(fail);
    });
    return true;
  };
}

/** Puts `handle` in front of the server's request listeners (the framework's app): it answers what it takes. */
export function inFrontOf(server: Server, handle: (req: IncomingMessage, res: ServerResponse) => boolean): void {
  const others = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (handle(req, res)) return;
    for (const listener of others) listener.call(server, req, res);
  });
}
