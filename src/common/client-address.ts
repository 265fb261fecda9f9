import { isIP } from 'node:net';

/** Keywords Express's `trust proxy` understands (proxy-addr): the ranges they stand for. */
export const PROXY_KEYWORDS = ['loopback', 'linklocal', 'uniquelocal'] as const;

/**
 * Checks one `HUB_TRUSTED_PROXIES` entry: an address, a network in CIDR form or one of the keywords. Returns the
 * problem, or null.
 */
export function proxyEntryProblem(entry: string): string | null {
  if ((PROXY_KEYWORDS as readonly string[]).includes(entry)) return null;
  const [addr, prefix, extra] = entry.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return `"${entry}" is not an IP address, a CIDR network or one of ${PROXY_KEYWORDS.join(', ')}`;
  if (prefix !== undefined) {
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `"${entry}": the prefix must be 0–${max}`;
  }
  return null;
}

/**
 * The key that throttles and rate limits count a client under. IPv4 by address; IPv6 by its /64, since one
 * subscriber or one office network is handed a whole /64 and could otherwise take a fresh address per attempt.
 * IPv4-mapped IPv6 (::ffff:10.0.0.1) counts as the IPv4 address.
 */
export function clientBucket(ip: string | undefined | null): string {
  if (!ip) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1];
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return 'unknown';
  const groups = expandIPv6(ip.split('%')[0]);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : 'unknown';
}

/** eight lowercase, unpadded hexadecimal groups of an IPv6 address (an embedded IPv4 tail included) */
function expandIPv6(ip: string): string[] | null {
  let text = ip.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0) return null;
  const groups = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => parseInt(g, 16).toString(16));
}
