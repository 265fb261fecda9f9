import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../auth/actor.js';
import { AuthService } from '../auth/auth.service.js';
import { HUB_CONFIG, type HubConfig } from '../config/config.js';

export const SESSION_COOKIE = 'hub_console';
const COOKIE_PATH = '/console';
/** as long as the token the API issues (12 h) */
const MAX_AGE_SECONDS = 12 * 3600;

export interface ConsoleSessionInfo {
  actor: Actor;
  /** the hidden form field every state-changing form carries */
  csrf: string;
}

/**
 * Console sessions: an httpOnly, SameSite=Strict cookie holding the same signed token the API issues, checked against
 * the account row on every request (a deactivation or password reset takes effect at once). Forms carry an HMAC of
 * the token keyed with HUB_SECRET; a post without it (or from another origin) is refused.
 */
@Injectable()
export class ConsoleSession {
  constructor(
    private readonly auth: AuthService,
    @Inject(HUB_CONFIG) private readonly config: HubConfig,
  ) {}

  async read(req: Request): Promise<ConsoleSessionInfo | null> {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token) return null;
    const actor = await this.auth.actorFromToken(token);
    return actor ? { actor, csrf: this.csrfFor(token) } : null;
  }

  /** True when the form's token matches the session's and the post comes from this origin. */
  checkCsrf(req: Request, submitted: unknown): boolean {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token || typeof submitted !== 'string' || !sameOrigin(req)) return false;
    const want = Buffer.from(this.csrfFor(token));
    const got = Buffer.from(submitted);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  start(req: Request, res: Response, token: string): void {
    res.append('Set-Cookie', cookie(req, token, MAX_AGE_SECONDS));
  }

  end(req: Request, res: Response): void {
    res.append('Set-Cookie', cookie(req, '', 0));
  }

  private csrfFor(token: string): string {
    return createHmac('sha256', `console-csrf:${this.config.secret}`).update(token).digest('base64url');
  }
}

function cookie(req: Request, value: string, maxAge: number): string {
  const parts = [`${SESSION_COOKIE}=${value}`, `Path=${COOKIE_PATH}`, `Max-Age=${maxAge}`, 'HttpOnly', 'SameSite=Strict'];
  if (req.secure) parts.push('Secure');
  return parts.join('; ');
}

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      return v === '' ? null : v;
    }
  }
  return null;
}

/** A browser names the page a form came from; a post from another site is refused (no header: not a browser form). */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.origin ?? req.headers.referer;
  if (!origin || origin === 'null') return origin === undefined;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
