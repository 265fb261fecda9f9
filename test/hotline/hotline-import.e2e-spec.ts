import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ClassificationService } from '../../src/classification/classification.service.js';
import { HotlineImportService } from '../../src/intake/hotline/hotline-import.service.js';
import { createSegmenter, loadLexicon } from '../../src/classification/index.js';
import { lexiconPhrases } from '../../src/classification/lexicon.js';
import { CLASSIFICATION_DIR } from '../../src/classification/shipped.js';
import { CatalogCache } from '../../src/org/catalog.cache.js';
import { matterColumns, similarity } from '../../src/repeats/matter.js';
import { SHARED, createTestContext, type TestContext } from '../support/test-app.js';

const SAMPLES = path.join(SHARED, 'data/hotline');
const expected: { orders: { 工单编号: string; unit: string }[] } = JSON.parse(readFileSync(path.join(SAMPLES, 'anping-12345.expected.json'), 'utf8'));

describe('12345 hotline: file imports, single forwards, results', () => {
  let ctx: TestContext;
  let op: string;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    op = await ctx.login('operator');
  });
  afterAll(async () => ctx.close());

  const upload = (file: string) => ctx.http().post('/api/intake/hotline/import').set('Authorization', `Bearer ${op}`).attach('file', file);

  it('imports the UTF-8 export, routing by the hotline\'s own 承办单位 first', async () => {
    const r = await upload(path.join(SAMPLES, 'anping-12345-utf8bom.csv'));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'done', total: 90, created: 90, duplicates: 0, rejected: [] });
    const rows: { external_id: string; unit: string; routing_rule: string }[] = await ctx.ds.query(
      `SELECT i.external_id, u.code AS unit, i.routing_rule FROM item i JOIN unit u ON u.id = i.unit_id WHERE channel = 'hotline'`,
    );
    const got = new Map(rows.map((x) => [x.external_id, x.unit]));
    const right = expected.orders.filter((o) => got.get(o.工单编号) === o.unit).length;
    process.stdout.write(`hotline sample routed to the expected unit: ${right}/${expected.orders.length}\n`);
    expect(right / expected.orders.length).toBeGreaterThanOrEqual(0.9);
    expect(rows.some((x) => x.routing_rule === 'assigned_unit')).toBe(true);
    // each unit hears once about the import, not once per order
    const mails: { dedupe_key: string; subject: string }[] = await ctx.ds.query(`SELECT dedupe_key, subject FROM outbox WHERE kind = 'assigned'`);
    const units = new Set(rows.map((x) => x.unit));
    expect(mails.length).toBeGreaterThan(0);
    expect(mails.length).toBeLessThanOrEqual(units.size);
    expect(mails.every((m) => m.dedupe_key.startsWith(`import:${r.body.id}:`) && /导入新增 \d+ 件/.test(m.subject))).toBe(true);
  });

  it("stores each order's matter (repeats, hot spots) exactly as intake computes it, though a classification thread computed it", async () => {
    expect(ctx.app.get(ClassificationService).runsOn).toBe('thread');
    const rows: { subject: string | null; text: string; matter_tokens: number[]; matter_bands: number[] }[] = await ctx.ds.query(
      `SELECT subject, text, matter_tokens, matter_bands FROM item WHERE channel = 'hotline'`,
    );
    expect(rows.length).toBe(90);
    expect(rows.filter((r) => r.matter_tokens.length > 0).length).toBeGreaterThan(80);
    // the engine's segmenter: jieba with the catalogue's names and the lexicon's phrases, as the thread builds it
    const seg = createSegmenter({
      catalog: (await ctx.app.get(CatalogCache).get()).catalog,
      words: lexiconPhrases(loadLexicon(path.join(CLASSIFICATION_DIR, 'lexicon.yaml'))),
    });
    for (const r of rows) expect({ matter_tokens: r.matter_tokens, matter_bands: r.matter_bands }).toEqual(matterColumns(r.subject, r.text, seg));
    // names kept whole for classification count by their parts, as a plain cut gives them: the same matter either way
    const plain = createSegmenter();
    const close = rows.filter((r) => similarity(r.matter_tokens, matterColumns(r.subject, r.text, plain).matter_tokens) >= 0.8);
    expect(close.length).toBeGreaterThanOrEqual(rows.length * 0.95);
  });

  it('creates nothing on a re-import, and reports the bad rows of another city\'s GBK export', async () => {
    const again = await upload(path.join(SAMPLES, 'anping-12345-utf8bom.csv'));
    expect(again.body).toMatchObject({ total: 90, created: 0, duplicates: 90, updated: 0 });
    const gbk = await upload(path.join(SAMPLES, 'anping-12345-gbk.csv'));
    expect(gbk.body).toMatchObject({ total: 93, created: 0 });
    expect(gbk.body.duplicates + gbk.body.updated).toBe(90);
    expect(gbk.body.rejected.map((x: { row: number }) => x.row)).toEqual([46, 70, 93]);
    expect(gbk.body.rejected.map((x: { reason: string }) => x.reason).join(' | ')).toMatch(/missing order number.*unreadable date.*empty content/);
    const xlsx = await upload(path.join(SAMPLES, 'anping-12345.xlsx'));
    expect(xlsx.body).toMatchObject({ total: 90, created: 0, rejected: [] });
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE channel = 'hotline'`);
    expect(n).toBe(90);
    // a changed row became an update on the item's timeline, not a new item
    const [{ updates }] = await ctx.ds.query(`SELECT count(*)::int AS updates FROM item_event WHERE kind = 'hotline_update'`);
    expect(updates).toBe(gbk.body.updated + xlsx.body.updated);
  });

  it('says what is wrong with a file it cannot read, and keeps nothing half-done', async () => {
    const junk = path.join(tmpdir(), 'junk.csv');
    writeFileSync(junk, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const r = await upload(junk);
    expect(r.status).toBe(422);
    expect(r.body.status).toBe('failed');
    expect(r.body.error).toBeTruthy();
    const none = await ctx.http().post('/api/intake/hotline/import').set('Authorization', `Bearer ${op}`);
    expect(none.status).toBe(400);
    const unit = await ctx.login('unit_staff', 'RS');
    // (no file: the guard answers before reading a body, and a half-sent upload would only make the client fail)
    expect((await ctx.http().post('/api/intake/hotline/import').set('Authorization', `Bearer ${unit}`)).status).toBe(403);
  });

  it('resumes an import that failed midway without storing anything twice', async () => {
    const file = path.join(tmpdir(), 'resume.csv');
    const lines = ['工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限'];
    for (let i = 1; i <= 1200; i++) lines.push(`RS2026${String(i).padStart(6, '0')},2026-11-10 09:00:00,市民${i},1380000${String(i).padStart(4, '0')},咨询,社保咨询,咨询社保卡补办需要带什么材料（第${i}号）,区人社局,3个工作日`);
    writeFileSync(file, iconv.encode(lines.join('\r\n'), 'gbk'));
    // the database fails once the 700th order of this file arrives (a crash in the middle of the second batch)
    await ctx.ds.query(`CREATE FUNCTION fail_700() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.external_id = 'RS2026000700' THEN RAISE EXCEPTION 'simulated outage'; END IF; RETURN NEW; END $$`);
    await ctx.ds.query(`CREATE TRIGGER fail_700 BEFORE INSERT ON item FOR EACH ROW EXECUTE FUNCTION fail_700()`);
    const r = await upload(file);
    expect(r.status).toBe(500);
    const [job] = await ctx.ds.query(`SELECT id, status, rows_read, created FROM hotline_import ORDER BY created_at DESC LIMIT 1`);
    expect(job).toMatchObject({ status: 'running', created: 500 });
    expect(job.rows_read).toBe(501); // header row + 500 orders committed
    await ctx.ds.query(`DROP TRIGGER fail_700 ON item`);
    await ctx.app.get(HotlineImportService).run(job.id);
    const s = await ctx.http().get(`/api/intake/hotline/imports/${job.id}`).set('Authorization', `Bearer ${op}`);
    expect(s.body).toMatchObject({ status: 'done', total: 1200, created: 1200, duplicates: 0, rowsRead: 1201 });
    const [{ n, distinct }] = await ctx.ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct FROM item WHERE external_id LIKE 'RS2026%'`,
    );
    expect({ n, distinct }).toEqual({ n: 1200, distinct: 1200 });
  });

  it('takes single forwards idempotently and notes a changed order on its timeline', async () => {
    const order = { orderNo: 'AP-FWD-0001', receivedAt: '2026-11-20 10:15:00', appealType: '投诉', content: '不动产登记窗口中午不办公', assignedUnit: '区不动产登记中心', phone: '13700001111' };
    const post = (body: object) => ctx.http().post('/api/intake/hotline').set('Authorization', `Bearer ${op}`).send(body);
    const a = await post(order);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ channel: 'hotline', externalId: 'AP-FWD-0001', unit: 'BDC', appealType: '投诉' });
    expect(a.body.receivedAt).toBe('2026-11-20T02:15:00.000Z');
    expect(a.body.contact.phone).toBe('137****1111');
    const b = await post(order);
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    const c = await post({ ...order, content: '不动产登记窗口中午不办公，补充：周六也不开' });
    expect(c.body.timeline.map((e: { kind: string }) => e.kind)).toContain('hotline_update');
    expect((await post({ ...order, orderNo: 'X', receivedAt: '昨天' })).status).toBe(400);
    expect((await post({ ...order, orderNo: 'Y', content: '' })).status).toBe(400);
  });

  it('exports results for the hotline system with formula cells neutralised', async () => {
    // the unit accepts and answers through the workflow, with a hostile answer text
    const [item] = await ctx.ds.query(`SELECT id FROM item WHERE external_id = 'AP-FWD-0001'`);
    const bdc = await ctx.login('unit_staff', 'BDC');
    const step = (s: string, body: object = {}) => ctx.http().post(`/api/items/${item.id}/${s}`).set('Authorization', `Bearer ${bdc}`).send(body);
    expect((await step('accept')).status).toBe(200);
    expect((await step('answer', { text: '=HYPERLINK("http://evil.example","点我")' })).status).toBe(200);
    const r = await ctx.http().get('/api/intake/hotline/results.xlsx').set('Authorization', `Bearer ${op}`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(r.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((r.body as Buffer).buffer.slice(0) as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, '工单编号', '承办单位', '办理状态', '答复内容', '办结时间']);
    expect(ws.rowCount).toBe(1 + 90 + 1200 + 1);
    let answer: unknown = null;
    ws.eachRow((row) => {
      if (row.getCell(1).value === 'AP-FWD-0001') answer = row.getCell(4).value;
    });
    expect(answer).toBe(`'=HYPERLINK("http://evil.example","点我")`);
  });

  it('overlaps the writes of batches but commits them in file order, with orders and callers that span two batches', async () => {
    const file = path.join(tmpdir(), 'overlap.csv');
    const head = '工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限';
    const line = (no: string, i: number, phone: string, content: string) => `${no},2026-11-12 09:00:00,市民${i},${phone},投诉,窗口投诉,${content},区人社局,3个工作日`;
    const lines = [head];
    for (let i = 1; i <= 1500; i++) {
      // row 520 repeats row 480's order exactly, row 1010 is row 990's order changed (an update); rows 499 and 501 are one
      // caller on one matter in two batches (a repeat across the batch boundary)
      const no = i === 520 ? 'OV2026000480' : i === 1010 ? 'OV2026000990' : `OV2026${String(i).padStart(6, '0')}`;
      const phone = i === 499 || i === 501 ? '13912340499' : `1370000${String(i).padStart(4, '0')}`;
      const content =
        i === 499 || i === 501
          ? '失业金申领材料交了三次还说不全，窗口每次说的都不一样'
          : i === 1010
            ? `社保卡补办咨询（第990号），补充说明：已经等了一周`
            : `社保卡补办咨询（第${i === 520 ? 480 : i}号）`;
      lines.push(line(no, i === 520 ? 480 : i, i === 520 ? '13700000480' : phone, content));
    }
    writeFileSync(file, iconv.encode(lines.join('\r\n'), 'gbk'));
    const r = await upload(file);
    expect(r.body).toMatchObject({ status: 'done', total: 1500, created: 1498, duplicates: 1, updated: 1, rejected: [] });
    const [{ n, distinct }] = await ctx.ds.query(`SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS distinct FROM item WHERE external_id LIKE 'OV2026%'`);
    expect({ n, distinct }).toEqual({ n: 1498, distinct: 1498 });
    const linked: { external_id: string; lead: string }[] = await ctx.ds.query(
      `SELECT i.external_id, l.external_id AS lead FROM item i JOIN item l ON l.id = i.lead_id WHERE i.external_id LIKE 'OV2026%'`,
    );
    expect(linked).toEqual([{ external_id: 'OV2026000501', lead: 'OV2026000499' }]);

    // the second batch fails after the third has inserted its rows: the third must not commit before it (nor after)
    const fail = path.join(tmpdir(), 'overlap-fail.csv');
    writeFileSync(fail, iconv.encode([head, ...Array.from({ length: 1500 }, (_, i) => line(`OF2026${String(i + 1).padStart(6, '0')}`, i + 1, `1360000${String(i + 1).padStart(4, '0')}`, `公积金提取咨询（第${i + 1}号）`))].join('\r\n'), 'gbk'));
    await ctx.ds.query(`CREATE FUNCTION fail_progress() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.rows_read > 1000 AND NEW.rows_read <= 1001 THEN PERFORM pg_sleep(0.3); RAISE EXCEPTION 'simulated outage'; END IF; RETURN NEW; END $$`);
    await ctx.ds.query(`CREATE TRIGGER fail_progress BEFORE UPDATE ON hotline_import FOR EACH ROW EXECUTE FUNCTION fail_progress()`);
    try {
      const f = await upload(fail);
      expect(f.status).toBe(500);
    } finally {
      await ctx.ds.query(`DROP TRIGGER fail_progress ON hotline_import`);
    }
    // a later batch wrongly let through would commit within moments of the failure: give it the time to show
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const [job] = await ctx.ds.query(`SELECT id, status, rows_read, created FROM hotline_import ORDER BY created_at DESC LIMIT 1`);
    expect(job).toMatchObject({ status: 'running', created: 500, rows_read: 501 });
    const [{ stored }] = await ctx.ds.query(`SELECT count(*)::int AS stored FROM item WHERE external_id LIKE 'OF2026%'`);
    expect(stored).toBe(500);
    await ctx.app.get(HotlineImportService).run(job.id);
    const [{ after }] = await ctx.ds.query(`SELECT count(*)::int AS after FROM item WHERE external_id LIKE 'OF2026%'`);
    expect(after).toBe(1500);
  });
});
