import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCatalogText } from './catalog.parse.js';

const SAMPLE = readFileSync(path.resolve('../shared/data/org/anping.yaml'), 'utf8');

describe('parseCatalogText', () => {
  it('reads the sample catalogue', () => {
    const r = parseCatalogText(SAMPLE);
    expect(r.problems).toEqual([]);
    expect(r.catalog?.units.length).toBe(23);
    expect(r.catalog?.windows.length).toBe(24);
    expect(r.catalog?.items.length).toBe(27);
    const gjj = r.catalog?.items.find((i) => i.code === 'SX-007');
    expect(gjj?.steps.map((s) => s.unit)).toEqual(['GJJ', 'GJJ', 'GJJ', 'BDC', 'GJJ']);
    // parents come first
    const order = r.catalog!.units.map((u) => u.code);
    expect(order.indexOf('DBZ')).toBeLessThan(order.indexOf('DB-KFQ'));
  });

  it('reads the same catalogue as JSON', () => {
    const yaml = parseCatalogText(SAMPLE).catalog;
    const json = parseCatalogText(JSON.stringify(yaml));
    expect(json.problems).toEqual([]);
    expect(json.catalog).toEqual(yaml);
  });

  it('reports every problem at once, each with its path', () => {
    const r = parseCatalogText(`
units:
  - {code: A, name: 甲局, level: district, role: triage}
  - {code: A, name: 乙局, level: planet}
  - {code: C, name: 丙, level: street, parent: NOPE, email: not-mail}
windows:
  - {code: W1, unit: XX, name: 窗口}
items:
  - code: S1
    name: 事项
    unit: A
    steps:
      - {name: 受理, unit: A, days: 0}
      - {name: 审核, unit: XX, days: 2}
      - {name: 发证, unit: A, days: -1}
`);
    expect(r.catalog).toBeNull();
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'units[1].code: duplicate unit "A" (also units[0])',
        expect.stringMatching(/^units\[1\]\.level: "planet" is not one of/),
        'units[2].parent: unknown unit "NOPE"',
        'units[2].email: "not-mail" is not a mail address',
        'windows[0].unit: unknown unit "XX"',
        'items[0].steps[1].unit: unknown unit "XX"',
        'items[0].steps[2].days: must be a number of working days from 0 to 365',
      ]),
    );
  });

  it('finds loops in the hierarchy and a missing triage unit', () => {
    const r = parseCatalogText(`
units:
  - {code: A, name: 甲, level: district, parent: B}
  - {code: B, name: 乙, level: district, parent: A}
`);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        'units[0].parent: the hierarchy loops back to "A"',
        'units: no unit has role triage (it receives what no rule can route)',
      ]),
    );
  });

  it('says where broken YAML breaks', () => {
    const r = parseCatalogText('units:\n  - code: A\n   name: [oops');
    expect(r.catalog).toBeNull();
    expect(r.problems[0]).toMatch(/^not valid YAML or JSON \(line \d+, column \d+\)/);
  });

  it('accepts unknown fields with a warning', () => {
    const r = parseCatalogText('units:\n  - {code: A, name: 甲, level: county, role: triage, phone: "123"}\n');
    expect(r.problems).toEqual([]);
    expect(r.warnings).toContain('units[0].phone: unknown field, ignored');
  });
});
