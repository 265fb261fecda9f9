import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';

/** failures of one user name from one address before each further try must wait (1 s, 2 s, 4 s … 15 min) */
export const PAIR_FREE_FAILURES = 5;
/** failures from one address over any user names (password spraying) before the same back-off */
export const ADDRESS_FREE_FAILURES = 20;
const MAX_LOCK_SECONDS = 15 * 60;
/** a counter untouched this long starts again from zero */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

interface Counter {
  key: string;
  free: number;
}

/**
 * Sign-in throttling, counted in the store (so every copy sees it). Every attempt reserves its place before the
 * password is checked, in one locked transaction, so parallel guesses cannot all pass a check made before any of
 * them failed. Counted per user name *and* address together — a wrong password from one place cannot lock the
 * account for everyone else (`admin` included) — and per address over all names.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  counters(username: string, address: string): Counter[] {
    return [
      { key: `pair:${username.trim().toLowerCase()}|${address}`, free: PAIR_FREE_FAILURES },
      { key: `ip:${address}`, free: ADDRESS_FREE_FAILURES },
    ];
  }

  /** Counts the attempt as a failure until `succeeded` says otherwise; 429 (nothing counted) while a counter waits. */
  async reserve(counters: Counter[]): Promise<void> {
    const now = this.clock.now();
    const keys = counters.map((c) => c.key).sort();
    await this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO login_failure (key, failures, last_failure_at) SELECT k, 0, $2 FROM unnest($1::text[]) k ON CONFLICT (key) DO NOTHING`,
        [keys, now],
      );
      const rows: { key: string; failures: number; last_failure_at: Date }[] = await m.query(
        `SELECT key, failures, last_failure_at FROM login_failure WHERE key = ANY($1) ORDER BY key FOR UPDATE`,
        [keys],
      );
      let wait = 0;
      for (const r of rows) {
        const free = counters.find((c) => c.key === r.key)?.free ?? PAIR_FREE_FAILURES;
        const stale = now.getTime() - r.last_failure_at.getTime() > FORGET_AFTER_MS;
        if (stale || r.failures < free) continue;
        const lockMs = Math.min(MAX_LOCK_SECONDS, 2 ** (r.failures - free)) * 1000;
        wait = Math.max(wait, Math.ceil((r.last_failure_at.getTime() + lockMs - now.getTime()) / 1000));
      }
      if (wait > 0) {
        throw new DomainError(ErrorCode.TooManyAttempts, `too many failed sign-ins; try again in ${wait} s`, undefined, wait);
      }
      await m.query(
        `UPDATE login_failure SET failures = CASE WHEN last_failure_at < $2 THEN 1 ELSE failures + 1 END, last_failure_at = $3
         WHERE key = ANY($1)`,
        [keys, new Date(now.getTime() - FORGET_AFTER_MS), now],
      );
    });
  }

  /** The attempt was right: its reservation is given back and the pair starts afresh. */
  async succeeded(counters: Counter[]): Promise<void> {
    const [pair, ...rest] = counters;
    await this.ds.query(`DELETE FROM login_failure WHERE key = $1`, [pair.key]);
    await this.ds.query(`UPDATE login_failure SET failures = greatest(failures - 1, 0) WHERE key = ANY($1)`, [rest.map((c) => c.key)]);
  }
}
