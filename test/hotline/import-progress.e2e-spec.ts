import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SYSTEM_ACTOR } from '../../src/auth/actor.js';
import { HotlineImportService } from '../../src/intake/hotline/hotline-import.service.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * How far an import has read is committed with each batch, so a copy of the hub that is not running the import (the
 * one a progress bar happens to poll) still sees it move.
 */
describe('12345 import progress in the store', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
  });
  afterAll(async () => ctx.close());

  it('commits a rising fraction with each batch, read by any copy, and 1 at the end', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'progress-'));
    const file = path.join(dir, 'export.csv');
    const lines = ['工单编号,来电时间,来电人,联系电话,诉求类型,诉求标题,诉求内容,承办单位,办理时限'];
    for (let n = 1; n <= 3000; n++) {
      lines.push(`PG${String(n).padStart(8, '0')},2026-11-10 09:00:00,市民,13800000000,咨询,社保,第${n}件：咨询社保卡补办需要哪些材料,区人社局,5个工作日`);
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const svc = ctx.app.get(HotlineImportService);
    const seen: number[] = [];
    let done = false;
    const watching = (async () => {
      while (!done) {
        const rows: { progress: number | null }[] = await ctx.ds.query(`SELECT progress FROM hotline_import`);
        if (rows[0]?.progress != null) seen.push(rows[0].progress);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const id = await svc.start({ path: file, originalName: 'export.csv' }, SYSTEM_ACTOR, { inline: true });
    done = true;
    await watching;
    const partway = seen.filter((p) => p > 0 && p < 1);
    expect(partway.length).toBeGreaterThan(1);
    expect([...partway].sort((a, b) => a - b)).toEqual(partway); // never goes back
    const status = await svc.status(id);
    expect(status.status).toBe('done');
    expect(status.progress).toBe(1);
    expect(status.created).toBe(3000);
  });
});
