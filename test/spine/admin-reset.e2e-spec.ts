import { AuthService } from '../../src/auth/auth.service.js';
import { createTestContext, type TestContext } from '../support/test-app.js';

describe('HUB_ADMIN_PASSWORD at start', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext()));
  afterAll(async () => ctx.close());

  it('resets the admin password and revokes the old tokens; without it nothing changes', async () => {
    const old = await ctx.adminToken();
    const auth = ctx.app.get(AuthService);
    // a later start with another HUB_ADMIN_PASSWORD
    (ctx.config as { adminPassword: string | null }).adminPassword = 'a-brand-new-password';
    expect(await auth.ensureAdmin()).toEqual({ created: false, reset: true, generatedPassword: null });
    expect((await ctx.http().get('/api/items').set('Authorization', `Bearer ${old}`)).status).toBe(401);
    const login = await ctx.http().post('/api/auth/login').send({ username: 'admin', password: 'a-brand-new-password' });
    expect(login.status).toBe(200);
    // a start without it leaves the account alone (and prints no password)
    (ctx.config as { adminPassword: string | null }).adminPassword = null;
    expect(await auth.ensureAdmin()).toEqual({ created: false, reset: false, generatedPassword: null });
    expect((await ctx.http().post('/api/auth/login').send({ username: 'admin', password: 'a-brand-new-password' })).status).toBe(200);
  });
});
