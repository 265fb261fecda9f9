import { timeLeft } from '../../src/console/format.js';

describe('console: time left to a deadline in plain Chinese', () => {
  const now = new Date('2026-03-05T02:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const H = 3_600_000;
  it('counts hours and days left', () => {
    expect(timeLeft(at(3 * H + 5), now)).toEqual({ text: '剩余3小时', overdue: false });
    expect(timeLeft(at(24 * H), now)).toEqual({ text: '剩余1天', overdue: false });
    expect(timeLeft(at(53 * H), now)).toEqual({ text: '剩余2天5小时', overdue: false });
    expect(timeLeft(at(10 * 60_000), now)).toEqual({ text: '剩余10分钟', overdue: false });
  });
  it('says how long a deadline is past', () => {
    expect(timeLeft(at(-49 * H), now)).toEqual({ text: '已超期2天', overdue: true });
    expect(timeLeft(at(-5 * H), now)).toEqual({ text: '已超期5小时', overdue: true });
    expect(timeLeft(at(-1000), now)).toEqual({ text: '已超期1分钟', overdue: true });
  });
  it('has nothing to say without a deadline', () => {
    expect(timeLeft(null, now)).toBeNull();
  });
});
