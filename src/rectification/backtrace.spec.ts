import path from 'node:path';
import { loadCatalogYaml } from '../routing/catalog-yaml.js';
import type { CatalogServiceItem } from '../org/catalog.types.js';
import { loadCalendar } from '../workflow/calendar.js';
import { backtrace, type CaseStep, normalizeStepName, stepNameSimilarity } from './backtrace.js';

const catalog = loadCatalogYaml(path.resolve('../shared/data/org/anping.yaml'));
const calendar = loadCalendar(path.resolve('config/calendar'), { warn: () => undefined });
const item = (code: string): CatalogServiceItem => {
  const found = catalog.items.find((i) => i.code === code);
  if (!found) throw new Error(`no ${code} in the sample catalogue`);
  return found;
};

/** A log row with China-time stamps: ['2026-03-02 09:10', '2026-03-02 09:40'] */
const row = (step: string, unit: string, start: string, end: string | null, result: string | null = '通过'): CaseStep => ({
  step,
  unit,
  startedAt: new Date(`${start.replace(' ', 'T')}:00+08:00`),
  endedAt: end ? new Date(`${end.replace(' ', 'T')}:00+08:00`) : null,
  result,
});

const run = (code: string, steps: CaseStep[], extra: { now?: Date } = {}) => {
  const it = item(code);
  return backtrace({ chain: it.steps, steps, calendar, leadUnit: it.unit, ...extra });
};

describe('SX-003 不动产转移登记 (二手房过户): the tax step at SW took 4 working days', () => {
  const log = [
    row('受理', 'BDC', '2026-03-02 09:10', '2026-03-02 09:40'),
    row('缴纳税款', 'SW', '2026-03-02 10:00', '2026-03-06 16:00'), // Mon → Fri
    row('审核登簿', 'BDC', '2026-03-09 09:00', '2026-03-10 17:00'),
    row('缮证发证', 'BDC', '2026-03-11 09:00', '2026-03-11 11:00', '办结'),
  ];

  it('blames the co-operating unit: D4, committed 1 vs 4', () => {
    const r = run('SX-003', log);
    expect(r.blocked).toEqual([
      {
        step: '缴税',
        unit: 'SW',
        units: ['SW'],
        dimension: 'D4',
        finding: 'overrun',
        reason: '「缴税」由 SW 办理, 承诺 1 个工作日, 实际用了 4 个工作日, 超出 3 个工作日: 件卡在协办单位 SW, 部门之间衔接不畅。',
        evidence: {
          committedDays: 1,
          actualDays: 4,
          from: '2026-03-02T02:00:00.000Z',
          to: '2026-03-06T08:00:00.000Z',
          rows: [1],
        },
      },
    ]);
    expect(r.steps.map((s) => [s.step, s.committedDays, s.actualDays, s.status])).toEqual([
      ['受理', 0, 0, 'ok'],
      ['缴税', 1, 4, 'overrun'],
      ['审核登簿', 2, 1, 'ok'],
      ['缮证发证', 1, 0, 'ok'],
    ]);
    expect(r.unmatched).toEqual([]);
  });

  it('an overrun in the item’s own unit is D5; one ending on time is no finding', () => {
    const slowOwn = [...log.slice(0, 2).map((x, i) => (i === 1 ? { ...x, endedAt: new Date('2026-03-03T10:00:00+08:00') } : x)),
      row('审核登簿', 'BDC', '2026-03-04 09:00', '2026-03-12 17:00'), // 6 working days for 2
      row('缮证发证', 'BDC', '2026-03-13 09:00', '2026-03-13 11:00')];
    const r = run('SX-003', slowOwn);
    expect(r.blocked.map((b) => [b.step, b.dimension, b.finding, b.evidence.committedDays, b.evidence.actualDays])).toEqual([
      ['审核登簿', 'D5', 'overrun', 2, 6],
    ]);
    expect(r.blocked[0]!.reason).toContain('属办理人员拖延');
  });

  it('a step still open is measured to now and named as stuck there', () => {
    const r = run('SX-003', [log[0]!, { ...log[1]!, endedAt: null, result: null }], { now: new Date('2026-03-09T15:00:00+08:00') });
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0]).toMatchObject({ step: '缴税', unit: 'SW', dimension: 'D4', evidence: { committedDays: 1, actualDays: 5, open: true, to: null } });
    expect(r.blocked[0]!.reason).toContain('至今(2026-03-09)已用 5 个工作日仍未办结');
    expect(r.steps.map((s) => s.status)).toEqual(['ok', 'overrun', 'not_reached', 'not_reached']);
    // without now, an open step is not judged
    expect(run('SX-003', [log[0]!, { ...log[1]!, endedAt: null }]).blocked).toEqual([]);
  });

  it('counts working days on the calendar: over the Spring Festival the tax step took 1 working day', () => {
    const r = run('SX-003', [
      row('受理', 'BDC', '2026-02-13 09:00', '2026-02-13 09:30'),
      row('缴税', 'SW', '2026-02-14 09:00', '2026-02-24 11:00'), // Sat 02-14 (working) → festival → Tue 02-24
    ]);
    expect(r.blocked).toEqual([]);
    expect(r.steps[1]!.actualDays).toBe(1);
  });

  it('a logged step that is not in the chain is D2, in its place in the walk', () => {
    const r = run('SX-003', [
      log[0]!,
      row('房屋交易核验', 'ZJ', '2026-03-02 10:00', '2026-03-03 10:00'),
      row('缴税', 'SW', '2026-03-03 11:00', '2026-03-04 16:00'),
      row('审核登簿', 'BDC', '2026-03-05 09:00', '2026-03-06 17:00'),
      row('缮证发证', 'BDC', '2026-03-09 09:00', '2026-03-09 11:00', '办结'),
    ]);
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0]).toMatchObject({ step: '房屋交易核验', unit: 'ZJ', dimension: 'D2', finding: 'unknown_step', evidence: { actualDays: 1, rows: [1] } });
    expect(r.blocked[0]!.reason).toContain('该事项的审批环节中没有这一步');
    expect(r.unmatched).toEqual([1]);
  });
});

describe('SX-026 低保: a 3-working-day hand-off gap between 街道 and 民政', () => {
  const log = [
    row('社区受理', 'SQ-YH', '2026-04-07 09:00', '2026-04-08 16:00'), // after 清明 (04-04…04-06)
    row('街道入户调查', 'JD-XC', '2026-04-09 09:00', '2026-04-20 17:00'),
    row('民政审批', 'MZ', '2026-04-23 09:00', '2026-04-30 17:00'),
  ];

  it('proposes D4 at the receiving step with both units', () => {
    const r = run('SX-026', log);
    expect(r.blocked).toEqual([
      {
        step: '民政审批',
        unit: 'MZ',
        units: ['JD-XC', 'MZ'],
        dimension: 'D4',
        finding: 'slow_handoff',
        reason: '「街道入户调查」(JD-XC) 于 2026-04-20 办完, 「民政审批」(MZ) 到 2026-04-23 才开始, 中间隔了 3 个工作日: 单位之间交接不畅, 件在两个单位之间停留。',
        evidence: {
          gapDays: 3,
          otherStep: { step: '街道入户调查', unit: 'JD-XC' },
          from: '2026-04-20T09:00:00.000Z',
          to: '2026-04-23T01:00:00.000Z',
          rows: [1, 2],
        },
      },
    ]);
    expect(r.steps.map((s) => s.actualDays)).toEqual([1, 7, 5]);
  });

  it('a gap of one working day is a normal hand-off; a gap over a holiday counts working days only', () => {
    const nextDay = run('SX-026', [log[0]!, log[1]!, { ...log[2]!, startedAt: new Date('2026-04-21T09:00:00+08:00') }]);
    // nothing wrong step by step: only the fallback proposal about the long committed limit remains
    expect(nextDay.blocked.map((b) => b.finding)).toEqual(['long_commitment']);
    // community ends Thu 04-30, the street starts Wed 05-06 after 劳动节 (05-01…05-05): 1 working day
    const r = run('SX-026', [
      row('社区受理', 'SQ-YH', '2026-04-29 09:00', '2026-04-30 16:00'),
      row('街道入户调查', 'JD-XC', '2026-05-06 09:00', '2026-05-08 17:00'),
    ]);
    expect(r.blocked).toEqual([]);
  });
});

describe('SX-020 公证书办理: returned for more material three times', () => {
  const log = [
    row('公证受理', 'SF', '2026-05-11 09:00', '2026-05-11 10:00'),
    row('审查、核实', 'SF', '2026-05-12 09:00', '2026-05-13 17:00', '退回补正'),
    row('审查核实', 'SF', '2026-05-18 09:00', '2026-05-19 17:00', '退回补正'),
    row('审查核实', 'SF', '2026-05-25 09:00', '2026-05-26 17:00', '退回，请补充材料'),
    row('审查核实', 'SF', '2026-06-01 09:00', '2026-06-03 17:00', '通过'),
    row('出证', 'SF', '2026-06-04 09:00', '2026-06-05 12:00', '办结'),
  ];

  it('proposes D2 (no one-time notice) with the count and the dates', () => {
    const r = run('SX-020', log);
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0]).toMatchObject({
      step: '审查核实',
      unit: 'SF',
      dimension: 'D2',
      finding: 'return_loop',
      evidence: { committedDays: 10, returns: 3, totalDays: 16, rows: [1, 2, 3] },
    });
    expect(r.blocked[0]!.reason).toBe(
      '「审查核实」(SF) 先后 3 次退回要求补正材料(2026-05-13、2026-05-19、2026-05-26), 从第一次办理到办完共 16 个工作日: 没有一次性告知所需材料, 群众多次往返。',
    );
    // the unit's own handling time (1+1+1+2) kept the limit; the applicant's waits are not the unit's overrun
    expect(r.steps[1]).toMatchObject({ actualDays: 5, returns: 3, status: 'ok', rows: [1, 2, 3, 4] });
  });

  it('a single return is not a loop', () => {
    const r = run('SX-020', [log[0]!, log[1]!, log[4]!, log[5]!]);
    expect(r.blocked.map((b) => b.finding)).toEqual(['long_commitment']);
    expect(r.steps[1]!.returns).toBe(1);
  });
});

describe('SX-007 住房公积金贷款: the 抵押登记 step is missing from the log', () => {
  const log = [
    row('受理', 'GJJ', '2026-06-01 09:00', '2026-06-01 09:30'),
    row('征信查询', 'GJJ', '2026-06-01 10:00', '2026-06-02 10:00'),
    row('审批', 'GJJ', '2026-06-02 14:00', '2026-06-05 17:00'),
    row('放款', 'GJJ', '2026-06-15 09:00', '2026-06-17 17:00'),
  ];

  it('proposes D3 (done outside the system) at BDC', () => {
    const r = run('SX-007', log);
    expect(r.blocked).toEqual([
      {
        step: '抵押登记',
        unit: 'BDC',
        units: ['BDC'],
        dimension: 'D3',
        finding: 'missing_step',
        reason: '「抵押登记」(BDC) 在办件记录中没有, 但其后的「放款」已经办理: 这一步可能在系统外办理(体外循环), 过程和时限都无从查考。',
        evidence: { committedDays: 3, otherStep: { step: '放款', unit: 'GJJ' }, rows: [3] },
      },
    ]);
    expect(r.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'missing', 'ok']);
    // 审批 → 放款 waited 6 working days, but inside GJJ: not a hand-off between units
    expect(r.blocked.some((b) => b.finding === 'slow_handoff')).toBe(false);
  });

  it('a wait after a return for material is the applicant’s time, not a slow hand-off', () => {
    const r = run('SX-026', [
      row('社区受理', 'SQ-YH', '2026-04-07 09:00', '2026-04-08 16:00', '退回补正'),
      row('街道入户调查', 'JD-XC', '2026-04-14 09:00', '2026-04-16 17:00'),
    ]);
    expect(r.blocked).toEqual([]);
  });

  it('a case still under way is not missing its later steps', () => {
    const r = run('SX-007', log.slice(0, 3));
    expect(r.blocked).toEqual([]);
    expect(r.steps.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'not_reached', 'not_reached']);
  });
});

describe('the walk', () => {
  it('lists several findings from the result backwards', () => {
    const r = run('SX-007', [
      row('受理', 'GJJ', '2026-06-01 09:00', '2026-06-01 09:30'),
      row('征信查询', 'GJJ', '2026-06-01 10:00', '2026-06-05 10:00'), // 4 for 1: own unit → D5
      row('审批', 'GJJ', '2026-06-08 09:00', '2026-06-10 17:00'),
      row('抵押登记', 'BDC', '2026-06-16 09:00', '2026-06-17 17:00'), // 4 working days after 审批 → D4 hand-off
      row('放款', 'GJJ', '2026-06-18 09:00', '2026-06-26 17:00'), // 5 for 3 (端午 06-19) → D5
    ]);
    expect(r.blocked.map((b) => [b.step, b.finding, b.dimension])).toEqual([
      ['放款', 'overrun', 'D5'],
      ['抵押登记', 'slow_handoff', 'D4'],
      ['征信查询', 'overrun', 'D5'],
    ]);
    expect(r.blocked[0]!.evidence).toMatchObject({ committedDays: 3, actualDays: 5 });
  });

  it('no case data: an empty proposal with the chain for staff to fill in', () => {
    const r = run('SX-003', []);
    expect(r.blocked).toEqual([]);
    expect(r.steps.map((s) => [s.step, s.status])).toEqual([
      ['受理', 'not_reached'],
      ['缴税', 'not_reached'],
      ['审核登簿', 'not_reached'],
      ['缮证发证', 'not_reached'],
    ]);
    expect(backtrace({ chain: [], steps: [], calendar }).blocked).toEqual([]);
  });

  it('every step on time in a long chain: D2 on the longest committed limit', () => {
    const r = run('SX-005', [
      row('受理', 'BDC', '2026-03-02 09:00', '2026-03-02 10:00'),
      row('地籍调查', 'BDC', '2026-03-03 09:00', '2026-03-09 17:00'),
      row('审核公告', 'BDC', '2026-03-10 09:00', '2026-03-30 17:00'),
      row('登簿发证', 'BDC', '2026-03-31 09:00', '2026-04-01 17:00'),
    ]);
    expect(r.blocked).toHaveLength(1);
    expect(r.blocked[0]).toMatchObject({ step: '审核公告', dimension: 'D2', finding: 'long_commitment', evidence: { committedDays: 15, actualDays: 14, totalDays: 22 } });
  });

  it('an end before the start is reported and counted as zero', () => {
    const r = run('SX-022', [row('受理', 'WJ', '2026-03-02 09:00', '2026-03-02 09:10'), row('签发', 'WJ', '2026-03-05 09:00', '2026-03-03 09:00')]);
    expect(r.warnings).toEqual(['第 2 行「签发」结束时间早于开始时间, 按 0 个工作日计']);
    expect(r.steps[1]!.actualDays).toBe(0);
  });

  it('units can be matched by a caller-supplied rule (names in the import)', () => {
    const names: Record<string, string> = { 安平县税务局: 'SW', 安平县不动产登记中心: 'BDC' };
    const r = backtrace({
      chain: item('SX-003').steps,
      steps: [
        row('受理', '安平县不动产登记中心', '2026-03-02 09:10', '2026-03-02 09:40'),
        row('缴税', '安平县税务局', '2026-03-02 10:00', '2026-03-06 16:00'),
      ],
      calendar,
      leadUnit: 'BDC',
      sameUnit: (logged, code) => (names[logged] ?? logged) === code,
    });
    expect(r.blocked.map((b) => [b.step, b.unit, b.dimension])).toEqual([['缴税', 'SW', 'D4']]);
  });
});

describe('step-name matching', () => {
  it('tolerates punctuation, spaces, width and 环节', () => {
    expect(normalizeStepName(' 审查、核实 环节')).toBe('审查核实');
    expect(normalizeStepName('审核（登簿）')).toBe('审核登簿');
    expect(stepNameSimilarity('审查、核实', '审查核实')).toBe(1);
    expect(stepNameSimilarity('公证受理', '受理')).toBe(0.8);
    expect(stepNameSimilarity('缴纳税款', '缴税')).toBeCloseTo(0.667, 2);
    expect(stepNameSimilarity('放款', '受理')).toBe(0);
  });

  it('a loose name matches only in the same unit', () => {
    // 审核 ~ 审批 (0.5): GJJ's 审批 when logged at GJJ, nothing when logged elsewhere
    const chain = item('SX-007').steps;
    const at = (unit: string) => backtrace({ chain, steps: [row('审核', unit, '2026-06-02 09:00', '2026-06-02 10:00')], calendar }).steps[2]!.rows;
    expect(at('GJJ')).toEqual([0]);
    expect(at('BDC')).toEqual([]);
  });
});
