import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Window QR tokens: `<window code>.<key version>.<mac>`, the MAC an HMAC-SHA256 over both, cut to 12 bytes (96 bits).
 * Short, so the printed code stays coarse and scans from a counter; a code that is altered or forged fails the MAC,
 * and bumping the window's key version revokes every printed copy at once.
 */
const MAC_BYTES = 12;

function mac(secret: string, message: string, bytes = MAC_BYTES): string {
  return createHmac('sha256', `qr:${secret}`).update(message).digest().subarray(0, bytes).toString('base64url');
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function signWindowToken(secret: string, windowCode: string, version: number): string {
  const code = encodeURIComponent(windowCode);
  return `${code}.${version}.${mac(secret, `${windowCode}\n${version}`)}`;
}

export type TokenCheck = { ok: true; windowCode: string; version: number } | { ok: false };

/** Checks the MAC only; whether the version is still current is the caller's question (it needs the store). */
export function verifyWindowToken(secret: string, token: string): TokenCheck {
  // the code may itself hold dots (the catalogue allows them): the version and MAC are the last two parts
  if (token.length > 240) return { ok: false };
  const m = /^(.{1,200})\.(\d{1,6})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!m) return { ok: false };
  let windowCode: string;
  try {
    windowCode = decodeURIComponent(m[1]);
  } catch {
    return { ok: false };
  }
  const version = Number(m[2]);
  return equal(m[3], mac(secret, `${windowCode}\n${version}`)) ? { ok: true, windowCode, version } : { ok: false };
}

/**
 * One-time form nonces, stateless: issued with the page, bound to the window and a time, checked by MAC. The nonce
 * becomes the rating's idempotency key, so a double tap or a resubmitted form makes one item; and a page on another
 * site cannot post the form, because it cannot read a nonce from ours.
 */
export const NONCE_TTL_MS = 4 * 60 * 60 * 1000;

export function issueNonce(secret: string, windowCode: string, now: number): string {
  const t = now.toString(36);
  const r = randomBytes(12).toString('base64url');
  return `${t}.${r}.${mac(secret, `nonce\n${windowCode}\n${t}\n${r}`)}`;
}

export function checkNonce(secret: string, windowCode: string, nonce: string, now: number): 'ok' | 'expired' | 'invalid' {
  const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{16})$/.exec(nonce);
  if (!m) return 'invalid';
  if (!equal(m[3], mac(secret, `nonce\n${windowCode}\n${m[1]}\n${m[2]}`))) return 'invalid';
  const issued = parseInt(m[1], 36);
  if (issued > now + 60_000) return 'invalid';
  return now - issued > NONCE_TTL_MS ? 'expired' : 'ok';
}
