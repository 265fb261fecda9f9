/**
 * Who a named unit or place is in the sentence: the party that did or refused something ("医保窗口说没收到",
 * "找税务"), a place where the person lives, came from or handed a paper in ("我是石桥镇的", "单子交给村里了"),
 * a unit the person was only sent to ("让我先去税务"), or just named. Only parties and plainly named units are
 * evidence of who must act; places are not.
 */
import { CLAUSE_BREAK_CHARS } from '../classification/normalize.js';

export type PartyRole = 'actor' | 'place' | 'referred' | 'named';

// before the mention, within its clause
const PLACE_BEFORE =
  /(我是|我们是|俺是|咱是|本人是|家住|住在|住|居住在|家在|家就在|屋头在|屋里在|屋在|来自|从|户籍在|户口在|户口是|老家|老家在|老家是|籍贯|祖籍|搬到|搬去|嫁到|回|回到|到了|路过|经过|途经|交给|交到|交去|交在|送到|送去|递到|递交给|放在|留在|寄到|托|托了)$/;
// "在X住/生活/打工" is where someone lives; "在X办/申请/排队" is where the service happened
const AT_BEFORE = /在$/;
const AT_LIVING_AFTER = /^(的)?.{0,2}(住(?!房|院|证|建|宿)|乡下|山里|山上|生活|居住(?!证)|长大|出生|打工|上班|种地|务农|放牧|养老|买了房|买房|租房|落户)|^也(放|设|安|装|建|增设|开通|配)/;
// "在开发区一家厂里上班": where someone works, whatever the name
const AT_WORKING_AFTER = /^[^，。,；;！!？?]{0,6}(上班|打工|务工|干活|打零工)/;
// after the mention, within its clause; a place measured by its distance to the hall ("白沙镇离区政务中心四十多公里",
// "东澳镇到县中心没有直达公交") is where the person comes from
const PLACE_AFTER =
  /^(的)?(村民|居民|牧民|农民|渔民|牧户|农户|养殖户|种植户|老乡|乡亲|人|老百姓|群众|老人|住户|户籍|户口|本地人|那边住|住了|住着|生活|出生|长大|人氏)|^(到|至|往|开往|去)[^，。,.;；]{1,8}的?(班车|公交|客车|大巴|线路|公路)|^离[^，。,.;；]{1,10}(远|近|公里|里地|里路|多远|十几里|几十里)|^(到|去)[^，。,.;；]{1,12}(没有|没|要|得|来回|单程|有)[^，。,.;；]{0,8}(公里|里地|里路|小时|钟头|直达|班车|公交|趟车)/;
// "能不能在乡上办", "希望在镇里也能办": where the person would like the service, not who refused it
const WISH_BEFORE = /(能不能|可不可以|可否|能否|希望|想|建议|盼着?|最好)(也)?(就)?(在|到)$/;
const WAYFINDING_AFTER = /^(的窗口|窗口)?(找了?(半天|好久|很久|一圈|老半天|半个钟头|半小时)|在哪|在哪儿|在哪里|在几楼|在什么地方|在啥地方)/;
const REFERRED_BEFORE = /(让我|叫我|要我|喊我|让俺|叫俺|让咱|让他|让她|叫他|叫她|让我们|叫我们|建议|推荐|推给|推到|转给|转到|推我)(先|再|去|到|找|问|回)?(去|到|找|问)?(找)?$/;
const REFERRED_BEFORE_SHORT = /(先去|再去|先到|再到|先找|再找|去问问|转去|又去|让去|叫去|喊去|让到|让找|叫找)$/;
const ACTOR_BEFORE = /(找|去找|问了|问|打电话给|打给|联系|联系了|投诉|到|去|去了|跑了|跑|在|被|向|给了|交给了|表扬|感谢|谢谢|点赞)$/;
// the unit a person asks to act ("诉求：请市场监管部门查处", "要求劳动监察介入")
const REQUEST_BEFORE = /(诉求|要求|请求|恳请|希望|盼|请)(：|:)?(由|让|请)?$/;
const REQUEST_AFTER = /^(部门|那边|的同志|尽快|赶紧|早日|及时)?(介入|处理|查处|查一查|查查|管管|管一管|管一下|出面|督促|调查|核实|解决|协调|上门|来人|派人|整治|取缔)/;
// a place described by what is near it ("东风社区菜市场旁边的公厕"): where, not who
const WHERE_AFTER = /^(的)?.{0,6}(旁边|门口|附近|对面|路口|楼下|一带|路段|路边|街上|马路|菜市场|小区|片区|境内|辖区内)/;
const ACTOR_AFTER =
  /^(的)?(工作人员|人员|同志|窗口|大厅|柜台|那边|那里|这边|居委会|村委会|居委|村委)?(就是|就|还|也|又|偏偏|硬是|死活|根本|压根|竟然|居然)?(说|讲|称|答复|回复|告知|告诉|要求|要(?:我|俺|咱|群众|先|交|拿|提供|出具|[^，。,；;！!？?]{0,8}?(?:证明|原件|意见))|喊|让|叫|不给|不予|不让|不肯|不愿|拒绝|不受理|不办|办不了|不管|推|拖|没有办|没办|没给|一直|总是|老是|态度|收了|收取|要了|弄丢|丢了|搞错|错了|没收到|说没|称没|不认|不承认|不同意|卡着|压着|不理|不接|不回|嫌|又说|却说|非要|硬要|承接|受理了|开[^的，。,]{0,6}证明(要|得|需要|非要|必须))/;
// "X一名工作人员…", "X那个小伙子说…", "X业务窗口": X's staff or counter did it
const STAFF_AFTER =
  /^(便民服务站|便民服务中心|服务站|服务中心|服务点|代办点|大厅|那边|这边)?(的)?(一名|一位|一个|有个|有位|那个|那位|这个|这位|个别)?(工作人员|人员|同志|小伙子|小姑娘|姑娘|小伙|大姐|大妈|阿姨|大爷|师傅|领导|干部|科长|主任|股长|所长|窗口|柜台|业务窗口|办事员|经办人|代办员|网格员|专干|会计|文书|支书|村支书|村主任|书记|村干部|村官|村会计|社区干部|镇干部|乡干部|街道干部|女的|男的|妹儿|妹子|小妹|小哥|帅哥|美女)/;
// "龙水镇的小杨帮我…", "街道的王姐": one of its staff by name
const NAMED_STAFF_AFTER = /^(的|那个|的那个)?(小[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯史陶黎贺顾毛郝龚邵万严覃戴莫孔向汤](?![区孩])|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯史陶黎贺顾毛郝龚邵万严覃戴莫孔向汤](姐|哥|大姐|师傅|主任|科长|股长|所长|站长|会计|干事))/;
// "大坪村那个管低保的说…", "镇上负责审核的": the person who does the work there
const DUTY_PERSON_AFTER = /^(的)?(那个|那位|有个|一个|专门)?(管|办|负责|收|审|经手|分管)[^，。,.;；！!？?]{0,6}的(人|那个|那位|同志)?($|说|讲|称|让|叫|要|不|没|收|拿|跟)/;
// after a service centre's own name: its door, stairs, car park, hours, terminals ("黑山镇便民中心门口没有停车的地方")
// what a service point itself keeps, sets up or gives: its hours and rota, what it has or set up ("工作日延时到七点",
// "实行周末轮值", "设有代办员", "为聋哑人配了手语服务") — after its own name, or after a locality's name and its point's
const OWN_SERVICE = '工作日|节假日|周末|门上|设有|设了|配了|配有|延时|延长|轮值|值班|实行|推行|开通|提供|为[^，。,]{0,10}(配|提供|开通|设|办)';
const OWN_FACILITY_AFTER = new RegExp(
  `^(的)?(在[一二三四五六1-6]楼|在楼上|门口|门前|楼梯|电梯|厕所|卫生间|停车|车位|座位|台阶|坡道|一楼|二楼|三楼|中午|下午|上午|早上|晚上|每天|只开|只有|只设|没有|太|就|总是|经常|自助终端|自助机|打印机|复印机|电脑|取号机|叫号机|${OWN_SERVICE})`,
);
const BLAME_AFTER =
  /^.{0,10}(不给|不予|拒绝|不受理|不办|办不了|(没|没有|冇|未)(给|向)?[^，。,；;]{0,6}(开通?|授权|放开)[^，。,；;]{0,3}(系统|账号|权限)|推诿|推脱|推来推去|踢皮球|刁难|拖着|拖了|一直不|没人管|不管|弄丢|丢了|没收到|没见着|没看到|说没|不归|态度|搞错|错了|乱收|卡着|压着|不理|不回|不认|卡住|不同意|不让|不肯)/;

// a locality's own office, not the locality: "村委会的人" are its staff, not villagers
const INSTITUTION = /(委员会|村委会|居委会|村委|街道办|办事处|政府|中心|服务站|服务点|代办点)$/;
// a name that is itself a service centre, station or counter
const PREMISES = /(中心|服务站|服务点|代办点|大厅|窗口)$/;
// "南街社区那个服务站在三楼": the locality's own premises, whose hours, stairs and seats are its own
const OWN_PREMISES_AFTER = new RegExp(
  `^(那个|的|这个)?(便民服务站|便民服务中心|便民中心|党群服务中心|服务站|服务中心|服务点|代办点|办事大厅|大厅)(在|的|没|没有|太|只|就|一直|门口|不|连|搬到|搬去|搬进|挪到|设在|${OWN_SERVICE})`,
);
// clause breaks by code unit (all single BMP characters; text[i] is one code unit)
const CLAUSE_CODES = (() => {
  const table = new Uint8Array(65536);
  for (const ch of CLAUSE_BREAK_CHARS) if (ch.length === 1) table[ch.charCodeAt(0)] = 1;
  return table;
})();

/** The mention's clause: text before it (up to 12 characters) and after it (up to 14), cut at clause breaks. */
function around(text: string, index: number, length: number): { before: string; after: string } {
  let start = index;
  while (start > 0 && index - start < 12 && !CLAUSE_CODES[text.charCodeAt(start - 1)]) start--;
  let end = index + length;
  while (end < text.length && end - index - length < 14 && !CLAUSE_CODES[text.charCodeAt(end)]) end++;
  return { before: text.slice(start, index), after: text.slice(index + length, end) };
}

/**
 * The role of a mention. Only a locality (a town, street, community or village) can be a place someone lives in,
 * came from or handed a paper in; for a department, "X的人" is its staff. Any unit looked for ("找出入境找了半天")
 * is a place.
 */
export function partyRole(text: string, index: number, length: number, locality = true): PartyRole {
  const { before, after } = around(text, index, length);
  // "X的人" is X's staff for a department, and for a locality's own office ("村委会的人", "街道办的人")
  if ((!locality || INSTITUTION.test(text.slice(index, index + length))) && /^的(人|那个人|那位)/.test(after)) return 'actor';
  // a service centre's own door, floor or car park is its own ("便民中心门口没有停车的地方"); a village's is a place
  const premises = PREMISES.test(text.slice(index, index + length));
  // "友谊社区便民服务站门口有台阶": the locality's own premises come before "a place near X"
  if (locality && OWN_PREMISES_AFTER.test(after)) return 'actor';
  if (locality && (PLACE_AFTER.test(after) || (!premises && WHERE_AFTER.test(after)))) return 'place';
  if (locality && premises && OWN_FACILITY_AFTER.test(after)) return 'actor';
  if (AT_BEFORE.test(before) && (AT_WORKING_AFTER.test(after) || (locality && AT_LIVING_AFTER.test(after)))) return 'place';
  // "诉求劳动监察介入", "希望城管管一管": the unit the person asks to act
  if (!locality && REQUEST_BEFORE.test(before) && REQUEST_AFTER.test(after)) return 'actor';
  if (locality && WISH_BEFORE.test(before)) return 'place';
  // "找出入境找了半天", "不知道税务在几楼": a counter looked for is where, not who (the hall's signs are the matter)
  if (WAYFINDING_AFTER.test(after)) return 'place';
  if (REFERRED_BEFORE.test(before) || REFERRED_BEFORE_SHORT.test(before)) {
    // "让我去找税务，税务说…" — the referral is this mention; a later one may still be the actor
    return ACTOR_AFTER.test(after) ? 'actor' : 'referred';
  }
  if (locality && PLACE_BEFORE.test(before) && !ACTOR_AFTER.test(after) && !STAFF_AFTER.test(after)) return 'place';
  if (ACTOR_AFTER.test(after) || STAFF_AFTER.test(after) || DUTY_PERSON_AFTER.test(after) || NAMED_STAFF_AFTER.test(after)) return 'actor';
  if (ACTOR_BEFORE.test(before)) return 'actor';
  return 'named';
}

/** A blame word in the mention's clause after it ("税务说要先处理欠费，一直不给办"). */
export function isBlamed(text: string, index: number, length: number): boolean {
  const { after } = around(text, index, length);
  return BLAME_AFTER.test(after);
}

// a step a locality's own office or staff did (or botched) itself: lost or mis-entered papers, never forwarded,
// fees of its own, a locked door, nobody able to work the system, or the service done for the person
const OWN_STEP =
  /(弄丢|搞丢|丢失|录错|填错|输错|写错|登记错|搞错|弄错|录的[^，。,]{0,8}错|填的[^，。,]{0,8}错|录到别人|录成别人|漏报|漏录|忘了?(提交|上报|报|录|交|审核)|(没(有)?|未)(提交|上报|报上去|录入|录进去|报送|往上报|及时报)|(放|搁|锁|扔)在[^，。,]{0,6}(抽屉|柜子|柜里)|(报上去|报上来|评上|评出|定下|报)的[^，。,]{0,6}名单|压着不报|拖着不报|收了[^，。,]{0,8}(费|钱|红包)|跑腿费|辛苦费|好处费|要[^，。,]{0,8}(送东西|送礼|红包|好处费)|锁门|锁着门|提前[^，。,]{0,6}(走了|下班|关门|离岗|溜了)|不在岗|脱岗|压着没(送|报|交)|压了[^，。,]{0,8}(才|都没|也没|还没)(送|报|交|转)|没送上(来|去)|跑前跑后|(搁|压|放|扔)(了|着)[一两俩三几半][^，。,]{0,3}(天|个?月|个?礼拜|周|星期)|没往[^，。,]{0,4}(交|送|报|递)|(交|收|扣|缴)了两(遍|次|回)|重复(收|交|缴|扣)|(让|叫|喊|要)(我|俺|我们)?(补|重交|重新交)[^，。,]{0,6}(材料|资料|证明)|补了[一二三四五六七八九两几0-9]+(次|回|趟)|停办|暂停办理|无人会|没人会|没有人会|不会操作|帮[^，。,]{0,12}(办好|办了|办结|跑了|递上去|弄好|送到|完成|跑前跑后)|上门帮|(自助终端|自助机|打印机|复印机|电脑|叫号机|取号机)[^，。,]{0,4}(黑屏|坏了|坏掉|打不开|用不了|死机|打印不了|没纸))/;
const SENTENCE_END = /[。！？!?；;]/;

/**
 * The position (from the mention's end) of a step the mention's own office did in the rest of its sentence
 * (up to 40 characters), or -1.
 */
export function ownStepAt(text: string, index: number, length: number): number {
  const from = index + length;
  let to = from;
  while (to < text.length && to - from < 40 && !SENTENCE_END.test(text[to] as string)) to++;
  const m = OWN_STEP.exec(text.slice(from, to));
  return m ? m.index : -1;
}
