import { maskEmail, maskName, maskPhone, maskTimelineData } from './masking.js';

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

  it('masks timeline data: whole inputs withheld, addresses masked, a step\'s statuses kept', () => {
    expect(maskTimelineData({ order: { 来电人: '李秀英', 联系电话: '13912345678' }, row: 3 })).toEqual({ row: 3 });
    expect(maskTimelineData({ from: 'lixiuying@example.com', text: '还没有处理' })).toEqual({ from: 'l***@example.com', text: '还没有处理' });
    expect(maskTimelineData({ from: 'assigned', to: 'accepted', note: null })).toEqual({ from: 'assigned', to: 'accepted', note: null });
    expect(maskTimelineData({ contact: { name: '张三', phone: '13812345678' } })).toEqual({ contact: { name: '张*', phone: '138****5678' } });
  });
});
