import { speakers, structureFeatures } from './structure.js';

describe('who speaks in a text', () => {
  it('finds two parties sending the person to each other', () => {
    expect(speakers('社保卡激活，银行叫去社保局，社保局叫去银行，我阿妈跑了三趟。').map((s) => s.who)).toEqual(['银行', '社保局']);
    expect(structureFeatures('社保卡激活，银行叫去社保局，社保局叫去银行，我阿妈跑了三趟。')).toEqual(['§speak2', '§chain', '§mutual']);
  });

  it('reads a chain in which the second speaker was named by the first', () => {
    expect(structureFeatures('户籍窗口说要民宗局意见，民宗局说要公安先受理。')).toEqual(['§speak2', '§chain']);
  });

  it('drops a leading 又/却 and reads dialect speech verbs', () => {
    expect(speakers('不动产讲是镇里量的，镇里又讲是国土局量的').map((s) => s.who)).toEqual(['不动产', '镇里']);
  });

  it('does not take the writer, hearsay or words that only contain a speaking verb as a party', () => {
    expect(speakers('我说我明天没空，窗口说明天再来')).toEqual([]);
    expect(speakers('听说可以在手机上认证，打个电话问问')).toEqual([]);
    expect(structureFeatures('窗口说要复印件，窗口又说要原件')).toEqual([]);
  });

  it('gives nothing for one party or none', () => {
    expect(structureFeatures('社保局说我们县还没开通。')).toEqual([]);
    expect(structureFeatures('')).toEqual([]);
  });
});
