import { createTestContext, type TestContext } from '../support/test-app.js';

describe('health, API docs and request ids', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext()));
  afterAll(async () => ctx.close());

  it('documents the contract paths in OpenAPI', async () => {
    const r = await ctx.http().get('/api/docs/openapi.json');
    expect(r.status).toBe(200);
    for (const p of ['/health', '/api/auth/login', '/api/users', '/api/org/import', '/api/intake/entries', '/api/items', '/api/items/{id}']) {
      expect(Object.keys(r.body.paths)).toContain(p);
    }
    expect((await ctx.http().get('/api/docs')).status).toBe(200);
  });

  it('echoes or assigns a request id, on errors too', async () => {
    const given = await ctx.http().get('/api/items').set('X-Request-Id', 'req-42');
    expect(given.headers['x-request-id']).toBe('req-42');
    expect(given.body).toMatchObject({ error: 'unauthenticated', requestId: 'req-42' });
    const assigned = await ctx.http().get('/health');
    expect(assigned.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers malformed JSON with 400, not a stack trace', async () => {
    const r = await ctx.http().post('/api/auth/login').set('Content-Type', 'application/json').send('{"username": ');
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).not.toMatch(/at \w+ \(/);
  });

  it('is ok while the database answers and 503 when it does not', async () => {
    expect((await ctx.http().get('/health')).body).toEqual({ status: 'ok' });
    await ctx.ds.destroy();
    const r = await ctx.http().get('/health');
    expect(r.status).toBe(503);
  });
});
