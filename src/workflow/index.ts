/**
 * The workflow's decision core, pure and tested without mocks; the NestJS services wrap it (DB columns for the
 * deadlines scanned by jobs, HTTP endpoints for the steps).
 *
 * - calendar.ts: the working-day calendar from config/calendar/<year>.yaml. Load once at start with
 *   `loadCalendar(dir, {warn})` (throws CalendarConfigError listing every problem); a year without a file falls
 *   back to plain weekends and calls `warn` once for that year. All dates are China dates (Asia/Shanghai).
 * - deadlines.ts: `addWorkingDays` (次日起算, due 23:59:59.999 China time of the Nth working day),
 *   `workingDaysBetween`, `reminderAt` (催办), `extendDeadline`, `overdueState` (督办 / 通报), and the policy from
 *   config/deadlines.yaml: `loadDeadlinePolicy(file)` then `deadlinesFor(item, policy, calendar)`.
 * - state-machine.ts: `decide(item, action, actor, now)` → the next state and named effects, or a refusal coded
 *   forbidden (403/404) / not_allowed (409, with `allowed`) / invalid (400); `allowedActions` for the UI and the 409.
 *
 * The back-trace over a case's steps lives with rectification: ../rectification/backtrace.ts.
 */
export {
  CalendarConfigError,
  type CalendarOptions,
  type CalendarProblem,
  type CalendarYear,
  type ChinaDay,
  chinaDateKey,
  chinaDayOf,
  type DayInfo,
  type DayKind,
  endOfChinaDay,
  loadCalendar,
  parseCalendarYear,
  parseChinaDate,
  startOfChinaDay,
  weekdayOf,
  WorkingCalendar,
} from './calendar.js';
export {
  addWorkingDays,
  type AppealTypeRule,
  type ChannelRule,
  type DeadlineInput,
  type DeadlinePolicy,
  DeadlinePolicyError,
  type DeadlineProblem,
  type Deadlines,
  deadlinesFor,
  extendDeadline,
  isBadReview,
  loadDeadlinePolicy,
  overdueState,
  type OverdueState,
  parseDeadlinePolicy,
  reminderAt,
  resolveAppealType,
  workingDaysBetween,
} from './deadlines.js';
export {
  ACTION_TYPES,
  type ActionType,
  allowedActions,
  APPEAL_STATES,
  type AppealState,
  type Decision,
  decide,
  EXTENSION_STATES,
  type ExtensionState,
  type TimelineEvent,
  type WorkflowAction,
  type WorkflowActor,
  type WorkflowEffect,
  type WorkflowItem,
  WORKFLOW_STATUSES,
} from './state-machine.js';
