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
