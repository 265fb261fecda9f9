import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';

/** a tracking code in a path (/t/<code>) or a link to one (a Referer): a bearer of the item's progress and answer */
const TRACKING_PATH = /\/t\/[^/?#\s]*/g;

export function scrubTrackingCodes(url: string): string {
  return url.replace(TRACKING_PATH, '/t/[redacted]');
}

interface SerializedReq {
  url?: string;
  headers?: Record<string, unknown>;
  params?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * A request's id: the caller's X-Request-Id when it is a sane one, else a new one; echoed on the answer. Given once
 * per request (the first middleware gives it, so a parser's error answer carries it too; the request log reuses it).
 */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const known = (req as IncomingMessage & { id?: unknown }).id;
  if (typeof known === 'string') return known;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/**
 * The request log (pino-http): one JSON line per request with its id. Secrets never reach it: the bearer token and
 * the session cookie going in, the session cookie (`set-cookie`, a 12-hour token that also works on the API) coming
 * out, and tracking codes in URLs and links.
 */
export function httpLogOptions(level: string, stream?: Writable | DestinationStream): Params['pinoHttp'] {
  const options = {
    level,
    genReqId: requestId,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
    serializers: {
      req: (r: SerializedReq) => {
        const out: SerializedReq = { ...r };
        if (typeof r.url === 'string') out.url = scrubTrackingCodes(r.url);
        if (r.headers && typeof r.headers.referer === 'string') out.headers = { ...r.headers, referer: scrubTrackingCodes(r.headers.referer) };
        if (out.url !== r.url) out.params = {};
        return out;
      },
    },
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/health/live' || req.url === '/metrics' },
  };
  return stream ? [options, stream] : options;
}
