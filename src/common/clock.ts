import { Injectable } from '@nestjs/common';

/**
 * The hub's one source of business time: when an item was received, accepted or answered, every deadline and
 * whether it has passed, reminders, report periods, tokens and "time left" on the console all read it. Nothing that
 * decides business time calls `new Date()`, `Date.now()` or SQL `now()` (the database may run on another clock):
 * it asks the clock and passes the instant on, into SQL as a parameter.
 *
 * In production it is the machine's clock. Tests move it (`set`, `advance`, `freeze`) instead of depending on the
 * day they run; `HUB_TEST_NOW` (read by the test support, never by the hub) starts every test app's clock at another
 * instant so the whole suite can be run as if it were another date. Durations that are not business time (a cache's
 * age, a retry back-off, how long an import took) may use the process's own timers.
 */
@Injectable()
export class Clock {
  /** added to the machine's time while running */
  private offsetMs = 0;
  /** a stopped clock reads this; null while it runs */
  private frozenAt: number | null = null;

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.frozenAt ?? Date.now() + this.offsetMs;
  }

  /** From now on the clock reads `instant` and runs on from there (tests, demos). */
  set(instant: Date | string | number): void {
    const ms = toMs(instant);
    this.frozenAt = null;
    this.offsetMs = ms - Date.now();
  }

  /** The clock reads `instant` until moved again. */
  freeze(instant: Date | string | number = this.nowMs()): void {
    this.frozenAt = toMs(instant);
  }

  /** Moves the clock forward (or back, with a negative amount) by `ms`, frozen or running. */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }

  /** Back to the machine's clock. */
  reset(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }

  /** true when the clock is not the machine's (so start-up can say so) */
  get shifted(): boolean {
    return this.frozenAt !== null || this.offsetMs !== 0;
  }
}

function toMs(instant: Date | string | number): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not an instant: ${String(instant)}`);
  return ms;
}
