import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCatalogYaml } from '../routing/catalog-yaml.js';
import { createClassifier, MAX_CLASSIFY_CHARS } from './classifier.js';
import { junkScore, loadLexicon, scoreCues } from './lexicon.js';
import { modelFromJson, modelToJson, predict, trainModel } from './model.js';
import { normalizeText } from './normalize.js';
import { QR_PROBLEM_TAGS } from './qr-tags.js';

const catalog = loadCatalogYaml(path.resolve('../shared/data/org/anping.yaml'));
const lexicon = loadLexicon(path.resolve('config/classification/lexicon.yaml'));
const model = modelFromJson(JSON.parse(readFileSync(path.resolve('config/classification/model.json'), 'utf8')));
const classifier = createClassifier({ catalog, lexicon, model });
const classify = classifier.classify;
const scoreCuesOf = (text: string): number => scoreCues(lexicon, normalizeText(text)).misconduct;
/** The lexicon alone flags each breach and none of the others. */
const expectCues = ({ breach, not }: { breach: string[]; not: string[] }): void => {
  for (const t of breach) expect(scoreCuesOf(t)).toBeGreaterThanOrEqual(lexicon.misconductThreshold);
  for (const t of not) expect(scoreCuesOf(t)).toBeLessThan(lexicon.misconductThreshold);
};

describe('normalizeText', () => {
  it('folds full-width forms, traditional characters, controls and whitespace', () => {
    expect(normalizeText('ＡＰＰ\u0000登錄不了，\t\n  等了２個小時')).toBe('app登录不了, 等了2个小时');
  });
});

describe('classify rules', () => {
  it.each(['', '   \n\t  ', '\u200b\u0000'])('empty text %j is none with confidence 0', (text) => {
    const c = classify({ text });
    expect(c).toMatchObject({ dimension: 'none', secondary: [], misconduct: false, confidence: 0 });
  });

  it('classifies a huge text on a bounded prefix and says so', () => {
    const text = '窗口工作人员态度恶劣，'.repeat(Math.ceil((MAX_CLASSIFY_CHARS * 2) / 11));
    const started = Date.now();
    const c = classify({ text });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(c.truncated).toBe(true);
    expect(c.dimension).toBe('D5');
    expect(c.evidence.some((e) => e.kind === 'rule' && e.text.includes(String(MAX_CLASSIFY_CHARS)))).toBe(true);
  });

  it('takes the dimension from ticked QR tags', () => {
    const c = classify({ text: '', rating: 2, tags: ['material_many', '材料多', '部门推诿', '要求说不清'] });
    expect(c.dimension).toBe('D2');
    expect(c.secondary).toEqual(['D4']);
    expect(c.evidence.filter((e) => e.kind === 'tag')).toHaveLength(3);
  });

  it('a favour-asking tag is misconduct and D5', () => {
    const c = classify({ text: '排队太久了', rating: 1, tags: ['wait_long', 'asked_for_favours'] });
    expect(c).toMatchObject({ dimension: 'D5', misconduct: true });
  });

  it('exports every tag with a code, a label and a dimension', () => {
    for (const t of QR_PROBLEM_TAGS) expect(t.code && t.label && /^D[1-5]$/.test(t.dimension)).toBeTruthy();
    expect(new Set(QR_PROBLEM_TAGS.map((t) => t.dimension))).toEqual(new Set(['D1', 'D2', 'D3', 'D4', 'D5']));
  });

  it.each([
    [5, ''],
    [5, '办得很快'],
    [4, '还行吧'],
    [4, '请问多久能拿到证？'],
  ])('rating %d with "%s" is none', (rating, text) => {
    expect(classify({ text, rating }).dimension).toBe('none');
  });

  it('a good rating with a real complaint is still classified', () => {
    expect(classify({ text: '整体满意，就是中午窗口全关了，上班族只能请假', rating: 4 }).dimension).toBe('D1');
  });

  it('misconduct forces D5 and keeps the other problem as secondary', () => {
    const c = classify({ text: '排了三个小时队，后来有人说给窗口发个红包就能插队' });
    expect(c.misconduct).toBe(true);
    expect(c.dimension).toBe('D5');
    expect(c.evidence.some((e) => e.kind === 'cue' && e.text.includes('红包'))).toBe(true);
  });

  it.each([
    ['社保窗口排了两个多小时的队，一共就开了一个窗口', 'D1'],
    ['办个证要交十几份复印件，还要开奇葩证明', 'D2'],
    ['网上申请提交了三次都失败，最后还得跑现场交纸质材料', 'D3'],
    ['税务说要先去不动产，不动产说要先去税务，两边互相推诿', 'D4'],
    ['工作人员上班时间玩手机，问话爱搭不理', 'D5'],
    ['感谢窗口的工作人员耐心讲解，非常满意', 'none'],
    ['工作人员态度还可以，就是要交的材料太多了，复印件一大摞', 'D2'],
  ])('"%s" → %s', (text, expected) => {
    const c = classify({ text });
    expect(c.dimension).toBe(expected);
    expect(c.confidence).toBeGreaterThan(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
    expect(c.evidence.length).toBeGreaterThan(0);
  });

  it.each([
    { subject: '小区物业乱收费', text: '物业公司今年把物业费涨了一半，也没开业主大会，请主管部门管一管。' },
    { subject: null, text: '民办幼儿园开学又要交两千块的兴趣班费用，不交不让报名，请教育部门查查。' },
    { subject: null, text: '供暖公司说我家欠费不给开阀，可我的钱早交到社区了，社区说转给他们了。' },
  ])('a third party\'s own fee is no official\'s misconduct: $text', (input) => {
    expect(classify(input).misconduct).toBe(false);
  });

  it.each(['窗口的人收了我两百块加急费，也没给收据', '物业公司的人说给住建局的人送了礼，维修基金当天就批了', '把材料退回来以后，私下给了个中介电话，说找他们就能过'])(
    'fees and favours by officials stay flagged: %s',
    (text) => {
      expect(classify({ text })).toMatchObject({ dimension: 'D5', misconduct: true });
    },
  );

  it.each([
    { subject: null, text: '【顺达物流】您的快件地址有误暂无法派送，请点击 https://t.cn/abc 补充地址' },
    { subject: null, text: '您的验证码是 482913，五分钟内有效' },
    { subject: '自动回复：我正在休假中', text: '您好，我目前休假中，邮件将于下周一处理。' },
    { subject: 'Re: 测试', text: '收到吗' },
    { subject: null, text: '789789789' },
    { subject: null, text: '代开各类发票，增值税专票普票都有，微信同号13800000000' },
    { subject: null, text: '澳门新葡京线上娱乐，注册就送88元' },
  ])('junk by structure: $text', (input) => {
    expect(classify(input)).toMatchObject({ junk: true, misconduct: false, dimension: 'none' });
  });

  it.each([
    { subject: '第十届智慧城市峰会邀请函', text: '诚邀贵单位领导莅临参会，席位有限，报名请回复本邮件，联系人张经理 13912345678' },
    { subject: '征稿通知', text: '本刊为核心期刊，长期征稿，快速见刊，版面费优惠。' },
  ])('mass mail to an institution is junk: $subject', (input) => {
    expect(classify(input)).toMatchObject({ junk: true, misconduct: false });
  });

  it.each(['举报某街道民政干部利用职务之便，把救助金发给自己亲属', '村会计挪用集体资金，群众意见很大', '所长长期公车私用，周末开去钓鱼'])(
    'written words for a breach are misconduct: %s',
    (text) => expect(classify({ text, channel: 'email' })).toMatchObject({ dimension: 'D5', misconduct: true }),
  );

  it.each([
    { subject: 'Re: 社保卡', text: '收到吗？我上次说的社保卡激活不了的事到现在也没人管' },
    { subject: null, text: '村委会的会计整天不在办公室，盖个章要等半个月' },
    { subject: null, text: '乡里的包村干部上班时间去钓鱼，找他办事找不到人' },
    { subject: null, text: '银行网点工作人员办社保卡时一直向我推销理财产品' },
    { subject: null, text: '婚姻登记处说要找对象一起来才能办' },
    { subject: null, text: '网上办事大厅的链接点开就报错，https://zwfw.example.gov.cn 打不开' },
    // an outdoor-advertising permit is a licence, not an advert
    { subject: '户外广告审批', text: '门头招牌的申请交上去半个月，只回复不符合规范，哪里不符合也不说' },
    // the tax office's own invoice service, a Macau resident, a fitter who does not sell, a firm thanking the hall
    { subject: null, text: '卖粮代开发票五分钟就好了，窗口小姑娘很热情' },
    { subject: null, text: '本人是澳门居民，回乡证网上预约只接受内地手机号，我没有内地号码约不上' },
    { subject: null, text: '燃气师傅说灶具在哪买都行，他们不推销，挺好' },
    { subject: null, text: '我司入驻开发区，代办员从核名到刻章全程陪同，两天拿到执照，特此致谢' },
  ])('complaints with such words are no junk: $text', (input) => {
    expect(classify(input).junk).toBeFalsy();
  });

  it('a text that clears the staff of a fee or an agent outside weighs against D5, not only against the flag', () => {
    expect(classify({ text: '公证处收了两千块继承公证费' })).toMatchObject({ dimension: 'D5', misconduct: true }); // money alone reads as conduct
    expect(classify({ text: '公证处收了两千块继承公证费，开了正规发票' })).toMatchObject({ dimension: 'none', misconduct: false });
    expect(classify({ text: '门口有人发传单说代办执照收三百，里头窗口说免费自己办，这些人是干啥的？' })).toMatchObject({ dimension: 'none', misconduct: false });
  });

  it('money words and kin are breaches only about money and staff: a paper handed in again, neighbours who are kin, a kinship proof', () => {
    expectCues({
      breach: [
        '窗口要我另交两百块才给加急',
        '危房改造名单上没有我家，评上的全是村干部亲戚',
        '那个窗口的人跟他是亲戚，直接给他办了',
        '有人插队先办，一看就是找了关系',
        '办证时窗口额外收了我三百块，没给票',
        '窗口单独要了一笔加急费',
        '那个办事员私下收了他的东西',
      ],
      not: [
        '户政窗口仍要求申请人另交纸质准迁证',
        '邻居砌围墙占了自家宅基地，两家都是亲戚，不想闹上法院',
        '窗口要先办继承公证；公证处要村委会开亲属关系证明',
        '窗口说材料不全，让我另外交一份租赁合同复印件',
        '窗口另外要了一份户口本复印件',
      ],
    });
  });

  it('breaches in plain words: money to a person, an inspector hosted, tobacco asked for, a shop of kin, a gift carried in', () => {
    expectCues({
      breach: [
        '窗口说加急要三百，让我支付宝转给他个人',
        '经办人叫我们给她手机充两百块话费',
        '验收的人来之前打电话，叫我们先安排好食宿',
        '抄表的师傅进门就讨要好烟',
        '窗口叫我去她弟弟开的店复印，一张两块',
        '前面一个人拎着两箱酒进了办公室',
      ],
      not: [
        '补贴已经打到个人账户了，查一下到账没有',
        '窗口的小王看我手机没电了，还帮我手机充电',
        '窗口让我有事直接打给她个人手机',
        '食堂安排饭菜太咸',
        '包工头拖了三个月工资，工地也不管饭',
        '村主任老不在，我去他儿子家找也没找着',
        '他儿子开公司，家里两台车，还在吃低保',
      ],
    });
  });

  it('breaches in plain words: a provider only they accept, a tie-in, money to look away, fees kept, kin put first, costs put on the applicant, a share in the shop', () => {
    expectCues({
      breach: [
        '窗口讲测绘报告只能找他们认可的那家做，要价比外面贵一倍',
        '登记处说不买他们的套餐就不给办',
        '检查的人说交五百块就不上报了',
        '代办员把大家的保费收了没交，现在都断保了',
        '社区主任帮她表妹先排进了养老院，我们等了一年',
        '现场核查的人说路远，来回油钱你们出',
        '听说窗口那个科长在隔壁打印店有股份',
        '有人看见窗口的人下了班跟中介私下交接材料',
        '乡上的人说交两百块才给录系统',
        '企业老板请核查组的几个人到县城吃饭',
      ],
      not: [
        '换驾照体检只能去车管所指定的医院，一周只开两个上午',
        '不报名就不能参加考试，这个我知道',
        '给社区打了三次电话，都说不管',
        '话费收了两次，客服说会退',
        '我帮我表妹排了一上午的队',
        '路远，来回车费自己出，能不能在乡里办',
        '公司股东变更要全体股东到场签字',
        '中介说材料交接要等下周',
        '交了两百块工本费就能办，有收据',
        // a section's name (市场准入股) holds 入股 without anyone owning a share
        '在审批局市场准入股办理公司变更，窗口的人说法人要到场签字',
        '窗口工作人员让我去三楼市场准入股办理公司登记',
      ],
    });
  });

  it('breaches in plain words: kin named after the favour, a package next door as the condition, a fee on top without a receipt, an official\'s kin on a benefit list', () => {
    expectCues({
      breach: [
        '有人没取号，工作人员直接办了，还喊他表弟',
        '登记处的人叫我们买对面影楼的证件照套餐，说外面照的不行',
        '代办员另外收了二十块手续费，也不给收据',
        '今年的护林员名额给了村主任的亲侄子',
        '村干部的小舅子家有车有门面，照样吃低保',
      ],
      not: [
        '工作人员让我去隔壁打印店复印，说外面哪家都行',
        '窗口说另收的十元是快递费，票据跟证件一起寄到',
        '我表姐陪我来办，窗口让我们先取号排队',
        '低保名单公示了，村干部的儿子上门讲解政策',
        '我儿子帮我在网上申请了补贴',
      ],
    });
  });

  it('a call the operator closed as outside the hotline, or a slip and nothing else, is junk; a window that says "not ours" is a complaint', () => {
    expect(classify({ text: '来电人想打听明天的航班有没有延误，已告知非本热线受理范围。', channel: 'hotline' }).junk).toBe(true);
    // by the operator's closing words alone, whatever the model says
    expect(junkScore(lexicon, normalizeText('来电人问小区门口的水果店几点开门，已告知不属于受理范围。')).score).toBeGreaterThanOrEqual(lexicon.junkThreshold);
    expect(junkScore(lexicon, normalizeText('窗口告知不属于受理范围，让我去街道')).score).toBeLessThan(lexicon.junkThreshold);
    // a slip and nothing else
    for (const t of ['扫错了扫错了，抱歉啊', '试一下，扫扫看', '喂喂喂，听不清，算了'])
      expect(junkScore(lexicon, normalizeText(t)).score).toBeGreaterThanOrEqual(lexicon.junkThreshold);
    expect(junkScore(lexicon, normalizeText('点错了一个选项，窗口说要重新提交，又排了一小时')).score).toBeLessThan(lexicon.junkThreshold);
    expect(classify({ text: '来电人反映社保窗口说灵活就业参保不属于受理范围，让其去税务，税务又让其回社保。', channel: 'hotline' }).junk).toBeFalsy();
  });

  it('rudeness is D5 without the misconduct flag', () => {
    expect(classify({ text: '窗口大姐态度恶劣，吼了我一顿' })).toMatchObject({ dimension: 'D5', misconduct: false });
  });

  it.each([
    '😡😡😡排队排到怀疑人生！！！',
    '態度惡劣，還罵人',
    'ＡＰＰ一直闪退ｗｔｆ',
    'the app keeps crashing 登录不了 🙃',
    '\uD83D', // lone surrogate
    '؟؟؟ ㅋㅋㅋ ﾃｽﾄ',
  ])('does not crash on %j', (text) => {
    expect(() => classify({ text, channel: 'qr', rating: 1 })).not.toThrow();
  });

  it('reads traditional characters like simplified ones', () => {
    expect(classify({ text: '工作人員態度惡劣，還罵人' }).dimension).toBe('D5');
  });
});

describe('model', () => {
  it('round-trips through JSON with the same predictions', () => {
    const rows = [
      { text: '排队排了两个小时', dimension: 'D1' as const },
      { text: '排队太久了，等了一上午', dimension: 'D1' as const },
      { text: '材料太多，复印件一大摞', dimension: 'D2' as const },
      { text: '要交的材料太多了', dimension: 'D2' as const },
      { text: '工作人员收红包', dimension: 'D5' as const, misconduct: true },
      { text: '工作人员要红包才办', dimension: 'D5' as const, misconduct: true },
    ];
    const m = trainModel(rows, classifier.segmenter, { minCount: 1 });
    const again = modelFromJson(JSON.parse(JSON.stringify(modelToJson(m, 6))));
    const a = predict(m, classifier.segmenter, '排队太久');
    const b = predict(again, classifier.segmenter, '排队太久');
    expect(b.probs.D1).toBeCloseTo(a.probs.D1, 4);
    expect(a.probs.D1).toBeGreaterThan(a.probs.D2);
    expect(predict(m, classifier.segmenter, '收红包').misconduct).toBeGreaterThan(0.5);
  });

  it('a model read from JSON predicts from its block of weights exactly as from its features, and saves the same JSON', () => {
    const json = JSON.parse(readFileSync(path.resolve('config/classification/model.json'), 'utf8')) as ReturnType<typeof modelToJson>;
    const packed = modelFromJson(json);
    // the same weights as a Map of one array per feature (what trainModel makes), compiled from the Map
    const mapped = { version: 1 as const, labels: packed.labels, bias: packed.bias, features: new Map(Object.entries(json.weights).map(([f, w]) => [f, Float64Array.from(w)])) };
    const texts = ['窗口工作人员态度很差，还收了红包', '不动产登记材料太多，跑了三趟', '网上办不了只能线下跑', '部门之间互相推诿', '推销茶叶的广告', ''];
    for (const t of texts) {
      const a = predict(packed, classifier.segmenter, t);
      const b = predict(mapped, classifier.segmenter, t);
      expect(a.probs).toEqual(b.probs);
      expect(a.misconduct).toBe(b.misconduct);
      expect(a.junk).toBe(b.junk);
      expect(a.contributions('D5', 5)).toEqual(b.contributions('D5', 5));
    }
    // the features are made when asked for, and are the JSON's
    expect(packed.features.size).toBe(Object.keys(json.weights).length);
    expect(Array.from(packed.features.get('w:态度') ?? [])).toEqual(json.weights['w:态度']);
    expect(modelToJson(packed)).toEqual(json);
  });

  it('learns junk in its own head, and a model saved without one still loads and predicts no junk', () => {
    const rows = [
      { text: '窗口排队排了两个小时', dimension: 'D1' as const },
      { text: '材料太多，复印件一大摞', dimension: 'D2' as const },
      { text: '工作人员态度很差', dimension: 'D5' as const },
      { text: '来电人推销净水器，问要不要', dimension: 'none' as const, junk: true },
      { text: '来电人推销茶叶，厂家直销', dimension: 'none' as const, junk: true },
      { text: '推销保险的，打错了', dimension: 'none' as const, junk: true },
    ];
    const m = trainModel(rows, classifier.segmenter, { minCount: 1 });
    expect(m.bias.length).toBe(8);
    expect(predict(m, classifier.segmenter, '有人推销茶叶').junk).toBeGreaterThan(0.5);
    expect(predict(m, classifier.segmenter, '排队两个小时').junk).toBeLessThan(0.5);
    // the format before the junk head: labels and misconduct only
    const json = modelToJson(m, 6);
    const old = {
      ...json,
      bias: json.bias.slice(0, 7),
      weights: Object.fromEntries(Object.entries(json.weights).map(([f, w]) => [f, w.slice(0, 7)])),
    };
    const loaded = modelFromJson(old);
    const p = predict(loaded, classifier.segmenter, '有人推销茶叶');
    expect(p.junk).toBeNull();
    expect(p.probs.none).toBeCloseTo(predict(m, classifier.segmenter, '有人推销茶叶').probs.none, 4);
  });

  it('the shipped model recognises junk the advert phrases do not list, and never a complaint', () => {
    // an advert and a wrong number in words of their own, not in the lexicon's advert phrases
    for (const text of ['您好，我司代理各类会议场地租赁，欢迎来电咨询', '来电人称要找他表哥，电话打错']) {
      const c = classify({ text, channel: 'phone' });
      expect(c.junk).toBe(true);
      expect(c.evidence.some((e) => e.kind === 'model' && e.text.includes('无关'))).toBe(true);
    }
    const complaint = classify({ text: '来电人反映在大厅排了三个小时队还没办成，窗口说系统坏了。', channel: 'phone' });
    expect(complaint.junk).toBeFalsy();
    expect(classify({ text: 'ok', channel: 'qr', rating: 5 }).junk).toBeFalsy();
  });

  it("an advert that names a department's duty is junk when the junk head is sure; a bare service name stays an item", () => {
    const advert = { text: '专精特新申报代理，政府补贴最高50万，咨询热线138xxxx', channel: 'email' };
    expect(classify(advert)).toMatchObject({ junk: true, dimension: 'none', misconduct: false });
    // the same advert when a duty term always keeps an item (the setting before): the duty term 专精特新 held it
    expect(createClassifier({ catalog, lexicon, model, tuning: { modelJunkOverDuty: 1.01 } }).classify(advert).junk).toBeFalsy();
    for (const text of ['营业执照', '公积金提取']) expect(classify({ text, channel: 'hotline' }).junk).toBeFalsy();
  });

  it("a rating's one-word comment is counted, not junk; its adverts and tests still are", () => {
    for (const text of ['好', '可以', '行', '还行吧']) {
      expect(classify({ text, channel: 'qr', rating: 5 }).junk).toBeFalsy();
      expect(classify({ text, channel: 'qr', rating: 4 }).junk).toBeFalsy();
    }
    expect(classify({ text: '测试', channel: 'qr', rating: 5 }).junk).toBe(true);
    expect(classify({ text: '代开各类发票，微信同号13800000000', channel: 'qr', rating: 5 }).junk).toBe(true);
  });

  it('"无人应答" is a silent call in the operator\'s words for the call, and staff away from a window otherwise', () => {
    expect(classify({ text: '【暗访】县中心三楼医保报销窗口下午3点至3点40分工作人员离岗约40分钟，期间群众多次询问无人应答。', channel: 'walkthrough' }).junk).toBeFalsy();
    expect(classify({ text: '来电接通后无人应答，随后挂断。', channel: 'phone' }).junk).toBe(true);
    expect(classify({ text: '按工单回拨两次均无人应答', channel: 'hotline' }).junk).toBe(true);
  });

  it('restarts average the weights of runs from consecutive seeds: one model of the same features', () => {
    const rows = [
      { text: '排队排了两个小时', dimension: 'D1' as const },
      { text: '排队太久了，等了一上午', dimension: 'D1' as const },
      { text: '材料太多，复印件一大摞', dimension: 'D2' as const },
      { text: '要交的材料太多了', dimension: 'D2' as const },
      { text: '工作人员收红包', dimension: 'D5' as const, misconduct: true },
      { text: '工作人员要红包才办', dimension: 'D5' as const, misconduct: true },
    ];
    const runs = [5, 6, 7].map((seed) => trainModel(rows, classifier.segmenter, { minCount: 1, seed, epochs: 5 }));
    const averaged = trainModel(rows, classifier.segmenter, { minCount: 1, seed: 5, epochs: 5, restarts: 3 });
    expect(trainModel(rows, classifier.segmenter, { minCount: 1, seed: 5, epochs: 5, restarts: 1 })).toEqual(runs[0]);
    // the runs differ (each shuffles in its own order), and the average is their mean, weight by weight
    expect(runs[1]!.bias).not.toEqual(runs[0]!.bias);
    averaged.bias.forEach((b, k) => expect(b).toBeCloseTo(runs.reduce((a, r) => a + (r.bias[k] as number), 0) / 3, 10));
    for (const [f, w] of averaged.features) {
      w.forEach((v, k) => expect(v).toBeCloseTo(runs.reduce((a, r) => a + ((r.features.get(f)?.[k] as number | undefined) ?? 0), 0) / 3, 2));
    }
  });

  it('rejects a malformed model file', () => {
    expect(() => modelFromJson({ version: 1, labels: ['D1'], bias: [0], weights: {} })).toThrow(/bias/);
    expect(() => modelFromJson({ version: 2 })).toThrow();
  });

  it('the shipped model stays small', () => {
    // it grows with the training rows, ~270 bytes a row (12,090 rows: 3.1 MiB, round 14)
    expect(readFileSync(path.resolve('config/classification/model.json')).length).toBeLessThan(4 * 1024 * 1024);
  });

  it('the model flags a breach the lexicon has no words for once it is sure enough, never against a clearing cue', () => {
    // "勾兑" (a shady deal) is in no misconduct cue: only the learned head can read it
    const rows = [
      { text: '经办人跟老板私下勾兑，材料不全也批了', dimension: 'D5' as const, misconduct: true },
      { text: '审批科的人和中介勾兑好了，别人的都卡着', dimension: 'D5' as const, misconduct: true },
      { text: '听说窗口跟开发商勾兑过，验收一路绿灯', dimension: 'D5' as const, misconduct: true },
      { text: '排队排了两个小时', dimension: 'D1' as const },
      { text: '材料太多，复印件一大摞', dimension: 'D2' as const },
      { text: '窗口态度差，问什么都不耐烦', dimension: 'D5' as const },
    ];
    const m = trainModel(rows, classifier.segmenter, { minCount: 1 });
    const text = '窗口和中介勾兑';
    expect(scoreCuesOf(text)).toBe(0);
    const p = predict(m, classifier.segmenter, normalizeText(text)).misconduct;
    expect(p).toBeGreaterThan(0.5);
    const at = (alone: number) => createClassifier({ lexicon, segmenter: classifier.segmenter, model: m, tuning: { modelMisconductAlone: alone } });
    const flagged = at(p - 0.01).classify({ text });
    expect(flagged).toMatchObject({ dimension: 'D5', misconduct: true });
    // the reviewer sees the words the flag rests on
    expect(flagged.evidence.filter((e) => e.kind === 'model' && e.text.startsWith('廉政：')).map((e) => e.text)).toContain('廉政：勾兑');
    expect(at(p + 0.01).classify({ text }).misconduct).toBe(false);
    // a gift refused weighs the cues below zero: the model is not asked
    expect(at(0).classify({ text: '窗口和中介勾兑？送的烟人家硬是不收' }).misconduct).toBe(false);
  });

  it('setModel swaps the model without rebuilding', () => {
    const local = createClassifier({ lexicon, segmenter: classifier.segmenter });
    expect(() => local.classify({ text: '排队' })).not.toThrow();
    local.setModel(model);
    expect(local.classify({ text: '排了三个小时的队' }).evidence.some((e) => e.kind === 'model')).toBe(true);
  });
});
