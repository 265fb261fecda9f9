import { createHash, type Hash } from 'node:crypto';

/**
 * Who wrote: keyed hashes of a person's phone numbers, mail address and case number, so items of one person can be
 * found without any raw value in an index. HMAC-SHA256 under the hub's secret (a different purpose string than the
 * tokens' and QR codes'), truncated to 80 bits: collisions are negligible at this scale and the hash is not
 * reversible without the secret.
 */
export interface PersonFacts {
  phone?: string | null;
  email?: string | null;
  caseNo?: string | null;
  /** the text the person wrote: a mobile number written in it counts as theirs (mails, letters) */
  text?: string | null;
}

const MOBILE_IN_TEXT = /(?<![\d])(?:\+?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?![\d])/g;

/** Digits only, without the country code; a mobile number is its 11 digits; too short to be a phone → null. */
export function normalisePhone(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let d = raw.replace(/\D/g, '');
  if (d.startsWith('0086')) d = d.slice(4);
  else if (d.length === 13 && d.startsWith('86')) d = d.slice(2);
  if (d.length < 7 || d.length > 15) return null;
  return d;
}

export function normaliseEmail(raw: string | null | undefined): string | null {
  const s = raw?.trim().toLowerCase();
  return s && /^[^\s@]+@[^\s@]+$/.test(s) ? s : null;
}

export function normaliseCaseNo(raw: string | null | undefined): string | null {
  const s = raw?.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
  return s && s.length >= 4 ? s : null;
}

/** Mobile numbers written in a text (at most three), normalised. */
export function phonesInText(text: string | null | undefined): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const m of text.normalize('NFKC').matchAll(MOBILE_IN_TEXT)) {
    out.add(`${m[1]}${m[2]}${m[3]}`);
    if (out.size >= 3) break;
  }
  return [...out];
}

/**
 * HMAC-SHA256 (RFC 2104) with the key's padded blocks hashed once per secret: each key then costs two copies of a
 * hash state instead of a new HMAC context (an import makes one or two keys a row). Equal to createHmac's (repeats.spec.ts).
 */
class PersonHmac {
  private readonly inner: Hash;
  private readonly outer: Hash;

  constructor(readonly secret: string) {
    let key = Buffer.from(`person:${secret}`, 'utf8');
    if (key.length > 64) key = createHash('sha256').update(key).digest();
    const pad = (byte: number): Buffer => {
      const b = Buffer.alloc(64, byte);
      for (let i = 0; i < key.length; i++) b[i] ^= key[i];
      return b;
    };
    this.inner = createHash('sha256').update(pad(0x36));
    this.outer = createHash('sha256').update(pad(0x5c));
  }

  hex(message: string): string {
    const innerDigest = this.inner.copy().update(message, 'utf8').digest();
    return this.outer.copy().update(innerDigest).digest('hex');
  }
}

let hmac: PersonHmac | undefined;

export function personKey(secret: string, kind: 'phone' | 'email' | 'case', value: string): string {
  if (hmac?.secret !== secret) hmac = new PersonHmac(secret);
  return hmac.hex(`${kind}:${value}`).slice(0, 20);
}

/** The person's keys, most specific first (the first is the one the figures count people by). */
export function personKeys(secret: string, f: PersonFacts): string[] {
  const keys: string[] = [];
  const phone = normalisePhone(f.phone);
  if (phone) keys.push(personKey(secret, 'phone', phone));
  const email = normaliseEmail(f.email);
  if (email) keys.push(personKey(secret, 'email', email));
  for (const p of phonesInText(f.text)) keys.push(personKey(secret, 'phone', p));
  const caseNo = normaliseCaseNo(f.caseNo);
  if (caseNo) keys.push(personKey(secret, 'case', caseNo));
  return [...new Set(keys)];
}
