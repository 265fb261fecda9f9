import { createTestContext, type TestContext } from '../support/test-app.js';

describe('accounts and sign-in (HTTP, real PostgreSQL)', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext()));
  afterAll(async () => ctx.close());

  it('signs in and creates accounts of each role; only an admin may', async () => {
    const admin = await ctx.adminToken();
    expect(admin).toBeTruthy();
    for (const [role, unit] of [['supervisor'], ['operator'], ['unit_staff', 'SCJG'], ['admin']] as const) {
      const r = await ctx
        .http()
        .post('/api/users')
        .set('Authorization', `Bearer ${admin}`)
        .send({ username: `new_${role}`, password: 'long-enough-pw', role, unit });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ username: `new_${role}`, role, unit: unit ?? null });
      const login = await ctx.http().post('/api/auth/login').send({ username: `new_${role}`, password: 'long-enough-pw' });
      expect(login.status).toBe(200);
      expect(login.body.role).toBe(role);
    }
    const op = await ctx.login('operator');
    const forbidden = await ctx
      .http()
      .post('/api/users')
      .set('Authorization', `Bearer ${op}`)
      .send({ username: 'x1', password: 'long-enough-pw', role: 'admin' });
    expect(forbidden.status).toBe(403);
    const anonymous = await ctx.http().post('/api/users').send({ username: 'x2', password: 'long-enough-pw', role: 'admin' });
    expect(anonymous.status).toBe(401);
    const forged = await ctx.http().get('/api/items').set('Authorization', `Bearer ${admin.slice(0, -3)}abc`);
    expect(forged.status).toBe(401);
  });

  it('rejects bad account requests naming the field', async () => {
    const admin = await ctx.adminToken();
    const post = (body: object) => ctx.http().post('/api/users').set('Authorization', `Bearer ${admin}`).send(body);
    let r = await post({ username: 'a1', password: 'long-enough-pw', role: 'unit_staff' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/unit: required/);
    r = await post({ username: 'a2', password: 'long-enough-pw', role: 'unit_staff', unit: 'NOPE' });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/unknown unit "NOPE"/);
    r = await post({ username: 'a3', password: 'long-enough-pw', role: 'king' });
    expect(r.status).toBe(400);
    expect(r.body.details.problems.join()).toMatch(/role/);
    r = await post({ username: 'a4', password: 'long-enough-pw', role: 'operator', isSuperuser: true });
    expect(r.status).toBe(400);
    expect(r.body.details.problems).toContain('isSuperuser: unknown field');
    r = await post({ username: 'a5', password: 12345678, role: 'operator' });
    expect(r.status).toBe(400);
    expect(r.body.details.problems.join()).toMatch(/password/);
    await post({ username: 'dup', password: 'long-enough-pw', role: 'operator' });
    r = await post({ username: 'DUP', password: 'long-enough-pw', role: 'operator' });
    expect(r.status).toBe(409);
  });

  it('answers a wrong password and an unknown user alike, and slows repeated failures', async () => {
    await ctx.newUser({ role: 'operator', username: 'victim', password: 'the-right-password' });
    const wrongPw = await ctx.http().post('/api/auth/login').send({ username: 'victim', password: 'nope' });
    const noUser = await ctx.http().post('/api/auth/login').send({ username: 'nobody-here', password: 'nope' });
    expect(wrongPw.status).toBe(401);
    expect(noUser.status).toBe(401);
    expect(wrongPw.body.message).toBe(noUser.body.message);
    for (let i = 0; i < 4; i++) await ctx.http().post('/api/auth/login').send({ username: 'victim', password: `nope${i}` });
    const locked = await ctx.http().post('/api/auth/login').send({ username: 'victim', password: 'the-right-password' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // the counter lives in the database: once the wait is over (moved back here), the right password works again
    await ctx.ds.query(`UPDATE login_failure SET last_failure_at = now() - interval '1 hour'`);
    const ok = await ctx.http().post('/api/auth/login').send({ username: 'victim', password: 'the-right-password' });
    expect(ok.status).toBe(200);
  });

  it('revokes tokens when the admin password is reset', async () => {
    const token = await ctx.adminToken();
    expect((await ctx.http().get('/api/items').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    await ctx.ds.query(`UPDATE app_user SET token_version = token_version + 1 WHERE username = 'admin'`);
    expect((await ctx.http().get('/api/items').set('Authorization', `Bearer ${token}`)).status).toBe(401);
  });
});
