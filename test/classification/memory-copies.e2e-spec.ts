import { createApp } from '../../src/app.factory.js';
import { ClassificationService } from '../../src/classification/classification.service.js';
import { openDatabase } from '../../src/database/data-source.js';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * A correction taken by one copy of the hub moves the next similar item in another copy within seconds, without a
 * retrain: every copy's routing memory reads the new routing labels from the store.
 */
describe('routing memory across copies (two apps, one real PostgreSQL)', () => {
  let ctx: TestContext;
  let ds2: DataSource;
  let copy2: INestApplication;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    ds2 = await openDatabase(ctx.config.databaseUrl as string);
    copy2 = await createApp({ config: ctx.config, dataSource: ds2, quiet: true });
    await copy2.init();
  });
  afterAll(async () => {
    await copy2.close();
    if (ds2.isInitialized) await ds2.destroy();
    await ctx.close();
  });

  it('moves the next similar item in the other copy within seconds', async () => {
    const op = await ctx.login('operator');
    const sup = await ctx.login('supervisor');
    const other = copy2.get(ClassificationService);
    const text = '那台刷脸的机器又罢工了，老人家白跑一趟';
    const before = (await other.assess({ text })).r;
    expect(before.unit).not.toBe('CL');
    // staff in the first copy send two such items to the disabled persons' federation
    for (const t of ['刷脸的机器罢工了，老人白跑了一趟', '刷脸那台机器又坏了，白跑']) {
      const created = await ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send({ channel: 'suggestion_box', text: t });
      expect(created.status).toBe(201);
      const moved = await ctx.http().post(`/api/items/${created.body.id}/reclassify`).set('Authorization', `Bearer ${sup}`).send({ unit: 'CL' });
      expect(moved.status).toBe(200);
    }
    const started = performance.now();
    let after = (await other.assess({ text })).r;
    while (after.unit !== 'CL' && performance.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 250));
      after = (await other.assess({ text })).r;
    }
    expect(after.unit).toBe('CL');
    expect(after.evidence.some((e) => e.rule === 'learned')).toBe(true);
    // the copies check for new labels every 3 s
    expect(performance.now() - started).toBeLessThan(6_000);
  });
});
