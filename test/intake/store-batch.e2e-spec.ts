import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { IntakeService } from '../../src/intake/intake.service.js';
import { ItemAssessor, type Assessment, type IntakeDraft } from '../../src/intake/intake.types.js';
import type { CatalogSnapshot } from '../../src/org/catalog.cache.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/** Characters COPY text, array literals and JSON each treat specially, and some that none of them do. */
const ODD = 'tab\there\r\nline\\back\\\\slash "quoted" \\N NULL {brace},comma 中文 𠀀😀 \u2028 end';

/** An assessment with awkward values in every field a batch carries. */
class OddAssessor extends ItemAssessor {
  assess(d: IntakeDraft, c: CatalogSnapshot): Assessment {
    return {
      dimension: 'D5',
      secondary: ['D1', ODD],
      misconduct: true,
      confidence: 0.1 + 0.2,
      evidence: [{ kind: 'cue', text: ODD, weight: 1e-7 }],
      unit: d.assignedUnit && c.unitIdByCode.has(d.assignedUnit) ? d.assignedUnit : (c.triageUnitCode as string),
      supervisionUnit: 'DCK',
      routingReason: `原因：${ODD}`,
      routingRule: 'assigned_unit',
      serviceItem: null,
    };
  }
}

/**
 * A file import's batch (storeBatch: COPY into a staging table) stores exactly what a single submission (one JSON
 * statement) stores for the same draft: the item's columns, its first timeline entries and the unit's notice.
 */
describe('a batch written through the staging table', () => {
  let ctx: TestContext;
  let intake: IntakeService;
  beforeAll(async () => {
    ctx = await createTestContext({ assessor: { provide: ItemAssessor, useClass: OddAssessor }, env: { HUB_JOBS: 'false' } });
    ctx.clock.set('2026-11-03T09:00:00+08:00');
    intake = ctx.app.get(IntakeService);
  });
  afterAll(async () => ctx.close());

  let phone = 13900000000;
  /** a person of their own each time: items of one person on one matter would be linked as repeats */
  const draft = (externalId: string): IntakeDraft => ({
    channel: 'hotline',
    externalId,
    receivedAt: new Date('2026-11-02T01:02:03.456Z'),
    subject: `主题 ${ODD}`,
    text: `正文 ${ODD}`,
    tags: ['a,b', '{c}', '"d"', 'e\\f', 'NULL', ODD],
    appealType: '投诉',
    source: `12345 · ${ODD}`,
    caseNo: `${externalId}\t${ODD}`,
    assignedUnit: 'BDC',
    contact: { name: `王\\${ODD}`, phone: String(++phone), email: `${phone}@example.com` },
    raw: { 工单编号: externalId, 诉求内容: ODD, nested: { list: [1, null, ODD], n: 0.1 + 0.2 }, deadline: null },
  });

  /** an item as stored, without what differs by design between two writes (ids, codes, person, times of writing) */
  const stored = async (id: number, externalId: string) => {
    const [item] = await ctx.ds.query(
      `SELECT channel, received_at, subject, text, rating, tags, appeal_type, source, case_no, window_id, service_item_id, contact_name,
         raw, dimension, secondary, misconduct, confidence, evidence, unit_id, supervision_unit_id, routing_reason,
         routing_rule, status, created_by, closed_at, source_hash, accept_due_at, answer_due_at, callback_due_at, rectify_due_at,
         deadline_basis, cardinality(person_keys) AS person_keys, matter_tokens, matter_bands, cluster_pending, lead_id
       FROM item WHERE id = $1`,
      [id],
    );
    const events = await ctx.ds.query(`SELECT kind, actor_id, actor, data FROM item_event WHERE item_id = $1 ORDER BY kind`, [id]);
    const notices = await ctx.ds.query(
      `SELECT o.kind, o.to_addr, replace(o.subject, i.tracking_code, '#') AS subject, replace(o.body_text, i.tracking_code, '#') AS body
       FROM outbox o JOIN item i ON i.id = o.item_id WHERE o.item_id = $1`,
      [id],
    );
    return JSON.parse(JSON.stringify({ item, events, notices }).split(externalId).join('#'));
  };

  it('stores every column, timeline entry and notice as the single-submission statement does', async () => {
    const [s, t] = [`S-${randomUUID()}`, `B-${randomUUID()}`];
    const single = await intake.intake(draft(s), SYSTEM_ACTOR);
    const p = await intake.prepare(draft(t));
    const [batched] = await ctx.ds.transaction((m) => intake.storeBatch(m, [{ p, hash: null }], SYSTEM_ACTOR));
    expect(batched.created).toBe(true);
    const a = await stored(single.id, s);
    const b = await stored(batched.id, t);
    expect(b.item.lead_id).toBeNull();
    expect(b).toEqual(a);
    // and what went in came back out
    expect(b.item.text).toBe(`正文 ${ODD}`);
    expect(b.item.tags).toEqual(['a,b', '{c}', '"d"', 'e\\f', 'NULL', ODD]);
    expect(b.item.raw.nested.list[2]).toBe(ODD);
    expect(b.events.map((e: { kind: string }) => e.kind)).toEqual(['classified', 'received', 'routed']);
    expect(b.notices).toHaveLength(1);
  });

  it('stores a row repeated within a batch once, and answers a known one with its fingerprint', async () => {
    const id = `R-${randomUUID()}`;
    const p = await intake.prepare(draft(id));
    const first = await ctx.ds.transaction((m) => intake.storeBatch(m, [{ p, hash: 'h1' }, { p, hash: 'h2' }], SYSTEM_ACTOR));
    expect(first.map((r) => [r.created, r.previousHash])).toEqual([
      [true, null],
      [false, 'h2'],
    ]);
    expect(first[1].id).toBe(first[0].id);
    // two batches in one transaction: the staging table holds only the second one's rows
    const other = await intake.prepare(draft(`O-${randomUUID()}`));
    const again = await ctx.ds.transaction(async (m) => {
      await intake.storeBatch(m, [{ p: other, hash: 'o' }], SYSTEM_ACTOR);
      return intake.storeBatch(m, [{ p, hash: 'h3' }], SYSTEM_ACTOR);
    });
    expect(again).toEqual([{ externalId: id, id: first[0].id, created: false, trackingCode: first[0].trackingCode, previousHash: 'h1' }]);
    expect((await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE external_id = $1`, [id]))[0].n).toBe(1);
  });

  it('refuses a batch whose text holds a lone surrogate, writing none of it', async () => {
    const ok = await intake.prepare(draft(`L-${randomUUID()}`));
    const bad = await intake.prepare({ ...draft(`L-${randomUUID()}`), text: 'broken \ud800 text' });
    await expect(ctx.ds.transaction((m) => intake.storeBatch(m, [{ p: ok }, { p: bad }], SYSTEM_ACTOR))).rejects.toThrow(/surrogate/);
    const n = await ctx.ds.query(`SELECT count(*)::int AS n FROM item WHERE external_id = $1`, [ok.draft.externalId]);
    expect(n[0].n).toBe(0);
  });
});
