/** Masks personal data for roles that do not need it: 138****5678, 0571-****5678, z***@example.com. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const digits = phone.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const keepHead = /^1[3-9]\d{9}$/.test(digits) ? 3 : Math.min(4, Math.max(0, digits.length - 7));
  const keepTail = 4;
  return digits.slice(0, keepHead) + '*'.repeat(Math.max(4, digits.length - keepHead - keepTail)) + digits.slice(-keepTail);
}

export function maskEmail(email: string | null): string | null {
  if (!email) return email;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = Array.from(name);
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(Math.min(chars.length - 1, 3))}`;
}

/*
 * Personal data typed into free text (a comment, a hotline order's content, a mail): mainland ID-card numbers
 * (18 characters, or the old 15 digits), mobile numbers (optionally +86 and spaced 3-4-4), landlines written with an
 * area code and a hyphen, and mail addresses. Bounded by non-digits so order numbers and case numbers are left alone.
 */
const ID_CARD = /(?<![0-9A-Za-z])(?:[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]|[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3})(?![0-9A-Za-z])/g;
const MOBILE = /(?<![0-9])(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9])/g;
const LANDLINE = /(?<![0-9])0\d{2,3}-\d{7,8}(?![0-9])/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** The text with ID-card numbers, phone numbers and mail addresses masked, for roles that see masked data. */
export function maskText(text: string): string;
export function maskText(text: string | null): string | null;
export function maskText(text: string | null): string | null {
  if (!text) return text;
  return text
    .replace(ID_CARD, (m) => `${m.slice(0, 1)}${'*'.repeat(m.length - 2)}${m.slice(-1)}`)
    .replace(MOBILE, (m) => maskPhone(m.replace(/^\+?86[ -]?/, '')) ?? '')
    .replace(LANDLINE, (m) => maskPhone(m) ?? '')
    .replace(EMAIL, (m) => maskEmail(m) ?? '');
}

/** The text with the same personal data removed for good (erasure: nothing of the number is kept). */
export function eraseText(text: string): string;
export function eraseText(text: string | null): string | null;
export function eraseText(text: string | null): string | null {
  if (!text) return text;
  return text.replace(ID_CARD, ERASED).replace(MOBILE, ERASED).replace(LANDLINE, ERASED).replace(EMAIL, ERASED);
}

export const ERASED = '〔已删除〕';

/** Applies `f` to every string inside a JSON value (timeline data), keeping its shape. */
export function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

/** Timeline keys that hold a whole input as received (a 12345 row, a mail's headers): withheld, not masked. */
const RAW_KEYS = new Set(['raw', 'order', 'headers']);
const EMAIL_KEYS = new Set(['from', 'to', 'email', 'contactEmail', 'replyTo']);
const PHONE_KEYS = new Set(['phone', 'contactPhone', 'mobile']);
const NAME_KEYS = new Set(['name', 'caller', 'contactName']);

/**
 * A timeline entry's data for a role that does not see personal data: whole inputs withheld (a changed 12345 row's
 * 来电人 and 联系电话, under unpredictable column names), addresses, phones and names masked like the item's contact.
 */
export function maskTimelineData(data: Record<string, unknown>): Record<string, unknown> {
  const walk = (v: unknown, depth: number): unknown => {
    if (Array.isArray(v)) return depth > 8 ? [] : v.map((x) => walk(x, depth + 1));
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (RAW_KEYS.has(k)) continue;
      // `from`/`to` are also a step's statuses: only addresses are masked
      if (EMAIL_KEYS.has(k)) out[k] = maskAny(x, (s) => (s?.includes('@') ? maskEmail(s) : s));
      else if (PHONE_KEYS.has(k)) out[k] = maskAny(x, maskPhone);
      else if (NAME_KEYS.has(k)) out[k] = maskAny(x, maskName);
      else out[k] = depth > 8 ? null : walk(x, depth + 1);
    }
    return out;
  };
  return walk(data, 0) as Record<string, unknown>;
}

function maskAny(v: unknown, mask: (s: string | null) => string | null): unknown {
  if (typeof v === 'string') return mask(v);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? mask(x) : null));
  return v === null || v === undefined ? v : null;
}
