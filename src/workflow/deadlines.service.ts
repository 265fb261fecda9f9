import { Injectable, Logger } from '@nestjs/common';
import path from 'node:path';
import { Clock } from '../common/clock.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Channel } from '../items/item.types.js';
import { chinaDayOf, loadCalendar, yearOf, type WorkingCalendar } from './calendar.js';
import {
  addWorkingDays,
  type DeadlinePolicy,
  deadlinesFor,
  extendDeadline,
  loadDeadlinePolicy,
  overdueState,
  type OverdueState,
  reminderAt,
} from './deadlines.js';

export const CALENDAR_DIR = path.join(PROJECT_ROOT, 'config', 'calendar');
export const DEADLINES_FILE = path.join(PROJECT_ROOT, 'config', 'deadlines.yaml');

export interface NewItemDeadlines {
  acceptDueAt: Date;
  answerDueAt: Date | null;
  callbackDueAt: Date | null;
  rectifyDueAt: Date | null;
}

/**
 * The working-day calendar and the deadline policy, loaded once at start (a wrong file stops start-up with every
 * problem listed). A year without a calendar file falls back to plain weekends and says so in the log, once a year.
 */
@Injectable()
export class DeadlinesService {
  private readonly logger = new Logger(DeadlinesService.name);
  readonly calendar: WorkingCalendar;
  readonly policy: DeadlinePolicy;

  constructor(private readonly clock: Clock) {
    this.calendar = loadCalendar(CALENDAR_DIR, {
      warn: (message, year) => this.logger.warn({ year }, message),
    });
    this.policy = loadDeadlinePolicy(DEADLINES_FILE);
    // the China year of the hub's clock (01-01 00:30 China time is still the old year in UTC)
    const thisYear = yearOf(chinaDayOf(this.clock.now()));
    for (const y of [thisYear, thisYear + 1]) {
      if (!this.calendar.hasYear(y)) {
        this.logger.warn({ year: y }, `no working-day calendar for ${y} (config/calendar/${y}.yaml): plain weekends are used for that year`);
      }
    }
  }

  /** The deadlines of a new item, from the channel's own time of receipt. */
  forNewItem(input: { channel: Channel; appealType?: string | null; rating?: number | null; misconduct?: boolean; receivedAt: Date }): NewItemDeadlines {
    const d = deadlinesFor(input, this.policy, this.calendar);
    return {
      acceptDueAt: d.acceptDueAt,
      answerDueAt: d.answerDueAt,
      callbackDueAt: d.callbackDueAt ?? null,
      rectifyDueAt: d.rectifyDueAt ?? null,
    };
  }

  addWorkingDays(from: Date, n: number): Date {
    return addWorkingDays(this.calendar, from, n);
  }

  extend(due: Date, days: number): Date {
    return extendDeadline(this.calendar, due, days);
  }

  /** 催办 time for a deadline: the configured working days before it, never before `notBefore`. */
  reminderAt(due: Date, notBefore?: Date): Date {
    return reminderAt(this.calendar, due, { before: this.policy.escalation.remindBefore, notBefore });
  }

  overdue(due: Date, now: Date = this.clock.now()): OverdueState {
    return overdueState(this.calendar, due, now, this.policy.escalation.reportAfter);
  }

  get acceptDays(): number {
    return this.policy.accept;
  }

  get callbackDays(): number {
    return this.policy.badReview.callback;
  }
}
