/**
 * The item's life as a pure state machine: which step who may take in which state, what the item becomes, and which
 * side effects the service must carry out (notices, deadlines, the rating's validity). No clock, no database: the
 * caller passes the item, the step, the actor (with whether the item is in the actor's scope) and now.
 *
 *   new ──dispatch──▶ assigned ──accept──▶ accepted ──answer──▶ answered ──callback(satisfied)──▶ closed
 *    ▲                   │  ▲                  │                   │  └──callback(unhappy)──▶ reopened ──answer──▶ …
 *    └──── returned ◀────┴──┼──── return ──────┘                   └──reopen (supervisor)──▶ reopened
 *          (triage)         └──── dispatch / reclassify {unit} ─────── closed ──reopen──▶ reopened
 *
 * Beside the status: an extension (none → requested → approved | refused) and an appeal of a bad review
 * (none → pending → upheld | rejected). Codes: 'forbidden' (403, or 404 when the item is outside the actor's scope),
 * 'not_allowed' (409, with the steps that are allowed), 'invalid' (400, the step's own data is wrong).
 */
import type { Role } from '../auth/user.entity.js';
import type { ItemStatus } from '../items/item.entity.js';

export const WORKFLOW_STATUSES = [
  'new',
  'assigned',
  'accepted',
  'answered',
  'closed',
  'returned',
  'reopened',
] as const satisfies readonly ItemStatus[];
// both ways: a status added to the entity must be handled here too
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _statusesMatch: Same<ItemStatus, (typeof WORKFLOW_STATUSES)[number]> = true;
void _statusesMatch;

export const EXTENSION_STATES = ['none', 'requested', 'approved', 'refused'] as const;
export type ExtensionState = (typeof EXTENSION_STATES)[number];
export const APPEAL_STATES = ['none', 'pending', 'upheld', 'rejected'] as const;
export type AppealState = (typeof APPEAL_STATES)[number];

/** What the machine needs to know about an item; `next` has the same shape. */
export interface WorkflowItem {
  status: ItemStatus;
  /** the responsible unit's code; null while in triage before anyone routed it */
  unit: string | null;
  dimension: string | null;
  /** the QR rating, 1–5, when there is one */
  rating: number | null;
  extension: ExtensionState;
  /** working days asked for (requested) or granted (approved) */
  extensionDays: number | null;
  appeal: AppealState;
  /** why the unit sent it back (kept for triage and the misroute count) */
  returnReason: string | null;
  /** the deadline the unit is held to; an extension must be asked for before it */
  answerDueAt: Date | null;
}

export const ACTION_TYPES = [
  'accept',
  'return',
  'answer',
  'callback',
  'close',
  'reopen',
  'reclassify',
  'dispatch',
  'request_extension',
  'decide_extension',
  'appeal',
  'decide_appeal',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export type WorkflowAction =
  | { type: 'accept'; note?: string }
  | { type: 'return'; reason: string }
  | { type: 'answer'; text: string }
  | { type: 'callback'; satisfied: boolean; note?: string }
  | { type: 'close'; note?: string }
  | { type: 'reopen'; reason?: string }
  | { type: 'reclassify'; dimension?: string; unit?: string; note?: string; secondary?: string[]; misconduct?: boolean }
  | { type: 'dispatch'; unit: string; reason: string }
  | { type: 'request_extension'; days: number; reason: string }
  | { type: 'decide_extension'; approve: boolean; note?: string }
  | { type: 'appeal'; reason: string }
  | { type: 'decide_appeal'; uphold: boolean; note?: string };

export interface WorkflowActor {
  role: Role | 'system' | 'public';
  /** the item is in the actor's scope (unit staff: their unit or below); the caller knows the org tree */
  ownsItem: boolean;
}

/** What the service must do besides saving `next` and writing the timeline. */
export type WorkflowEffect =
  | { type: 'notify_unit'; unit: string }
  | { type: 'notify_triage' }
  | { type: 'notify_supervisor' }
  | { type: 'notify_person' }
  /** recompute deadlines: 'dispatch' = accept from now, answer still from receipt; 'reopen' = accept and answer from now */
  | { type: 'set_deadlines'; basis: 'dispatch' | 'reopen' }
  | { type: 'extend_deadlines'; workingDays: number }
  | { type: 'schedule_callback' }
  | { type: 'record_callback'; satisfied: boolean }
  | { type: 'count_misroute'; unit: string }
  | { type: 'mark_rating_invalid' };

export interface TimelineEvent {
  kind: ActionType;
  from: ItemStatus;
  to: ItemStatus;
  note: string | null;
  data: Record<string, unknown>;
}

export type Decision =
  | { ok: true; next: WorkflowItem; effects: WorkflowEffect[]; event: TimelineEvent }
  | { ok: false; code: 'forbidden' | 'not_allowed' | 'invalid'; message: string; allowed: ActionType[] };

type Who = 'unit_or_supervisor' | 'supervisor' | 'unit';

/** Who may take each step at all, whatever the state. */
const WHO: Record<ActionType, Who> = {
  accept: 'unit_or_supervisor',
  return: 'unit_or_supervisor',
  answer: 'unit_or_supervisor',
  callback: 'unit_or_supervisor',
  reclassify: 'unit_or_supervisor',
  // closing without a callback, reopening and routing are oversight: a unit cannot close its own complaint
  close: 'supervisor',
  reopen: 'supervisor',
  dispatch: 'supervisor',
  decide_extension: 'supervisor',
  decide_appeal: 'supervisor',
  // asked by the unit of the supervisor; a supervisor asking itself would be no check at all
  request_extension: 'unit',
  appeal: 'unit',
};

const ALL: readonly ItemStatus[] = WORKFLOW_STATUSES;
const OPEN: readonly ItemStatus[] = ['new', 'assigned', 'accepted', 'answered', 'returned', 'reopened'];
/** statuses in which the unit holds the item */
const AT_UNIT: readonly ItemStatus[] = ['assigned', 'accepted', 'answered', 'reopened'];

/** The statuses each step starts from (flags are checked in `stateRefusal`). */
const FROM: Record<ActionType, readonly ItemStatus[]> = {
  accept: ['assigned'],
  return: ['assigned', 'accepted'],
  answer: ['accepted', 'reopened'],
  callback: ['answered'],
  close: OPEN,
  reopen: ['answered', 'closed'],
  reclassify: ALL, // narrowed for unit staff and for closed items below
  dispatch: ['new', 'returned'],
  request_extension: ['accepted', 'reopened'],
  decide_extension: OPEN,
  appeal: [...AT_UNIT, 'closed'],
  decide_appeal: ALL,
};

const isSupervisor = (a: WorkflowActor): boolean => a.role === 'supervisor' || a.role === 'admin';
const isBadReview = (rating: number | null): boolean => rating !== null && rating >= 1 && rating <= 2;

function roleRefusal(type: ActionType, actor: WorkflowActor): string | null {
  const who = WHO[type];
  if (isSupervisor(actor)) return who === 'unit' ? `${type} is the unit's step, not the supervisor's` : null;
  if (actor.role === 'unit_staff') {
    if (!actor.ownsItem) return 'the item is not in your unit';
    return who === 'supervisor' ? `${type} is for the supervisor` : null;
  }
  return `a${actor.role === 'operator' ? 'n' : ''} ${actor.role} cannot take workflow steps`;
}

/** Why the item's state does not allow the step, or null. Payload-independent except where noted. */
function stateRefusal(item: WorkflowItem, type: ActionType, actor: WorkflowActor, now: Date): string | null {
  if (!FROM[type].includes(item.status)) return `cannot ${type} an item that is ${item.status}`;
  switch (type) {
    case 'reclassify':
      if (!isSupervisor(actor) && !AT_UNIT.includes(item.status)) {
        return `the unit can reclassify only while it holds the item, not when it is ${item.status}`;
      }
      return null;
    case 'request_extension':
      if (item.extension === 'requested') return 'an extension is already waiting for a decision';
      if (item.extension === 'approved') return 'an extension was already granted';
      if (!item.answerDueAt) return 'the item has no deadline to extend';
      if (now.getTime() > item.answerDueAt.getTime()) return 'the deadline has passed; an extension is asked for before it';
      return null;
    case 'decide_extension':
      return item.extension === 'requested' ? null : 'no extension request is waiting';
    case 'appeal':
      if (!isBadReview(item.rating)) return 'only a bad review (rating 1–2) can be appealed';
      if (item.appeal !== 'none') return `the rating was already appealed (${item.appeal})`;
      return null;
    case 'decide_appeal':
      return item.appeal === 'pending' ? null : 'no appeal is waiting';
    case 'reopen':
    case 'accept':
    case 'return':
    case 'answer':
    case 'callback':
    case 'close':
    case 'dispatch':
      return null;
  }
}

/** The steps this actor may take on the item now (for the 409 answer and for the UI's buttons). */
export function allowedActions(item: WorkflowItem, actor: WorkflowActor, now: Date): ActionType[] {
  return ACTION_TYPES.filter((t) => roleRefusal(t, actor) === null && stateRefusal(item, t, actor, now) === null);
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
/** far beyond any sensible extension; a typo should not push a deadline by a year */
const MAX_EXTENSION_DAYS = 60;

/**
 * Decides one workflow step. Order: may this actor take this step at all (forbidden) → does the item's state allow
 * it (not_allowed) → is the step's own data right (invalid) → the next state and the effects.
 */
export function decide(item: WorkflowItem, action: WorkflowAction, actor: WorkflowActor, now: Date): Decision {
  const refuse = (code: 'forbidden' | 'not_allowed' | 'invalid', message: string): Decision => ({
    ok: false,
    code,
    message,
    allowed: allowedActions(item, actor, now),
  });
  const who = roleRefusal(action.type, actor);
  if (who) return refuse('forbidden', who);
  const state = stateRefusal(item, action.type, actor, now);
  if (state) return refuse('not_allowed', state);

  const next: WorkflowItem = { ...item };
  const effects: WorkflowEffect[] = [];
  let note: string | null = null;
  const data: Record<string, unknown> = {};
  const resetExtension = (): void => {
    next.extension = 'none';
    next.extensionDays = null;
  };
  const assignTo = (unit: string): void => {
    next.status = 'assigned';
    next.unit = unit;
    next.returnReason = null;
    resetExtension();
    effects.push({ type: 'notify_unit', unit }, { type: 'set_deadlines', basis: 'dispatch' });
  };

  switch (action.type) {
    case 'accept':
      next.status = 'accepted';
      note = text(action.note);
      break;

    case 'return': {
      const reason = text(action.reason);
      if (!reason) return refuse('invalid', 'say why the item is returned');
      next.status = 'returned';
      next.returnReason = reason;
      resetExtension();
      note = reason;
      effects.push({ type: 'notify_triage' });
      if (item.unit) effects.push({ type: 'count_misroute', unit: item.unit });
      break;
    }

    case 'answer': {
      const answer = text(action.text);
      if (!answer) return refuse('invalid', 'the answer is empty');
      next.status = 'answered';
      note = answer;
      effects.push({ type: 'notify_person' }, { type: 'schedule_callback' });
      break;
    }

    case 'callback':
      if (typeof action.satisfied !== 'boolean') return refuse('invalid', 'say whether the person is satisfied');
      note = text(action.note);
      data.satisfied = action.satisfied;
      effects.push({ type: 'record_callback', satisfied: action.satisfied });
      if (action.satisfied) {
        next.status = 'closed';
      } else {
        // the unit owes a new answer; reopened items come back with fresh deadlines and may ask for time again
        next.status = 'reopened';
        resetExtension();
        if (item.unit) effects.push({ type: 'notify_unit', unit: item.unit });
        effects.push({ type: 'set_deadlines', basis: 'reopen' });
      }
      break;

    case 'close':
      next.status = 'closed';
      note = text(action.note);
      break;

    case 'reopen':
      note = text(action.reason);
      resetExtension();
      if (item.unit) {
        next.status = 'reopened';
        effects.push({ type: 'notify_unit', unit: item.unit }, { type: 'set_deadlines', basis: 'reopen' });
      } else {
        // closed straight from triage (spam, duplicate): it goes back to triage, there is no unit to reopen it for
        next.status = 'new';
        effects.push({ type: 'notify_triage' });
      }
      break;

    case 'reclassify': {
      const dimension = text(action.dimension);
      const unit = text(action.unit);
      const moves = unit !== null && unit !== item.unit;
      if (!dimension && !unit && action.secondary === undefined && action.misconduct === undefined) {
        return refuse('invalid', 'give a dimension, a unit or both');
      }
      // the misconduct flag decides who else sees the item (the supervision copy): the office's call, never the unit's
      if (action.misconduct !== undefined && !isSupervisor(actor)) {
        return refuse('forbidden', 'the misconduct flag and the supervision copy are for the office to set or clear');
      }
      if (moves && !isSupervisor(actor)) {
        return refuse('forbidden', 'a unit passes an item on by returning it, with a reason; moving it is for the supervisor');
      }
      if (moves && item.status === 'closed') return refuse('not_allowed', 'a closed item keeps its unit; reopen it first');
      note = text(action.note);
      if (dimension) {
        data.dimension = { from: item.dimension, to: dimension };
        next.dimension = dimension;
      }
      if (moves) {
        data.unit = { from: item.unit, to: unit };
        assignTo(unit);
        if (item.unit && item.status !== 'new') effects.push({ type: 'count_misroute', unit: item.unit });
      }
      break;
    }

    case 'dispatch': {
      const unit = text(action.unit);
      const reason = text(action.reason);
      if (!unit) return refuse('invalid', 'name the unit to dispatch to');
      if (!reason) return refuse('invalid', 'say why this unit');
      note = reason;
      data.unit = unit;
      assignTo(unit);
      break;
    }

    case 'request_extension': {
      const reason = text(action.reason);
      if (!Number.isInteger(action.days) || action.days < 1 || action.days > MAX_EXTENSION_DAYS) {
        return refuse('invalid', `ask for 1–${MAX_EXTENSION_DAYS} working days`);
      }
      if (!reason) return refuse('invalid', 'say why more time is needed');
      next.extension = 'requested';
      next.extensionDays = action.days;
      note = reason;
      data.days = action.days;
      effects.push({ type: 'notify_supervisor' });
      break;
    }

    case 'decide_extension':
      if (typeof action.approve !== 'boolean') return refuse('invalid', 'approve or refuse');
      if (action.approve && !item.extensionDays) return refuse('invalid', 'the request says no number of days');
      note = text(action.note);
      data.approve = action.approve;
      data.days = item.extensionDays;
      if (action.approve && item.extensionDays) {
        next.extension = 'approved';
        // the person is told of the new date (DESIGN.md)
        effects.push(
          { type: 'extend_deadlines', workingDays: item.extensionDays },
          ...(item.unit ? [{ type: 'notify_unit' as const, unit: item.unit }] : []),
          { type: 'notify_person' },
        );
      } else {
        next.extension = 'refused';
        next.extensionDays = null;
        if (item.unit) effects.push({ type: 'notify_unit', unit: item.unit });
      }
      break;

    case 'appeal': {
      const reason = text(action.reason);
      if (!reason) return refuse('invalid', 'say why the rating is mistaken or malicious');
      next.appeal = 'pending';
      note = reason;
      effects.push({ type: 'notify_supervisor' });
      break;
    }

    case 'decide_appeal':
      if (typeof action.uphold !== 'boolean') return refuse('invalid', 'uphold or reject');
      note = text(action.note);
      data.uphold = action.uphold;
      // an upheld appeal invalidates the rating (kept, excluded from the figures); the item itself stays as it is
      next.appeal = action.uphold ? 'upheld' : 'rejected';
      if (action.uphold) effects.push({ type: 'mark_rating_invalid' });
      if (item.unit) effects.push({ type: 'notify_unit', unit: item.unit });
      break;
  }

  return { ok: true, next, effects, event: { kind: action.type, from: item.status, to: next.status, note, data } };
}
