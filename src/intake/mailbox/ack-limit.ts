import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Clock } from '../../common/clock.js';

/** acknowledgements one address receives in a day: a person writing several times still hears back */
export const ACKS_PER_SENDER_PER_DAY = 3;
/** acknowledgements to one mail domain in an hour: a forged run of addresses at one domain soon stops */
export const ACKS_PER_DOMAIN_PER_HOUR = 20;
const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Whether a new mail's sender gets an acknowledgement. The sender address of a mail is whatever the writer claims, so
 * every acknowledgement is a mail the hub sends from the government domain to an address a stranger chose; they are
 * counted per address and per domain (attempts included, in one statement) and refused past the limits. The item is
 * made either way.
 */
@Injectable()
export class AckLimiter {
  constructor(private readonly clock: Clock) {}

  async admit(m: EntityManager, address: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const addr = address.trim().toLowerCase();
    const domain = addr.slice(addr.lastIndexOf('@') + 1);
    const now = this.clock.nowMs();
    const day = new Date(now - (now % DAY_MS));
    const hour = new Date(now - (now % HOUR_MS));
    const rows: { key: string; n: number }[] = await m.query(
      `INSERT INTO ack_counter (key, bucket, n) VALUES ($1, $2, 1), ($3, $4, 1)
       ON CONFLICT (key, bucket) DO UPDATE SET n = ack_counter.n + 1 RETURNING key, n`,
      [`sender:${addr}`, day, `domain:${domain}`, hour],
    );
    await m.query(`DELETE FROM ack_counter WHERE bucket < $1`, [new Date(now - 2 * DAY_MS)]);
    const n = (key: string) => rows.find((r) => r.key === key)?.n ?? 0;
    if (n(`sender:${addr}`) > ACKS_PER_SENDER_PER_DAY) return { ok: false, reason: `more than ${ACKS_PER_SENDER_PER_DAY} acknowledgements to this address today` };
    if (n(`domain:${domain}`) > ACKS_PER_DOMAIN_PER_HOUR) return { ok: false, reason: `more than ${ACKS_PER_DOMAIN_PER_HOUR} acknowledgements to ${domain} this hour` };
    return { ok: true };
  }
}
