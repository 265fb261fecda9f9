/**
 * The instant before which a closed item's personal data is erased: `months` calendar months before `now` (the
 * 31st going back into a shorter month lands on that month's last day, as a person would count).
 */
export function retentionCutoff(now: Date, months: number): Date {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, m, 1, now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  return target;
}

/** A person is looked up by a mobile or landline number (7+ digits) or a mail address. */
export type PersonKey = { phone: string } | { email: string };

export function parsePersonKey(raw: string): PersonKey | null {
  const s = raw.trim();
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) return { email: s.toLowerCase() };
  const digits = s.replace(/^\+86/, '').replace(/[\s()-]/g, '');
  if (/^\d{7,15}$/.test(digits)) return { phone: digits };
  return null;
}

/** Keys of timeline data that hold a person's contact details (a 12345 row's columns, a mail's sender). */
export const PERSONAL_KEY = /^(phone|mobile|tel|telephone|caller|callerName|callerPhone|contact|contactName|contactPhone|name|email|mail|from|fromAddr)$|电话|手机|姓名|来电人|联系人|联系方式|邮箱|身份证/i;
