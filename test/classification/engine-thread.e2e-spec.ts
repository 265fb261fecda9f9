import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { jest } from '@jest/globals';
import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory.js';
import { ClassificationService } from '../../src/classification/classification.service.js';
import type { AssessInput } from '../../src/classification/thread/assess-types.js';
import { openDatabase } from '../../src/database/data-source.js';
import { CatalogCache } from '../../src/org/catalog.cache.js';
import { matterSegmenterLoaded } from '../../src/repeats/matter.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

/**
 * One classification engine per process: every channel's intake, the API's classify and route, and imports are
 * answered by the process's classification thread, with exactly what the in-process engine answers.
 */
const DEV = path.resolve('../shared/data/feedback/dev.jsonl');

describe('the classification thread (one engine per process)', () => {
  let ctx: TestContext;
  let ds2: DataSource;
  let inProcess: INestApplication;
  beforeAll(async () => {
    ctx = await createTestContext({ env: { HUB_JOBS: 'false' } });
    ds2 = await openDatabase(ctx.config.databaseUrl as string);
    inProcess = await createApp({ config: ctx.config, dataSource: ds2, quiet: true });
    await inProcess.init();
    inProcess.get(ClassificationService).useInProcess();
  });
  afterAll(async () => {
    await inProcess.close();
    if (ds2.isInitialized) await ds2.destroy();
    await ctx.close();
  });

  it('serves intake and the API without building an engine in the process', async () => {
    const service = ctx.app.get(ClassificationService);
    expect(service.runsOn).toBe('thread');
    const op = await ctx.login('operator');
    const entry = await ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send({ channel: 'phone', text: '来电反映办理公积金提取时，窗口要求提供的材料太多，跑了三趟。' });
    expect(entry.status).toBe(201);
    expect(entry.body).toMatchObject({ unit: 'GJJ', routingRule: 'service_item' });
    const c = await ctx.http().post('/api/classify').set('Authorization', `Bearer ${op}`).send({ text: '排队两个小时还没轮到，叫号机也坏了' });
    expect(c.body).toMatchObject({ dimension: 'D1', misconduct: false });
    const r = await ctx.http().post('/api/route').set('Authorization', `Bearer ${op}`).send({ text: '反映不动产登记窗口工作人员暗示要给红包才能加快办理过户。' });
    expect(r.body).toMatchObject({ unit: 'BDC', supervision: 'DCK' });
    expect(service.holdsEngine).toBe(false);
    // the stored matter is what repeats would have computed from the text
    const [row] = await ctx.ds.query(`SELECT array_length(matter_tokens, 1) AS n FROM item WHERE id = $1`, [entry.body.id]);
    expect(row.n).toBeGreaterThan(3);
  });

  it('links repeats with their shared words cut on the thread: the process keeps no segmenter of its own', async () => {
    const op = await ctx.login('operator');
    const send = (text: string) =>
      ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send({ channel: 'phone', contact: { phone: '13900001111' }, text });
    const first = await send('来电反映在公积金窗口办理提取，窗口让补交收入证明，跑了三趟还没办成。');
    ctx.clock.advance(60_000);
    const second = await send('又来电：公积金提取还是让补交收入证明，已经跑了三趟，要求尽快办结。');
    expect([first.status, second.status]).toEqual([201, 201]);
    const [row] = await ctx.ds.query(`SELECT lead_id, repeat_evidence FROM item WHERE id = $1`, [second.body.id]);
    expect(row.lead_id).toBe(String(first.body.id));
    expect(row.repeat_evidence.words).toEqual(expect.arrayContaining(['补交', '收入', '证明']));
    expect(matterSegmenterLoaded()).toBe(false);
    expect(ctx.app.get(ClassificationService).holdsEngine).toBe(false);
  });

  it('answers exactly as the in-process engine does, for whole results and intake assessments', async () => {
    const texts = readFileSync(DEV, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { text: string; channel?: string })
      .slice(0, 150);
    expect(texts.length).toBe(150);
    const onThread = ctx.app.get(ClassificationService);
    const here = inProcess.get(ClassificationService);
    expect(here.runsOn).toBe('in-process');
    for (const t of texts) {
      const input = { text: t.text, channel: t.channel ?? 'phone' };
      expect(await onThread.assess(input)).toEqual(await here.assess(input));
    }
    const snap = await ctx.app.get(CatalogCache).get();
    const drafts: AssessInput[] = texts.map((t) => ({
      text: t.text,
      subject: null,
      channel: 'suggestion_box',
      rating: null,
      tags: null,
      window: null,
      assignedUnit: null,
    }));
    const a = await onThread.assessMany(drafts, snap);
    const b = await here.assessMany(drafts, snap);
    expect(a.map((x) => (x.ok ? x.a : x))).toEqual(b.map((x) => (x.ok ? x.a : x)));
    expect(a.every((x) => x.ok && x.matter)).toBe(true);
    expect(here.holdsEngine).toBe(true);
  });

  it('posts calls made together as one message, each caller getting its own answers in order', async () => {
    const texts = readFileSync(DEV, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { text: string }).text)
      .slice(150, 270);
    const onThread = ctx.app.get(ClassificationService);
    const here = inProcess.get(ClassificationService);
    const snap = await ctx.app.get(CatalogCache).get();
    const draft = (text: string): AssessInput => ({ text, subject: null, channel: 'qr', rating: 2, tags: null, window: null, assignedUnit: null });
    await onThread.assess({ text: texts[0] as string, channel: 'qr' }); // the thread is up
    const posted = jest.spyOn(Worker.prototype, 'postMessage');
    try {
      // ratings arriving together: whole results and intake assessments (one and several), interleaved
      const calls = texts.map((text, i) =>
        i % 3 === 0 ? onThread.assess({ text, channel: 'qr' }) : i % 3 === 1 ? onThread.assessMany([draft(text)], snap) : onThread.assessMany([draft(text), draft(`${text}。`)], snap),
      );
      const together = await Promise.all(calls);
      const messages = posted.mock.calls.length;
      expect(messages).toBeGreaterThan(0);
      expect(messages).toBeLessThan(texts.length / 4);
      for (let i = 0; i < texts.length; i++) {
        const text = texts[i] as string;
        const expected =
          i % 3 === 0 ? await here.assess({ text, channel: 'qr' }) : i % 3 === 1 ? await here.assessMany([draft(text)], snap) : await here.assessMany([draft(text), draft(`${text}。`)], snap);
        const strip = (x: unknown) => (Array.isArray(x) ? x.map((y: { ok: boolean; a?: unknown }) => (y.ok ? y.a : y)) : x);
        expect(strip(together[i])).toEqual(strip(expected));
      }
    } finally {
      posted.mockRestore();
    }
  });
});
