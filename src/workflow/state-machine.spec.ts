import {
  ACTION_TYPES,
  type ActionType,
  allowedActions,
  decide,
  type Decision,
  WORKFLOW_STATUSES,
  type WorkflowAction,
  type WorkflowActor,
  type WorkflowItem,
} from './state-machine.js';
import type { ItemStatus } from '../items/item.entity.js';

const NOW = new Date('2026-10-12T10:00:00+08:00');
const DUE = new Date('2026-10-13T23:59:59.999+08:00');

const item = (over: Partial<WorkflowItem> = {}): WorkflowItem => ({
  status: 'assigned',
  unit: 'GJJ',
  dimension: 'D4',
  rating: 1,
  extension: 'none',
  extensionDays: null,
  appeal: 'none',
  returnReason: null,
  answerDueAt: DUE,
  ...over,
});

const ACTORS = {
  admin: { role: 'admin', ownsItem: false },
  supervisor: { role: 'supervisor', ownsItem: false },
  unit_own: { role: 'unit_staff', ownsItem: true },
  unit_other: { role: 'unit_staff', ownsItem: false },
  operator: { role: 'operator', ownsItem: true },
  system: { role: 'system', ownsItem: true },
  public: { role: 'public', ownsItem: true },
} satisfies Record<string, WorkflowActor>;
type ActorName = keyof typeof ACTORS;

/** A valid step of each type, so only role and state decide. */
const ACTION: Record<ActionType, WorkflowAction> = {
  accept: { type: 'accept' },
  return: { type: 'return', reason: '不属于本单位职责' },
  answer: { type: 'answer', text: '已核实并答复' },
  callback: { type: 'callback', satisfied: true, note: '满意' },
  close: { type: 'close' },
  reopen: { type: 'reopen', reason: '答复不实' },
  reclassify: { type: 'reclassify', dimension: 'D2' },
  dispatch: { type: 'dispatch', unit: 'BDC', reason: '抵押登记属不动产中心' },
  request_extension: { type: 'request_extension', days: 5, reason: '需现场核查' },
  decide_extension: { type: 'decide_extension', approve: true },
  appeal: { type: 'appeal', reason: '评价人并未在本窗口办事' },
  decide_appeal: { type: 'decide_appeal', uphold: true },
};

/** The flags each step needs besides the status (a waiting request, a pending appeal). */
const BASE: Partial<Record<ActionType, Partial<WorkflowItem>>> = {
  decide_extension: { extension: 'requested', extensionDays: 5 },
  decide_appeal: { appeal: 'pending' },
};

/** Who may take the step at all: U unit staff on their items and supervisors, S supervisors, O the unit only. */
const WHO: Record<ActionType, 'U' | 'S' | 'O'> = {
  accept: 'U',
  return: 'U',
  answer: 'U',
  callback: 'U',
  reclassify: 'U',
  close: 'S',
  reopen: 'S',
  dispatch: 'S',
  decide_extension: 'S',
  decide_appeal: 'S',
  request_extension: 'O',
  appeal: 'O',
};

// The whole table, written out by hand: ✓ = the step is allowed from that status (for an actor who may take it).
const TABLE = `
                   new  assigned accepted answered closed returned reopened
accept              .      ✓        .        .       .       .        .
return              .      ✓        ✓        .       .       .        .
answer              .      .        ✓        .       .       .        ✓
callback            .      .        .        ✓       .       .        .
close               ✓      ✓        ✓        ✓       .       ✓        ✓
reopen              .      .        .        ✓       ✓       .        .
reclassify          ✓      ✓        ✓        ✓       ✓       ✓        ✓
reclassify/unit     .      ✓        ✓        ✓       .       .        ✓
dispatch            ✓      .        .        .       .       ✓        .
request_extension   .      .        ✓        .       .       .        ✓
decide_extension    ✓      ✓        ✓        ✓       .       ✓        ✓
appeal              .      ✓        ✓        ✓       ✓       .        ✓
decide_appeal       ✓      ✓        ✓        ✓       ✓       ✓        ✓
`;
const rows = TABLE.trim().split('\n');
const header = rows[0]!.trim().split(/\s+/) as ItemStatus[];
const allowedFrom = new Map<string, Set<ItemStatus>>(
  rows.slice(1).map((r) => {
    const [name, ...cells] = r.trim().split(/\s+/);
    return [name!, new Set(header.filter((_, i) => cells[i] === '✓'))];
  }),
);

/** The step's status after success, for the default payloads above. */
const NEXT: Record<ActionType, ItemStatus | 'same'> = {
  accept: 'accepted',
  return: 'returned',
  answer: 'answered',
  callback: 'closed',
  close: 'closed',
  reopen: 'reopened',
  reclassify: 'same',
  dispatch: 'assigned',
  request_extension: 'same',
  decide_extension: 'same',
  appeal: 'same',
  decide_appeal: 'same',
};

function expected(status: ItemStatus, type: ActionType, actor: ActorName): 'ok' | 'forbidden' | 'not_allowed' {
  const who = WHO[type];
  const supervisor = actor === 'admin' || actor === 'supervisor';
  if (supervisor) {
    if (who === 'O') return 'forbidden';
  } else if (actor === 'unit_own') {
    if (who === 'S') return 'forbidden';
  } else {
    return 'forbidden';
  }
  const row = type === 'reclassify' && !supervisor ? 'reclassify/unit' : type;
  return allowedFrom.get(row)!.has(status) ? 'ok' : 'not_allowed';
}

describe('the whole table: every status × step × actor', () => {
  it('lists every status and step', () => {
    expect(header).toEqual([...WORKFLOW_STATUSES]);
    expect([...allowedFrom.keys()].filter((k) => !k.includes('/'))).toEqual([...ACTION_TYPES]);
  });

  const cases: [ItemStatus, ActionType, ActorName][] = [];
  for (const s of WORKFLOW_STATUSES) for (const a of ACTION_TYPES) for (const r of Object.keys(ACTORS) as ActorName[]) cases.push([s, a, r]);

  it.each(cases)('%s · %s · %s', (status, type, actorName) => {
    const it = item({ status, ...BASE[type] });
    const actor = ACTORS[actorName];
    const d = decide(it, ACTION[type], actor, NOW);
    const want = expected(status, type, actorName);
    expect(d.ok ? 'ok' : d.code).toBe(want);
    // the list offered in refusals agrees with decide
    expect(allowedActions(it, actor, NOW).includes(type)).toBe(want === 'ok');
    if (d.ok) {
      expect(d.next.status).toBe(NEXT[type] === 'same' ? status : NEXT[type]);
      expect(d.event).toMatchObject({ kind: type, from: status, to: d.next.status });
      expect(WORKFLOW_STATUSES).toContain(d.next.status);
    } else {
      expect(d.message.length).toBeGreaterThan(0);
      expect(d.allowed).toEqual(allowedActions(it, actor, NOW));
    }
    // never mutates its input
    expect(it).toEqual(item({ status, ...BASE[type] }));
  });
});

/** Runs steps in order, failing loudly on a refusal. */
function run(start: WorkflowItem, steps: [WorkflowAction, ActorName][]): Extract<Decision, { ok: true }>[] {
  let cur = start;
  const out: Extract<Decision, { ok: true }>[] = [];
  for (const [a, who] of steps) {
    const d = decide(cur, a, ACTORS[who], NOW);
    if (!d.ok) throw new Error(`${a.type} by ${who} refused: ${d.code} ${d.message}`);
    out.push(d);
    cur = d.next;
  }
  return out;
}

describe('paths through the workflow', () => {
  it('a bad review: accept → answer → satisfied callback → closed', () => {
    const ds = run(item(), [
      [{ type: 'accept' }, 'unit_own'],
      [{ type: 'answer', text: '已整改: 窗口增设引导员' }, 'unit_own'],
      [{ type: 'callback', satisfied: true, note: '群众表示满意' }, 'supervisor'],
    ]);
    expect(ds.map((d) => d.next.status)).toEqual(['accepted', 'answered', 'closed']);
    expect(ds[1]!.effects).toEqual([{ type: 'notify_person' }, { type: 'schedule_callback' }]);
    expect(ds[1]!.event.note).toBe('已整改: 窗口增设引导员');
    expect(ds[2]!.effects).toEqual([{ type: 'record_callback', satisfied: true }]);
    expect(ds[2]!.event).toEqual({ kind: 'callback', from: 'answered', to: 'closed', note: '群众表示满意', data: { satisfied: true } });
  });

  it('an unhappy callback reopens it with fresh deadlines, and the unit answers again', () => {
    const ds = run(item({ status: 'answered', extension: 'approved', extensionDays: 3 }), [
      [{ type: 'callback', satisfied: false, note: '问题没有解决' }, 'unit_own'],
      [{ type: 'answer', text: '再次核实后已解决' }, 'unit_own'],
    ]);
    expect(ds[0]!.next).toMatchObject({ status: 'reopened', extension: 'none', extensionDays: null });
    expect(ds[0]!.effects).toEqual([
      { type: 'record_callback', satisfied: false },
      { type: 'notify_unit', unit: 'GJJ' },
      { type: 'set_deadlines', basis: 'reopen' },
    ]);
    expect(ds[1]!.next.status).toBe('answered');
  });

  it('a return goes back to triage with the reason, counts a misroute, and the supervisor dispatches it again', () => {
    const ds = run(item({ status: 'accepted' }), [
      [{ type: 'return', reason: '  该事项属不动产中心  ' }, 'unit_own'],
      [{ type: 'dispatch', unit: 'BDC', reason: '抵押登记由不动产中心办理' }, 'supervisor'],
    ]);
    expect(ds[0]!.next).toMatchObject({ status: 'returned', returnReason: '该事项属不动产中心', unit: 'GJJ' });
    expect(ds[0]!.effects).toEqual([{ type: 'notify_triage' }, { type: 'count_misroute', unit: 'GJJ' }]);
    expect(ds[1]!.next).toMatchObject({ status: 'assigned', unit: 'BDC', returnReason: null });
    expect(ds[1]!.effects).toEqual([{ type: 'notify_unit', unit: 'BDC' }, { type: 'set_deadlines', basis: 'dispatch' }]);
    expect(ds[1]!.event.data).toEqual({ unit: 'BDC' });
  });

  it('reopen by the supervisor; an item closed from triage goes back to triage', () => {
    expect(run(item({ status: 'closed' }), [[{ type: 'reopen' }, 'admin']])[0]!.next.status).toBe('reopened');
    const d = run(item({ status: 'closed', unit: null }), [[{ type: 'reopen', reason: '并非重复件' }, 'supervisor']])[0]!;
    expect(d.next.status).toBe('new');
    expect(d.effects).toEqual([{ type: 'notify_triage' }]);
  });
});

describe('extensions', () => {
  it('asked before the deadline, approved by the supervisor, the person told', () => {
    const ds = run(item({ status: 'accepted' }), [
      [{ type: 'request_extension', days: 5, reason: '需多部门会商' }, 'unit_own'],
      [{ type: 'decide_extension', approve: true }, 'supervisor'],
    ]);
    expect(ds[0]!.next).toMatchObject({ extension: 'requested', extensionDays: 5 });
    expect(ds[0]!.effects).toEqual([{ type: 'notify_supervisor' }]);
    expect(ds[1]!.next).toMatchObject({ extension: 'approved', extensionDays: 5, status: 'accepted' });
    expect(ds[1]!.effects).toEqual([
      { type: 'extend_deadlines', workingDays: 5 },
      { type: 'notify_unit', unit: 'GJJ' },
      { type: 'notify_person' },
    ]);
    // one extension per deadline
    const again = decide(ds[1]!.next, { type: 'request_extension', days: 2, reason: 'x' }, ACTORS.unit_own, NOW);
    expect(again).toMatchObject({ ok: false, code: 'not_allowed', message: 'an extension was already granted' });
  });

  it('refused, the unit may ask once more; a second request while one waits is refused', () => {
    const [req] = run(item({ status: 'accepted' }), [[{ type: 'request_extension', days: 5, reason: '需现场核查' }, 'unit_own']]);
    const waiting = decide(req!.next, { type: 'request_extension', days: 3, reason: 'x' }, ACTORS.unit_own, NOW);
    expect(waiting).toMatchObject({ ok: false, code: 'not_allowed' });
    const [no] = run(req!.next, [[{ type: 'decide_extension', approve: false, note: '理由不充分' }, 'supervisor']]);
    expect(no!.next).toMatchObject({ extension: 'refused', extensionDays: null });
    expect(no!.effects).toEqual([{ type: 'notify_unit', unit: 'GJJ' }]);
    expect(decide(no!.next, { type: 'request_extension', days: 3, reason: '补充理由' }, ACTORS.unit_own, NOW).ok).toBe(true);
  });

  it('is asked before the deadline, not after, and only when there is one', () => {
    const late = new Date('2026-10-14T00:00:00+08:00');
    const a: WorkflowAction = { type: 'request_extension', days: 2, reason: '需现场核查' };
    expect(decide(item({ status: 'accepted' }), a, ACTORS.unit_own, new Date('2026-10-13T23:59:00+08:00')).ok).toBe(true);
    expect(decide(item({ status: 'accepted' }), a, ACTORS.unit_own, late)).toMatchObject({ ok: false, code: 'not_allowed' });
    expect(decide(item({ status: 'accepted', answerDueAt: null }), a, ACTORS.unit_own, NOW)).toMatchObject({
      ok: false,
      code: 'not_allowed',
      message: 'the item has no deadline to extend',
    });
    expect(allowedActions(item({ status: 'accepted' }), ACTORS.unit_own, late)).not.toContain('request_extension');
  });

  it.each([0, -1, 1.5, 61])('refuses %p days as invalid', (days) => {
    const d = decide(item({ status: 'accepted' }), { type: 'request_extension', days, reason: 'x' }, ACTORS.unit_own, NOW);
    expect(d).toMatchObject({ ok: false, code: 'invalid' });
  });
});

describe('appeals of a bad review (申诉复核)', () => {
  it('upheld: the rating is marked invalid, the item keeps its status', () => {
    const ds = run(item({ status: 'answered', rating: 2 }), [
      [{ type: 'appeal', reason: '评价时间与办件时间不符, 系误评' }, 'unit_own'],
      [{ type: 'decide_appeal', uphold: true, note: '经核实属实' }, 'supervisor'],
    ]);
    expect(ds[0]!.next.appeal).toBe('pending');
    expect(ds[0]!.effects).toEqual([{ type: 'notify_supervisor' }]);
    expect(ds[1]!.next).toMatchObject({ appeal: 'upheld', status: 'answered' });
    expect(ds[1]!.effects).toEqual([{ type: 'mark_rating_invalid' }, { type: 'notify_unit', unit: 'GJJ' }]);
  });

  it('rejected: the rating stands; no second appeal', () => {
    const ds = run(item({ status: 'closed' }), [
      [{ type: 'appeal', reason: '恶意差评' }, 'unit_own'],
      [{ type: 'decide_appeal', uphold: false }, 'admin'],
    ]);
    expect(ds[1]!.next.appeal).toBe('rejected');
    expect(ds[1]!.effects).toEqual([{ type: 'notify_unit', unit: 'GJJ' }]);
    expect(decide(ds[1]!.next, { type: 'appeal', reason: '再申诉' }, ACTORS.unit_own, NOW)).toMatchObject({ ok: false, code: 'not_allowed' });
  });

  it.each([3, 5, null])('a rating of %p cannot be appealed', (rating) => {
    const d = decide(item({ rating }), { type: 'appeal', reason: 'x' }, ACTORS.unit_own, NOW);
    expect(d).toMatchObject({ ok: false, code: 'not_allowed', message: 'only a bad review (rating 1–2) can be appealed' });
  });
});

describe('reclassify', () => {
  it('a unit may correct the dimension of its item, not move it', () => {
    const d = decide(item({ status: 'accepted' }), { type: 'reclassify', dimension: 'D2' }, ACTORS.unit_own, NOW);
    expect(d).toMatchObject({ ok: true, next: { dimension: 'D2', status: 'accepted', unit: 'GJJ' }, effects: [] });
    const move = decide(item({ status: 'accepted' }), { type: 'reclassify', unit: 'BDC' }, ACTORS.unit_own, NOW);
    expect(move).toMatchObject({ ok: false, code: 'forbidden' });
    // naming its own unit is no move
    expect(decide(item(), { type: 'reclassify', unit: 'GJJ', dimension: 'D1' }, ACTORS.unit_own, NOW).ok).toBe(true);
  });

  it('the supervisor moves it: assigned to the new unit, a misroute counted against the old', () => {
    const d = decide(item({ status: 'accepted', extension: 'requested', extensionDays: 3 }), { type: 'reclassify', unit: 'BDC', dimension: 'D4' }, ACTORS.supervisor, NOW);
    expect(d).toMatchObject({ ok: true, next: { status: 'assigned', unit: 'BDC', dimension: 'D4', extension: 'none', extensionDays: null } });
    expect(d.ok && d.effects).toEqual([
      { type: 'notify_unit', unit: 'BDC' },
      { type: 'set_deadlines', basis: 'dispatch' },
      { type: 'count_misroute', unit: 'GJJ' },
    ]);
    expect(d.ok && d.event.data).toEqual({ dimension: { from: 'D4', to: 'D4' }, unit: { from: 'GJJ', to: 'BDC' } });
  });

  it('routing from triage is no misroute; a closed item keeps its unit; an empty step is invalid', () => {
    const fromNew = decide(item({ status: 'new', unit: null }), { type: 'reclassify', unit: 'BDC' }, ACTORS.supervisor, NOW);
    expect(fromNew.ok && fromNew.effects.map((e) => e.type)).toEqual(['notify_unit', 'set_deadlines']);
    expect(decide(item({ status: 'closed' }), { type: 'reclassify', unit: 'BDC' }, ACTORS.supervisor, NOW)).toMatchObject({ ok: false, code: 'not_allowed' });
    expect(decide(item({ status: 'closed' }), { type: 'reclassify', dimension: 'D5' }, ACTORS.supervisor, NOW).ok).toBe(true);
    expect(decide(item(), { type: 'reclassify', dimension: ' ' }, ACTORS.supervisor, NOW)).toMatchObject({ ok: false, code: 'invalid' });
  });
});

describe('refusals', () => {
  it('a step not allowed in the state answers not_allowed with the allowed steps', () => {
    const d = decide(item({ status: 'answered' }), { type: 'accept' }, ACTORS.unit_own, NOW);
    expect(d).toEqual({
      ok: false,
      code: 'not_allowed',
      message: 'cannot accept an item that is answered',
      allowed: ['callback', 'reclassify', 'appeal'],
    });
  });

  it('role comes before state: an operator is forbidden even where the state would not allow it', () => {
    expect(decide(item({ status: 'closed' }), { type: 'accept' }, ACTORS.operator, NOW)).toMatchObject({ code: 'forbidden', allowed: [] });
    expect(decide(item(), { type: 'accept' }, ACTORS.unit_other, NOW)).toMatchObject({ code: 'forbidden', message: 'the item is not in your unit' });
  });

  it.each<[WorkflowAction, WorkflowItem]>([
    [{ type: 'return', reason: '   ' }, item()],
    [{ type: 'answer', text: '' }, item({ status: 'accepted' })],
    [{ type: 'dispatch', unit: 'BDC', reason: '' }, item({ status: 'returned' })],
    [{ type: 'dispatch', unit: '', reason: 'x' }, item({ status: 'new' })],
    [{ type: 'appeal', reason: '' }, item()],
    [{ type: 'callback', satisfied: 'yes' as unknown as boolean }, item({ status: 'answered' })],
    [{ type: 'decide_extension', approve: true }, item({ extension: 'requested', extensionDays: null })],
  ])('invalid data: %j', (action, it) => {
    const d = decide(it, action, action.type === 'appeal' || action.type === 'return' || action.type === 'answer' ? ACTORS.unit_own : ACTORS.supervisor, NOW);
    expect(d).toMatchObject({ ok: false, code: 'invalid' });
  });
});
