import { presetPeriods } from '../../src/console/dashboard.controller.js';

/** The dashboard's preset periods are China dates of the hub's clock, at the edges where UTC and China disagree. */
describe('dashboard preset periods', () => {
  it('starts the new year, month and week at China midnight (still 2026 in UTC)', () => {
    const p = presetPeriods(new Date('2027-01-01T00:00:10+08:00'));
    expect(p.year).toEqual({ from: '2027-01-01', to: '2027-01-01' });
    expect(p.month).toEqual({ from: '2027-01-01', to: '2027-01-01' });
    expect(p.lastMonth).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    // Friday: the week began on Monday 2026-12-28
    expect(p.week).toEqual({ from: '2026-12-28', to: '2027-01-01' });
    expect(p.lastWeek).toEqual({ from: '2026-12-21', to: '2026-12-27' });
  });

  it('keeps the last second of a year in that year', () => {
    const p = presetPeriods(new Date('2026-12-31T23:59:59.999+08:00'));
    expect(p.year).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(p.month).toEqual({ from: '2026-12-01', to: '2026-12-31' });
    expect(p.lastMonth).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });

  it('turns the week on Monday 00:00 China time', () => {
    expect(presetPeriods(new Date('2026-12-06T23:59:59+08:00')).week).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(presetPeriods(new Date('2026-12-07T00:00:00+08:00')).week).toEqual({ from: '2026-12-07', to: '2026-12-07' });
    expect(presetPeriods(new Date('2026-12-07T00:00:00+08:00')).lastWeek).toEqual({ from: '2026-11-30', to: '2026-12-06' });
  });

  it('finds last month across a short February and a new year', () => {
    expect(presetPeriods(new Date('2027-03-01T08:00:00+08:00')).lastMonth).toEqual({ from: '2027-02-01', to: '2027-02-28' });
    expect(presetPeriods(new Date('2028-03-01T08:00:00+08:00')).lastMonth).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });
});
