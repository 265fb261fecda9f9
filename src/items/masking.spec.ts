import { eraseText, mapStrings, maskEmail, maskName, maskPhone, maskText, maskTimelineData } from './masking.js';

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
  it('masks ID-card numbers, phone numbers and mail addresses typed into text', () => {
    const t = '我叫张三，身份证110105199003071234，电话13812345678 或 138 1234 5678，座机0571-87654321，邮箱zhang.san@example.com';
    const m = maskText(t);
    expect(m).toBe('我叫张三，身份证1****************4，电话138****5678 或 138****5678，座机0571****4321，邮箱z***@example.com');
    expect(maskText('身份证号11010519900307123X。')).toBe('身份证号1****************X。');
    expect(maskText('+86 13812345678')).toBe('138****5678');
  });
  it('leaves order numbers, case numbers, dates and amounts alone', () => {
    const t = '工单编号2026110900123，办件编号AP-2026-000123，2026-11-09 办理，收费200元，等了45分钟，第13812345678901号';
    expect(maskText(t)).toBe(t);
    expect(maskText(null)).toBeNull();
  });
  it('erases the same personal data for good, keeping the rest of the text', () => {
    expect(eraseText('请回电13812345678，身份证110105199003071234，谢谢')).toBe('请回电〔已删除〕，身份证〔已删除〕，谢谢');
    expect(mapStrings({ a: ['x 13812345678'], b: 3, c: { d: 'z@example.com' } }, eraseText)).toEqual({ a: ['x 〔已删除〕'], b: 3, c: { d: '〔已删除〕' } });
  });

  it('masks timeline data: whole inputs withheld, addresses masked, a step\'s statuses kept', () => {
    expect(maskTimelineData({ order: { 来电人: '李秀英', 联系电话: '13912345678' }, row: 3 })).toEqual({ row: 3 });
    expect(maskTimelineData({ from: 'lixiuying@example.com', text: '还没有处理' })).toEqual({ from: 'l***@example.com', text: '还没有处理' });
    expect(maskTimelineData({ from: 'assigned', to: 'accepted', note: null })).toEqual({ from: 'assigned', to: 'accepted', note: null });
    expect(maskTimelineData({ contact: { name: '张三', phone: '13812345678' } })).toEqual({ contact: { name: '张*', phone: '138****5678' } });
  });
});
