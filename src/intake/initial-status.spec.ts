import { initialStatus } from './initial-status.js';

describe('initialStatus', () => {
  const base = { channel: 'qr', dimension: 'none', misconduct: false };
  it('queues bad reviews and closes good ratings without a problem', () => {
    expect(initialStatus({ ...base, rating: 1 })).toBe('assigned');
    expect(initialStatus({ ...base, rating: 2 })).toBe('assigned');
    expect(initialStatus({ ...base, rating: 3 })).toBe('closed');
    expect(initialStatus({ ...base, rating: 5 })).toBe('closed');
  });
  it('keeps a middling rating with a complaint in the queue', () => {
    expect(initialStatus({ ...base, rating: 3, tags: ['wait_long'] })).toBe('assigned');
    expect(initialStatus({ ...base, rating: 4, dimension: 'D1' })).toBe('assigned');
    expect(initialStatus({ ...base, rating: 5, misconduct: true })).toBe('assigned');
  });
  it('leaves what no rule could route as new, for a person to dispatch', () => {
    expect(initialStatus({ channel: 'phone', dimension: 'D1', misconduct: false, atTriage: true })).toBe('new');
    expect(initialStatus({ channel: 'qr', rating: 1, dimension: 'D1', misconduct: false, atTriage: true })).toBe('new');
    expect(initialStatus({ channel: 'qr', rating: 5, dimension: 'none', misconduct: false, atTriage: true })).toBe('closed');
  });
  it('closes praise and queues the rest', () => {
    expect(initialStatus({ channel: 'hotline', appealType: '表扬', dimension: 'none', misconduct: false })).toBe('closed');
    expect(initialStatus({ channel: 'hotline', appealType: '表扬', dimension: 'D5', misconduct: false })).toBe('assigned');
    expect(initialStatus({ channel: 'phone', dimension: 'none', misconduct: false })).toBe('assigned');
    expect(initialStatus({ channel: 'phone', dimension: null, misconduct: false, appealType: '表扬' })).toBe('assigned');
  });
});
