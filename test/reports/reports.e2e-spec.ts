import ExcelJS from 'exceljs';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { parseBound, ReportsService } from '../../src/reports/reports.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Figures and lists over a small, known set of items (HTTP, real PostgreSQL). */
describe('figures and lists', () => {
  let ctx: TestContext;
  let sup: string;
  let rs: string;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    sup = await ctx.login('supervisor');
    rs = await ctx.login('unit_staff', 'RS');
    const at = new Date('2026-11-02T10:00:00+08:00');
    // the figures are about November 2026, whenever the suite runs: every step below happens then on the hub's clock
    ctx.clock.set('2026-11-02T10:30:00+08:00');
    // five QR ratings at the RS windows, one 12345 order at GJJ, one phone complaint at RS
    for (const [key, rating, window] of [
      ['r5', 5, 'W-C01'],
      ['r4', 4, 'W-C01'],
      ['r3', 3, 'W-C02'],
      ['r2', 2, 'W-C01'],
      ['r1', 1, 'W-C01'],
    ] as const) {
      ids[key] = (await newItem(ctx, { channel: 'qr', rating, window, assignedUnit: 'RS', receivedAt: at, tags: rating <= 3 ? ['wait_long'] : [], text: key === 'r1' ? '=1+1 窗口太慢' : '评价' })).id;
    }
    ids.hotline = (await newItem(ctx, { channel: 'hotline', appealType: '投诉', assignedUnit: 'GJJ', receivedAt: at, text: '公积金提取慢' })).id;
    ids.phone = (await newItem(ctx, { channel: 'phone', assignedUnit: 'RS', receivedAt: at, serviceItem: 'SX-010', text: '退休办理要跑多次' })).id;
  });
  afterAll(async () => ctx.close());

  const post = (token: string, url: string, body: object = {}) => ctx.http().post(url).set('Authorization', `Bearer ${token}`).send(body);
  const get = (token: string, url: string) => ctx.http().get(url).set('Authorization', `Bearer ${token}`);
  const xlsx = (token: string, url: string) =>
    get(token, url)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  async function sheet(url: string): Promise<{ header: string[]; rows: unknown[][] }> {
    const r = await xlsx(sup, url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const all: unknown[][] = [];
    ws.eachRow((row) => all.push((row.values as unknown[]).slice(1)));
    return { header: all[0] as string[], rows: all.slice(1) };
  }

  it('counts items by channel, dimension and unit, and valid ratings only once an appeal is upheld', async () => {
    const before = await get(sup, '/api/reports/summary?from=2026-11-01&to=2026-11-30');
    expect(before.status).toBe(200);
    expect(before.body.items.total).toBe(7);
    expect(before.body.items.byChannel).toEqual({ qr: 5, hotline: 1, phone: 1 });
    expect(before.body.items.byDimension).toEqual({ D1: 7 });
    expect(before.body.items.byUnit.map((u: { unit: string; items: number }) => [u.unit, u.items])).toEqual([['RS', 6], ['GJJ', 1]]);
    expect(before.body.ratings).toMatchObject({ total: 5, distribution: { 1: 1, 2: 1, 3: 1, 4: 1, 5: 1 }, good: 2, goodShare: 0.4, bad: 2, invalid: 0 });
    expect(before.body.topWindows[0]).toMatchObject({ window: 'W-C01', problems: 4 });
    expect(before.body.topServiceItems).toEqual([{ serviceItem: 'SX-010', name: expect.any(String), problems: 1 }]);

    // the 1-star rating is appealed and the appeal upheld: kept, but out of the figures
    await post(rs, `/api/items/${ids.r1}/appeal`, { reason: '评价人未在该窗口办理业务' });
    await post(sup, `/api/items/${ids.r1}/appeal/decision`, { uphold: true });
    // the 2-star one is answered (rectified) and called back, satisfied
    await post(rs, `/api/items/${ids.r2}/accept`);
    await post(rs, `/api/items/${ids.r2}/answer`, { text: '已增开窗口' });
    await post(sup, `/api/items/${ids.r2}/callback`, { satisfied: true });
    // a misroute, returned to triage
    await post(await ctx.login('unit_staff', 'GJJ'), `/api/items/${ids.hotline}/return`, { reason: '不是公积金业务' });

    const s = (await get(sup, '/api/reports/summary?from=2026-11-01&to=2026-11-30')).body;
    expect(s.items.total).toBe(7); // the item stays
    expect(s.ratings).toMatchObject({
      total: 4,
      distribution: { 1: 0, 2: 1, 3: 1, 4: 1, 5: 1 },
      good: 2,
      goodShare: 0.5,
      bad: 1,
      badRectified: 1,
      badRectifiedShare: 1,
      invalid: 1,
    });
    expect(s.callbacks).toEqual({ total: 1, satisfied: 1, satisfiedShare: 1 });
    expect(s.onTime.acceptDue).toBeGreaterThanOrEqual(1);
    expect(s.misroutes).toEqual([{ rule: 'assigned_unit', returns: 1 }]);
    // the unit filter covers the unit and its subtree; another period is empty
    expect((await get(sup, '/api/reports/summary?unit=GJJ&from=2026-11-01&to=2026-11-30')).body.items.total).toBe(0); // returned to ZWB
    expect((await get(sup, '/api/reports/summary?unit=ZWB')).body.items.total).toBe(7);
    expect((await get(sup, '/api/reports/summary?from=2026-12-01')).body.items.total).toBe(0);
    expect((await get(sup, '/api/reports/summary?unit=NOPE')).status).toBe(400);
    expect((await get(sup, '/api/reports/summary?from=yesterday')).status).toBe(400);
    expect((await get(rs, '/api/reports/summary')).status).toBe(403);
  });

  it('gives the same figures from the day roll-up as from counting the items', async () => {
    const reports = ctx.app.get(ReportsService);
    for (const [from, to, unit] of [
      [null, null, null],
      ['2026-11-01', '2026-11-30', null],
      ['2026-11-02', '2026-11-02', 'RS'],
      [null, null, 'ZWB'],
      ['2026-11-03', null, null],
    ] as const) {
      const p = { from: parseBound(from ?? undefined, 'from'), to: parseBound(to ?? undefined, 'to'), unit };
      expect(await reports.summary(p)).toEqual(await reports.summary(p, { live: true }));
    }
    // a period with a time of day is counted from the items: 10:00 is inside, 10:00:01 on is not
    const t = (await get(sup, '/api/reports/summary?from=2026-11-02T10:00:01%2B08:00')).body;
    expect(t.items.total).toBe(0);
    expect((await get(sup, '/api/reports/summary?to=2026-11-02T10:00:00%2B08:00')).body.items.total).toBe(7);
  });

  it('lists overdue items with working days overdue', async () => {
    ctx.clock.set('2026-11-12T10:00:00+08:00'); // eight working days after the deadline below
    await ctx.ds.query(`UPDATE item SET accept_due_at = '2026-11-02T23:59:59.999+08:00' WHERE id = $1`, [ids.phone]);
    const r = await get(sup, '/api/reports/overdue?unit=RS');
    expect(r.status).toBe(200);
    const mine = r.body.items.find((i: { id: number }) => i.id === ids.phone);
    expect(mine).toMatchObject({ unit: 'RS', status: 'assigned', dueAt: '2026-11-02T15:59:59.999Z', reported: true });
    expect(mine.workingDaysOverdue).toBe(8);
    expect((await get(sup, '/api/reports/summary')).body.overdueNow).toBeGreaterThanOrEqual(1);
  });

  it('exports every list with Chinese headers, neutralising cells that would run as formulas', async () => {
    const p = await post(sup, '/api/problems', {
      title: '=HYPERLINK("http://evil.example","点击")',
      rootCause: '+窗口未一次性告知',
      dimension: 'D2',
      units: ['RS'],
      kind: 'deadline',
      deadline: '2026-12-31',
      blockedStep: '@受理',
      items: [ids.r2, ids.phone],
    });
    expect(p.status).toBe(201);
    await post(rs, `/api/problems/${p.body.id}/measures`, { text: '-1 统一材料清单' });
    await post(rs, `/api/problems/${p.body.id}/done`, { evidence: '@SUM(A1) 清单已上墙' });
    await post(sup, `/api/problems/${p.body.id}/verify`);

    const expectHeaders: Record<string, string[]> = {
      problems: ['序号', '问题编号', '问题', '问题根源', '维度', '堵点环节', '责任单位', '整改类型', '整改期限', '状态', '关联事项数', '发现时间'],
      responsibilities: ['序号', '责任单位', '问题编号', '问题', '维度', '整改类型', '整改期限', '状态'],
      measures: ['序号', '问题编号', '问题', '责任单位', '整改措施', '录入人', '录入时间'],
      results: ['序号', '问题编号', '问题', '责任单位', '整改措施', '整改成效', '完成时间', '验收时间', '关联事项数'],
      ledger: ['序号', '问题编号', '问题', '维度', '责任单位', '整改类型', '整改期限', '状态', '整改措施', '整改成效', '完成时间', '验收时间', '是否超期'],
      'bad-reviews': ['序号', '查询码', '渠道', '窗口', '事项', '评价时间', '评分', '评价内容', '责任单位', '办理状态', '整改答复', '答复时间', '回访结果', '评价有效'],
      overdue: ['序号', '查询码', '责任单位', '渠道', '收到时间', '办理期限', '超期工作日', '办理状态', '是否通报', '内容摘要'],
    };
    const seen: Record<string, unknown[][]> = {};
    for (const [name, header] of Object.entries(expectHeaders)) {
      const s = await sheet(`/api/reports/lists/${name}.xlsx?unit=RS`);
      expect(s.header).toEqual(header);
      expect(s.rows.length).toBeGreaterThan(0);
      seen[name] = s.rows;
      // nothing in any exported cell can start a formula
      for (const row of s.rows) for (const c of row) if (typeof c === 'string') expect(c).not.toMatch(/^[=+\-@]/);
    }
    const problem = seen.problems![0]!;
    expect(problem[2]).toBe('\'=HYPERLINK("http://evil.example","点击")');
    expect(problem[3]).toBe("'+窗口未一次性告知");
    expect(problem[5]).toBe("'@受理");
    expect(problem[7]).toBe('限期整改');
    expect(problem[8]).toBe('2026-12-31');
    expect(problem[9]).toBe('已验收');
    expect(seen.measures![0]![4]).toBe("'-1 统一材料清单");
    expect(seen.results![0]![5]).toBe("'@SUM(A1) 清单已上墙");
    const bad = seen['bad-reviews']!;
    expect(bad).toHaveLength(2);
    const r1 = bad.find((r) => r[7] === "'=1+1 窗口太慢")!;
    expect(r1[13]).toBe('否（申诉成立）');
    const r2 = bad.find((r) => r[6] === 2)!;
    expect(r2).toBeDefined();
    expect(r2[10]).toBe('已增开窗口'); // answered and closed before the problem was verified: left as it was
    expect(r2[12]).toBe('满意');
    expect(seen.overdue!.some((r) => r[2] === '安平区人力资源和社会保障局')).toBe(true);

    expect((await get(sup, '/api/reports/lists/nope.xlsx')).status).toBe(404);
    expect((await get(sup, '/api/reports/lists/problems.xlsx?unit=NOPE')).status).toBe(400);
    expect((await get(rs, '/api/reports/lists/problems.xlsx')).status).toBe(403);
  });
});
