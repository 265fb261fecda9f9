import { createTestContext, type TestContext } from '../support/test-app.js';

/** Where each role lands, what its navigation offers, and that signing out ends the token everywhere. */
describe('console sessions by role', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext();
  });
  afterAll(async () => ctx.close());

  const signIn = async (u: { username: string; password: string }): Promise<{ cookie: string; home: string }> => {
    const r = await ctx.http().post('/console/login').type('form').send(u);
    expect(r.status).toBe(303);
    const set = ([] as string[]).concat(r.headers['set-cookie'] ?? []);
    return { cookie: set[0].split(';')[0], home: r.headers.location };
  };
  const navOf = (html: string): string[] =>
    [...(/<nav aria-label="主导航">([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);

  it.each([
    ['unit_staff', 'RS', '/console/queue', ['/console/queue', '/console/problems']],
    ['operator', undefined, '/console/intake', ['/console/intake']],
    ['supervisor', undefined, '/console/queue', ['/console/queue', '/console/triage', '/console/supervision', '/console/hot-spots', '/console/problems', '/console/intake', '/console/qr', '/console/dashboard', '/console/calendar']],
  ] as const)('%s lands on its first screen and sees only its own navigation', async (role, unit, home, nav) => {
    const u = await ctx.newUser({ role, unit });
    const s = await signIn(u);
    expect(s.home).toBe(home);
    // the bare /console address sends a signed-in person to the same place
    const root = await ctx.http().get('/console').set('Cookie', s.cookie);
    expect(root.headers.location).toBe(home);
    const page = await ctx.http().get('/console/queue').set('Cookie', s.cookie);
    expect(navOf(page.text)).toEqual(nav);
  });

  it('signing out revokes the token: a copy of the cookie kept elsewhere no longer works', async () => {
    const u = await ctx.newUser({ role: 'unit_staff', unit: 'RS' });
    const first = await signIn(u);
    const second = await signIn(u); // another browser of the same person
    const q = await ctx.http().get('/console/queue').set('Cookie', first.cookie);
    expect(q.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(q.text)?.[1] as string;
    const out = await ctx.http().post('/console/logout').set('Cookie', first.cookie).type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    for (const cookie of [first.cookie, second.cookie]) {
      const again = await ctx.http().get('/console/queue').set('Cookie', cookie);
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe('/console/login');
    }
    // and the same token no longer opens the API
    const token = decodeURIComponent(first.cookie.split('=')[1]);
    const api = await ctx.http().get('/api/items').set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(401);
    // signing in again works
    const back = await signIn(u);
    expect((await ctx.http().get('/console/queue').set('Cookie', back.cookie)).status).toBe(200);
  });
});
