import { createServer } from 'node:net';
import { OutboxService } from '../../src/notification/outbox.service.js';
import path from 'node:path';
import { createTestContext, SHARED, type TestContext } from '../support/test-app.js';

const METRICS_TOKEN = 'scraper-token-0123456789';

/** The value of one sample in a Prometheus text exposition (labels in the order given), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (want.every((w) => have.includes(w)) && (want.length > 0 || have.length === 0)) return Number(m[3]);
  }
  return undefined;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as { port: number };
      s.close(() => resolve(a.port));
    });
  });
}

describe('front door, metrics and readiness', () => {
  let ctx: TestContext;
  let op: string;
  beforeAll(async () => {
    // an SMTP server that is not there: the outbox's sends fail and readiness says so
    ctx = await createTestContext({
      env: { HUB_METRICS_TOKEN: METRICS_TOKEN, HUB_JOBS: 'false', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(await closedPort()), SMTP_TLS: 'false' },
    });
    op = await ctx.login('operator');
  });
  afterAll(async () => ctx.close());

  const scrape = async (): Promise<string> => {
    const r = await ctx.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return r.text;
  };
  const entry = (channel: string, text: string) =>
    ctx.http().post('/api/intake/entries').set('Authorization', `Bearer ${op}`).send({ channel, text });

  it('the front door: a Chinese page whose first link is the console sign-in; JSON for an API client', async () => {
    const html = await ctx.http().get('/').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(html.status).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('<html lang="zh-CN">');
    expect(html.text).toContain('反馈中心');
    for (const href of ['/console', '/api/docs', '/health']) expect(html.text).toContain(`href="${href}"`);
    // following the first link as a browser does lands on the sign-in form
    const href = /<a class="btn" href="([^"]+)"/.exec(html.text)?.[1] as string;
    const console = await ctx.http().get(href);
    expect(console.status).toBe(303);
    expect(console.headers.location).toBe('/console/login');
    const login = await ctx.http().get(console.headers.location);
    expect(login.status).toBe(200);
    expect(login.text).toMatch(/name="password"/);

    const json = await ctx.http().get('/').set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ name: 'feedback-hub', links: { console: '/console', docs: '/api/docs', health: '/health', ready: '/health/ready', metrics: '/metrics' } });
  });

  it('documents the new paths in OpenAPI', async () => {
    const r = await ctx.http().get('/api/docs/openapi.json');
    for (const p of ['/', '/metrics', '/health/live', '/health/ready', '/api/admin/personal-data', '/api/admin/personal-data/erase', '/api/admin/personal-data/retention', '/api/admin/personal-data/audit']) {
      expect(Object.keys(r.body.paths)).toContain(p);
    }
  });

  it('asks for the scraper token when one is set', async () => {
    expect((await ctx.http().get('/metrics')).status).toBe(401);
    expect((await ctx.http().get('/metrics').set('Authorization', 'Bearer wrong-token-0123456789')).status).toBe(401);
    // a user's token is not the scraper's
    expect((await ctx.http().get('/metrics').set('Authorization', `Bearer ${op}`)).status).toBe(401);
  });

  it('moves with work: items by channel and status, decisions, the outbox, overdue, request latency by route', async () => {
    const before = await scrape();
    const phoneBefore = sample(before, 'hub_items_received_total', { channel: 'phone' }) ?? 0;
    const boxBefore = sample(before, 'hub_items_received_total', { channel: 'suggestion_box' }) ?? 0;
    const pendingBefore = sample(before, 'hub_outbox_messages', { status: 'pending' }) as number;
    const itemsBefore = ITEM_STATUSES.reduce((n, s) => n + (sample(before, 'hub_items', { status: s }) as number), 0);
    expect(sample(before, 'hub_items_overdue')).toBe(0);

    const a = await entry('phone', '反映社保卡补办窗口排队太久，取号后等了两个小时');
    const b = await entry('phone', '不动产登记窗口工作人员态度生硬');
    const c = await entry('suggestion_box', '希望增加周末服务');
    for (const r of [a, b, c]) expect(r.status).toBe(201);
    expect((await ctx.http().get(`/api/items/${a.body.id}`).set('Authorization', `Bearer ${op}`)).status).toBe(200);

    const after = await scrape();
    expect(sample(after, 'hub_items_received_total', { channel: 'phone' })).toBe(phoneBefore + 2);
    expect(sample(after, 'hub_items_received_total', { channel: 'suggestion_box' })).toBe(boxBefore + 1);
    const itemsAfter = ITEM_STATUSES.reduce((n, s) => n + (sample(after, 'hub_items', { status: s }) as number), 0);
    expect(itemsAfter).toBe(itemsBefore + 3);
    const rules = after.split('\n').filter((l) => l.startsWith('hub_router_decisions_total{'));
    expect(rules.reduce((n, l) => n + Number(l.split(' ')[1]), 0)).toBeGreaterThanOrEqual(3);
    expect(after).toMatch(/^hub_classifier_decisions_total\{dimension="D\d",misconduct="(true|false)"\} \d+/m);
    // the units were told by mail: the outbox backlog grew (no send has worked yet)
    const [{ n }] = await ctx.ds.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`);
    expect(sample(after, 'hub_outbox_messages', { status: 'pending' })).toBe(n);
    expect(n).toBeGreaterThan(pendingBefore);
    // latency by the route's pattern, never the raw address
    expect(sample(after, 'hub_http_request_duration_seconds_count', { method: 'GET', route: '/api/items/:id', status: '200' })).toBe(1);
    expect(sample(after, 'hub_http_request_duration_seconds_count', { method: 'POST', route: '/api/intake/entries', status: '201' })).toBe(3);
    expect(after).not.toContain(`route="/api/items/${a.body.id}"`);

    // a day after the last acceptance deadline nothing has been accepted: overdue now, from the store, on the hub's clock
    const [{ due }] = await ctx.ds.query(`SELECT max(accept_due_at) AS due FROM item WHERE id = ANY($1::bigint[])`, [[a.body.id, b.body.id, c.body.id]]);
    const start = ctx.clock.now();
    ctx.clock.set((due as Date).getTime() + 24 * 3600_000);
    const later = await scrape();
    const [{ overdue }] = await ctx.ds.query(
      `SELECT count(*)::int AS overdue FROM item WHERE status IN ('new', 'assigned', 'returned', 'reopened') AND accept_due_at < $1`,
      [ctx.clock.now()],
    );
    expect(overdue).toBeGreaterThanOrEqual(3);
    expect(sample(later, 'hub_items_overdue')).toBe(overdue);
    // back to where the test began: the sessions signed in above last 12 hours of the hub's clock
    ctx.clock.set(start);
  });

  it('a 12345 import moves the import figures: rows per second of the last import, items received by the hotline', async () => {
    const before = await scrape();
    expect(sample(before, 'hub_import_rows_per_second')).toBe(0);
    const hotlineBefore = sample(before, 'hub_items_received_total', { channel: 'hotline' }) ?? 0;
    const r = await ctx
      .http()
      .post('/api/intake/hotline/import')
      .set('Authorization', `Bearer ${op}`)
      .attach('file', path.join(SHARED, 'data/hotline/anping-12345-utf8bom.csv'));
    expect(r.body).toMatchObject({ status: 'done', created: 90 });
    const after = await scrape();
    expect(sample(after, 'hub_imports_running')).toBe(0);
    expect(sample(after, 'hub_import_rows_per_second')).toBeGreaterThan(0);
    expect(sample(after, 'hub_items_received_total', { channel: 'hotline' })).toBe(hotlineBefore + 90);
  });

  it('liveness asks nothing; readiness checks the database and reports the SMTP server failing as degraded', async () => {
    expect((await ctx.http().get('/health/live')).body).toEqual({ status: 'ok' });
    const first = await ctx.http().get('/health/ready');
    expect(first.status).toBe(200);
    expect(first.body.details.database.status).toBe('up');
    expect(first.body.details.mailbox).toEqual({ status: 'up', configured: false });

    // the outbox tries the (absent) SMTP server: its last state is failing, for every copy
    expect((await ctx.app.get(OutboxService).flush()).failed).toBe(1);
    const ready = await ctx.http().get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.details.smtp).toMatchObject({ status: 'degraded', configured: true, lastOkAt: null });
    expect(ready.body.details.smtp.error).toMatch(/ECONNREFUSED|connect/i);
    const m = await scrape();
    expect(sample(m, 'hub_component_up', { component: 'smtp' })).toBe(0);
    expect(sample(m, 'hub_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    // /health stays as the contract has it
    expect((await ctx.http().get('/health')).body).toEqual({ status: 'ok' });
  });

  it('readiness is 503 when the database is gone, liveness still 200', async () => {
    await ctx.ds.destroy();
    const r = await ctx.http().get('/health/ready');
    expect(r.status).toBe(503);
    expect(r.body.status).toBe('error');
    expect(r.body.error.database.status).toBe('down');
    expect((await ctx.http().get('/health/live')).status).toBe(200);
  });
});

const ITEM_STATUSES = ['new', 'assigned', 'accepted', 'answered', 'closed', 'returned', 'reopened'];
