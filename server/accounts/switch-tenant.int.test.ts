import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, sessions, users } from '../../db/schema/index.js';
import { createTestApp } from '../../e2e/test-app.js';

// Issue 11: a person in several tenants moves their browser session between them. The switch
// is a new session (cookie and CSRF token) and the end of the old one; it never tells anyone
// whether a tenant they do not belong to exists.
describe('switching a browser session to another tenant', async () => {
  const t = await createTestApp();
  let a: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  let b: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  let stranger: Awaited<ReturnType<typeof t.tenantWithTokens>>;
  const unique = () => randomBytes(4).toString('hex');
  const email = `both-${unique()}@example.com`;
  const password = 'a member of two tenants';

  beforeAll(async () => {
    a = await t.tenantWithTokens('switch-a');
    b = await t.tenantWithTokens('switch-b');
    stranger = await t.tenantWithTokens('switch-c');
    // an admin in A (a new account), then a viewer in B (the same account, its own password)
    const fromA = await t.call(a.owner, 'POST', '/members', { email, role: 'admin' });
    expect((await t.call(undefined, 'POST', '/auth/accept-invitation', { token: fromA.body.token, password })).status).toBe(200);
    const fromB = await t.call(b.owner, 'POST', '/members', { email, role: 'viewer' });
    expect((await t.call(undefined, 'POST', '/auth/accept-invitation', { token: fromB.body.token, password })).status).toBe(200);
  });
  afterAll(() => t.close());

  const cookieOf = (res: { headers: Headers }) => res.headers.get('set-cookie')!.split(';')[0]!;
  /** Signs in as a browser would (in A, the first membership): the cookie and the CSRF token. */
  async function signIn(who = email, pass = password) {
    const res = await t.call(undefined, 'POST', '/auth/sign-in', { email: who, password: pass });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { cookie: cookieOf(res), csrf: res.body.csrf_token as string };
  }
  const asBrowser = (tab: { cookie: string; csrf?: string }, method: string, path: string, body?: unknown) =>
    t.call(undefined, method, path, body, { cookie: tab.cookie, ...(tab.csrf ? { 'x-csrf-token': tab.csrf } : {}) });
  const connector = (name: string) => ({ name: `${name} ${unique()}`, plugin: 'tap-jsonl', config: { path: 'x.jsonl', stream_name: 'x' } });

  it("lists the person's tenants with their roles in the session", async () => {
    const tab = await signIn();
    const session = await asBrowser(tab, 'GET', '/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.tenant).toEqual({ id: a.tenant.id, slug: a.tenant.slug, name: a.tenant.name });
    expect(session.body.tenants).toEqual([
      { slug: a.tenant.slug, name: a.tenant.name, role: 'admin' },
      { slug: b.tenant.slug, name: b.tenant.name, role: 'viewer' },
    ]);
  });

  it('opens a new session in the other tenant, and the old cookie stops working', async () => {
    const tab = await signIn();
    const res = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // answered like sign-in
    expect(Object.keys(res.body).sort()).toEqual(['csrf_token', 'role', 'tenant', 'tenants', 'user']);
    expect(res.body).toMatchObject({ tenant: { id: b.tenant.id, slug: b.tenant.slug, name: b.tenant.name }, role: 'viewer', user: { email } });
    expect(res.body.tenants).toHaveLength(2);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const next = { cookie: cookieOf(res), csrf: res.body.csrf_token as string };
    expect(next.cookie).not.toBe(tab.cookie);
    expect(next.csrf).not.toBe(tab.csrf);

    const now = await asBrowser(next, 'GET', '/auth/session');
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ tenant: { id: b.tenant.id, slug: b.tenant.slug }, role: 'viewer', via: 'session', csrf_token: next.csrf });

    // the old session is gone, not merely replaced in this browser
    expect((await asBrowser(tab, 'GET', '/auth/session')).status).toBe(401);
    expect((await asBrowser(tab, 'GET', '/connectors')).status).toBe(401);
    expect((await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: a.tenant.slug })).status).toBe(401);

    // and back again
    const back = await asBrowser(next, 'POST', '/auth/switch-tenant', { tenant: a.tenant.slug });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ tenant: { slug: a.tenant.slug }, role: 'admin' });
    expect((await asBrowser(next, 'GET', '/auth/session')).status).toBe(401);
  });

  it('records the switch in the new tenant only, with no secret and nothing about the tenant left', async () => {
    const switchesIn = async (tenantId: string) => (await t.db.select().from(auditEvents).where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.action, 'session.switch')))).length;
    const tab = await signIn();
    const beforeInA = await switchesIn(a.tenant.id);
    const res = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug });
    expect(res.status).toBe(200);
    expect(await switchesIn(a.tenant.id)).toBe(beforeInA);
    const inB = await t.call(b.owner, 'GET', '/audit?action=session.switch');
    expect(inB.status).toBe(200);
    expect(inB.body.data[0]).toMatchObject({ action: 'session.switch', actor: { type: 'user', label: email }, resource: { type: 'member' }, changes: { email, role: 'viewer' } });
    const text = JSON.stringify(inB.body);
    for (const secret of [tab.cookie.split('=')[1]!, tab.csrf, cookieOf(res).split('=')[1]!, res.body.csrf_token]) expect(text).not.toContain(secret);
    expect(text).not.toContain(a.tenant.slug);
    expect(text).not.toContain(a.tenant.id);
  });

  it('needs the CSRF token for the switch, and the new token (not the old) for changes after it', async () => {
    const tab = await signIn();
    // the switch is a cookie request that changes something: no token, no switch
    const bare = await asBrowser({ cookie: tab.cookie }, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug });
    expect(bare.status).toBe(403);
    expect(bare.body.error.message).toMatch(/CSRF/);
    expect((await asBrowser(tab, 'GET', '/auth/session')).body.tenant.slug).toBe(a.tenant.slug);

    // switch back into A (admin there) so a change is allowed by role, then test the tokens
    const toB = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug });
    const inB = { cookie: cookieOf(toB), csrf: toB.body.csrf_token as string };
    const toA = await asBrowser(inB, 'POST', '/auth/switch-tenant', { tenant: a.tenant.slug });
    expect(toA.status).toBe(200);
    const cookie = cookieOf(toA);
    const refusedOld = await asBrowser({ cookie, csrf: tab.csrf }, 'POST', '/connectors', connector('old token'));
    expect(refusedOld.status).toBe(403);
    expect(refusedOld.body.error.message).toMatch(/CSRF/);
    expect((await asBrowser({ cookie, csrf: inB.csrf }, 'POST', '/connectors', connector('previous token'))).status).toBe(403);
    expect((await asBrowser({ cookie }, 'POST', '/connectors', connector('no token'))).status).toBe(403);
    const made = await asBrowser({ cookie, csrf: toA.body.csrf_token }, 'POST', '/connectors', connector('new token'));
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // made in A, where the session now is
    const listedA = await t.call(a.owner, 'GET', '/connectors');
    expect(listedA.body.data.map((c: { id: string }) => c.id)).toContain(made.body.id);
    const listedB = await t.call(b.owner, 'GET', '/connectors');
    expect(listedB.body.data.map((c: { id: string }) => c.id)).not.toContain(made.body.id);
  });

  it("answers another tenant's slug exactly like an unknown one: 404, and the session stays as it was", async () => {
    const tab = await signIn();
    const unknownSlug = `nowhere-${unique()}`;
    const theirs = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: stranger.tenant.slug });
    const nobodys = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: unknownSlug });
    expect([theirs.status, nobodys.status]).toEqual([404, 404]);
    expect(theirs.body.error.message).toBe(`You are not a member of "${stranger.tenant.slug}".`);
    // the same answer, word for word, but for the slug itself
    expect(JSON.stringify(theirs.body).replaceAll(stranger.tenant.slug, 'X')).toBe(JSON.stringify(nobodys.body).replaceAll(unknownSlug, 'X'));
    expect(JSON.stringify(theirs.body)).not.toContain(stranger.tenant.id);
    expect(theirs.headers.get('set-cookie')).toBeNull();
    expect(nobodys.headers.get('set-cookie')).toBeNull();
    // nothing changed: same session, same tenant, no audit event in the stranger's tenant
    const still = await asBrowser(tab, 'GET', '/auth/session');
    expect(still.status).toBe(200);
    expect(still.body.tenant.slug).toBe(a.tenant.slug);
    expect(still.body.csrf_token).toBe(tab.csrf);
    expect(await t.db.select().from(auditEvents).where(eq(auditEvents.tenantId, stranger.tenant.id)).then((rows) => rows.filter((r) => r.action === 'session.switch'))).toEqual([]);
  });

  it('refuses a bad body with a 400 naming the field', async () => {
    const tab = await signIn();
    const missing = await asBrowser(tab, 'POST', '/auth/switch-tenant', {});
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.body.error.fields)).toEqual(['tenant']);
    const wrongType = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: 42 });
    expect(wrongType.status).toBe(400);
    expect(Object.keys(wrongType.body.error.fields)).toEqual(['tenant']);
    const empty = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: '' });
    expect(empty.body.error.fields).toEqual({ tenant: ['is required'] });
    const extra = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug, role: 'owner' });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.body.error.fields)).toContain('role');
    const notJson = await asBrowser(tab, 'POST', '/auth/switch-tenant', 'tenant=b');
    expect(notJson.status).toBe(400);
    // none of them switched anything
    expect((await asBrowser(tab, 'GET', '/auth/session')).body.tenant.slug).toBe(a.tenant.slug);
  });

  it('refuses an API token: a token belongs to one tenant', async () => {
    for (const token of [a.owner, a.viewer]) {
      const res = await t.call(token, 'POST', '/auth/switch-tenant', { tenant: b.tenant.slug });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
      expect(res.body.error.message).toMatch(/token belongs to one tenant/);
      expect(res.headers.get('set-cookie')).toBeNull();
    }
    // its session lists its own tenant only
    const session = await t.call(a.viewer, 'GET', '/auth/session');
    expect(session.body).toMatchObject({ via: 'token', tenant: { id: a.tenant.id, slug: a.tenant.slug, name: a.tenant.name } });
    expect(session.body.tenants).toEqual([{ slug: a.tenant.slug, name: a.tenant.name, role: 'viewer' }]);
  });

  it('gives a person in one tenant a list of one', async () => {
    const single = `single-${unique()}@example.com`;
    const invited = await t.call(stranger.owner, 'POST', '/members', { email: single, role: 'owner' });
    expect((await t.call(undefined, 'POST', '/auth/accept-invitation', { token: invited.body.token, password })).status).toBe(200);
    const tab = await signIn(single);
    const session = await asBrowser(tab, 'GET', '/auth/session');
    expect(session.body.tenants).toEqual([{ slug: stranger.tenant.slug, name: stranger.tenant.name, role: 'owner' }]);
    // switching to the tenant it is in works (a fresh session); to any other does not
    expect((await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: a.tenant.slug })).status).toBe(404);
    const user = await t.db.query.users.findFirst({ where: eq(users.email, single) });
    const sessionsOf = async () => (await t.db.select().from(sessions).where(eq(sessions.userId, user!.id))).map((s) => s.id);
    const before = await sessionsOf();
    const same = await asBrowser(tab, 'POST', '/auth/switch-tenant', { tenant: stranger.tenant.slug });
    expect(same.status).toBe(200);
    expect(same.body.tenants).toHaveLength(1);
    // one session replaced by one: the old row deleted, not left to expire
    const after = await sessionsOf();
    expect(after).toHaveLength(before.length);
    expect(after.filter((id) => !before.includes(id))).toHaveLength(1);
    expect((await asBrowser(tab, 'GET', '/auth/session')).status).toBe(401);
  });
});
