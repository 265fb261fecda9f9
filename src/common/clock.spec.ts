import { Clock } from './clock.js';

describe('the hub clock', () => {
  it('reads the machine clock until moved', () => {
    const c = new Clock();
    const before = Date.now();
    const t = c.nowMs();
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now());
    expect(c.shifted).toBe(false);
  });

  it('set: reads the instant and runs on from there', async () => {
    const c = new Clock();
    c.set('2027-01-04T09:00:00+08:00');
    const a = c.nowMs();
    expect(a).toBeGreaterThanOrEqual(Date.parse('2027-01-04T01:00:00Z'));
    expect(a).toBeLessThan(Date.parse('2027-01-04T01:00:01Z'));
    await new Promise((r) => setTimeout(r, 20));
    expect(c.nowMs()).toBeGreaterThan(a);
    expect(c.shifted).toBe(true);
  });

  it('freeze and advance: stands still until moved, frozen or running', () => {
    const c = new Clock();
    c.freeze(new Date('2026-12-31T23:59:30+08:00'));
    expect(c.now().toISOString()).toBe('2026-12-31T15:59:30.000Z');
    expect(c.now().toISOString()).toBe('2026-12-31T15:59:30.000Z');
    c.advance(45_000);
    expect(c.now().toISOString()).toBe('2026-12-31T16:00:15.000Z');
    c.set(0);
    c.advance(86_400_000);
    expect(c.nowMs()).toBeGreaterThanOrEqual(86_400_000);
    expect(c.nowMs()).toBeLessThan(86_400_000 + 1000);
    c.reset();
    expect(c.shifted).toBe(false);
    expect(Math.abs(c.nowMs() - Date.now())).toBeLessThan(1000);
  });

  it('refuses what is not an instant', () => {
    expect(() => new Clock().set('yesterday')).toThrow(RangeError);
    expect(() => new Clock().freeze(Number.NaN)).toThrow(RangeError);
  });
});
