import path from 'node:path';
import { junkScore, leadingChars, lexiconFromObject, LexiconError, LiteralGate, loadLexicon, parseLexicon, requiredLiterals, scoreCues } from './lexicon.js';
import { seededRandom } from '../common/seeded-random.js';
import { normalizeText } from './normalize.js';

const lexicon = loadLexicon(path.resolve('config/classification/lexicon.yaml'));
const cues = (text: string) => scoreCues(lexicon, normalizeText(text));

describe('lexicon negation', () => {
  it.each(['态度还可以，就是材料太多', '不是态度问题，是系统问题', '工作人员态度很好', '服务态度挺好的'])(
    'no D5 cue in "%s"',
    (text) => expect(cues(text).scores.D5).toBe(0),
  );

  it.each(['态度恶劣', '态度非常差', '工作人员爱搭不理', '上班时间玩手机'])('D5 cue in "%s"', (text) => {
    expect(cues(text).scores.D5).toBeGreaterThanOrEqual(3);
  });

  // a denial may also weigh against the flag (a negative misconduct cue): at most zero, never a flag
  it.each(['没有乱收费', '窗口没有任何乱收费', '不存在吃拿卡要'])('"%s" is not misconduct', (text) => {
    expect(cues(text).misconduct).toBeLessThanOrEqual(0);
  });

  // plain words for a breach reach the flag; a refused gift, a fee on the schedule or a feared favour does not
  it.each(['这不是吃拿卡要吗', '村主任家的亲戚不用排队直接办', '收费不开票，问就说这是规矩', '让我去他亲戚开的打印店复印', '找了里面的人就能当天拿证', '验收的非让我们请吃饭，还要打包', '核查的人话里话外让买他说的那家操作台，买了就能过',
    // a tout seen on the staff's side, staff sending people to a tout, a window serving the tout's client first
    '门口那个黄牛带着材料直接进了办公区，没一会儿就办好了', '窗口的人叫我们去找门口的代理，代理收了八百', '进去一看窗口真的直接先帮他办了'])(
    '"%s" reaches the misconduct threshold',
    (text) => expect(cues(text).misconduct).toBeGreaterThanOrEqual(lexicon.misconductThreshold),
  );
  it.each([
    '坚决不收烟，还说按规矩办',
    '本以为要托人找关系，结果当天就办了',
    '护照加急要另外收费吗',
    '公证费按标准收费，开了正规发票',
    // an invitation refused, touts stopped by staff, a search for a sign
    '验收到了中午，我们请他们吃饭，人家不去，蹲在工地吃盒饭',
    '代办员分文不收，还不让我们请吃饭',
    '有人在门口收钱代办，保安当即劝离并报了警',
    '找了半天，指示牌能不能弄大点',
    // a benefit called 红包, a gift offered and refused, a receipt given, staff cleared of a tout, a priority lane
    '想问政府发的生育红包在哪里申请',
    '包了个红包想谢谢她，她硬是不要',
    '公证费收了两千，发票给了的，就想问问标准',
    '门口有中介揽活收钱，窗口的人跟他们没有任何关系，只想请你们管一管',
    '我是残疾人走的绿色通道，有人说我走后门，别冤枉了窗口',
    // a tout's own patter, no insider and no staff in it
    '大厅门口有人发名片，说能快速办证',
    '门口好几个黄牛拉客，窗口的人还提醒莫找黄牛',
    // tea and local produce as a county's trade, a gift refused in dialect, a copying fee with its receipt
    '我们是茶农，茶叶加工厂的补助申报要村委会证明',
    '办营运证我提了两条烟去，运管所的人硬是不收',
    '代办员帮我复印户口本收了两块钱，还把小票给我了，这个钱该不该收',
    // touts at the door with no one inside named, a gift named after its refusal or sent back, a tout ignored
    '大厅外面总有人拉客，说交钱就能插队，保安也不管',
    '社保窗口小王不收我送的茶叶，这样的干部值得表扬',
    '给所长寄了一盒月饼表示感谢，第二天他就原样退回来了',
    '中介拍胸脯说当天就能约到号，我没理他',
  ])(
    '"%s" stays below the misconduct threshold',
    (text) => expect(cues(text).misconduct).toBeLessThan(lexicon.misconductThreshold),
  );

  it('keeps the negated hit visible as evidence', () => {
    const hit = cues('没有乱收费').hits.find((h) => h.text.includes('乱收费'));
    expect(hit?.negated).toBe(true);
  });

  it('"不满意" is not praise but "满意" is', () => {
    expect(cues('不满意').scores.none).toBe(0);
    expect(cues('非常满意').scores.none).toBeGreaterThan(0);
  });

  it.each(['网格员帮了大忙，特别感谢', '大姐讲得很清楚，特别满意'])('"别" ending 特别 negates nothing: "%s" is praise', (text) => {
    expect(cues(text).scores.none).toBeGreaterThan(0);
  });

  it('"别" as a word still negates: "别骂人" is no D5 cue', () => {
    expect(cues('别骂人').scores.D5).toBe(0);
  });

  it.each(['占道经营打电话反映了五六次，一直没有实质处理', '街道来看了一眼说会处理，到现在还是老样子', '住建局答复属历史遗留问题，让业主自行协商'])(
    'a report nobody acted on is a D5 cue: "%s"',
    (text) => expect(cues(text).scores.D5).toBeGreaterThanOrEqual(2.5),
  );

  it.each(['小区停水两天了也没通知', '楼下饭店油烟味道很大，晚上噪音扰民', '公交车半小时一班，请增加班次', '养老院的伙食费又涨价了'])(
    'a public incident, nuisance or price is a "none" cue: "%s"',
    (text) => expect(cues(text).scores.none).toBeGreaterThanOrEqual(2),
  );

  it('words inside another dimension\'s longer phrase are that phrase\'s: the guide online and the window disagree is D3', () => {
    const s = cues('窗口说的跟网上办事指南对不上').scores;
    expect(s.D3).toBeGreaterThanOrEqual(4);
    expect(s.D2).toBe(0);
  });

  it.each(['社保窗口的号一大早就发完了，我九点到都拿不到', '下午三点半就不收件了，门上写的五点下班', '打了一上午电话都是忙音'])(
    'reaching the service is a D1 cue: "%s"',
    (text) => expect(cues(text).scores.D1).toBeGreaterThanOrEqual(2),
  );

  it.each(['代办点的人说是去开会，下午就锁门了', '村里的服务站常年锁门', '包村干部的电话也不接', '上门核查约了两次都临时取消'])(
    'staff who are not there is a D5 cue: "%s"',
    (text) => expect(cues(text).scores.D5).toBeGreaterThanOrEqual(2.5),
  );

  it.each(['窗口说系统升级，让下礼拜再来', '医保费在手机上怎么都交不了'])('the platform failing is a D3 cue: "%s"', (text) =>
    expect(cues(text).scores.D3).toBeGreaterThanOrEqual(3),
  );

  it('two bodies saying different things about what is needed is a D2 cue', () => {
    expect(cues('税务说要先公证，公证处说不用，两边说的不一样').scores.D2).toBeGreaterThanOrEqual(4);
  });

  it.each(['说好二十个工作日，现在三个月了还没消息', '材料压在那儿没人看', '核查的人迟迟没来'])('an overdue matter is a D5 cue: "%s"', (text) =>
    expect(cues(text).scores.D5).toBeGreaterThanOrEqual(2.5),
  );

  it.each(['社区的网格员对我们老人特别耐心', '营业执照和印章当天就全部办完'])('kindness and a same-day result are praise: "%s"', (text) =>
    expect(cues(text).scores.none).toBeGreaterThanOrEqual(2),
  );

  it.each(['镇上让我找村里，村里说是镇上定的', '街道说钱早转过去了，供暖公司说没到账', '街道讲这个归区里民政管，民政讲早下放到街道了', '医院和卫健局来回推，证明到现在改不了', '镇里讲应由村里出，村里讲要去镇上'])('each body sending the person to the other is a D4 cue: "%s"', (text) =>
    expect(cues(text).scores.D4).toBeGreaterThanOrEqual(3),
  );

  it.each(['窗口那个大姐一上午都在织毛衣', '保安推搡老人', '经办人对我的事一点都不上心'])('staff conduct is a D5 cue: "%s"', (text) =>
    expect(cues(text).scores.D5).toBeGreaterThanOrEqual(3),
  );

  it.each([
    '一个窗口说要原件，另一个窗口的人说复印件就行',
    '清单上写着能办三十项，实际能办的不到一半',
    '开个证明要跑社区和派出所两个地方盖章',
    '身份证丢了还要登报声明',
    '必须找有资质的公司出图纸',
  ])('a process requirement is a D2 cue: "%s"', (text) => expect(cues(text).scores.D2).toBeGreaterThanOrEqual(3));

  it.each(['网上预约只能约到两周以后', '交水费只能去城里的营业厅', '牧民办个证要跑一百多公里', '人多得排到院子里'])('reaching the service is a D1 cue: "%s"', (text) =>
    expect(cues(text).scores.D1).toBeGreaterThanOrEqual(2),
  );

  it.each(['社区说是系统的问题，民政局说社区没报', '镇上收了材料，两个月都没报上去', '执照在审批局办完，备案又要去住建委'])('a hand-off between bodies is a D4 cue: "%s"', (text) =>
    expect(cues(text).scores.D4).toBeGreaterThanOrEqual(2.5),
  );

  it('"没有一次性告知" is a D2 cue even though it starts with a negation', () => {
    expect(cues('窗口没有一次性告知要带的材料').scores.D2).toBeGreaterThanOrEqual(3);
  });
});

describe('misconduct recall on phrasings not in the labelled data', () => {
  it.each([
    '办事员暗示我发个红包就能快点',
    '不给好处就不给办，这是什么风气',
    '交了三百块加急费，没给收据',
    '窗口的人让我去找门口的黑中介',
    '他说托关系花两千块保证当天拿证',
    '工作人员收了我两条烟才盖章',
    '要请他们吃饭才肯签字',
    '低保都给了村干部的亲戚',
    '私下让我微信转账五百元',
    '吃拿卡要太严重了',
    '收了我们每户五十元手续费，不开票',
    '有人说里面有人，交钱就能插队',
    '審批人員索要好處費', // traditional characters
    // told in plain words: a kickback per customer, a cut of the money, an envelope slipped over, a tout's deal, an
    // acquaintance served on the spot
    '窗口小伙介绍我去斜对面照相，后来老板说每单要返他五块',
    '经办的人暗示托个人能快一些，那人要补偿款的两成',
    '看见有人把信封悄悄塞给柜台里的大姐',
    '门口那人说他跟里面打好招呼了，三百包过',
    '后来的那个是窗口小妹的熟人，拿个身份证就办了',
    '我等了一上午，她一来就先办，原来是那个科员的老乡',
    '开户费收两千，我问有没有收费文件，他讲没有，就是这个价',
    '去审批的时候带了两斤好茶给他，第二天就批了',
    '护林员选的三个人，一个是村主任的儿子，一个是会计的兄弟',
  ])('flags "%s"', (text) => {
    expect(cues(text).misconduct).toBeGreaterThanOrEqual(lexicon.misconductThreshold);
  });

  it('rudeness alone is not misconduct', () => {
    expect(cues('工作人员态度恶劣，还吼人').misconduct).toBeLessThan(lexicon.misconductThreshold);
  });
});

describe('lexicon validation', () => {
  it('reports every problem with its path', () => {
    const bad = `
dimensions:
  D1: [排队, {regex: '([', weight: 2}]
  D9: [x]
  D2: [{text: 材料, weight: -1}]
misconduct: nope
`;
    let error: unknown;
    try {
      parseLexicon(bad, 'bad.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(LexiconError);
    const problems = (error as LexiconError).problems.join('\n');
    expect(problems).toMatch(/dimensions\.D1\[1\]\.regex/);
    expect(problems).toMatch(/dimensions\.D9/);
    expect(problems).toMatch(/dimensions\.D2\[0\]\.weight/);
    expect(problems).toMatch(/^misconduct:/m);
    expect((error as Error).message).toContain('bad.yaml');
  });

  it('reports YAML syntax errors', () => {
    expect(() => parseLexicon('dimensions: [', 'x.yaml')).toThrow(LexiconError);
  });
});

describe('requiredLiterals', () => {
  it.each([
    ['排了.{0,6}(小时|钟头)', [['排了'], ['小时', '钟头']]],
    ['(关系户|(是|给了).{0,4}(亲戚|熟人))', [['关系户', '亲戚', '熟人']]],
    ['办证|(加急|催).{0,2}费', [['办证', '加急', '催']]],
    ['(先|再)?去(找|问)', [['去'], ['找', '问']]],
  ])('"%s" needs %j', (source, expected) => expect(requiredLiterals(source)).toEqual(expected));

  it.each(['(a|.{0,2})b?', '(?=办)x|y{2}', 'x\\d', '(办|)'])('"%s" needs nothing it cannot read', (source) => {
    expect(requiredLiterals(source)).toEqual([]);
  });

  it('every match of every cue and junk pattern holds its required literals', () => {
    const texts = ['有人说交两千块加急费保证当天出证，还说里面有人', '他是我亲戚的熟人，照顾熟人', '加微信领取奖品 http://x.cn/a', '111111'];
    for (const cue of [...Object.values(lexicon.cues).flat(), ...lexicon.misconduct, ...lexicon.junk]) {
      if (!cue.regex) continue;
      for (const text of texts.map(normalizeText)) {
        const m = new RegExp(cue.regex.source).exec(text);
        if (!m) continue;
        for (const alternatives of requiredLiterals(cue.source)) expect(alternatives.some((a) => m[0].includes(a))).toBe(true);
      }
    }
  });
});

describe('LiteralGate', () => {
  it('opens exactly the patterns whose every requirement has an alternative in the text, in list order, text after text', () => {
    const rand = seededRandom(14);
    const pick = (s: string): string => s[Math.floor(rand() * s.length)] as string;
    // a small alphabet, so literals overlap, share prefixes and nest, and texts hold some and not others
    const word = (max: number): string => Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick('办证窗口排队费钱说不')).join('');
    const requirements = Array.from({ length: 60 }, () =>
      Array.from({ length: Math.floor(rand() * 4) }, () => Array.from({ length: 1 + Math.floor(rand() * 3) }, () => word(3))),
    );
    const gate = new LiteralGate(requirements);
    let opened = 0;
    for (let t = 0; t < 400; t++) {
      const text = word(30);
      const expected = requirements.flatMap((list, p) => (list.every((alternatives) => alternatives.some((a) => text.includes(a))) ? [p] : []));
      expect([...gate.open(text)]).toEqual(expected);
      opened += expected.length;
    }
    expect(opened).toBeGreaterThan(400); // the texts did open patterns, not only the ones without requirements
  });
});

describe('junkScore', () => {
  it('finds an advert and forgets it on the next text', () => {
    expect(junkScore(lexicon, normalizeText('点击链接领取奖品，加微信详询')).score).toBeGreaterThanOrEqual(3);
    expect(junkScore(lexicon, normalizeText('窗口态度差，排了两个小时')).score).toBe(0);
  });

  it('scores a text the same whatever text came before it', () => {
    const ad = normalizeText('加微信详询');
    const alone = junkScore(lexicon, ad).score;
    expect(alone).toBeGreaterThan(0);
    // a longer matching text first leaves a global pattern's position past the end of the short one
    junkScore(lexicon, normalizeText('本公司长期代开各类发票，点击链接领取奖品，有意者加微信详询，电话同号'));
    expect(junkScore(lexicon, ad).score).toBe(alone);
  });

  // a lexicon with these junk cues and nothing else of note
  const withJunk = (junk: unknown[]) => ({ version: 1, dimensions: { D1: ['排队'], D2: [], D3: [], D4: [], D5: [], none: [] }, misconduct: [], junk });

  it('counts a kind of advert evidence once: a phone number alone is no advert, a number and an offer are', () => {
    const lex = lexiconFromObject(
      withJunk([
        { regex: '1[3-9][0-9]{9}', weight: 2, group: 'contact' },
        { regex: '联系电话', weight: 2, group: 'contact' },
        { regex: '(出租|转让)', weight: 2, group: 'offer' },
      ]),
    );
    expect(junkScore(lex, normalizeText('咨询公租房怎么申请，联系电话13800001111')).score).toBe(2);
    expect(junkScore(lex, normalizeText('门面出租，联系电话13800001111')).score).toBe(4);
  });

  it('lets the words of a complaint weigh against the advert it reports, and lists only the evidence for junk', () => {
    const lex = lexiconFromObject(
      withJunk([
        { regex: '推销', weight: 3 },
        { regex: '(自称|冒充)', weight: -2 },
      ]),
    );
    expect(junkScore(lex, normalizeText('上门推销灭火器，一个两百'))).toMatchObject({ score: 3, found: ['推销'] });
    expect(junkScore(lex, normalizeText('有人自称消防检查上门推销灭火器'))).toMatchObject({ score: 1, found: ['推销'] });
    // a group counts its heaviest hit once, so a negative cue in one would never count
    expect(() => lexiconFromObject(withJunk([{ regex: '自称', weight: -2, group: 'sender' }]))).toThrow(/negative weight takes no group/);
  });

  it('tells a wrong number and a shop asked for from a complaint about a typing error or an impostor (shipped lexicon)', () => {
    const junk = (text: string): number => junkScore(lexicon, normalizeText(text)).score;
    expect(junk('来电人称打错电话了，要找快递网点')).toBeGreaterThanOrEqual(lexicon.junkThreshold);
    expect(junk('喂，是不是顺丰快递？')).toBeGreaterThanOrEqual(lexicon.junkThreshold);
    expect(junk('窗口工作人员把我名字打错了，改了三次才对')).toBeLessThan(lexicon.junkThreshold);
    expect(junk('办好的证件寄丢了，丢的是邮政快递')).toBeLessThan(lexicon.junkThreshold);
    expect(junk('有人自称街道消防检查上门推销灭火器，一个卖两百，诉求：公安查处')).toBeLessThan(lexicon.junkThreshold);
  });
});

describe('leadingChars', () => {
  it('reads every branch of a top-level alternation', () => {
    expect(leadingChars('ab|cd')?.sort()).toEqual(['a', 'c']);
    expect(leadingChars('(a|b)c|d')?.sort()).toEqual(['a', 'b', 'd']);
    expect(leadingChars('a[|]b')).toEqual(['a']);
  });
});
