import { maskEmail, maskName, maskPhone } from './masking.js';

describe('masking', () => {
  it('masks a mainland mobile keeping the first 3 and last 4 digits', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('138-1234-5678')).toBe('138****5678');
  });
  it('masks landlines and short numbers without revealing them', () => {
    expect(maskPhone('0571-87654321')).toBe('0571****4321');
    expect(maskPhone('87654321')).toBe('8****4321');
    expect(maskPhone('110')).toBe('***');
    expect(maskPhone(null)).toBeNull();
  });
  it('masks mail addresses and names', () => {
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskName('李')).toBe('*');
  });
});
