import { newTrackingCode, normaliseTrackingCode } from './tracking-code.js';

describe('tracking codes', () => {
  it('are random, well-formed and distinct', () => {
    const codes = new Set(Array.from({ length: 10000 }, newTrackingCode));
    expect(codes.size).toBe(10000);
    for (const c of [...codes].slice(0, 100)) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });
  it('every issued code is found again as written', () => {
    for (let i = 0; i < 2000; i++) {
      const c = newTrackingCode();
      expect(normaliseTrackingCode(c)).toBe(c);
      expect(normaliseTrackingCode(c.toLowerCase().replace(/-/g, ' '))).toBe(c);
    }
  });
  it('survive hand copying', () => {
    expect(normaliseTrackingCode('ab12 cd34 ef5o')).toBe('AB12-CD34-EF50');
    expect(normaliseTrackingCode('short')).toBeNull();
  });
});
