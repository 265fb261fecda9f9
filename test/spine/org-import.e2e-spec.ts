import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SAMPLE_CATALOG_TEXT, createTestContext, type TestContext } from '../support/test-app.js';

const QINGHE = readFileSync(path.resolve('test/fixtures/org/qinghe.yaml'), 'utf8');

describe('organisation catalogue import (HTTP, real PostgreSQL)', () => {
  let ctx: TestContext;
  let admin: string;
  beforeAll(async () => {
    ctx = await createTestContext({ catalog: null });
    admin = await ctx.adminToken();
  });
  afterAll(async () => ctx.close());

  const post = (body: string, type = 'application/yaml') =>
    ctx.http().post('/api/org/import').set('Authorization', `Bearer ${admin}`).set('Content-Type', type).send(body);
  const snapshot = () =>
    ctx.ds.query(`SELECT code, name, aliases, parent_id, active, updated_at FROM unit
                  UNION ALL SELECT code, name, NULL, unit_id, active, updated_at FROM service_window
                  UNION ALL SELECT code, name, aliases, unit_id, active, updated_at FROM service_item ORDER BY 1`);

  it('imports the sample catalogue as YAML, and again changes nothing', async () => {
    const r = await post(SAMPLE_CATALOG_TEXT());
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ units: 23, windows: 24, items: 27, changes: { created: 74, updated: 0, deactivated: 0 } });
    const before = await snapshot();
    const again = await post(SAMPLE_CATALOG_TEXT());
    expect(again.body.changes).toEqual({ created: 0, updated: 0, deactivated: 0, reactivated: 0 });
    expect(await snapshot()).toEqual(before);
    const [{ parent }] = await ctx.ds.query(
      `SELECT p.code AS parent FROM unit u JOIN unit p ON p.id = u.parent_id WHERE u.code = 'DB-KFQ'`,
    );
    expect(parent).toBe('DBZ');
  });

  it('refuses a broken catalogue with every problem and changes nothing', async () => {
    const before = await snapshot();
    const broken = SAMPLE_CATALOG_TEXT()
      .replace('{name: 审核登簿, unit: BDC, days: 2}', '{name: 审核登簿, unit: XX, days: 2}')
      .replace('- {code: W-A02, unit: SCJG,', '- {code: W-A02, unit: NOPE,')
      .replace('name: 安平区医疗保障局', 'name: ""');
    const r = await post(broken);
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('catalog_invalid');
    expect(r.body.details.problems).toEqual(
      expect.arrayContaining([
        'items[2].steps[2].unit: unknown unit "XX"',
        'windows[1].unit: unknown unit "NOPE"',
        expect.stringMatching(/^units\[\d+\]\.name: required$/),
      ]),
    );
    expect(await snapshot()).toEqual(before);
    const notYaml = await post('units: [ {code: A');
    expect(notYaml.status).toBe(400);
    expect(notYaml.body.details.problems[0]).toMatch(/^not valid YAML or JSON/);
  });

  it('deactivates what a re-import leaves out, never deletes, and brings it back', async () => {
    const withoutYouyi = SAMPLE_CATALOG_TEXT().replace(/ {2}- code: SQ-YH[\s\S]*?email: youyi@anping\.example\.gov\.cn\n/, '');
    // SX-026 names SQ-YH in its steps, so drop the reference too
    const cleaned = withoutYouyi.replace('{name: 社区受理, unit: SQ-YH, days: 2}', '{name: 社区受理, unit: JD-XC, days: 2}');
    expect(cleaned).not.toContain('SQ-YH');
    const r = await post(cleaned);
    expect(r.status).toBe(200);
    expect(r.body.changes).toMatchObject({ deactivated: 1, updated: 1 });
    const [row] = await ctx.ds.query(`SELECT active FROM unit WHERE code = 'SQ-YH'`);
    expect(row.active).toBe(false);
    const back = await post(SAMPLE_CATALOG_TEXT());
    expect(back.body.changes).toMatchObject({ reactivated: 1 });
  });

  it('imports another county with its own shape, as JSON too', async () => {
    const { parse } = await import('yaml');
    const r = await post(JSON.stringify(parse(QINGHE)), 'application/json');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ units: 7, windows: 3, items: 2 });
    // the sample's units are not in this file: all deactivated, none deleted
    const [{ active, inactive }] = await ctx.ds.query(
      `SELECT count(*) FILTER (WHERE active)::int AS active, count(*) FILTER (WHERE NOT active)::int AS inactive FROM unit`,
    );
    expect({ active, inactive }).toEqual({ active: 7, inactive: 23 });
    const [{ level }] = await ctx.ds.query(`SELECT level FROM unit WHERE code = 'QH-V-DW'`);
    expect(level).toBe('village');
  });

  it('needs an admin, a known content type, and a body of sensible size', async () => {
    const op = await ctx.login('operator');
    const r = await ctx.http().post('/api/org/import').set('Authorization', `Bearer ${op}`).set('Content-Type', 'application/yaml').send(QINGHE);
    expect(r.status).toBe(403);
    const huge = await post('units:\n' + '  - {code: A, name: 甲, level: county}\n'.repeat(200_000));
    expect(huge.status).toBe(413);
    const xml = await post('<units/>', 'application/xml');
    expect(xml.status).toBe(415);
  });
});
