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
