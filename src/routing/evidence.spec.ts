import { catalogFromObject } from './catalog-yaml.js';
import { buildCatalogIndex, defaultDutyBook } from './catalog-index.js';
import { compileDutyBook } from './duties.js';
import { RoutingMemory } from './memory.js';
import { route } from './router.js';

// A small county written for these tests: departments named in full, a town that handles one item itself, a
// village point, an approval section whose name says nothing of its duty, and a unit typed by the catalogue.
const county = catalogFromObject({
  region: '某省青禾县',
  units: [
    { code: 'ZW', name: '青禾县政务服务管理办公室', role: 'triage', level: 'county' },
    { code: 'JW', name: '青禾县纪委监委驻政务办纪检组', role: 'supervision', parent: 'ZW', level: 'county' },
    { code: 'SW', name: '国家税务总局青禾县税务局', parent: 'ZW', level: 'county' },
    { code: 'BDC', name: '青禾县不动产登记中心', parent: 'ZW', level: 'county' },
    { code: 'YB', name: '青禾县医疗保障局', aliases: ['县医保局'], parent: 'ZW', level: 'county' },
    { code: 'RS', name: '青禾县人力资源和社会保障局', parent: 'ZW', level: 'county' },
    { code: 'ZJ', name: '青禾县住房和城乡建设局', parent: 'ZW', level: 'county' },
    { code: 'CG', name: '青禾县城市管理局', parent: 'ZW', level: 'county' },
    { code: 'MZ', name: '青禾县民政局', parent: 'ZW', level: 'county' },
    { code: 'ZH', name: '青禾县综合服务中心', department: 'housing_fund', parent: 'ZW', level: 'county' },
    { code: 'SQ', name: '青禾县行政审批局第三科', parent: 'ZW', level: 'county' },
    { code: 'T-SQ', name: '石桥镇便民服务中心', aliases: ['石桥镇'], parent: 'ZW', level: 'town' },
    { code: 'V-LS', name: '石桥镇柳树村便民服务站', aliases: ['柳树村'], parent: 'T-SQ', level: 'village' },
  ],
  windows: [
    { code: 'W1', unit: 'SW', name: '办税窗口', location: '一楼1号窗口' },
    { code: 'W2', unit: 'BDC', name: '不动产登记窗口', location: '二楼3号窗口' },
    { code: 'W3', unit: 'YB', name: '医保窗口', location: '二楼5号窗口' },
  ],
  items: [
    { code: 'I1', name: '城乡居民医保参保登记', unit: 'T-SQ', aliases: ['医保参保'] },
    { code: 'I2', name: '建设工程规划许可证核发', unit: 'SQ', aliases: ['规划许可'] },
  ],
});
const index = buildCatalogIndex(county);
const clean = { misconduct: false };
const routeText = (text: string, extra: object = {}) => route({ text, classification: clean, ...extra }, index);

/** A catalogue of a hall (the triage unit) and the bodies under it, each a [code, name] pair. */
const indexOf = (region: string, hall: string, bodies: Array<[string, string]>) =>
  buildCatalogIndex(
    catalogFromObject({
      region,
      units: [{ code: 'ZW', name: hall, role: 'triage', level: 'county' }, ...bodies.map(([code, name]) => ({ code, name, parent: 'ZW', level: 'county' }))],
    }),
  );
/** A table row's check: the text goes to the unit by a department's duty. */
const routedByDuty = (catalogIndex: ReturnType<typeof buildCatalogIndex>) => (text: string, code: string) => {
  const r = route({ text, classification: clean }, catalogIndex);
  expect(r.unit).toBe(code);
  expect(r.rule).toBe('duty');
};

describe('whose duty the matter is, when no unit is named', () => {
  it.each([
    ['银行说贷款还清了，抵押注销到底去哪办，跑了两趟', 'BDC', '抵押注销'],
    ['小规模公司不干了，想注销，清税证明一直开不出来', 'SW', '清税'],
    ['小区集中供暖一直不热，打电话没人管', 'ZJ', '供暖'],
    ['街口那个公共厕所晚上一盏灯都没有，老人摸黑进去', 'CG', '公共厕所'],
    ['家里着火了想申请临时救助，不知道找谁', 'MZ', '临时救助'],
  ])('%s → %s', (text, unit, term) => {
    const r = routeText(text);
    expect(r.unit).toBe(unit);
    expect(r.rule).toBe('duty');
    // the stored reason names the evidence in plain Chinese
    expect(r.reason).toContain(term);
    expect(r.confidence).toBeGreaterThan(0.5);
  });

  it('a unit whose catalogue entry names its department type takes that duty', () => {
    expect(routeText('公积金提取要的材料太多了，每次都说不全')).toMatchObject({ unit: 'ZH', rule: 'duty' });
  });

  it('an approval section whose name says nothing takes the duties of the items it holds', () => {
    expect(index.types.byUnit.get('SQ')?.size).toBeGreaterThan(0);
    expect(routeText('建设工程规划许可证核发要的材料改了三回').unit).toBe('SQ');
  });
});

describe('parties, places and blame', () => {
  it('a place of residence, travel or hand-over is not the party', () => {
    const r = routeText('我是石桥镇的，在柳树村住了一辈子，医保报销的单子交给村里了，县医保局说没见着');
    expect(r.unit).toBe('YB');
    expect(r.evidence.some((e) => e.rule === 'place')).toBe(true);
  });

  it('a herder or farmer of a village, and a village at the end of a bus line, are places', () => {
    expect(routeText('来电人是柳树村牧民，县医保局说他的报销单没见着').unit).toBe('YB');
    expect(routeText('柳树村到县城的班车停了，县医保局的报销只能跑着去').unit).toBe('YB');
  });

  it("a unit named right before one of its own sub-units names the sub-unit (\"公安局户籍大厅\")", () => {
    const withSub = buildCatalogIndex(
      catalogFromObject({
        region: '某省青禾县',
        units: [
          { code: 'ZW', name: '青禾县政务服务管理办公室', role: 'triage', level: 'county' },
          { code: 'GA', name: '青禾县公安局', aliases: ['公安局'], level: 'county' },
          { code: 'HJ', name: '青禾县公安局户籍科', aliases: ['户籍大厅'], parent: 'GA', level: 'county' },
        ],
      }),
    );
    expect(route({ text: '去公安局户籍大厅迁户口，等了三个钟头', classification: clean }, withSub).unit).toBe('HJ');
  });

  it("a town's window for the town's own service is the town", () => {
    expect(routeText('石桥镇便民服务中心的工作人员办医保参保登记时说系统坏了让下周再来').unit).toBe('T-SQ');
  });

  it('several units named: the one blamed wins', () => {
    const r = routeText('不动产登记中心说要先完税，税务局的人却一直不给办，说系统不通');
    expect(r.unit).toBe('SW');
    expect(r.candidates.map((c) => c.unit)).toContain('BDC');
  });

  it('units passing the buck: the first unit the person came to, not the source of the paper it demands', () => {
    expect(routeText('县医保局要我拿社保缴费证明，人社局说网上打的就行，医保局说没盖章不认').unit).toBe('YB');
  });

  it('a unit another says is responsible gains ("说是民政管")', () => {
    expect(routeText('两项补贴停发了，人社局说是民政局管，民政局说人社没推数据过来').unit).toBe('MZ');
  });

  it("a town whose own staff answered, with no department acting, served the matter; a town that passed it on did not", () => {
    expect(routeText('在石桥镇便民服务中心办医保参保，镇上说必须本人到场，老人九十了').unit).toBe('T-SQ');
    expect(routeText('在石桥镇便民服务中心申请低保，镇上说材料早就报上去了等县里批，县民政局两个月没消息').unit).toBe('MZ');
  });

  it('a town where the person wishes a service point were is a place; the department that keeps the service in the county town is the party', () => {
    const points = ['公积金提取只有县城能办，来回要半天，能不能在石桥镇设个点', '不动产证办好了要本人到县里领，建议在石桥镇设个取证点'];
    expect(points.map((text) => routeText(text).unit)).toEqual(['ZH', 'BDC']);
    for (const text of points) expect(routeText(text).evidence).toContainEqual(expect.objectContaining({ rule: 'place', unit: 'T-SQ' }));
  });

  it('a town measured by its distance to the hall, or the countryside of it, is where the person comes from', () => {
    for (const text of ['石桥镇离县政务中心四十多公里，办个公积金提取要跑一天', '石桥镇到县城没有直达公交，医保报销只能跑着去', '我们在石桥镇乡下，交个医保报销单要跑县城']) {
      expect(routeText(text).evidence).toContainEqual(expect.objectContaining({ rule: 'place', unit: 'T-SQ' }));
      expect(routeText(text).unit).not.toBe('T-SQ');
    }
  });

  it('a department that has not opened its system to the town is blamed, not the town that can only take the papers', () => {
    expect(routeText('石桥镇窗口的人说残疾人补贴县民政局没给他们开通权限，只能收了材料送上去').unit).toBe('MZ');
  });

  it('the unit the person asks to act is a party; where someone works is not', () => {
    expect(routeText('在城市管理局旁边的厂里上班，厂里拖欠工资三个月，诉求人社局介入').unit).toBe('RS');
  });

  it('a rating that clearly blames the unit next door goes to that unit; otherwise to the window', () => {
    const next = route({ text: '税务这边挺快，问题在隔壁不动产，让我明天再来', window: 'W1', classification: clean }, index);
    expect(next).toMatchObject({ unit: 'BDC', rule: 'window_mention' });
    expect(route({ text: '办税挺快，隔壁排队的人太多了', window: 'W1', classification: clean }, index).unit).toBe('SW');
  });

  it('a unit the text says is not responsible loses', () => {
    expect(routeText('不是县医保局的问题，是税务局一直拖着不办').unit).toBe('SW');
  });

  it("a town's own counter for a department's matter is the town's", () => {
    expect(routeText('石桥镇便民服务中心的医保窗口工作人员态度很差，问个参保把表扔出来').unit).toBe('T-SQ');
    expect(routeText('县医保局的医保窗口工作人员态度很差，问个参保把表扔出来').unit).toBe('YB');
  });

  it("a facility on a floor, no town named, is the hall's; a street's toilet is the city's", () => {
    expect(routeText('一楼厕所的水龙头坏了半个月没人修')).toMatchObject({ unit: 'ZW', rule: 'duty' });
    expect(routeText('街口那个公共厕所的水龙头坏了半个月没人修').unit).toBe('CG');
  });

  it('a window named by its floor and number', () => {
    const r = routeText('二楼3号窗口那个人爱搭不理的');
    expect(r).toMatchObject({ unit: 'BDC', rule: 'window_mention' });
    expect(r.reason).toContain('二楼3号窗口');
  });
});

describe('confidence, candidates and junk', () => {
  it('two units named alike go to triage with both shown to the dispatcher', () => {
    const r = routeText('国家税务总局青禾县税务局、青禾县不动产登记中心');
    expect(r.rule).toBe('triage');
    expect(r.unit).toBe('ZW');
    expect(r.candidates.map((c) => c.unit).sort()).toEqual(['BDC', 'SW']);
    expect(r.evidence.filter((e) => e.rule === 'candidate')).toHaveLength(2);
    expect(r.reason).toContain('可能是');
  });

  it('nothing to go on: triage without candidates', () => {
    const r = routeText('随便说说');
    expect(r).toMatchObject({ unit: 'ZW', rule: 'triage', candidates: [] });
  });

  it('junk stays with the office, never a unit and never misconduct', () => {
    const r = route({ text: '代开各类发票，微信同号', classification: { misconduct: true, junk: true } }, index);
    expect(r).toMatchObject({ unit: 'ZW', rule: 'junk', junk: true, supervision: null });
  });

  it('misconduct keeps its unit and adds the supervision unit', () => {
    const r = route({ text: '税务局的人说给他两条烟就先给办', classification: { misconduct: true } }, index);
    expect(r).toMatchObject({ unit: 'SW', supervision: 'JW' });
  });

  it('the routing memory adds confirmed routings of similar text as evidence', () => {
    const text = '那个刷脸的机器又罢工了，白跑一趟';
    expect(routeText(text).rule).toBe('triage');
    const memory = new RoutingMemory();
    memory.add('刷脸的机器罢工了，折腾半天白跑一趟', 'RS');
    memory.add('刷脸机器又罢工，白跑', 'RS');
    const r = route({ text, classification: clean }, index, { memory });
    expect(r).toMatchObject({ unit: 'RS', rule: 'learned' });
  });
});

describe('duty configuration', () => {
  it('reports every problem with its file', () => {
    expect(() =>
      compileDutyBook([
        { file: 'a.yaml', doc: { type: 'Bad Type', terms: [] } },
        { file: 'b.yaml', doc: { type: 'ok', patterns: ['('], terms: [['x', 1], ['过户', 9]], fallback: ['nope'] } },
      ]),
    ).toThrow(/a\.yaml: type must be[\s\S]*b\.yaml: patterns\[0\][\s\S]*terms\[0\][\s\S]*terms\[1\] weight[\s\S]*fallback nope/);
  });

  it('scores each term once, longest first, and drops a type whose except phrase is present', () => {
    const book = compileDutyBook([
      { file: 'a.yaml', doc: { type: 'education', terms: [['学校', 1], ['入学', 2]], except: ['拖欠工资'] } },
      { file: 'b.yaml', doc: { type: 'labour', terms: [['拖欠工资', 3], ['工资', 1]] } },
    ]);
    expect(book.score('学校入学入学').get('education')).toEqual({ score: 3, terms: ['入学', '学校'] });
    const s = book.score('学校拖欠工资');
    expect(s.has('education')).toBe(false);
    expect(s.get('labour')).toEqual({ score: 3, terms: ['拖欠工资'] });
  });
});

describe('round 3: own steps, the hall, counters by owner and by matter', () => {
  it.each([
    // a locality's own staff did (or botched) the step: the locality, not the department of the matter
    ['我住柳树村，村里的代办员把我的社保卡弄丢了，补卡还要去县里', 'V-LS'],
    ['柳树村便民服务站的工作人员帮我把医保参保递上去了，很负责', 'V-LS'],
    // the hall's own facilities and hours with the hall named (in the next clause too, or as "县中心")
    ['政务服务中心一楼卫生间没有纸，洗手池也坏了', 'ZW'],
    ['老人去县政务中心，门口楼梯没有无障碍通道，轮椅上不去', 'ZW'],
    ['县中心一楼到三楼的电梯没有指引', 'ZW'],
    // a counter named right after its unit is that unit's
    ['青禾县行政审批局第三科医保窗口那个人态度很差', 'SQ'],
    // a counter called by what it does
    ['办房子那个窗口老是说系统卡，一卡就是半天', 'BDC'],
  ])('%s → %s', (text, unit) => {
    expect(routeText(text).unit).toBe(unit);
  });

  it('a department named between the locality and the fault takes it back', () => {
    expect(routeText('材料交给柳树村了，县医保局把我的信息录错了').unit).toBe('YB');
  });
});

// A hall on the 一窗受理 model, written for these tests: the hall's own unit staffs the comprehensive and result
// counters and sits at the top of the tree; departments approve behind them; a town has a counter of its own.
describe('a hall whose own counters take papers for the departments behind them', () => {
  const hall = catalogFromObject({
    region: '某省麦禾县',
    units: [
      { code: 'ZF', name: '麦禾县政务服务和数据管理局', role: 'triage', level: 'county' },
      { code: 'JJ', name: '麦禾县纪委监委派驻纪检监察组', role: 'supervision', parent: 'ZF', level: 'county' },
      { code: 'NY', name: '麦禾县农业农村局', aliases: ['农业局'], parent: 'ZF', level: 'county' },
      { code: 'SJ', name: '麦禾县市场监督管理局', aliases: ['工商局'], parent: 'ZF', level: 'county' },
      { code: 'T-HZ', name: '河庄镇便民服务中心', aliases: ['河庄镇'], parent: 'ZF', level: 'town' },
    ],
    windows: [
      { code: 'C1', unit: 'ZF', name: '综合受理窗口1号（企业开办）', location: '一楼1号' },
      { code: 'C2', unit: 'ZF', name: '综合受理窗口2号（农业农村）', location: '一楼2号' },
      { code: 'C9', unit: 'ZF', name: '统一出件窗口', location: '一楼出口' },
      { code: 'T1', unit: 'T-HZ', name: '河庄镇便民服务中心综合窗口', location: '河庄镇政府一楼' },
    ],
    items: [
      { code: 'I-NY', name: '农药经营许可', unit: 'NY', steps: [] },
      { code: 'I-SJ', name: '个体工商户登记', unit: 'SJ', aliases: ['个体户执照'], steps: [] },
    ],
  });
  const hallIndex = buildCatalogIndex(hall);
  const at = (text: string, extra: object = {}) => route({ text, classification: clean, ...extra }, hallIndex);

  it("the counter's own handling is the hall's, by the words people call it ('综窗', '综合窗口', '出件窗口')", () => {
    const lost = at('上个月在综合窗口交的个体户执照材料，今天去问，窗口小伙翻了半天说找不到，让我再拿一份');
    expect(lost).toMatchObject({ unit: 'ZF', rule: 'window_mention' });
    expect(lost.reason).toContain('综合窗口');
    expect(at('个体户执照早批了，到出件窗口去领，窗口的人说每周只打印两回，又等了四天').unit).toBe('ZF');
  });

  it('a department that sat on the papers behind the counter is that department', () => {
    expect(at('农药经营许可交到综合窗口二十多天了，农业局一直说还没排上去现场看，不给办').unit).toBe('NY');
  });

  it("a rating that clears the counter goes to the unit it names behind it; one that does not stays with the counter", () => {
    const cleared = route({ text: '窗口收件挺快，不怨窗口。农药经营许可交上去二十多天了，农业局那边一直拖着', window: 'C2', classification: clean }, hallIndex);
    expect(cleared).toMatchObject({ unit: 'NY', rule: 'window_mention' });
    expect(cleared.reason).toContain('问题出在“农药经营许可”');
    expect(route({ text: '窗口的人态度不好，农药经营许可的材料说了三遍都没听明白', window: 'C2', classification: clean }, hallIndex).unit).toBe('ZF');
  });

  it('a rating at a counter that passed the papers on, where they stopped, goes to the unit they stopped at', () => {
    expect(route({ text: '综合窗口收了材料说转给农业局了，十几天没动静', window: 'C2', classification: clean }, hallIndex).unit).toBe('NY');
    expect(route({ text: '综合窗口收了材料说转给农业局了，三天就批下来了，很快', window: 'C2', classification: clean }, hallIndex).unit).toBe('ZF');
  });

  it("a town's own counter is not the hall's: the bare counter words name the hall's only", () => {
    expect(hallIndex.findMentions('综合窗口').map((m) => m.code)).toEqual(['ZF']);
  });
});

// A hall whose agency counter is also called "代办员", with village agency points: the title belongs to whoever the
// text names it with.
describe("a helper's title shared by the hall's agency counter and a village's own helper", () => {
  const agency = catalogFromObject({
    region: '某省禾丰县',
    units: [
      { code: 'ZW', name: '禾丰县政务服务中心', role: 'triage', level: 'county' },
      { code: 'JW', name: '禾丰县派驻纪检监察组', role: 'supervision', parent: 'ZW', level: 'county' },
      { code: 'DB', name: '禾丰县政务服务中心帮办代办窗口', aliases: ['帮办代办', '代办员'], parent: 'ZW', level: 'county' },
      { code: 'RS', name: '禾丰县人力资源和社会保障局', parent: 'ZW', level: 'county' },
      { code: 'MZ', name: '禾丰县民政局', parent: 'ZW', level: 'county' },
      { code: 'T-HS', name: '河上镇便民服务中心', aliases: ['河上镇'], parent: 'ZW', level: 'town' },
      { code: 'V-DS', name: '河上镇东山村便民服务代办点', aliases: ['东山村', '东山村代办点'], parent: 'T-HS', level: 'village' },
    ],
    windows: [],
    items: [
      { code: 'P1', name: '养老保险待遇资格认证', unit: 'RS', aliases: ['养老金认证'] },
      { code: 'P2', name: '最低生活保障审批', unit: 'MZ', aliases: ['低保'] },
    ],
  });
  const agencyIndex = buildCatalogIndex(agency);
  const routeAt = (text: string) => route({ text, classification: clean }, agencyIndex);

  it.each([
    // the village's helper, named with the village just before
    ['东山村代办员人很好，帮我爹把低保的表送到镇上，一分钱不收', 'V-DS'],
    // the village's own step: papers left in a drawer, a list it sent up
    ['东山村代办点：代办员收了五户的养老金认证表，一直放在村室抽屉里，未报送河上镇', 'V-DS'],
    ['东山村代办点报上去的低保名单里，有两户是村里管事的亲戚', 'V-DS'],
  ])('%s → %s', (text, unit) => {
    expect(routeAt(text).unit).toBe(unit);
  });

  it('gives the helper to the village named before it even with the matter said in between, and to the counter otherwise', () => {
    const scores = (text: string) => new Map(routeAt(text).candidates.map((c) => [c.unit, c.score]));
    const village = scores('在东山村代办点咨询养老金认证，代办员说系统密码忘了，让去镇上办');
    expect(village.get('V-DS')).toBeGreaterThanOrEqual(4);
    expect(village.has('DB')).toBe(false);
    const counter = scores('政务中心的代办员说系统密码忘了，让下周再来');
    expect(counter.get('DB')).toBeGreaterThanOrEqual(4);
    expect(counter.has('V-DS')).toBe(false);
  });
});

describe('round 8: homes and wishes are places, named staff and own services are the locality, refused papers are papers', () => {
  it.each([
    // "家在X" is where the person lives; "能不能在村里办" is where they would like the service
    ['我家在柳树村，办低保要跑县里民政，能不能在村里就办', 'MZ'],
    // one of the town's staff by name, doing the work
    ['表扬石桥镇的小周，帮我父亲办低保跑前跑后，一分钱不要', 'T-SQ'],
    // a service the village point took on and then stopped
    ['柳树村便民服务站承接的社保卡补办，系统登不上，已经停办一个月了', 'V-LS'],
    // a paper the village issued, refused by a department: the department's refusal is the matter
    ['柳树村开的居住证明，县医保局不认，说格式不对', 'YB'],
    // the town asked for papers again and again
    ['低保申请在石桥镇交的，镇里让补了三次材料，每次要的都不一样', 'T-SQ'],
    // "村里" is also the community type's word for itself: still read as the village the text named (its home here)
    ['我是柳树村的，村里把我家的地亩数报错了，补贴少了一百多', 'V-LS'],
  ])('%s → %s', (text, unit) => {
    expect(routeText(text).unit).toBe(unit);
  });
});

describe('a counter looked for is a place, and signs are the hall\'s', () => {
  it('sends "the signs are unclear, I looked for the tax counter for ages" to the hall', () => {
    const r = routeText('标识牌不清楚，找税务找了半天');
    expect(r.unit).toBe('ZW');
    expect(r.candidates.map((c) => c.unit)).not.toContain('SW');
  });
  it('still gives the counter a matter done there', () => {
    expect(routeText('找税务办清税，窗口说系统不通，让明天再来').unit).toBe('SW');
  });
});

describe('round 8: peers give the same services, and a missing paper is a paper', () => {
  const district = catalogFromObject({
    region: '某省海湾区',
    units: [
      { code: 'ZW', name: '海湾区政务服务管理办公室', role: 'triage', level: 'county' },
      { code: 'JW', name: '海湾区派驻纪检监察组', role: 'supervision', parent: 'ZW', level: 'county' },
      { code: 'SCJ', name: '海湾区市场监督管理局', parent: 'ZW', level: 'county' },
      { code: 'BDC', name: '海湾区不动产登记中心', parent: 'ZW', level: 'county' },
      { code: 'SW', name: '海湾区自来水公司', aliases: ['水司'], parent: 'ZW', level: 'outlet' },
      { code: 'JD', name: '海湾区东港街道便民服务中心', aliases: ['东港街道'], parent: 'ZW', level: 'street' },
      { code: 'SQ-A', name: '东港街道渔港社区居委会', aliases: ['渔港社区'], parent: 'JD', level: 'community' },
      { code: 'SQ-B', name: '东港街道海安社区居委会', aliases: ['海安社区'], parent: 'JD', level: 'community' },
    ],
    windows: [],
    items: [
      { code: 'C1', name: '居住证明开具', unit: 'SQ-A', aliases: ['居住证明', '开居住证明'] },
      { code: 'S1', name: '企业变更登记', unit: 'SCJ', aliases: ['地址变更', '公司变更'] },
      { code: 'B1', name: '不动产首次登记', unit: 'BDC', aliases: ['不动产证'] },
      { code: 'W1', name: '用水报装', unit: 'SW', aliases: ['装水表'] },
    ],
  });
  const at = (text: string) => route({ text, classification: clean }, buildCatalogIndex(district)).unit;

  it('gives a community the service its peer holds in the catalogue, when the text names it acting', () => {
    expect(at('海安社区居委会开居住证明要房东本人到场，房东在国外，社区不接受视频确认')).toBe('SQ-B');
  });
  it('reads papers said missing or to be had first as papers', () => {
    expect(at('公司地址变更跑了三趟，第一次少租赁合同，第二次少产权证明，第三次又讲要复印件盖章')).toBe('SCJ');
    expect(at('新房装水表，水司说要先有不动产证才能立户，卡了一个多月')).toBe('SW');
    // the certificate demanded is the whole paper ("要不动产证"), not a paper with words before it
    expect(at('用水开户要不动产证，我住的老屋没有不动产证，社区开的证明水司不认')).toBe('SW');
  });
});

describe("a counter named after its unit and what it does, the matter's item among the words", () => {
  it('gives "石桥镇医保参保窗口" to the town, whose counter it is', () => {
    const r = routeText('石桥镇医保参保窗口那个经办人态度很差，材料扔回来让我自己看');
    expect(r.unit).toBe('T-SQ');
    expect(r.evidence.some((e) => e.rule === 'window_mention' && e.unit === 'T-SQ')).toBe(true);
  });
});

describe("round 8: a town's own office, its staff in plain words, a rating that clears the town", () => {
  it.each([
    // "石桥镇民政办": the town's own office for a department's matter
    ['石桥镇民政办的人讲话难听，说我们一天到晚来要救助', 'T-SQ'],
    // "那个女的": one of its staff
    ['石桥镇便民服务中心那个女的，我问她低保的事，她爱理不理', 'T-SQ'],
  ])('%s → %s', (text, unit) => {
    expect(routeText(text).unit).toBe(unit);
  });
});

describe("a hall the catalogue lists as a unit of its own", () => {
  it("gives a district centre's facilities to that centre, and an unnamed hall's to triage", () => {
    const city = catalogFromObject({
      region: '某省宁安市',
      units: [
        { code: 'XF', name: '宁安市信访局', role: 'triage', level: 'city' },
        { code: 'JW', name: '宁安市纪委监委派驻组', role: 'supervision', parent: 'XF', level: 'city' },
        { code: 'RS', name: '宁安市人力资源和社会保障局', parent: 'XF', level: 'city' },
        { code: 'CD', name: '宁安市城东区政务服务中心', aliases: ['城东区政务服务中心'], parent: 'XF', level: 'district' },
      ],
      windows: [],
      items: [],
    });
    const at = (text: string) => route({ text, classification: clean }, buildCatalogIndex(city)).unit;
    expect(at('城东区政务服务中心门口挂着周六延时服务的牌子，周六去了只开一个窗口')).toBe('CD');
    expect(at('政务服务中心门口挂着周六延时服务的牌子，周六去了只开一个窗口')).toBe('XF');
  });
});

describe("round 8: a locality's service point, its hours and what it set up, are its own", () => {
  it.each([
    ['柳树村便民服务站工作日延时到晚上七点，体验员办低保咨询，当场答复', 'V-LS'],
    ['石桥镇便民服务中心为聋哑人配了手语视频服务，低保和救助都能办', 'T-SQ'],
  ])('%s → %s', (text, unit) => {
    expect(routeText(text).unit).toBe(unit);
  });
});

describe('words that only contain a duty term', () => {
  it('reads "来电表示" and "来电表扬" as a caller speaking, not an electricity meter; "没电梯" as no lift', () => {
    const book = defaultDutyBook();
    expect(book.score('来电表示家里电表走得特别快').has('power')).toBe(true);
    for (const text of ['来电表示窗口服务很好', '来电表扬出入境大队加班办证', '便民服务站搬到三楼去了，没电梯']) expect(book.score(text).has('power')).toBe(false);
  });
  it('takes thanks to a unit as that unit acting', () => {
    expect(routeText('来电表扬县医保局，春节前加班办了一批异地就医备案').unit).toBe('YB');
  });
});

describe('the specialist among units sharing a duty by name', () => {
  const county = catalogFromObject({
    region: '某省东川县',
    units: [
      { code: 'ZW', name: '东川县政务服务管理局', role: 'triage', level: 'county' },
      { code: 'JW', name: '东川县派驻纪检监察组', role: 'supervision', parent: 'ZW', level: 'county' },
      { code: 'DB', name: '东川县政务服务中心帮办代办专区', parent: 'ZW', level: 'county' },
      { code: 'RS', name: '东川县人力资源和社会保障局', parent: 'ZW', level: 'county' },
      { code: 'SB', name: '东川县社会保险事务中心', parent: 'RS', level: 'county' },
    ],
    windows: [],
    items: [],
  });
  const at = (text: string) => route({ text, classification: clean }, buildCatalogIndex(county)).unit;
  it('sends a social-insurance matter to the social insurance centre rather than the bureau above it', () => {
    expect(at('我妈八十多了，养老认证刷脸刷不过，搞了一个礼拜')).toBe('SB');
  });
  it('keeps the hall ahead of its own agency counter for the hall\'s duties', () => {
    expect(at('网上预约的号，到了现场取号机认不到，只能重新排')).toBe('ZW');
  });
});

// Bodies people write to 12345 about beyond the standard departments, in a city district of their own; the texts are
// written for this test, apart from the duty files' terms lists and from every labelled set.
describe('the bodies beyond the standard departments, and who takes their matters when a catalogue lacks them', () => {
  const fullIndex = indexOf('某市丹溪区', '丹溪区政务服务中心', [
    ['MZZJ', '丹溪区民族宗教事务局'],
    ['RF', '丹溪区人民防空办公室'],
    ['YC', '丹溪区烟草专卖局'],
    ['QB', '中共丹溪区委统战部（区侨务办公室）'],
    ['QL', '丹溪区归国华侨联合会'],
    ['KJ', '丹溪区科学技术局'],
    ['GX', '丹溪区工业和信息化局'],
    ['GH', '丹溪区总工会'],
    ['FL', '丹溪区妇女联合会'],
    ['QX', '丹溪区气象局'],
    ['HSH', '丹溪区红十字会'],
    ['RH', '中国人民银行丹溪区支行'],
    ['SJ', '丹溪区市场监督管理局'],
    ['ZJ', '丹溪区住房和城乡建设局'],
    ['CG', '丹溪区城市管理局'],
  ]);
  it.each([
    ['山上那座庙去年翻修，现在进门就要买高价香，不买不让进，这个宗教活动场所有没有人管', 'MZZJ'],
    ['我们小区地下车库一半是人防车位，物业说产权不清楚不给办手续', 'RF'],
    ['楼下小卖部想办个卖烟的许可证，说离另一家太近不批', 'YC'],
    ['我父亲是归侨，听说归侨侨眷子女读书有照顾，要开什么证明', 'QB'],
    ['公司申请高新技术企业认定，到现在都没有结果，问谁都说在审', 'KJ'],
    ['我们厂的技改补助申请交上去半年了，专精特新的奖励也没见到', 'GX'],
    ['厂里职工互助保障交了钱，生病住院去报销说要等工会统一办', 'GH'],
    ['邻居家天天打老婆，村里不管，这个妇女维权该找谁', 'FL'],
    ['新建的仓库要做防雷装置检测，等了一个月还没人来', 'QX'],
    ['我想登记遗体捐献，不知道在哪里签字', 'HSH'],
    ['征信报告上有一笔不是我借的贷款，提了征信异议一直没回复', 'RH'],
  ])('%s → %s', routedByDuty(fullIndex));

  it('words that merely hold a body\'s name are not that body ("施工会", "华侨城", "人行道")', () => {
    for (const text of ['对面工地晚上施工会吵到十二点，城管管不管', '华侨城小区门口的垃圾堆了三天，城管一直没来清']) {
      expect(route({ text, classification: clean }, fullIndex).unit).toBe('CG');
    }
    expect(route({ text: '人行道上的井盖缺了一块，晚上看不见', classification: clean }, fullIndex).unit).not.toBe('RH');
  });

  it('without the body itself, the one that usually holds its duties takes the matter', () => {
    const leanIndex = indexOf('某县', '某县政务服务中心', [
      ['QL', '某县归国华侨联合会'],
      ['GX', '某县工业和信息化局'],
      ['SJ', '某县市场监督管理局'],
      ['ZJ', '某县住房和城乡建设局'],
    ]);
    const to = (text: string): string => route({ text, classification: clean }, leanIndex).unit;
    expect(to('我父亲是归侨，听说归侨侨眷子女读书有照顾，要开什么证明')).toBe('QL');
    expect(to('公司申请高新技术企业认定，到现在都没有结果，问谁都说在审')).toBe('GX');
    expect(to('路边小店在卖假烟，包装一看就不对')).toBe('SJ');
    expect(to('新楼盘的防空地下室验收一直拖着，房子交不了')).toBe('ZJ');
  });
});

describe('matters told in plain words: the crop, the shop, the pupil, the boss', () => {
  const plainIndex = indexOf('某市云溪区', '云溪区政务服务中心', [
    ['NY', '云溪区农业农村局'],
    ['SJ', '云溪区市场监督管理局'],
    ['JY', '云溪区教育局'],
    ['JC', '云溪区劳动保障监察大队'],
    ['SB', '云溪区社会保险事业服务中心'],
    ['ZR', '云溪区自然资源局'],
    ['ZJ', '云溪区住房和城乡建设局'],
  ]);
  it.each([
    ['家里种了十几亩油菜，今年的油菜补贴到现在还没发', 'NY'],
    ['能繁母猪补贴今年还有没有，找谁问', 'NY'],
    ['想给自家种的大米申请绿色食品认证，不知道从哪开始', 'NY'],
    ['我想开个奶茶店要办什么证，去哪里办', 'SJ'],
    ['在路边卖自己做的凉粉，要不要办证', 'SJ'],
    ['在装修公司交了五千定金，现在不装了，说什么也不退', 'SJ'],
    ['我家孩子是贫困生，上学的资助申请交了两个月没消息', 'JY'],
    ['我以前当过十年民办教师，听说现在有生活补助', 'JY'],
    ['老板让我们自己交社保，说试用期不给买', 'JC'],
    ['今年满六十了，交了十五年，养老钱咋领', 'SB'],
    ['想在地头盖个看护房放农具，要找哪个部门批', 'ZR'],
    ['通过中介租房，中介费收了房子还没看上', 'ZJ'],
  ])('%s → %s', routedByDuty(plainIndex));
});
