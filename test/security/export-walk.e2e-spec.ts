import ExcelJS from 'exceljs';
import { ItemsRepository } from '../../src/items/items.repository.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 8: an items.xlsx export reads only its period's rows, not the whole table page by page. */
describe('items.xlsx walks only what it exports (security)', () => {
  let ctx: TestContext;
  let cookie: string;
  const pages: unknown[][] = [];
  const BASE = Date.parse('2026-06-30T12:00:00+08:00');
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    // 1,200 items, one an hour back from BASE, straight into the table (the export is under test, not intake)
    await ctx.ds.query(
      `INSERT INTO item (channel, external_id, received_at, text, raw, unit_id, routing_reason, routing_rule, status, tracking_code)
       SELECT 'phone', 'bulk-' || g, $1::timestamptz - g * interval '1 hour', '批量事项' || g, '{}',
         (SELECT id FROM unit WHERE code = 'RS'), '测试', 'test', 'assigned', 'BULK-' || lpad(g::text, 6, '0')
       FROM generate_series(1, 1200) g`,
      [new Date(BASE)],
    );
    const u = await ctx.newUser({ role: 'supervisor' });
    const r = await ctx.http().post('/console/login').type('form').send(u);
    cookie = ([] as string[]).concat(r.headers['set-cookie'] ?? [])[0].split(';')[0];
    // count how many times the export asks the (real) repository for a page
    const repo = ctx.app.get(ItemsRepository);
    const list = repo.list.bind(repo);
    repo.list = (...args: Parameters<ItemsRepository['list']>) => {
      pages.push(args);
      return list(...args);
    };
  });
  afterAll(async () => ctx.close());

  const rowsOf = async (url: string): Promise<unknown[][]> => {
    const r = await ctx
      .http()
      .get(url)
      .set('Cookie', cookie)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.body as ArrayBuffer);
    const all: unknown[][] = [];
    wb.worksheets[0]!.eachRow((row) => all.push((row.values as unknown[]).slice(1)));
    return all.slice(1);
  };

  it('answers an empty old period with one query, not a walk through every page', async () => {
    pages.length = 0;
    expect(await rowsOf('/console/exports/items.xlsx?to=2000-01-01')).toHaveLength(0);
    expect(pages.length).toBe(1);
  });

  it('exports exactly a period that spans several pages, newest first, and by deadline', async () => {
    // BASE−1h … BASE−700h: 700 items, more than one page of 500
    const from = new Date(BASE - 700 * 3600_000 - 1000).toISOString();
    const to = new Date(BASE - 3600_000 + 1000).toISOString();
    pages.length = 0;
    const rows = await rowsOf(`/console/exports/items.xlsx?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(rows).toHaveLength(700);
    expect(rows[0][1]).toBe('BULK-000001');
    expect(rows[699][1]).toBe('BULK-000700');
    expect(new Set(rows.map((r) => r[1])).size).toBe(700);
    expect(pages.length).toBe(2);
    const due = await rowsOf(`/console/exports/items.xlsx?sort=due&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    expect(due).toHaveLength(700);
    expect(new Set(due.map((r) => r[1])).size).toBe(700);
  });

  it('gives each export page a statement timeout: a page stuck behind a lock is cancelled, not waited on', async () => {
    const repo = ctx.app.get(ItemsRepository);
    const office = { id: null, username: 'office', role: 'supervisor' as const, unitId: null };
    const runner = ctx.ds.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    await runner.query('LOCK TABLE item IN ACCESS EXCLUSIVE MODE');
    const release = setTimeout(() => void runner.rollbackTransaction().then(() => runner.release()), 5000);
    const started = performance.now();
    try {
      await expect(repo.list(office, { page: 1, pageSize: 10 }, { timeoutMs: 300 })).rejects.toThrow(/statement timeout/);
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      clearTimeout(release);
      if (!runner.isReleased) {
        await runner.rollbackTransaction();
        await runner.release();
      }
    }
  });
});
