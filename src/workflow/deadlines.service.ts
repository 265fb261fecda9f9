import { Injectable, Logger } from '@nestjs/common';
import path from 'node:path';
import { Clock } from '../common/clock.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Channel } from '../items/item.types.js';
import { loadCalendar, type CalendarOptions, type WorkingCalendar } from './calendar.js';
import {
  addWorkingDays,
  type DeadlinePolicy,
  deadlinesFor,
  extendDeadline,
  loadDeadlinePolicy,
  overdueState,
  type OverdueState,
  reminderAt,
  workingDaysBetween,
} from './deadlines.js';

export const CALENDAR_DIR = path.join(PROJECT_ROOT, 'config', 'calendar');
export const DEADLINES_FILE = path.join(PROJECT_ROOT, 'config', 'deadlines.yaml');

export interface NewItemDeadlines {
  acceptDueAt: Date;
  answerDueAt: Date | null;
  callbackDueAt: Date | null;
  rectifyDueAt: Date | null;
  /** how each was counted: the policy's working days from receipt */
  basis: DeadlineBasis;
}

export const DEADLINE_KINDS = ['accept', 'answer', 'callback', 'rectify'] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];

/** How a deadline was counted: so many working days from this instant (次日起算), on the calendar of the day. */
export interface DueBasis {
  from: string;
  days: number;
}
/** item.deadline_basis: the basis of each deadline the item has */
export type DeadlineBasis = Partial<Record<DeadlineKind, DueBasis>>;

/**
 * The working-day calendar and the deadline policy. The policy is loaded once at start (a wrong file stops start-up
 * with every problem listed); the calendar starts as the shipped files and is then the store's (CalendarStore), which
 * the office extends year by year. A year without a calendar falls back to plain weekends and says so in the log.
 */
@Injectable()
export class DeadlinesService {
  private readonly logger = new Logger(DeadlinesService.name);
  private current: WorkingCalendar;
  readonly policy: DeadlinePolicy;
  /** how a calendar tells of a year it lacks: in the log, once per year and calendar */
  readonly calendarOptions: CalendarOptions = { warn: (message, year) => this.logger.warn({ year }, message) };

  constructor(private readonly clock: Clock) {
    // the shipped files until the store's calendar is read (CalendarStore, at start and whenever it changes)
    this.current = loadCalendar(CALENDAR_DIR, this.calendarOptions);
    this.policy = loadDeadlinePolicy(DEADLINES_FILE);
  }

  /** The calendar deadlines are counted on now. */
  get calendar(): WorkingCalendar {
    return this.current;
  }

  /** From now on count on this calendar (the store's, read by CalendarStore). */
  useCalendar(calendar: WorkingCalendar): void {
    this.current = calendar;
  }

  /** The basis of a deadline counted from `from`: the working days from it to `due` on the current calendar. */
  basisOf(from: Date, due: Date | null | undefined): DueBasis | undefined {
    if (!due) return undefined;
    const days = workingDaysBetween(this.current, from, due);
    return days >= 0 ? { from: from.toISOString(), days } : undefined;
  }

  /** The deadline a basis gives on the current calendar. */
  recount(b: DueBasis): Date {
    return addWorkingDays(this.current, new Date(b.from), b.days);
  }

  /** The deadlines of a new item, from the channel's own time of receipt. */
  forNewItem(input: { channel: Channel; appealType?: string | null; rating?: number | null; misconduct?: boolean; receivedAt: Date }): NewItemDeadlines {
    const d = deadlinesFor(input, this.policy, this.calendar);
    const from = input.receivedAt.toISOString();
    const basis: DeadlineBasis = { accept: { from, days: d.days.accept } };
    if (d.answerDueAt && d.days.answer !== null) basis.answer = { from, days: d.days.answer };
    if (d.callbackDueAt && d.days.callback !== undefined) basis.callback = { from, days: d.days.callback };
    if (d.rectifyDueAt && d.days.rectify !== undefined) basis.rectify = { from, days: d.days.rectify };
    return {
      acceptDueAt: d.acceptDueAt,
      answerDueAt: d.answerDueAt,
      callbackDueAt: d.callbackDueAt ?? null,
      rectifyDueAt: d.rectifyDueAt ?? null,
      basis,
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
