import ExcelJS from 'exceljs';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { LIST_NAMES, LIST_TITLES } from '../../src/reports/lists.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** The console's spreadsheet exports through HTTP with a cookie session: the seven lists and the items list. */
describe('console exports (HTTP)', () => {
  let ctx: TestContext;
  let office: string;
  let staff: string;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor } });
    office = await signIn(await ctx.newUser({ role: 'supervisor', username: 'exp_office' }));
    staff = await signIn(await ctx.newUser({ role: 'unit_staff', unit: 'GJJ', username: 'exp_gjj' }));
    await newItem(ctx, { assignedUnit: 'GJJ', channel: 'qr', rating: 2, text: '公积金提取材料反复退回', contact: { name: '王五', phone: '13900002222' } });
    await newItem(ctx, { assignedUnit: 'GJJ', channel: 'hotline', text: '=HYPERLINK("http://evil.example","点这里")', contact: { name: '赵六', phone: '13700001111' } });
    await newItem(ctx, { assignedUnit: 'BDC', channel: 'phone', text: '不动产登记窗口中午无人', contact: { name: '钱七', phone: '13600003333' } });
  });
  afterAll(async () => ctx.close());

  async function signIn(u: { username: string; password: string }): Promise<string> {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    return ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
  }
  const get = (cookie: string, url: string) =>
    ctx
      .http()
      .get(url)
      .set('Cookie', cookie)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
  async function sheet(cookie: string, url: string): Promise<{ name: string; header: string[]; rows: unknown[][]; disposition: string }> {
    const r = await get(cookie, url);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const all: unknown[][] = [];
    ws.eachRow((row) => all.push((row.values as unknown[]).slice(1)));
    return { name: ws.name, header: all[0] as string[], rows: all.slice(1), disposition: r.headers['content-disposition'] };
  }
  const text = (r: { body: unknown }) => (r.body as Buffer).toString('utf8');

  it('answers every one of the seven lists as XLSX with Chinese headers for the office', async () => {
    for (const name of LIST_NAMES) {
      const s = await sheet(office, `/console/exports/${name}.xlsx?from=2020-01-01&to=2099-12-31`);
      expect(s.name).toBe(LIST_TITLES[name]);
      expect(s.header[0]).toBe('序号');
      expect(s.disposition).toContain(`filename="${name}-`);
      expect(s.disposition).toContain(encodeURIComponent(LIST_TITLES[name]));
    }
    // the bad-reviews list holds the rating-2 item, in full for the office
    const bad = await sheet(office, '/console/exports/bad-reviews.xlsx');
    expect(bad.rows.map((r) => r[7])).toEqual(['公积金提取材料反复退回']);
  });

  it('refuses the seven lists to unit staff with the 403 page, and a visitor without a session is sent to sign in', async () => {
    for (const name of LIST_NAMES) {
      const r = await get(staff, `/console/exports/${name}.xlsx`);
      expect(r.status).toBe(403);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(text(r)).toContain('无权访问');
    }
    const anon = await ctx.http().get('/console/exports/problems.xlsx');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/console/login');
    const anonItems = await ctx.http().get('/console/exports/items.xlsx');
    expect(anonItems.status).toBe(303);
  });

  it('gives unit staff only their unit’s items, phones masked, formula-looking text neutralised', async () => {
    const s = await sheet(staff, '/console/exports/items.xlsx');
    expect(s.name).toBe('事项清单');
    const col = (h: string) => s.header.indexOf(h);
    expect(s.rows).toHaveLength(2);
    expect(s.rows.map((r) => r[col('责任单位')])).toEqual(['示例市住房公积金管理中心安平管理部', '示例市住房公积金管理中心安平管理部']);
    const phones = s.rows.map((r) => r[col('联系电话')]).sort();
    expect(phones).toEqual(['137****1111', '139****2222']);
    const all = JSON.stringify(s.rows);
    expect(all).not.toContain('13900002222');
    expect(all).not.toContain('不动产登记窗口中午无人');
    const formula = s.rows.find((r) => String(r[col('内容')]).includes('HYPERLINK'));
    expect(formula?.[col('内容')]).toBe('\'=HYPERLINK("http://evil.example","点这里")');
  });

  it('gives the office every item with full phones, and applies the list filters', async () => {
    const all = await sheet(office, '/console/exports/items.xlsx');
    expect(all.rows).toHaveLength(3);
    const col = (h: string) => all.header.indexOf(h);
    expect(all.rows.map((r) => r[col('联系电话')]).sort()).toEqual(['13600003333', '13700001111', '13900002222']);

    const qr = await sheet(office, '/console/exports/items.xlsx?channel=qr');
    expect(qr.rows.map((r) => r[col('渠道')])).toEqual(['扫码评价']);
    const bdc = await sheet(office, '/console/exports/items.xlsx?unit=BDC&status=assigned');
    expect(bdc.rows.map((r) => r[col('内容')])).toEqual(['不动产登记窗口中午无人']);
    // several statuses, comma-separated (the queue's 办理中 link)
    const two = await sheet(office, '/console/exports/items.xlsx?status=accepted,assigned&unit=BDC');
    expect(two.rows).toHaveLength(1);
    const none = await sheet(office, '/console/exports/items.xlsx?status=closed&dimension=D1&overdue=false&extension=none&appeal=none');
    expect(none.rows).toHaveLength(0);
    const d1 = await sheet(office, '/console/exports/items.xlsx?dimension=D1&overdue=0&extension=none&appeal=none&sort=due');
    expect(d1.rows).toHaveLength(3);
    // a period of receipt: nothing was received in 2020
    const old = await sheet(office, '/console/exports/items.xlsx?from=2020-01-01&to=2020-12-31');
    expect(old.rows).toHaveLength(0);
    // unit staff asking for another unit get nothing of it (scope is enforced whatever the filter says)
    const other = await sheet(staff, '/console/exports/items.xlsx?unit=BDC');
    expect(other.rows).toHaveLength(0);
  });

  it('answers a bad filter or date with a Chinese page, not a spreadsheet', async () => {
    for (const url of ['/console/exports/items.xlsx?status=bogus', '/console/exports/items.xlsx?status=accepted,bogus', '/console/exports/items.xlsx?from=2026-13-01', '/console/exports/problems.xlsx?from=yesterday', '/console/exports/problems.xlsx?unit=NOPE']) {
      const r = await get(office, url);
      expect(r.status).toBe(400);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(text(r)).toContain('无法导出');
    }
    const unknown = await get(office, '/console/exports/nothing.xlsx');
    expect(unknown.status).toBe(404);
  });

  it('serves ECharts same-origin with a long cache', async () => {
    const r = await ctx.http().get('/console/assets/echarts.min.js?v=1');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/javascript/);
    expect(r.headers['cache-control']).toContain('max-age=31536000');
    expect(r.text.length).toBeGreaterThan(500_000);
  });
});
