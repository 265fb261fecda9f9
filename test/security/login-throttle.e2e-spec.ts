import { ADMIN_PASSWORD, createTestContext, type TestContext } from '../support/test-app.js';

/** Issue 13, finding 7: the sign-in throttle holds under parallel guesses and cannot lock an account out for everyone. */
describe('sign-in throttle (security)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext({ catalog: null });
  });
  afterAll(async () => ctx.close());

  const login = (username: string, password: string, from: string) =>
    ctx.http().post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });

  it('lets at most the free attempts through when guesses arrive in parallel', async () => {
    await ctx.newUser({ role: 'operator', username: 'target', password: 'the-right-password' });
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => login('target', `guess-${i}`, '10.20.0.1')));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(11);
  });

  it('does not lock admin out for everyone after someone else fails from elsewhere', async () => {
    for (let i = 0; i < 6; i++) await login('admin', `bad-${i}`, '10.30.0.66');
    // the attacker's address waits …
    expect((await login('admin', ADMIN_PASSWORD, '10.30.0.66')).status).toBe(429);
    // … the administrator at their own desk signs in
    const ok = await login('admin', ADMIN_PASSWORD, '10.30.0.77');
    expect(ok.status).toBe(200);
    expect(typeof ok.body.token).toBe('string');
  });
});
