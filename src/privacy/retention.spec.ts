import { parsePersonKey, retentionCutoff } from './retention.js';

describe('retention cut-off', () => {
  it('counts calendar months back from now', () => {
    expect(retentionCutoff(new Date('2026-12-04T02:00:00Z'), 6).toISOString()).toBe('2026-06-04T02:00:00.000Z');
    expect(retentionCutoff(new Date('2026-12-04T02:00:00Z'), 36).toISOString()).toBe('2023-12-04T02:00:00.000Z');
    expect(retentionCutoff(new Date('2027-01-15T00:00:00Z'), 2).toISOString()).toBe('2026-11-15T00:00:00.000Z');
  });
  it('lands on the last day of a shorter month', () => {
    expect(retentionCutoff(new Date('2026-05-31T10:00:00Z'), 3).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(retentionCutoff(new Date('2028-03-31T10:00:00Z'), 1).toISOString()).toBe('2028-02-29T10:00:00.000Z');
  });
});

describe('a person key', () => {
  it('is a phone number (any spacing, +86) or a mail address', () => {
    expect(parsePersonKey('138 1234-5678')).toEqual({ phone: '13812345678' });
    expect(parsePersonKey('+8613812345678')).toEqual({ phone: '13812345678' });
    expect(parsePersonKey('0571-87654321')).toEqual({ phone: '057187654321' });
    expect(parsePersonKey(' Zhang@Example.com ')).toEqual({ email: 'zhang@example.com' });
  });
  it('refuses anything else', () => {
    expect(parsePersonKey('张三')).toBeNull();
    expect(parsePersonKey('12345')).toBeNull();
    expect(parsePersonKey('')).toBeNull();
  });
});
