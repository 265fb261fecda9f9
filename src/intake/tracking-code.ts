import { randomBytes } from 'node:crypto';

// Crockford-style alphabet: no I, L, O, U, so a code read aloud or copied by hand survives.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Random bytes drawn from the system's generator a few kilobytes at a time and each used once: a file import makes
 * thousands of codes a second, and one system call per code was a visible share of its time.
 */
const POOL = 12 * 512;
let pool = Buffer.alloc(0);
let used = POOL;

/** 12 random symbols (60 bits), shown as XXXX-XXXX-XXXX: not guessable, not sequential. */
export function newTrackingCode(): string {
  if (used + 12 > pool.length) {
    pool = randomBytes(POOL);
    used = 0;
  }
  let s = '';
  for (let i = used; i < used + 12; i++) s += ALPHABET[pool[i] & 31];
  pool.fill(0, used, used + 12); // a used byte never lingers in memory
  used += 12;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

export function normaliseTrackingCode(input: string): string | null {
  const s = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (!/^[0-9A-HJKMNP-TV-Z]{12}$/.test(s)) return null;
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}
