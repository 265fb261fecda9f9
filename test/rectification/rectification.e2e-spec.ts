import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const HEADER = ['办件编号', '事项编码', '环节', '承办单位', '开始时间', '结束时间', '结果'];

/** 不动产转移登记 (SX-003: 受理 BDC 0 · 缴税 SW 1 · 审核登簿 BDC 2 · 缮证发证 BDC 1): the tax step took 5 working days. */
const SLOW_TAX = [
  ['BJ-2026-0001', 'SX-003', '受理', '不动产登记中心', '2026-10-12 09:00', '2026-10-12 09:30', '通过'],
  ['BJ-2026-0001', 'SX-003', '缴税', '区税务局', '2026-10-12 10:00', '2026-10-19 16:00', '通过'],
  ['BJ-2026-0001', 'SX-003', '审核登簿', 'BDC', '2026-10-19 17:00', '2026-10-20 15:00', '通过'],
  ['BJ-2026-0001', 'SX-003', '缮证发证', 'BDC', '2026-10-21 09:00', '2026-10-21 10:00', '办结'],
];

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',')).join('\r\n');

describe('back-traced rectification: cases, back-trace, problems (HTTP, real PostgreSQL)', () => {
  let ctx: TestContext;
  let sup: string;
  let op: string;
  let rs: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    sup = await ctx.login('supervisor');
    op = await ctx.login('operator');
    rs = await ctx.login('unit_staff', 'RS');
  });
  afterAll(async () => ctx.close());

  const upload = (token: string, buf: Buffer, name: string) =>
    ctx.http().post('/api/cases/import').set('Authorization', `Bearer ${token}`).attach('file', buf, name);
  const post = (token: string, url: string, body: object = {}) => ctx.http().post(url).set('Authorization', `Bearer ${token}`).send(body);

  it('imports a GBK case log, reporting bad rows with their numbers and keeping the good ones', async () => {
    const rows = [
      ['示例市政务服务网 办件环节记录导出'],
      HEADER,
      ...SLOW_TAX,
      ['BJ-2026-0002', 'SX-006', '', 'GJJ', '2026-10-12 09:00', '', ''],
      ['BJ-2026-0003', 'SX-006', '受理', 'GJJ', '十月十二日', '', ''],
      ['BJ-2026-0004', 'SX-999', '受理', 'GJJ', '2026-10-12 09:00', '', ''],
      ['BJ-2026-0005', 'SX-006', '审核', 'GJJ', '2026-10-12 09:00', '2026-10-11 09:00', '通过'],
      ['BJ-2026-0006', 'SX-006', '受理', '公积金中心', '2026/10/13 9:05', '', ''],
    ];
    const r = await upload(op, iconv.encode(csv(rows), 'gbk'), 'cases.csv');
    expect(r.status).toBe(200);
    expect(r.body.cases).toBe(2);
    expect(r.body.steps).toBe(5);
    expect(r.body.rejected.map((x: { row: number }) => x.row)).toEqual([7, 8, 9, 10]);
    expect(r.body.rejected[0].reason).toContain('环节');
    expect(r.body.rejected[1].reason).toContain('开始时间');
    expect(r.body.rejected[2].reason).toContain('SX-999');
    expect(r.body.rejected[3].reason).toContain('结束时间 is before');
    const steps = await ctx.ds.query(
      `SELECT s.step, s.unit_text, s.unit_code, s.started_at FROM case_step s JOIN case_record c ON c.id = s.case_id WHERE c.case_no = 'BJ-2026-0001' ORDER BY seq`,
    );
    expect(steps.map((s: { unit_code: string }) => s.unit_code)).toEqual(['BDC', 'SW', 'BDC', 'BDC']);
    expect(steps[0].started_at.toISOString()).toBe('2026-10-12T01:00:00.000Z'); // China time
    // importing the same case again replaces its steps rather than adding to them
    const again = await upload(op, Buffer.from('\uFEFF' + csv([HEADER, ...SLOW_TAX])), 'again.csv');
    expect(again.body).toEqual({ cases: 1, steps: 4, rejected: [] });
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM case_step s JOIN case_record c ON c.id = s.case_id WHERE c.case_no = 'BJ-2026-0001'`);
    expect(n).toBe(4);
  });

  it('imports XLSX with date cells, and refuses a file without the headers and a caller who may not import', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('办件');
    ws.addRow(HEADER);
    // spreadsheets keep the wall clock: exceljs writes these UTC parts as the cell's date and time
    ws.addRow(['BJ-2026-0100', 'SX-006', '受理', 'GJJ', new Date(Date.UTC(2026, 9, 12, 9, 0)), new Date(Date.UTC(2026, 9, 12, 9, 20)), '通过']);
    ws.addRow(['BJ-2026-0100', 'SX-006', '审核', 'GJJ', new Date(Date.UTC(2026, 9, 12, 10, 0)), null, null]);
    const buf = Buffer.from(await wb.xlsx.writeBuffer());
    const r = await upload(sup, buf, 'cases.xlsx');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ cases: 1, steps: 2, rejected: [] });
    const [s] = await ctx.ds.query(`SELECT s.started_at, s.ended_at FROM case_step s JOIN case_record c ON c.id = s.case_id WHERE c.case_no = 'BJ-2026-0100' AND seq = 2`);
    expect(s.started_at.toISOString()).toBe('2026-10-12T02:00:00.000Z');
    expect(s.ended_at).toBeNull();
    expect((await upload(op, Buffer.from('a,b,c\n1,2,3\n'), 'x.csv')).status).toBe(400);
    expect((await ctx.http().post('/api/cases/import').set('Authorization', `Bearer ${op}`).send({})).status).toBe(400);
    expect((await upload(rs, buf, 'cases.xlsx')).status).toBe(403);
  });

  it('back-traces an item over its imported case and proposes the step that held it up', async () => {
    const { id } = await newItem(ctx, { assignedUnit: 'BDC', serviceItem: 'SX-003', caseNo: 'BJ-2026-0001', text: '二手房过户等了十天' });
    const r = await post(sup, `/api/items/${id}/backtrace`);
    expect(r.status).toBe(200);
    expect(r.body.caseNo).toBe('BJ-2026-0001');
    expect(r.body.serviceItem).toBe('SX-003');
    expect(r.body.blocked).toHaveLength(1);
    expect(r.body.blocked[0]).toMatchObject({ step: '缴税', unit: 'SW', dimension: 'D4', finding: 'overrun' });
    expect(r.body.blocked[0].reason).toContain('缴税');
    expect(r.body.blocked[0].evidence).toMatchObject({ committedDays: 1, actualDays: 5 });
    expect(r.body.steps.map((s: { status: string }) => s.status)).toEqual(['ok', 'overrun', 'ok', 'ok']);
    const [ev] = await ctx.ds.query(`SELECT data FROM item_event WHERE item_id = $1 AND kind = 'backtraced'`, [id]);
    expect(ev.data.blocked).toEqual([{ step: '缴税', unit: 'SW', dimension: 'D4', finding: 'overrun' }]);

    // the unit sees the back-trace of its own item; another unit's item is 404
    const bdc = await ctx.login('unit_staff', 'BDC');
    expect((await post(bdc, `/api/items/${id}/backtrace`)).status).toBe(200);
    expect((await post(rs, `/api/items/${id}/backtrace`)).status).toBe(404);
  });

  it('answers an empty proposal when there is no case data', async () => {
    const none = (await newItem(ctx, { assignedUnit: 'RS', text: '办事慢' })).id;
    const r = await post(sup, `/api/items/${none}/backtrace`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ caseNo: null, steps: [], blocked: [] });
    const unknown = (await newItem(ctx, { assignedUnit: 'RS', caseNo: 'BJ-NOT-IMPORTED', text: '办事慢' })).id;
    const u = await post(sup, `/api/items/${unknown}/backtrace`);
    expect(u.body).toMatchObject({ caseNo: 'BJ-NOT-IMPORTED', steps: [], blocked: [] });
    expect(u.body.warnings[0]).toContain('BJ-NOT-IMPORTED');
  });

  it('verifying a problem linked to three items answers all three; their callbacks then close them', async () => {
    const ids: number[] = [];
    for (const t of ['社保卡补办要跑三次', '社保卡补办材料反复要', '补办社保卡窗口说系统不通']) {
      ids.push((await newItem(ctx, { assignedUnit: 'RS', text: t })).id);
    }
    // one waiting, one accepted, one reopened after an unhappy callback
    await post(rs, `/api/items/${ids[1]}/accept`);
    await post(rs, `/api/items/${ids[2]}/accept`);
    await post(rs, `/api/items/${ids[2]}/answer`, { text: '已解释' });
    await post(rs, `/api/items/${ids[2]}/callback`, { satisfied: false });

    const bad = await post(sup, '/api/problems', { title: 'x', rootCause: 'y', dimension: 'D2', units: ['RS'], kind: 'deadline' });
    expect(bad.status).toBe(400); // 限期整改 needs its deadline
    expect((await post(rs, '/api/problems', { title: 'x', rootCause: 'y', dimension: 'D2', units: ['RS'], kind: 'immediate' })).status).toBe(403);
    const p = await post(sup, '/api/problems', {
      title: '社保卡补办材料要求不一致',
      rootCause: '窗口未执行一次性告知，材料清单各窗口不同',
      dimension: 'D2',
      units: ['RS'],
      kind: 'deadline',
      deadline: '2026-12-31',
      blockedStep: '受理',
      items: ids.slice(0, 2),
    });
    expect(p.status).toBe(201);
    expect(p.body).toMatchObject({ status: 'open', kind: 'deadline', deadline: '2026-12-31T15:59:59.999Z', units: ['RS'] });
    const pid = p.body.id as number;
    const linked = await post(sup, `/api/problems/${pid}/items`, { items: [ids[2]] });
    expect(linked.body.items.map((i: { id: number }) => i.id)).toEqual(ids);

    expect((await post(sup, `/api/problems/${pid}/verify`)).status).toBe(409); // not done yet
    const gjj = await ctx.login('unit_staff', 'GJJ');
    expect((await post(gjj, `/api/problems/${pid}/measures`, { text: 'x' })).status).toBe(403);
    expect((await post(rs, `/api/problems/${pid}/done`, { evidence: '已完成' })).status).toBe(409); // no measures yet
    const m1 = await post(rs, `/api/problems/${pid}/measures`, { text: '统一社保卡补办材料清单并上墙公示' });
    expect(m1.body.status).toBe('rectifying');
    await post(rs, `/api/problems/${pid}/measures`, { text: '窗口人员一次性告知培训' });
    const done = await post(rs, `/api/problems/${pid}/done`, { evidence: '清单已公示，抽查20件均一次办结' });
    expect(done.body.status).toBe('done');
    expect((await post(rs, `/api/problems/${pid}/verify`)).status).toBe(403);

    const v = await post(sup, `/api/problems/${pid}/verify`);
    expect(v.status).toBe(200);
    expect(v.body.status).toBe('verified');
    expect(v.body.moved).toEqual([
      { id: ids[0], from: 'assigned', to: 'answered' },
      { id: ids[1], from: 'accepted', to: 'answered' },
      { id: ids[2], from: 'reopened', to: 'answered' },
    ]);
    const rows = await ctx.ds.query(`SELECT id, status, answer_text, callback_due_at FROM item WHERE id = ANY($1) ORDER BY id`, [ids]);
    for (const r of rows) {
      expect(r.status).toBe('answered');
      expect(r.answer_text).toContain('统一社保卡补办材料清单并上墙公示');
      expect(r.callback_due_at.getTime()).toBeGreaterThan(ctx.clock.nowMs());
    }
    expect((await post(sup, `/api/problems/${pid}/verify`)).status).toBe(409);
    for (const id of ids) expect((await post(sup, `/api/items/${id}/callback`, { satisfied: true })).body.status).toBe('closed');
    const after = await ctx.http().get(`/api/problems/${pid}`).set('Authorization', `Bearer ${rs}`);
    expect(after.body.items.map((i: { status: string }) => i.status)).toEqual(['closed', 'closed', 'closed']);
    expect((await ctx.http().get(`/api/problems/${pid}`).set('Authorization', `Bearer ${gjj}`)).status).toBe(404);
  });
});
