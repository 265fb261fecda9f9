import type { Actor } from '../../src/auth/actor.js';
import { DomainError, ErrorCode } from '../../src/common/domain-error.js';
import { ItemAssessor } from '../../src/intake/intake.types.js';
import { ProblemFiles1763800006000 } from '../../src/database/migrations/1763800006000-problem-files.js';
import { CatalogCache } from '../../src/org/catalog.cache.js';
import { MAX_EVIDENCE_BYTES, MAX_EVIDENCE_FILES } from '../../src/rectification/evidence-file.js';
import { ProblemFilesService } from '../../src/rectification/problem-files.service.js';
import { ProblemsService } from '../../src/rectification/problems.service.js';
import { AssignedUnitAssessor, newItem } from '../support/factories.js';
import { tinyPng } from './evidence-fixtures.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

const code = async <T>(p: Promise<T>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof DomainError ? `${e.code}${(e.details as { reason?: string } | undefined)?.reason ? `:${(e.details as { reason: string }).reason}` : ''}` : String(e)),
  );

/** The problem list scoped in SQL, the office's refusal at verification, and evidence files in PostgreSQL. */
describe('problems: list with scope, refusal at verification, evidence files (services, real PostgreSQL)', () => {
  let ctx: TestContext;
  let problems: ProblemsService;
  let files: ProblemFilesService;
  const office: Actor = { id: null, username: 'office', role: 'supervisor', unitId: null };
  let staff: (unit: string) => Promise<Actor>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: AssignedUnitAssessor }, env: { HUB_JOBS: 'false' } });
    problems = ctx.app.get(ProblemsService);
    files = ctx.app.get(ProblemFilesService);
    const snap = await ctx.app.get(CatalogCache).get();
    staff = async (unit) => ({ id: null, username: `staff_${unit}`, role: 'unit_staff', unitId: snap.unitIdByCode.get(unit) ?? null });
    const base = { rootCause: '根源', dimension: 'D2', kind: 'ledger' as const };
    ids.rs = (await problems.create(office, { ...base, title: '社保', units: ['RS'] })).id;
    ids.community = (await problems.create(office, { ...base, title: '社区', units: ['SQ-YH'] })).id;
    ids.both = (await problems.create(office, { ...base, title: '两个单位', units: ['GJJ', 'BDC'] })).id;
    ids.late = (await problems.create(office, { ...base, title: '超期', units: ['RS'], kind: 'deadline', deadline: '2020-01-31' })).id;
  });
  afterAll(async () => ctx.close());

  it('lists every problem for the office, with filters, and only those of their subtree for unit staff', async () => {
    const all = await problems.list(office, { page: 1, pageSize: 50 });
    expect(all.total).toBe(4);
    expect(all.problems[0]!.id).toBe(ids.late); // the earliest deadline first
    expect((await problems.list(office, { unit: 'RS', page: 1, pageSize: 50 })).problems.map((p) => p.id).sort()).toEqual([ids.rs, ids.late].sort());
    expect((await problems.list(office, { overdue: true, page: 1, pageSize: 50 })).problems.map((p) => p.id)).toEqual([ids.late]);
    expect((await problems.list(office, { status: 'done', page: 1, pageSize: 50 })).total).toBe(0);
    const paged = await problems.list(office, { page: 2, pageSize: 3 });
    expect(paged).toMatchObject({ total: 4 });
    expect(paged.problems).toHaveLength(1);

    const mine = async (unit: string) => (await problems.list(await staff(unit), { page: 1, pageSize: 50 })).problems.map((p) => p.title).sort();
    expect(await mine('RS')).toEqual(['社保', '超期'].sort());
    expect(await mine('BDC')).toEqual(['两个单位']);
    expect(await mine('JD-XC')).toEqual(['社区']); // the street sees its community's problem
    expect(await mine('SQ-YH')).toEqual(['社区']);
    expect(await mine('JD-DC')).toEqual([]);
    // get: the same scope, in the SQL; outside it a problem does not exist
    expect(await code(problems.get(await staff('JD-XC'), String(ids.community)))).toBe('ok');
    expect(await code(problems.get(await staff('GJJ'), String(ids.rs)))).toBe(ErrorCode.NotFound);
    expect(await code(problems.get({ ...office, role: 'operator' }, String(ids.rs)))).toBe(ErrorCode.NotFound);
  });

  it('finds items by tracking code as people type them, and names the ones it cannot find', async () => {
    const a = await newItem(ctx, { assignedUnit: 'RS', text: '社保卡' });
    const typed = a.trackingCode.replace(/-/g, '').toLowerCase();
    const r = await problems.itemIdsByTrackingCode([typed, 'ZZZZ-ZZZZ-ZZZZ', 'not a code', typed]);
    expect(r).toEqual({ ids: [a.id], missing: ['ZZZZ-ZZZZ-ZZZZ', 'not a code'] });
  });

  it('stores evidence files for the responsible unit, checked by size, content and count before anything is written', async () => {
    const rs = await staff('RS');
    const png = tinyPng();
    const meta = await files.add(rs, String(ids.rs), { name: '../../整改后窗口照片.png', data: png });
    expect(meta).toMatchObject({ name: '整改后窗口照片.png', contentType: 'image/png', size: png.length, by: 'staff_RS' });
    const back = await files.get(rs, String(ids.rs), String(meta.id));
    expect(back.data.equals(png)).toBe(true);
    expect((await problems.get(office, String(ids.rs))).files).toEqual([meta]);

    const count = async () => (await ctx.ds.query(`SELECT count(*)::int AS n FROM problem_file`))[0].n as number;
    const before = await count();
    // a script named .png, a PNG named .html, an empty file, a file over the cap: refused, nothing stored
    expect(await code(files.add(rs, String(ids.rs), { name: 'x.png', data: Buffer.from('<script>alert(1)</script>') }))).toBe('unsupported_media_type:type');
    expect(await code(files.add(rs, String(ids.rs), { name: 'x.html', data: png }))).toBe('unsupported_media_type:type');
    expect(await code(files.add(rs, String(ids.rs), { name: 'x.png', data: Buffer.alloc(0) }))).toBe('validation_failed:empty');
    const big = Buffer.concat([png, Buffer.alloc(MAX_EVIDENCE_BYTES)]);
    expect(await code(files.add(rs, String(ids.rs), { name: 'big.png', data: big }))).toBe('payload_too_large:too_large');
    // another unit: the problem does not exist for it; an operator may not upload
    expect(await code(files.add(await staff('GJJ'), String(ids.rs), { name: 'a.png', data: png }))).toBe(ErrorCode.NotFound);
    expect(await code(files.get(await staff('GJJ'), String(ids.rs), String(meta.id)))).toBe(ErrorCode.NotFound);
    expect(await code(files.get(rs, String(ids.both), String(meta.id)))).toBe(ErrorCode.NotFound); // a file of another problem
    expect(await count()).toBe(before);

    // the per-problem cap holds even when uploads arrive together
    const more = Array.from({ length: MAX_EVIDENCE_FILES + 3 }, (_, i) => code(files.add(rs, String(ids.late), { name: `p${i}.png`, data: png })));
    const results = await Promise.all(more);
    expect(results.filter((r) => r !== 'ok' && r !== 'conflict:too_many')).toEqual([]); // anything else, named
    expect(results.filter((r) => r === 'ok')).toHaveLength(MAX_EVIDENCE_FILES);
    expect(results.filter((r) => r === 'conflict:too_many')).toHaveLength(3);
  });

  it('verification can fail: the problem goes back to its unit with the reason, and is reported done again', async () => {
    const rs = await staff('RS');
    const id = String(ids.rs);
    await problems.addMeasure(rs, id, '材料清单统一公示');
    await problems.done(rs, id, '已公示');
    expect(await code(files.add(rs, id, { name: 'late.png', data: tinyPng() }))).toBe('transition_not_allowed:closed');
    expect(await code(problems.reject(rs, id, '没有照片'))).toBe(ErrorCode.Forbidden);
    expect(await code(problems.reject(office, id, '  '))).toBe(ErrorCode.ValidationFailed);
    const back = await problems.reject(office, id, '公示照片不清楚，请补充');
    expect(back).toMatchObject({ status: 'rectifying', returnReason: '公示照片不清楚，请补充', doneAt: null });
    expect((await problems.list(rs, { page: 1, pageSize: 50 })).problems.find((p) => p.id === ids.rs)?.returnReason).toBe('公示照片不清楚，请补充');
    expect(await code(problems.reject(office, id, '再退'))).toBe(ErrorCode.TransitionNotAllowed); // only a done problem
    await files.add(rs, id, { name: '清晰照片.png', data: tinyPng() });
    const again = await problems.done(rs, id, '已补充清晰照片');
    expect(again).toMatchObject({ status: 'done', returnReason: null });
    expect((await problems.verify(office, id)).status).toBe('verified');
  });

  // last: it takes the schema down and up again
  it('the migration goes down and up again', async () => {
    const migration = new ProblemFiles1763800006000();
    const q = ctx.ds.createQueryRunner();
    const tables = async () => (await q.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'problem_file'`))[0].n as number;
    const columns = async () => (await q.query(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'problem' AND column_name LIKE 'return%'`))[0].n as number;
    try {
      await migration.down(q);
      expect([await tables(), await columns()]).toEqual([0, 0]);
      await migration.up(q);
      expect([await tables(), await columns()]).toEqual([1, 3]);
    } finally {
      await q.release();
    }
  });
});
